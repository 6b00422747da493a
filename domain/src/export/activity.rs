//! The office's activity counts as a CSV for Excel, like the other exports: a BOM, CRLF, quoted
//! cells and no cell Excel would run as a formula.

use super::Lang;
use super::csv::cell;
use crate::ids::ClientId;
use crate::report::Month;
use crate::report::activity::CoachMonth;

/// One row per coach for `month`; clients without a face-to-face contact by the names
/// `name_of` gives (their id otherwise).
pub fn activity_csv(
    rows: &[CoachMonth],
    month: Month,
    name_of: impl Fn(ClientId) -> Option<String>,
    lang: Lang,
) -> String {
    let header = lang.say(
        "月,ジョブコーチ,訪問,電話,オンライン,来所,方法未記入,集中支援期,移行支援期,フォローアップ,段階未記入,計画の訪問数,対面の実績,利用者数,対面のない利用者数,対面のない利用者",
        "Month,Job coach,Visit,Phone,Online,At the office,Mode not given,Intensive,Transition,Follow-up,Phase not given,Planned visits,Face-to-face visits,Clients,Clients not met face to face,Clients not met face to face (names)",
    );
    let mut csv = String::from("\u{feff}");
    let mut push = |cells: Vec<String>| {
        let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        csv.push_str(&line.join(","));
        csv.push_str("\r\n");
    };
    push(header.split(',').map(String::from).collect());
    for row in rows {
        let coach = if row.coach.is_empty() {
            lang.say("（記入なし）", "(not named)").to_owned()
        } else {
            row.coach.clone()
        };
        let names: Vec<String> = row
            .without_face_to_face
            .iter()
            .map(|c| name_of(*c).unwrap_or_else(|| c.to_string()))
            .collect();
        let mut cells = vec![month.to_string(), coach];
        cells.extend(row.by_mode.iter().map(u32::to_string));
        cells.push(row.no_mode.to_string());
        cells.extend(row.by_phase.iter().map(u32::to_string));
        cells.push(row.no_phase.to_string());
        cells.extend([
            row.planned.to_string(),
            row.face_to_face.to_string(),
            row.clients.len().to_string(),
            row.without_face_to_face.len().to_string(),
            names.join(lang.say("、", "; ")),
        ]);
        push(cells);
    }
    csv
}

//! Words for the support pages (plan, due list, monthly report, activity), without Leptos: the
//! keys of the domain's phases, modes, plan and report parts, a month in words, and what the
//! conflict review calls a plan or report field.

use crate::i18n::{Key, Lang, text};
use yorisoi_domain::due::Mode;
use yorisoi_domain::plan::{Part as PlanPart, Phase};
use yorisoi_domain::report::{Month, Part, Recipient, ShareRefused};

pub fn phase_key(phase: Phase) -> Key {
    match phase {
        Phase::Intensive => Key::PhaseIntensive,
        Phase::Transition => Key::PhaseTransition,
        Phase::FollowUp => Key::PhaseFollowUp,
    }
}

pub fn part_key(part: PlanPart) -> Key {
    match part {
        PlanPart::Phase => Key::PlanPhase,
        PlanPart::FaceToFacePerMonth => Key::PlanFaceToFace,
        PlanPart::Visits => Key::PlanVisits,
        PlanPart::Start => Key::PlanStart,
        PlanPart::End => Key::PlanEnd,
    }
}

fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => "：",
        Lang::En => ": ",
    }
}

/// What a plan field is called where conflicts and history name it.
pub fn plan_field_label(field: &str, lang: Lang) -> Option<String> {
    let part = PlanPart::of_field(field)?;
    Some(format!(
        "{}{}{}",
        text(lang, Key::PlanHeading),
        colon(lang),
        text(lang, part_key(part))
    ))
}

pub fn mode_key(mode: Mode) -> Key {
    match mode {
        Mode::Visit => Key::ModeVisit,
        Mode::Phone => Key::ModePhone,
        Mode::Online => Key::ModeOnline,
        Mode::Office => Key::ModeOffice,
    }
}

/// "2026年12月" / "December 2026".
pub fn month_text(lang: Lang, month: Month) -> String {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    match lang {
        Lang::Ja => format!("{}年{}月", month.year(), month.month()),
        Lang::En => format!("{} {}", NAMES[usize::from(month.month() - 1)], month.year()),
    }
}

pub fn refusal_key(refusal: ShareRefused) -> Key {
    match refusal {
        ShareRefused::NotFinal => Key::ReportRefusedNotFinal,
        ShareRefused::InConflict => Key::ReportRefusedConflict,
        ShareRefused::NoEmployerConsent => Key::ReportRefusedNoConsent,
        ShareRefused::EmployerConsentWithdrawn => Key::ReportRefusedWithdrawn,
        ShareRefused::BeforeMonth => Key::ReportRefusedBeforeMonth,
    }
}

/// The report's parts in conflict as a label (for the conflict review of the client's page).
pub fn report_field_label(field: &str, lang: Lang) -> Option<String> {
    let (month, part) = Part::of_field(field)?;
    let key = match part {
        Part::Done => Key::ReportDone,
        Part::State => Key::ReportState,
        Part::Next => Key::ReportNext,
        Part::Final => Key::ReportMarkFinal,
        Part::Shared(Recipient::Person) => Key::ReportSharePerson,
        Part::Shared(Recipient::Employer) => Key::ReportShareEmployer,
    };
    Some(format!(
        "{} {}{}{}",
        text(lang, Key::ReportTitle),
        month_text(lang, month),
        colon(lang),
        text(lang, key)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plan_and_report_field_is_named_in_both_languages() {
        let month: Month = "2026-12".parse().unwrap();
        #[rustfmt::skip]
        let cases: Vec<(String, &str, &str)> = PlanPart::ALL
            .into_iter()
            .map(|p| (p.field(), "支援計画：", "Support plan: "))
            .chain(Part::ALL.into_iter().map(|p| (p.field(month), "支援レポート 2026年12月：", "Monthly support report December 2026: ")))
            .collect();
        for (field, ja, en) in cases {
            let label =
                plan_field_label(&field, Lang::Ja).or_else(|| report_field_label(&field, Lang::Ja));
            assert!(
                label
                    .as_deref()
                    .is_some_and(|l| l.starts_with(ja) && l.len() > ja.len()),
                "{field}: {label:?}"
            );
            let label =
                plan_field_label(&field, Lang::En).or_else(|| report_field_label(&field, Lang::En));
            assert!(
                label
                    .as_deref()
                    .is_some_and(|l| l.starts_with(en) && l.len() > en.len()),
                "{field}: {label:?}"
            );
        }
        assert_eq!(plan_field_label("name", Lang::Ja), None);
        assert_eq!(report_field_label("report.2026-13.done", Lang::Ja), None);
    }

    #[test]
    fn months_are_said_in_each_language() {
        #[rustfmt::skip]
        let cases = [("2026-12", "2026年12月", "December 2026"), ("2027-01", "2027年1月", "January 2027")];
        for (month, ja, en) in cases {
            let month: Month = month.parse().unwrap();
            assert_eq!(month_text(Lang::Ja, month), ja);
            assert_eq!(month_text(Lang::En, month), en);
        }
    }
}

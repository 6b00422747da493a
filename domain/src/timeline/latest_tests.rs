//! Case table for the timeline's first view: the newest assessments only.

use super::RecordFacts;
use super::msfas::{Mark, progress};
use super::tests::{catalogue, date, msfas};
use crate::date::Date;

#[test]
fn the_latest_assessments_only_keep_the_tables_matching_their_columns() {
    let records: Vec<RecordFacts> = [
        msfas(1, 20_100, "2026-03-01", &["sleepy", "yawning"]),
        msfas(2, 20_200, "2026-06-01", &["headache"]),
        msfas(3, 20_300, "2026-09-01", &["sleepy"]),
    ]
    .iter()
    .map(RecordFacts::settled)
    .collect();
    let all = progress(&records, &catalogue(), 0);
    use Mark::{No as N, Yes as Y};
    // (n, days of the columns kept, the sign grid over them)
    type Grid = Vec<(&'static str, Vec<Mark>, u32)>;
    let cases: [(usize, Vec<&str>, Grid); 4] = [
        (
            3,
            vec!["2026-03-01", "2026-06-01", "2026-09-01"],
            vec![
                ("sleepy", vec![Y, N, Y], 2),
                ("yawning", vec![Y, N, N], 1),
                ("headache", vec![N, Y, N], 1),
            ],
        ),
        (
            10,
            vec!["2026-03-01", "2026-06-01", "2026-09-01"],
            vec![
                ("sleepy", vec![Y, N, Y], 2),
                ("yawning", vec![Y, N, N], 1),
                ("headache", vec![N, Y, N], 1),
            ],
        ),
        // yawning was chosen only in the one left out: not a row; sleepy counted once.
        (
            2,
            vec!["2026-06-01", "2026-09-01"],
            vec![("sleepy", vec![N, Y], 1), ("headache", vec![Y, N], 1)],
        ),
        (0, vec![], vec![]),
    ];
    for (n, days, grid) in cases {
        let p = all.latest(n);
        let shown: Vec<Option<Date>> = p.columns.iter().map(|c| c.placed_on).collect();
        let expected: Vec<Option<Date>> = days.iter().map(|d| Some(date(d))).collect();
        assert_eq!(shown, expected, "n = {n}");
        let got: Vec<(&str, Vec<Mark>, u32)> = p
            .signs
            .iter()
            .map(|s| (s.sign.as_str(), s.marks.clone(), s.times))
            .collect();
        assert_eq!(got, grid, "n = {n}");
        assert_eq!(p.coping.len(), days.len(), "n = {n}");
        for (_, counts) in &p.counts {
            assert_eq!(counts.len(), days.len(), "n = {n}");
        }
        let signs_of_each = &p.counts[0].1;
        assert_eq!(
            signs_of_each,
            &all.counts[0].1[3 - days.len()..].to_vec(),
            "n = {n}"
        );
    }
}

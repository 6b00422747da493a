//! What the support pages read and write through the same edit path as every client field: a
//! client's follow-up plan (`plan.<part>`), the monthly report (`report.<month>.<part>`), and the
//! facts the due list is computed from. Each read tracks the replica's revision, so a page
//! showing it follows every edit, sync and merge.

use super::Db;
use leptos::prelude::*;
use serde_json::Value;
use yorisoi_domain::due::{ClientFacts, facts_from};
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::plan::{Part as PlanPart, Plan, PlanView, plan_fields, plan_from};
use yorisoi_domain::report::{Month, Part as ReportPart, ReportView, report_from};
use yorisoi_domain::sync::Entity;

impl Db {
    /// `client`'s plan as this device holds it, every part with its conflicts.
    pub fn plan(self, client: ClientId) -> PlanView {
        self.revision.track();
        self.with_state(|s| plan_from(&s.replica, client))
            .unwrap_or_default()
    }

    /// Every client's plan and visit notes, for the due list and the counts.
    pub fn due_facts(self) -> Vec<ClientFacts> {
        self.revision.track();
        self.with_state(|s| facts_from(&s.replica))
            .unwrap_or_default()
    }

    /// Writes the parts of `plan` that differ from what the page showed (`shown`): one change per
    /// part, replacing the values the device holds, like any client field. A part in conflict
    /// that the person did not touch stays in conflict for them to choose.
    pub fn set_plan(self, client: ClientId, shown: &Plan, plan: &Plan) {
        let before = plan_fields(shown);
        let changed: Vec<(String, Value)> = plan_fields(plan)
            .into_iter()
            .zip(before)
            .filter(|((_, new), (_, old))| new != old)
            .map(|(field, _)| field)
            .collect();
        self.write(Entity::Client(client), client, changed);
    }

    /// Sets one part of a plan, as it is typed.
    pub fn set_plan_part(self, client: ClientId, part: PlanPart, value: Value) {
        self.write(Entity::Client(client), client, vec![(part.field(), value)]);
    }

    /// `client`'s report for `month` as this device holds it.
    pub fn report(self, client: ClientId, month: Month) -> ReportView {
        self.revision.track();
        self.with_state(|s| report_from(&s.replica, client, month))
            .unwrap_or_else(|| report_from(&Default::default(), client, month))
    }

    /// Writes parts of `client`'s report for `month` (`null` clears one).
    pub fn set_report(self, client: ClientId, month: Month, parts: Vec<(ReportPart, Value)>) {
        let fields = parts
            .into_iter()
            .map(|(part, value)| (part.field(month), value))
            .collect();
        self.write(Entity::Client(client), client, fields);
    }
}

impl Db {
    /// The coach each client's newest visit note (dated on or before `today`) names, read from the
    /// replica (a staff field in conflict names no one until a person chooses).
    pub fn coaches_of(
        self,
        facts: &[ClientFacts],
        today: yorisoi_domain::date::Date,
    ) -> std::collections::BTreeMap<ClientId, String> {
        use yorisoi_domain::answer::Answer;
        use yorisoi_domain::report::activity::{STAFF, coach_of_lines};
        use yorisoi_domain::sync::fields::ANSWER_PREFIX;
        let field = format!("{ANSWER_PREFIX}{STAFF}");
        // Built by inserting (`order::map_of`): `collect()` would compile one more sort.
        self.with_state(|s| {
            yorisoi_domain::order::map_of(facts.iter().filter_map(|f| {
                let newest = f
                    .notes
                    .iter()
                    .filter_map(|n| {
                        n.date
                            .known()
                            .filter(|d| **d <= today)
                            .map(|d| (*d, n.record))
                    })
                    .max()?;
                let register = s.replica.field(Entity::Record(newest.1), &field)?;
                let name = match register
                    .values()
                    .map(|(_, v)| v)
                    .collect::<Vec<_>>()
                    .as_slice()
                {
                    [one] => serde_json::from_value::<Answer>((*one).clone())
                        .ok()
                        .map(|a| match a {
                            Answer::Text { lines } => coach_of_lines(&lines),
                            _ => String::new(),
                        })
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                Some((f.client, name))
            }))
        })
        .unwrap_or_default()
    }
}

impl Db {
    /// Every record on this device (the office's counts read them all).
    pub fn all_records(self) -> Vec<yorisoi_domain::record::Record> {
        self.records.with(|r| r.values().cloned().collect())
    }
}

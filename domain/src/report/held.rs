//! A client's follow-up plan and monthly reports as held, for the disclosure (開示): every part
//! with every value its merged field holds, so a conflict is disclosed as it stands. (Every
//! change, a part this build does not know too, is in the disclosure's history besides.)

use super::Part;
use crate::ids::ClientId;
use crate::sync::{Entity, Register, Replica};
use std::collections::BTreeMap;

/// Parts by name, each with every value held (the disclosure's `privacy::Held`).
type Held = BTreeMap<String, Vec<serde_json::Value>>;

fn values(register: &Register) -> Vec<serde_json::Value> {
    register
        .values()
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_null())
        .collect()
}

/// `client`'s plan and reports (by month) as `replica` holds them.
pub fn held(replica: &Replica, client: ClientId) -> (Held, BTreeMap<String, Held>) {
    let (mut plan, mut reports) = (Held::new(), BTreeMap::<String, Held>::new());
    for (field, register) in replica.fields_of(Entity::Client(client)) {
        let values = values(register);
        if values.is_empty() {
            continue;
        }
        if let Some(part) = crate::plan::Part::of_field(field) {
            plan.insert(part.as_str().to_owned(), values);
        } else if let Some((month, part)) = Part::of_field(field) {
            reports
                .entry(month.to_string())
                .or_default()
                .insert(part.as_str().to_owned(), values);
        }
    }
    (plan, reports)
}

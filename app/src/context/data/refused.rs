//! What is kept with a change the server refused, for the person who made it to recognise it
//! (see `yorisoi_domain::sync::refused`): taken from what this tab holds when the push is
//! answered, before a hand-over that follows deletes the client.

use super::Db;
use leptos::prelude::*;
use yorisoi_domain::sync::refused::RefusedContext;
use yorisoi_domain::sync::{Change, Entity};

impl Db {
    /// The client and record `change` was made on, as this tab holds them now.
    pub(super) fn refused_context(self, change: &Change) -> Option<RefusedContext> {
        let client_name = self
            .clients
            .with_untracked(|c| c.get(&change.client).map(|c| c.name.clone()));
        let record = match change.entity {
            Entity::Record(id) => self.records.with_untracked(|r| r.get(&id).cloned()),
            Entity::Client(_) => None,
        };
        if client_name.is_none() && record.is_none() {
            return None;
        }
        Some(RefusedContext {
            client_name: client_name.unwrap_or_default(),
            instrument: record.as_ref().map(|r| r.instrument.clone()),
            record_day: record
                .as_ref()
                .and_then(|r| crate::records::day_of(r).parse().ok()),
        })
    }
}

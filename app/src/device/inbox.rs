//! What reaches this tab from the other tabs of the browser: their localStorage entries
//! (`storage` events) and the syncing tab's messages, as [`TabEvent`]s. Events that come while
//! the tab is still loading wait in the [`Inbox`] and are handed over once it has loaded (so
//! nothing written meanwhile is missed; applying an event twice is harmless).

use super::keys::WRITER_PREFIX;
use super::state::DeviceState;
use yorisoi_domain::ids::{ClientId, DeviceId};
use yorisoi_domain::stored;
use yorisoi_domain::sync::Entity;
use yorisoi_domain::sync::local::{Unsent, Writer};
use yorisoi_domain::sync::protocol::Pulled;

/// Something another tab did.
#[derive(Clone, Debug, PartialEq)]
pub enum TabEvent {
    /// A localStorage entry was written (`Some`) or removed (`None`; the old value says which).
    Storage {
        key: String,
        old: Option<String>,
        new: Option<String>,
    },
    /// The syncing tab wrote a pulled page and its cursor.
    Pulled { changes: Vec<Pulled>, cursor: u64 },
    /// The syncing tab deleted these clients (they left this device's scope).
    Forgot { clients: Vec<ClientId> },
    /// The syncing tab stored a bootstrap page with chunks of these clients (`last`: the
    /// bootstrap's last).
    Stored { clients: Vec<ClientId>, last: bool },
}

/// The events that came before this tab finished loading.
#[derive(Debug)]
pub struct Inbox {
    early: Option<Vec<TabEvent>>,
}

impl Default for Inbox {
    fn default() -> Self {
        Self {
            early: Some(Vec::new()),
        }
    }
}

impl Inbox {
    /// An event: kept while loading (`None`), handed back once loaded.
    pub fn receive(&mut self, event: TabEvent) -> Option<TabEvent> {
        match self.early.as_mut() {
            Some(early) => {
                early.push(event);
                None
            }
            None => Some(event),
        }
    }

    /// The tab has loaded: what came meanwhile, in the order it came. Later events pass.
    pub fn loaded(&mut self) -> Vec<TabEvent> {
        self.early.take().unwrap_or_default()
    }

    pub fn is_loading(&self) -> bool {
        self.early.is_some()
    }
}

/// What one `storage` event did to the state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StorageOutcome {
    /// The entity whose values or unsent state changed.
    pub touched: Option<Entity>,
    /// Another tab sealed changes: the syncing tab sends them shortly.
    pub sealed_elsewhere: bool,
}

/// One `storage` event of an outbox or writer entry. `open` reads an outbox entry (it is
/// sealed under its client's key: the vault opens it).
pub fn storage_event(
    state: &mut DeviceState,
    key: String,
    old: Option<String>,
    new: Option<String>,
    open: impl Fn(&str, &str) -> Option<Unsent>,
) -> StorageOutcome {
    if let Some(writer) = key.strip_prefix(WRITER_PREFIX) {
        return match new.as_deref().map(stored::decode::<Writer>) {
            Some(Ok(writer)) => {
                state.take_writer(&writer);
                StorageOutcome {
                    touched: None,
                    sealed_elsewhere: true,
                }
            }
            Some(Err(_)) => StorageOutcome::default(),
            None => {
                if let Ok(writer) = writer.parse::<DeviceId>() {
                    state.sealed.remove(&writer);
                }
                StorageOutcome::default()
            }
        };
    }
    let touched = match (new, old) {
        (Some(text), _) => open(&key, &text).and_then(|unsent| state.take_unsent(key, unsent)),
        // Removed: the syncing tab stored it in IndexedDB (it stays in the replica).
        (None, Some(text)) => {
            open(&key, &text).and_then(|unsent| state.unsent_removed(unsent.change.id))
        }
        (None, None) => None,
    };
    StorageOutcome {
        touched,
        sealed_elsewhere: false,
    }
}

#[cfg(test)]
#[path = "inbox_tests.rs"]
mod tests;

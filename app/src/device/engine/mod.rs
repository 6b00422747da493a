//! The device's operations: each does its storage steps in order (localStorage entries through
//! `crate::storage`, IndexedDB chunks through `crate::store`, the other tabs told through
//! `crate::tabs`) and returns what it changed as values ([`Touched`], a count, a
//! `Result<_, StorageError>`). The reactive handles (`crate::context`) call them and turn what
//! they return into signals; nothing here calls back up.
//!
//! [`Device`] is this tab's one copy of everything the device keeps in memory: the
//! [`DeviceState`] (once loaded), the open store, and the outbox's write bookkeeping (changes
//! whose localStorage write failed, the seal last written, pre-sync entries to remove).
//! It is a cheap handle (`Rc`): every clone is the same device.

pub mod edit;
pub mod open;
mod restore;
pub mod synced;

use super::errors::StorageError;
use super::state::DeviceState;
use crate::storage;
use crate::store::Store;
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;
use yorisoi_domain::ids::{ClientId, DeviceId};
use yorisoi_domain::sync::local::RefusedChange;
use yorisoi_domain::sync::{Change, Entity};

/// What an operation changed of what pages show: the entities to show again, the changes the
/// server refused that are now kept with why, and the clients deleted from this device.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Touched {
    pub entities: Vec<Entity>,
    pub refused: Vec<RefusedChange>,
    pub forgot: Vec<ClientId>,
}

impl Touched {
    pub fn entities(entities: impl IntoIterator<Item = Entity>) -> Self {
        Self {
            entities: entities.into_iter().collect(),
            ..Self::default()
        }
    }
}

#[derive(Default)]
struct Inner {
    state: RefCell<Option<DeviceState>>,
    store: RefCell<Option<Store>>,
    /// This writer's changes (by number) whose localStorage write failed, retried.
    unsaved: RefCell<BTreeSet<u64>>,
    /// This writer's seal as last written to localStorage: written again only when it moved.
    saved_seal: Cell<u64>,
    /// Pre-sync entries to remove once their changes are safely in the outbox.
    legacy: RefCell<Vec<String>>,
}

/// This tab's device: see the module's documentation.
#[derive(Clone, Default)]
pub struct Device {
    inner: Rc<Inner>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("loaded", &self.inner.state.borrow().is_some())
            .finish_non_exhaustive()
    }
}

pub(crate) fn no_idb() -> StorageError {
    StorageError::Unavailable("IndexedDB is not available".into())
}

impl Device {
    /// Runs `f` on the device's state, once it is loaded. Never held across an `await`.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut DeviceState) -> R) -> Option<R> {
        self.inner.state.borrow_mut().as_mut().map(f)
    }

    /// The state read at start becomes this tab's.
    pub fn set_state(&self, state: DeviceState) {
        *self.inner.state.borrow_mut() = Some(state);
    }

    /// The device's IndexedDB store, once open.
    pub fn store(&self) -> Option<Store> {
        self.inner.store.borrow().clone()
    }

    pub fn set_store(&self, store: Store) {
        *self.inner.store.borrow_mut() = Some(store);
    }

    fn store_or_fail(&self) -> Result<Store, StorageError> {
        self.store().ok_or_else(no_idb)
    }

    /// Every change of this device not yet on the server, whichever tab made it.
    pub fn unsent(&self) -> usize {
        self.with_state(|s| s.unsent()).unwrap_or(0)
    }

    /// Whether writes wait to be retried (a change storage refused, or pre-sync entries).
    pub fn writes_wait(&self) -> bool {
        !self.inner.unsaved.borrow().is_empty() || !self.inner.legacy.borrow().is_empty()
    }

    /// Pre-sync entries to remove once the changes made of them are in storage.
    pub fn add_legacy(&self, key: String) {
        self.inner.legacy.borrow_mut().push(key);
    }

    /// Where the next pull starts.
    pub fn cursor(&self) -> u64 {
        self.with_state(|s| s.cursor).unwrap_or(0)
    }

    /// The last scope hand-over this device finished.
    pub fn scope(&self) -> u64 {
        self.with_state(|s| s.scope).unwrap_or(0)
    }

    /// Reads localStorage again for every writer's unsent changes and seals: the syncing tab
    /// does this before it pushes, so an event it missed cannot make it skip or mis-send
    /// anything. What it brought in.
    pub fn rescan(&self) -> Touched {
        let Ok(local) = storage::load_all() else {
            return Touched::default();
        };
        let touched = self
            .with_state(|s| s.rescan(local.unsent, &local.writers))
            .unwrap_or_default();
        Touched::entities(touched)
    }

    /// The next push, if anything may be sent: one writer and its oldest changes (see
    /// `DeviceState::next_push`).
    pub fn next_push(&self, alive: &BTreeSet<DeviceId>) -> Option<(DeviceId, Vec<Change>)> {
        self.with_state(|s| s.next_push(alive)).flatten()
    }

    /// Forgets the writers whose tabs are gone and who left nothing unsent, and their entries.
    pub fn forget_gone_writers(&self, alive: &BTreeSet<DeviceId>) {
        let gone = self
            .with_state(|s| s.forget_gone_writers(alive))
            .unwrap_or_default();
        for writer in gone {
            storage::remove(&storage::writer_key(writer));
        }
    }

    /// Whether any change of these clients waits to be sent, in any tab.
    pub fn has_unsent_for(&self, clients: &[ClientId]) -> bool {
        self.with_state(|s| s.has_unsent_for(clients))
            .unwrap_or(false)
    }

    /// Whether the next sync bootstraps, and from where: `None` once it pulls.
    pub fn bootstrap_progress(&self) -> Option<super::state::Progress> {
        self.with_state(|s| s.bootstrap_progress()).flatten()
    }

    /// The instrument versions this device's records use (a device never drops one of them).
    pub fn instruments_used(&self) -> BTreeSet<yorisoi_domain::instrument::InstrumentRef> {
        self.with_state(|s| super::view::instruments_used(s))
            .unwrap_or_default()
    }

    /// Deletes this device's data. With `keep_unsent` (another person signed in) only what came
    /// from the server goes; without it (the device was revoked or retired) everything goes,
    /// its entries, identity and keys too. The app's offline copy is the caller's to remove.
    pub async fn wipe(&self, keep_unsent: bool) {
        self.clear_synced().await;
        if !keep_unsent {
            storage::remove_all_data();
            crate::vault::remove_all();
        }
    }

    /// This device's id (each tab writes under a writer id of its own).
    pub fn device_id(&self) -> DeviceId {
        self.with_state(|s| s.device)
            .unwrap_or_else(storage::device_id)
    }

    /// Deletes what came from the server (every IndexedDB chunk and the cursor), and nothing
    /// else: the one place the store is cleared.
    pub async fn clear_synced(&self) {
        if let Some(store) = self.store() {
            let _ = store.clear().await;
        } else if let Ok(store) = Store::open().await {
            let _ = store.clear().await;
        }
    }
}

//! The reactive layer: small `Copy` handles in context over the device engine
//! ([`crate::device`]), and the one place that routes what the other tabs say to them.
//!
//! - [`data`]: `Db`, what pages read and write (clients, records, the outbox's count, the save
//!   state), applying what the device's operations return;
//! - [`account`]: who is signed in, the keys, the screen lock;
//! - [`sync`]: `SyncEngine`, the syncing tab's loop and every tab's status.
//!
//! Inside this layer `data` depends on nothing here, `account` on `data`, `sync` on both, and
//! this file on all three. Nothing reaches a handle through a global: each gets the handles it
//! needs when it is made, and pages take them from context (`use_db`, `use_account`,
//! `use_sync`).

pub mod account;
pub mod data;
pub mod sync;

use crate::device::inbox::TabEvent;
use crate::device::screen;
use crate::tabs::{self, Message};
use account::Account;
use data::Db;
use leptos::prelude::*;
use sync::SyncEngine;

/// Puts every handle in context, in the order they need each other, and opens the tabs'
/// channel before anything is said on it.
pub fn provide_all() -> (Db, Account, SyncEngine) {
    let db = Db::provide();
    let account = Account::provide(db);
    let engine = SyncEngine::provide(db, account);
    route(db, account, engine);
    account.greet();
    engine.greet();
    (db, account, engine)
}

/// The one router of what other tabs say: `storage` events of the device's entries and of the
/// screen lock, and the tabs' channel. Set up before the data's load reads anything, so nothing
/// written meanwhile is missed (it waits in the data's inbox).
fn route(db: Db, account: Account, engine: SyncEngine) {
    tabs::on_storage(move |key, old, new| match key.as_str() {
        screen::LOCK_KEY | screen::PASSWORD_AT_KEY => account.screen_event(&key, new.as_deref()),
        _ => db.storage_event(key, old, new),
    });
    tabs::open(move |message| match message {
        Message::Pulled { changes, cursor } => db.tab_event(TabEvent::Pulled { changes, cursor }),
        Message::Forgot { clients } => db.tab_event(TabEvent::Forgot { clients }),
        Message::Stored { clients, last } => db.tab_event(TabEvent::Stored { clients, last }),
        Message::Restarted { instance } => db.restarted(instance),
        Message::Wiped => {
            let _ = window().location().reload();
        }
        // A locked screen hands nothing over: the tab asking waits for the PIN or password.
        Message::KeysPlease => crate::device::account::share_keys(),
        Message::Keys { person, key } => account.keys_arrived(person, &key),
        Message::Lock => {
            if crate::device::account::lock_here() {
                let _ = window().location().reload();
            }
        }
        other @ (Message::Status { .. } | Message::SyncNow | Message::Hello) => {
            engine.receive(other);
        }
    });
    // A person leaving this tab is done typing here: what they typed may be pushed.
    tabs::on_leave(move || db.seal());
}

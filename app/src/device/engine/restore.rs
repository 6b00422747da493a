//! The server's database restored from a backup, as this device meets it: every sync answer
//! names the database's instance id; the device keeps the one it last synced with (next to its
//! pull cursor). When an answer names another, the syncing tab asks how far the restored server
//! holds each of this device's writers, sends again every change of its own it still holds
//! above that (same ids, same values: the server stores them as fresh), and only then pulls the
//! log from its start (reading a change twice changes nothing). The other tabs are told.

use super::{Device, Touched};
use crate::device::errors::StorageError;
use crate::storage;
use crate::tabs;
use std::collections::BTreeSet;
use yorisoi_domain::ids::DeviceId;
use yorisoi_domain::sync::Change;
use yorisoi_domain::sync::local::RefusedChange;
use yorisoi_domain::sync::protocol::{Refused, Writers};

impl Device {
    /// The database instance this device last synced with (empty: none known yet).
    pub fn instance(&self) -> String {
        self.with_state(|s| s.instance.clone()).unwrap_or_default()
    }

    /// Whether an answer from database `instance` comes from another database than the one
    /// this device synced with: the server was restored from a backup.
    pub fn restored(&self, instance: &str) -> bool {
        let known = self.instance();
        !instance.is_empty() && !known.is_empty() && known != instance
    }

    /// A device that knew no instance (a fresh one, or one from before instance ids) takes the
    /// one its sync answers name.
    pub async fn adopt(&self, instance: &str) -> Result<(), StorageError> {
        if instance.is_empty() || !self.instance().is_empty() {
            return Ok(());
        }
        self.store_or_fail()?.adopt(instance).await?;
        self.with_state(|s| s.instance = instance.to_owned());
        Ok(())
    }

    /// What to send again to the restored server that `writers` describes: every change of
    /// this device's writers it holds above the server's numbers, a writer's changes in order.
    pub async fn to_resend(
        &self,
        writers: &Writers,
    ) -> Result<Vec<(DeviceId, Vec<Change>)>, StorageError> {
        let store = self.store_or_fail()?;
        let mut own: BTreeSet<DeviceId> = store.own_writers().await?;
        own.extend(writers.writers.iter().map(|w| w.writer));
        self.with_state(|s| {
            // The device's own id numbered its changes before tabs had writers.
            own.insert(s.device);
            own.insert(s.outbox.device());
            own.extend(s.sealed.keys().copied());
            own.extend(s.others.keys().map(|id| id.device));
        });
        let server =
            yorisoi_domain::order::map_of(writers.writers.iter().map(|w| (w.writer, w.last_seq)));
        let (pushes, _unreadable) = store.own_changes(&own, &server).await?;
        Ok(pushes)
    }

    /// Changes sent again that the restored server set aside (the client moved away
    /// meanwhile, say): kept like any change it refused. What was kept, whatever storage said.
    pub fn resent_refused(
        &self,
        changes: &[Change],
        refused: &[Refused],
    ) -> (Touched, Result<(), StorageError>) {
        let mut touched = Touched::default();
        for refusal in refused {
            let Some(change) = changes.iter().find(|c| c.id == refusal.id) else {
                continue;
            };
            let kept = RefusedChange {
                change: change.clone(),
                refusal: refusal.refusal.clone(),
                made_at: None,
                context: self.refused_context(change),
            };
            if let Err(error) = storage::save_refused(&kept) {
                return (touched, Err(error));
            }
            touched.refused.push(kept);
        }
        (touched, Ok(()))
    }

    /// This device goes on with database `instance` from the start of its log (once it sent
    /// again what that database lacked), and tells the other tabs.
    pub async fn restart(&self, instance: &str) -> Result<(), StorageError> {
        self.store_or_fail()?.restart(instance).await?;
        self.restarted(instance.to_owned());
        tabs::post(&tabs::Message::Restarted {
            instance: instance.to_owned(),
        });
        Ok(())
    }

    /// The syncing tab restarted from database `instance`: this tab's cursor and hand-over too
    /// (it needs them if it becomes the syncing tab).
    pub fn restarted(&self, instance: String) {
        self.with_state(|s| {
            s.instance = instance;
            s.cursor = 0;
            s.scope = 0;
        });
    }
}

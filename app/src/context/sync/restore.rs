//! The sync engine meeting a server restored from a backup (see `crate::db` `restore.rs`).

use super::{SyncEngine, SyncError};
use crate::api;
use yorisoi_domain::sync::protocol::{PushRequest, WIRE_FORMAT};

impl SyncEngine {
    /// The server's database was restored from a backup: every change of this device's writers
    /// it still holds above what the server holds goes again (same ids and values), then the
    /// device pulls from the start of the restored log (see `db/restore.rs`).
    pub(super) async fn after_restore(self) -> Result<(), SyncError> {
        let writers = self.answer(api::writers().await).await?;
        for (writer, changes) in self.db.to_resend(&writers).await? {
            let request = PushRequest {
                format: WIRE_FORMAT,
                device: writer,
                changes,
            };
            let response = self
                .answer(api::push(&request, &writers.instance).await)
                .await?;
            self.db
                .resent_refused(&request.changes, &response.refused)?;
        }
        self.db.restart(&writers.instance).await?;
        Ok(())
    }
}

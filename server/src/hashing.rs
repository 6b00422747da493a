//! Password hashing, bounded. Each Argon2id hash or check holds 19 MiB and a core for tens of
//! milliseconds by design; without a bound, sign-ins from many addresses at once (the per-address
//! limit does not see them as one) could run any number at the same time and take the machine's
//! memory. Every route that hashes or checks a password (sign-in, set-up, changing one's
//! password, an administrator adding a person or resetting a password) goes through
//! [`HashLimit::run`]: at most `concurrent` hashes run at once, each on a blocking thread; a
//! request waits for a turn at most `wait`, then is answered 503 with `Retry-After`.

use crate::error::ApiError;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How long a request waits for a turn to hash before it is answered 503.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

#[derive(Clone, Debug)]
pub struct HashLimit {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl HashLimit {
    /// At most `concurrent` (at least 1) hashes at once; a turn is waited for at most `wait`.
    pub fn new(concurrent: usize, wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
            wait,
        }
    }

    /// As many hashes at once as the machine has cores, each turn waited for 5 s at most.
    pub fn for_this_machine() -> Self {
        Self::new(
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            DEFAULT_WAIT,
        )
    }

    /// The permits themselves, for a test to hold one.
    pub fn permits(&self) -> &Arc<Semaphore> {
        &self.permits
    }

    /// Runs `work` (a hash or a check) on a blocking thread once a turn is free, or answers
    /// [`ApiError::Busy`] after waiting too long. The turn is held until the work ends, even if
    /// the request that asked for it has gone away.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| ApiError::Busy)?
            .map_err(|_| ApiError::Busy)?;
        tokio::task::spawn_blocking(move || {
            let _turn = permit;
            work()
        })
        .await
        .map_err(|e| ApiError::Internal(format!("a hashing task failed: {e}")))
    }
}

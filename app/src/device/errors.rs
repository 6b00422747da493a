//! How storage on the device fails, as values: what the app tells a person, never a panic.

/// Why a write to the device's storage (localStorage or IndexedDB) did not happen.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StorageError {
    /// The browser's storage for this site is full.
    Quota,
    /// Storage is blocked or broken (private mode, a browser setting, a disk error).
    Unavailable(String),
}

/// An entry that could not be read: left in place, listed for the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAside {
    pub key: String,
    pub reason: String,
}

/// What the app shows of a failed save: kept in memory, retried, and said in plain words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailKind {
    Quota,
    Unavailable,
}

impl From<&StorageError> for FailKind {
    fn from(error: &StorageError) -> Self {
        match error {
            StorageError::Quota => FailKind::Quota,
            StorageError::Unavailable(_) => FailKind::Unavailable,
        }
    }
}

//! Which formats this build speaks (the sync wire format, the bootstrap page's shape, the
//! largest batch), and the error a device or server gets when the other speaks another: a
//! clear "please update", never a half-understood request.

/// The wire format this build speaks.
pub const WIRE_FORMAT: u32 = 1;
/// The most changes one push may carry, and the most one pull page returns.
pub const MAX_BATCH: usize = 500;

/// The shape of a bootstrap page this build speaks (`format=` of `GET /api/v1/sync/bootstrap`).
/// Format 1 sent every field with its client and entity spelled out; format 2 groups them.
pub const BOOTSTRAP_FORMAT: u32 = 2;

/// Whether a bootstrap request's `format` is [`BOOTSTRAP_FORMAT`]: an app that asks for
/// another is told to update (or that the server is older), like the other endpoints.
pub fn check_bootstrap_format(format: u32) -> Result<(), ProtocolError> {
    match format {
        BOOTSTRAP_FORMAT => Ok(()),
        older if older < BOOTSTRAP_FORMAT => Err(ProtocolError::UpdateAppBootstrap(older)),
        newer => Err(ProtocolError::UpdateServerBootstrap(newer)),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error(
        "this app speaks sync format {0}; the server speaks {WIRE_FORMAT}. Please update the app"
    )]
    UpdateApp(u32),
    #[error(
        "the server speaks sync format {WIRE_FORMAT}, older than this app's {0}. Please ask your administrator to update the server"
    )]
    UpdateServer(u32),
    #[error(
        "this app asks for bootstrap format {0}; the server sends {BOOTSTRAP_FORMAT}. Please update the app"
    )]
    UpdateAppBootstrap(u32),
    #[error(
        "the server sends bootstrap format {BOOTSTRAP_FORMAT}, older than this app's {0}. Please ask your administrator to update the server"
    )]
    UpdateServerBootstrap(u32),
    #[error("change {0} was not made by the device that pushed it")]
    ForeignChange(String),
    #[error("a push carries at most {MAX_BATCH} changes")]
    TooMany,
    #[error("changes must be pushed in the order they were made")]
    OutOfOrder,
}

pub fn check_format(format: u32) -> Result<(), ProtocolError> {
    match format {
        WIRE_FORMAT => Ok(()),
        older if older < WIRE_FORMAT => Err(ProtocolError::UpdateApp(older)),
        newer => Err(ProtocolError::UpdateServer(newer)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bootstrap_of_another_format_is_told_what_to_update() {
        assert!(check_bootstrap_format(BOOTSTRAP_FORMAT).is_ok());
        assert_eq!(
            check_bootstrap_format(1),
            Err(ProtocolError::UpdateAppBootstrap(1))
        );
        assert_eq!(
            check_bootstrap_format(3),
            Err(ProtocolError::UpdateServerBootstrap(3))
        );
    }
}

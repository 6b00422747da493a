//! The device's side of sync that needs no page: its status and the rules it runs by
//! ([`status`]). The loop itself runs in `crate::sync` (the syncing tab's engine).

pub mod status;

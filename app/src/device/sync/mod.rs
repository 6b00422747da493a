//! The device's side of sync: one round's storage and HTTP steps in order ([`round`]), its
//! status and the rules it runs by ([`status`]). When to run a round (the timers, the tab that
//! syncs, the status the other tabs show) is the reactive layer's `crate::sync`.

pub mod round;
pub mod status;

//! Signing in, unlocking, the first administrator's set-up, enrolling a tablet, and one's own
//! account on the settings page (changing one's password).

mod card;
mod enrol;
mod setup;
mod sign_in;
mod unlock;

pub use card::AccountCard;
pub use enrol::EnrolPage;
pub use setup::SetupPage;
pub use sign_in::SignInPage;
pub use unlock::{IdleLockPage, UnlockPage};

use crate::api::ApiError;
use crate::i18n::{Key, tr, trn};
use yorisoi_domain::errors::ErrorCode;

/// What a failed sign-in says, in words a person can act on.
fn sign_in_problem(error: &ApiError) -> String {
    match (error, error.code()) {
        (ApiError::Offline | ApiError::Stalled, _) => tr(Key::SignInOffline)().to_owned(),
        (_, Some(ErrorCode::SignInFailed)) => tr(Key::SignInFailed)().to_owned(),
        (_, Some(ErrorCode::TooManyRequests)) => tr(Key::SignInTooMany)().to_owned(),
        (_, Some(ErrorCode::DeviceRevoked)) => tr(Key::SignInRevoked)().to_owned(),
        (_, Some(ErrorCode::DeviceProof)) => tr(Key::SignInDeviceProof)().to_owned(),
        _ => trn(Key::AdminFailed, error.message()),
    }
}

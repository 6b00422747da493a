//! People, roles, sessions and devices as the server and the app exchange them (the `/api/v1/`
//! account routes), and the rules both sides check: what a login and a password must be.

use crate::ids::{ClientId, DeviceId, PersonId};
use serde::{Deserialize, Serialize};

/// What a person may do. One role each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 管理者: people, roles, assignments and devices; no client data.
    Admin,
    /// ジョブコーチ / 支援員: the clients assigned to them.
    Coach,
    /// サービス管理責任者 / 事務: every client of the agency.
    Office,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Coach, Role::Office];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coach => "coach",
            Role::Office => "office",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role reads and writes client data at all.
    pub fn reads_clients(self) -> bool {
        !matches!(self, Role::Admin)
    }
}

/// The shortest password accepted (NIST SP 800-63B asks at least 8; a shared tablet asks more).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest: Argon2 hashes any length, but a megabyte "password" is an attack, not a person.
pub const MAX_PASSWORD_CHARS: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("a password may have at most {MAX_PASSWORD_CHARS} characters")]
    PasswordTooLong,
    #[error("a login is 1 to 64 letters, digits, '.', '-', '_' or '@'")]
    BadLogin,
    #[error("a name cannot be empty")]
    EmptyName,
}

pub fn check_password(password: &str) -> Result<(), AccountError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(AccountError::PasswordTooShort)
    } else if chars > MAX_PASSWORD_CHARS {
        Err(AccountError::PasswordTooLong)
    } else {
        Ok(())
    }
}

/// A login as stored and compared: trimmed and lower-cased, so `Sato` and `sato ` are one person.
pub fn normalize_login(login: &str) -> Result<String, AccountError> {
    let login = login.trim().to_lowercase();
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@');
    if login.is_empty() || login.len() > 64 || !login.chars().all(allowed) {
        return Err(AccountError::BadLogin);
    }
    Ok(login)
}

pub fn check_name(name: &str) -> Result<String, AccountError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AccountError::EmptyName);
    }
    Ok(name.to_owned())
}

/// The header every request of the app carries: its device's secret (256 random bits as hex),
/// registered at the device's first sign-in; the server keeps only its hash.
pub const DEVICE_PROOF_HEADER: &str = "x-yorisoi-device-proof";

/// `POST /api/v1/session`: sign in on this device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub login: String,
    pub password: String,
    pub device: DeviceId,
}

/// `POST /api/v1/setup`: the first administrator, with the one-time code the server printed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    pub code: String,
    pub login: String,
    pub name: String,
    pub password: String,
    pub device: DeviceId,
}

/// Who is signed in on this device (`GET /api/v1/session`, and the answer to signing in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub person: PersonId,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub device: DeviceId,
    /// When the session ends (milliseconds since the Unix epoch, server clock) unless the person
    /// signs out before; the app works offline until then and asks for a sign-in after.
    pub expires_at: i64,
    /// The server's clock when it answered: how far the device's clock is off, so a device
    /// whose clock is wrong still knows when its offline time runs out.
    #[serde(default)]
    pub server_time: i64,
    /// This device's name, if an administrator gave it one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

/// `POST /api/v1/password`: a person changes their own password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current: String,
    pub new: String,
}

/// A person as the admin pages list them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    /// Locked after too many failed sign-ins, until this time (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<i64>,
    /// The clients assigned to them (coaches).
    #[serde(default)]
    pub clients: Vec<ClientId>,
}

/// `POST /api/v1/people`: an admin adds a person with a first password to hand over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

/// `PATCH /api/v1/people/{id}`: an admin changes a role, disables or enables, or resets a
/// password. Absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `POST` / `DELETE /api/v1/assignments`: a coach serves a client, or no longer does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub person: PersonId,
    pub client: ClientId,
}

/// What became of a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceState {
    Active,
    /// Lost or stolen: refused at once, and it deletes every client's data on its next contact.
    Revoked,
    /// Handed back: it sends what it has unsent, then deletes.
    Retired,
}

impl DeviceState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceState::Active => "active",
            DeviceState::Revoked => "revoked",
            DeviceState::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<DeviceState> {
        [Self::Active, Self::Revoked, Self::Retired]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// `POST /api/v1/enrolments`: an administrator makes a one-time code for a tablet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEnrolment {
    /// The tablet's name, e.g. "タブレット3（青木）".
    pub name: String,
}

/// The code, as a link to open on the tablet and as a QR code of that link (SVG).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    pub link: String,
    pub qr_svg: String,
    /// When the code stops working (ms since the epoch, server clock): 15 minutes, one use.
    pub expires_at: i64,
}

/// `POST /api/v1/enrol`: a tablet enrols itself with the code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrol {
    pub code: String,
    pub device: DeviceId,
}

/// The answer to enrolling: the name the device now has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolled {
    pub name: String,
}

/// A device as the admin pages list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: DeviceId,
    pub name: Option<String>,
    pub state: DeviceState,
    pub last_seen: Option<i64>,
    /// The name of the last person who used it.
    pub last_person: Option<String>,
}

/// A client as the admin pages list them to assign coaches: an id and a name, nothing more.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientEntry {
    pub id: ClientId,
    pub name: String,
    pub coaches: Vec<PersonId>,
}

/// What an administrator decided about a change set aside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Stored in the log as if it had been accepted when pushed (only if it is valid).
    Accepted,
    /// Kept aside for good, never applied.
    Discarded,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accepted => "accepted",
            Decision::Discarded => "discarded",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_compare_without_case_or_surrounding_space() {
        assert_eq!(normalize_login(" Sato.Hanako ").unwrap(), "sato.hanako");
        assert_eq!(normalize_login("a b"), Err(AccountError::BadLogin));
        assert_eq!(normalize_login(""), Err(AccountError::BadLogin));
        assert_eq!(
            normalize_login(&"a".repeat(65)),
            Err(AccountError::BadLogin)
        );
    }

    #[test]
    fn passwords_have_a_floor_and_a_ceiling_in_characters_not_bytes() {
        assert_eq!(
            check_password("短いパスワード"),
            Err(AccountError::PasswordTooShort)
        );
        assert!(check_password("十文字のパスワードです").is_ok());
        assert_eq!(
            check_password(&"x".repeat(MAX_PASSWORD_CHARS + 1)),
            Err(AccountError::PasswordTooLong)
        );
    }

    #[test]
    fn roles_read_and_write_as_their_lowercase_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
        }
        assert!(!Role::Admin.reads_clients());
        assert!(Role::Coach.reads_clients() && Role::Office.reads_clients());
    }
}

//! The instrument versions this device holds (issue 22): the compiled-in ones, always, and the
//! published ones the server sent, sealed at rest like everything else
//! (`yorisoi.instruments`). Every page reads definitions through [`catalogue`]; a new record is
//! made with [`offered`], the newest version not retired; an existing record keeps the exact
//! version it names. A version a local record uses is never dropped, even when the server no
//! longer lists it. No Leptos here.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use yorisoi_domain::catalogue::Catalogue;
use yorisoi_domain::ids::{ClientId, PersonId};
use yorisoi_domain::instrument::{Instrument, InstrumentRef};
use yorisoi_domain::stored::Stored;
use yorisoi_domain::versions::Status;
use yorisoi_domain::versions::wire::{Held, VersionsResponse};

/// Where the held versions are stored, sealed (under no client: `ClientId` nil).
pub const KEY: &str = "yorisoi.instruments";

/// One version the device holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeldVersion {
    pub status: Status,
    pub sha256: String,
    pub definition: Instrument,
}

/// What is stored: every version the server sent that the device keeps, and the fingerprint of
/// the server's answer when the device kept all of it (empty otherwise, and in what the release
/// before stored: then the next sync asks).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HeldVersions {
    pub versions: Vec<HeldVersion>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
}

impl Stored for HeldVersions {
    const KIND: &'static str = "instruments";
}

/// What the device keeps after the server answered: every version in use the server lists
/// (its definition as sent, or as held when the hash matches), and any version it no longer
/// lists that a local record still uses. A version the server lists but whose definition the
/// device neither holds nor got is left out (the next sync asks for it again).
pub fn merge(
    held: &[HeldVersion],
    answer: &VersionsResponse,
    used: &BTreeSet<InstrumentRef>,
) -> Vec<HeldVersion> {
    let mut kept: Vec<HeldVersion> = Vec::new();
    for in_use in &answer.versions {
        let definition = in_use.definition.clone().or_else(|| {
            held.iter()
                .find(|h| {
                    h.sha256 == in_use.sha256 && h.definition.reference() == in_use.instrument
                })
                .map(|h| h.definition.clone())
        });
        if let Some(definition) = definition
            && definition.reference() == in_use.instrument
        {
            kept.push(HeldVersion {
                status: in_use.status,
                sha256: in_use.sha256.clone(),
                definition,
            });
        }
    }
    for old in held {
        let reference = old.definition.reference();
        if used.contains(&reference) && !kept.iter().any(|k| k.definition.reference() == reference)
        {
            kept.push(old.clone());
        }
    }
    kept
}

/// The fingerprint of `answer` if the device keeps every version it lists (`kept`, from
/// [`merge`]); empty if a definition is missing, so the next sync asks again.
pub fn installed_fingerprint(answer: &VersionsResponse, kept: &[HeldVersion]) -> String {
    let all = answer.versions.iter().all(|v| {
        kept.iter()
            .any(|k| k.sha256 == v.sha256 && k.definition.reference() == v.instrument)
    });
    if all {
        answer.fingerprint()
    } else {
        String::new()
    }
}

/// Whether a sync asks the server for versions: when the fingerprint the round's last pull
/// carried (`seen`; empty from an older server) is not the one installed, or a local record
/// names a version the device does not hold. Otherwise nothing was published or retired since
/// the device last asked, and it makes no request.
pub fn needs_asking(
    installed: &str,
    seen: &str,
    catalogue: &Catalogue,
    used: &BTreeSet<InstrumentRef>,
) -> bool {
    let changed = seen.is_empty() || installed.is_empty() || seen != installed;
    changed || used.iter().any(|r| catalogue.get(r).is_none())
}

/// The definitions and their states, as the pages read them.
pub struct Runtime {
    pub catalogue: Catalogue,
    pub status: BTreeMap<InstrumentRef, Status>,
    pub held: Vec<HeldVersion>,
    /// The fingerprint of the server's answer these versions are (see [`HeldVersions`]).
    pub fingerprint: String,
}

impl Runtime {
    /// The compiled-in definitions and `held` (a compiled-in version is the build's own).
    pub fn build(held: Vec<HeldVersion>) -> Self {
        Self::build_from(held, String::new())
    }

    /// As [`Runtime::build`], with the fingerprint the versions were installed with.
    pub fn build_from(held: Vec<HeldVersion>, fingerprint: String) -> Self {
        let mut catalogue = Catalogue::builtin()
            .expect("the built-in definitions are checked by the domain's tests");
        let mut status = BTreeMap::new();
        for version in &held {
            let reference = version.definition.reference();
            status.insert(reference.clone(), version.status);
            if catalogue.get(&reference).is_none() {
                catalogue.instruments.push(version.definition.clone());
            }
        }
        Self {
            catalogue,
            status,
            held,
            fingerprint,
        }
    }

    /// The newest version of `id` a new record may use: not retired.
    pub fn offered(&self, id: &str) -> Option<&Instrument> {
        self.catalogue
            .instruments
            .iter()
            .filter(|i| i.id == id && self.status.get(&i.reference()) != Some(&Status::Retired))
            .max_by(|a, b| (&a.edition, a.version).cmp(&(&b.edition, b.version)))
    }

    /// A newer version a draft of `reference` may move to (the newest offered of its edition).
    pub fn newer(&self, reference: &InstrumentRef) -> Option<&Instrument> {
        self.offered(&reference.id)
            .filter(|i| i.edition == reference.edition && i.version > reference.version)
    }

    /// The ids of the instruments a new record may be made with, besides the compiled-in ones.
    pub fn published_ids(&self) -> Vec<String> {
        let builtin = Catalogue::builtin()
            .map(|c| c.instruments)
            .unwrap_or_default();
        let mut ids: Vec<String> = self
            .catalogue
            .instruments
            .iter()
            .filter(|i| !builtin.iter().any(|b| b.id == i.id) && self.offered(&i.id).is_some())
            .map(|i| i.id.clone())
            .collect();
        ids.dedup();
        ids
    }

    /// What to tell the server the device holds.
    pub fn held_list(&self) -> Vec<Held> {
        self.held
            .iter()
            .map(|h| Held {
                instrument: h.definition.reference(),
                sha256: h.sha256.clone(),
            })
            .collect()
    }
}

/// The runtime, and whose key read it from storage.
static CURRENT: Mutex<Option<(PersonId, &'static Runtime)>> = Mutex::new(None);

/// The definitions now (read once from storage when the app is unlocked; the compiled-in ones
/// until then). A runtime replaced by a sync lives on for the pages still holding it: it is
/// small, and replaced only when the server sent something new.
pub fn current() -> &'static Runtime {
    let mut current = CURRENT.lock().unwrap_or_else(|e| e.into_inner());
    let person = crate::vault::unlocked();
    if let Some((whose, runtime)) = *current
        && Some(whose) == person
    {
        return runtime;
    }
    mark("yorisoi-instruments-start");
    let (stored, loaded) = load();
    let Some(person) = person.filter(|_| loaded) else {
        // Locked: the compiled-in ones, until the person's key can open what is stored.
        static BUILTIN: std::sync::OnceLock<&'static Runtime> = std::sync::OnceLock::new();
        return BUILTIN.get_or_init(|| Box::leak(Box::new(Runtime::build(Vec::new()))));
    };
    let runtime: &'static Runtime = Box::leak(Box::new(Runtime::build_from(
        stored.versions,
        stored.fingerprint,
    )));
    *current = Some((person, runtime));
    // Read, opened and parsed: what the start-up measurement reads (see BENCHMARKS.md).
    mark("yorisoi-instruments-loaded");
    runtime
}

/// A performance mark for the start-up measurement; nothing off the browser (native tests).
fn mark(name: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = name;
}

/// Every definition this device holds.
pub fn catalogue() -> &'static Catalogue {
    &current().catalogue
}

/// The newest version of `id` a new record may use.
pub fn offered(id: &str) -> Option<&'static Instrument> {
    current().offered(id)
}

/// Takes the server's answer: stores what is kept, sealed, and uses it from now on.
pub fn install(answer: &VersionsResponse, used: &BTreeSet<InstrumentRef>) {
    let held = merge(&current().held, answer, used);
    let fingerprint = installed_fingerprint(answer, &held);
    if held == current().held && fingerprint == current().fingerprint {
        return;
    }
    let stored = HeldVersions {
        versions: held.clone(),
        fingerprint: fingerprint.clone(),
    };
    match crate::storage::seal_entry(KEY, no_client(), &stored) {
        Ok(sealed) => {
            if let Err(error) = crate::storage::write(KEY, &sealed) {
                leptos::logging::warn!("instrument versions not stored: {error:?}");
            }
        }
        Err(error) => leptos::logging::warn!("instrument versions not sealed: {error:?}"),
    }
    if let Some(person) = crate::vault::unlocked() {
        let runtime: &'static Runtime = Box::leak(Box::new(Runtime::build_from(held, fingerprint)));
        *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = Some((person, runtime));
    }
}

/// The held versions from storage, and whether storage could be read (the app unlocked).
fn load() -> (HeldVersions, bool) {
    use gloo_storage::{LocalStorage, Storage};
    if crate::vault::unlocked().is_none() {
        return (HeldVersions::default(), false);
    }
    let Ok(text) = LocalStorage::raw().get_item(KEY) else {
        return (HeldVersions::default(), true);
    };
    match text.map(|t| crate::storage::open_entry::<HeldVersions>(KEY, &t)) {
        Some(Ok((stored, _))) => (stored, true),
        // Another person's, or damaged: left as it is; the next sync brings them again.
        Some(Err(_)) | None => (HeldVersions::default(), true),
    }
}

/// The versions are sealed under no client: they are the agency's forms, not a client's data,
/// but at rest they are as unreadable as the rest.
fn no_client() -> ClientId {
    "00000000-0000-0000-0000-000000000000"
        .parse()
        .expect("the nil UUID parses")
}

/// Every version the records on this device use.
pub fn used_by(records: impl IntoIterator<Item = InstrumentRef>) -> BTreeSet<InstrumentRef> {
    yorisoi_domain::order::set_of(records)
}

/// Asks the server for the versions in use, saying what the device holds, and installs them;
/// only when [`needs_asking`] says something changed since the device last asked (`seen`: the
/// fingerprint the round's last pull page carried), else no request is made.
pub async fn refresh(
    used: BTreeSet<InstrumentRef>,
    seen: &str,
) -> Result<(), crate::api::ApiError> {
    let now = current();
    if !needs_asking(&now.fingerprint, seen, &now.catalogue, &used) {
        return Ok(());
    }
    let answer = crate::api::instruments::sync(now.held_list()).await?;
    install(&answer, &used);
    Ok(())
}

#[cfg(test)]
mod tests;

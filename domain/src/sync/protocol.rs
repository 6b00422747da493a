//! The sync wire format: `POST /api/v1/sync/push` and `GET /api/v1/sync/pull`, versioned.
//!
//! A device whose format is older than the server's gets a clear "please update" error, never a
//! half-understood request; the server checks before it reads anything else.

use super::change::{Change, ChangeId};
use super::check::Refusal;
use super::register::Register;
use crate::ids::{ClientId, DeviceId};
use serde::{Deserialize, Serialize};

/// The wire format this build speaks.
pub const WIRE_FORMAT: u32 = 1;
/// The most changes one push may carry, and the most one pull page returns.
pub const MAX_BATCH: usize = 500;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub format: u32,
    pub device: DeviceId,
    /// The device's outbox, oldest first; every change's id names this device.
    pub changes: Vec<Change>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub format: u32,
    /// Every change of this device up to this number is on the server, stored, set aside or
    /// written as an audit note: the device may drop them from its outbox. Never more than the
    /// push's highest number (0 for an empty push).
    pub acked_through: u64,
    /// The changes of this push the server did not store, each with why. The server keeps them
    /// aside (never applied, never dropped) for a person to look at. A device that does not know
    /// this field reads the answer as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<Refused>,
    /// The database's instance id (see [`Writers`]): absent from older servers (then empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub instance: String,
}

/// One change the server set aside instead of storing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    pub id: ChangeId,
    pub refusal: Refusal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    pub format: u32,
    pub changes: Vec<Pulled>,
    /// Where the next pull starts: the server's own sequence, never a device clock.
    pub cursor: u64,
    /// Whether more changes are waiting after this page.
    pub more: bool,
    /// The server's newest change when the page was read: how far a long first sync has come
    /// is `cursor` against `head`. Absent from older servers (then 0).
    #[serde(default)]
    pub head: u64,
    /// Clients entering or leaving this device's scope, when any do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<ScopeChange>,
    /// The database's instance id (see [`Writers`]): a device that synced with another id
    /// re-sends what the server lacks and pulls from the start. Empty from older servers.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub instance: String,
}

/// `GET /api/v1/sync/writers`: the database's instance id and how far it holds each writer of
/// the asking device (its last stored number). A restore from a backup gives the database a new
/// instance id; a device that sees one re-sends, writer by writer, every change of its own it
/// still holds above these numbers (same ids, same values), then pulls from the start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Writers {
    pub format: u32,
    pub instance: String,
    pub writers: Vec<WriterSeq>,
}

/// One writer of a device and its last number the server stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriterSeq {
    pub writer: DeviceId,
    pub last_seq: u64,
}

/// The code of the error a push answers (409) when its `instance=` is not the database's: the
/// server was restored from a backup since the device last synced. Nothing of the push is stored.
pub const INSTANCE_CHANGED: &str = "instance_changed";

/// A hand-over of clients to or from a device. The device finishes it and then sends `token` as
/// `scope=` in its next pull, which tells the server it holds the entered clients' history (sent
/// in this page's `changes`, older than the cursor included) and deleted the left ones, after
/// sending what it had unsent for them. Until then the server sends the same hand-over again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeChange {
    pub token: u64,
    /// Clients the device now serves: every change of theirs up to the cursor is in this page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entered: Vec<ClientId>,
    /// Clients the device no longer serves: send their unsent changes, then delete them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left: Vec<ClientId>,
}

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

/// One page of the current state of a device's scope (`GET /api/v1/sync/bootstrap`), instead of
/// its whole history. Each field's register folds every change of it the server had when the
/// page was read (`base`); folding is idempotent, so a device that pulls the log after the
/// smallest `base` of its pages, and applies it over them, holds what replaying the whole log
/// would give.
///
/// The fields come grouped by client and entity, each said once. On the wire a page is framed
/// (see [`BootstrapHead`]): the server writes each client's part as the very chunk a device
/// stores, so a device stores a page without parsing it. `F` is how an entity's fields are held:
/// parsed ([`Fields`]), or on the server as the JSON text its database puts together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapPage<F = Fields> {
    pub format: u32,
    /// The log position the page reflects: every change up to it is folded in.
    pub base: u64,
    /// The fields, by client and entity. A client may go on in the next page.
    pub clients: Vec<ClientState<F>>,
    /// Where the next page starts (an opaque cursor), or `None` after the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// On the first page: how many fields the whole bootstrap holds (for its progress).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// On a coach's first page: the hand-over of every client the bootstrap covers, to echo as
    /// `scope=` in the pulls that follow (see [`ScopeChange`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<u64>,
}

/// A bootstrap page on the wire (`application/vnd.yorisoi.bootstrap`): this head as one line of
/// JSON, a newline, then each chunk's bytes one after another, as many as `chunks` says. Each
/// chunk is one client's profile or records, as the stored text of a [`super::local::Chunk`],
/// compressed with gzip or not (a device tells them apart by gzip's first bytes). A device seals
/// and stores each as it comes, and reads it when it loads that client, like any stored chunk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapHead {
    pub format: u32,
    pub base: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<u64>,
    /// How many fields the page holds (for the progress bar).
    pub fields: u64,
    pub chunks: Vec<BootstrapChunk>,
    /// The database's instance id (see [`Writers`]); empty from older servers.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub instance: String,
}

/// One chunk of a framed bootstrap page: whose, which part, and how many bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapChunk {
    pub client: ClientId,
    /// The client's own fields (its profile), stored apart from its records.
    pub profile: bool,
    pub bytes: u64,
}

/// The media type of a framed bootstrap page.
pub const BOOTSTRAP_MEDIA_TYPE: &str = "application/vnd.yorisoi.bootstrap";

impl<F: Serialize + FieldList> BootstrapPage<F> {
    /// The page framed for the wire: each client's profile and records as a stored chunk's
    /// text, passed through `pack` (the server compresses them).
    pub fn frame(&self, pack: impl FnMut(&[u8]) -> Vec<u8>) -> Vec<u8> {
        self.frame_with("", pack)
    }

    /// [`Self::frame`], the head naming the database's instance id.
    pub fn frame_with(&self, instance: &str, mut pack: impl FnMut(&[u8]) -> Vec<u8>) -> Vec<u8> {
        let mut chunks = Vec::new();
        let mut bodies = Vec::new();
        for state in &self.clients {
            let (profile, records): (Vec<_>, Vec<_>) = state
                .entities
                .iter()
                .partition(|e| matches!(e.entity, super::Entity::Client(_)));
            for (is_profile, entities) in [(true, profile), (false, records)] {
                if entities.is_empty() {
                    continue;
                }
                let text = super::local::EntitiesView {
                    client: state.client,
                    entities,
                }
                .encode();
                let body = pack(text.as_bytes());
                chunks.push(BootstrapChunk {
                    client: state.client,
                    profile: is_profile,
                    bytes: body.len() as u64,
                });
                bodies.push(body);
            }
        }
        let head = BootstrapHead {
            format: self.format,
            base: self.base,
            next: self.next.clone(),
            total: self.total,
            scope: self.scope,
            fields: self.field_count() as u64,
            chunks,
            instance: instance.to_owned(),
        };
        let mut out = serde_json::to_vec(&head).expect("heads serialize");
        out.push(b'\n');
        for body in bodies {
            out.extend_from_slice(&body);
        }
        out
    }
}

/// A bootstrap page as it came off the wire: its head, and each chunk's bytes in the head's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FramedPage {
    pub head: BootstrapHead,
    pub chunks: Vec<Vec<u8>>,
}

impl FramedPage {
    /// Reads a framed body (see [`unframe`]).
    pub fn read(body: &[u8]) -> Result<Self, String> {
        let (head, chunks) = unframe(body)?;
        Ok(Self {
            head,
            chunks: chunks.into_iter().map(<[u8]>::to_vec).collect(),
        })
    }
}

/// A framed bootstrap page's head and each chunk's bytes, or why the body is not one.
pub fn unframe(body: &[u8]) -> Result<(BootstrapHead, Vec<&[u8]>), String> {
    let line = body
        .iter()
        .position(|b| *b == b'\n')
        .ok_or("a bootstrap page without its head line")?;
    let head: BootstrapHead = serde_json::from_slice(&body[..line])
        .map_err(|e| format!("a bootstrap page's head is not readable: {e}"))?;
    check_bootstrap_format(head.format).map_err(|e| e.to_string())?;
    let mut rest = &body[line + 1..];
    let mut chunks = Vec::with_capacity(head.chunks.len());
    for chunk in &head.chunks {
        let size = usize::try_from(chunk.bytes)
            .ok()
            .filter(|size| *size <= rest.len())
            .ok_or("a bootstrap page cut short")?;
        let (this, after) = rest.split_at(size);
        chunks.push(this);
        rest = after;
    }
    if !rest.is_empty() {
        return Err(format!(
            "{} bytes after a bootstrap page's last chunk",
            rest.len()
        ));
    }
    Ok((head, chunks))
}

impl<F: FieldList> BootstrapPage<F> {
    /// How many fields the page holds.
    pub fn field_count(&self) -> usize {
        self.clients.iter().map(ClientState::field_count).sum()
    }
}

/// The state of some of one client's fields, by entity: a bootstrap page's part for one client,
/// and what a device stores of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientState<F = Fields> {
    pub client: ClientId,
    pub entities: Vec<EntityState<F>>,
}

impl<F: FieldList> ClientState<F> {
    pub fn field_count(&self) -> usize {
        self.entities.iter().map(|e| e.fields.count()).sum()
    }
}

/// An entity's fields as `[field, register]` pairs.
pub type Fields = Vec<(String, Register)>;

/// Something that holds an entity's fields, and knows how many.
pub trait FieldList {
    fn count(&self) -> usize;
}

impl FieldList for Fields {
    fn count(&self) -> usize {
        self.len()
    }
}

/// The state of some of one entity's fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityState<F = Fields> {
    pub entity: super::Entity,
    /// When the newest change folded into any of these fields reached the server (milliseconds,
    /// the server's clock): when the entity last changed, for lists; never for merging.
    #[serde(default)]
    pub at: i64,
    /// `[field, register]` pairs.
    pub fields: F,
}

impl ClientState {
    /// Groups fields' states by client and entity, keeping their order: consecutive fields of one
    /// client and entity go together. An entity's `at` is the newest of its fields'.
    pub fn group(fields: impl IntoIterator<Item = FieldState>) -> Vec<ClientState> {
        let mut clients: Vec<ClientState> = Vec::new();
        for f in fields {
            let same_client = clients.last().is_some_and(|c| c.client == f.client);
            if !same_client {
                clients.push(ClientState {
                    client: f.client,
                    entities: Vec::new(),
                });
            }
            let entities = &mut clients.last_mut().expect("pushed above").entities;
            if entities.last().is_none_or(|e| e.entity != f.entity) {
                entities.push(EntityState {
                    entity: f.entity,
                    at: f.at,
                    fields: Vec::new(),
                });
            }
            let entity = entities.last_mut().expect("pushed above");
            entity.at = entity.at.max(f.at);
            entity.fields.push((f.field, f.register));
        }
        clients
    }

    /// The fields, one by one (each with its entity's `at`).
    pub fn into_fields(self) -> impl Iterator<Item = FieldState> {
        let client = self.client;
        self.entities.into_iter().flat_map(move |e| {
            let (entity, at) = (e.entity, e.at);
            e.fields
                .into_iter()
                .map(move |(field, register)| FieldState {
                    entity,
                    client,
                    field,
                    register,
                    at,
                })
        })
    }
}

/// One field's state on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldState {
    pub entity: super::Entity,
    pub client: ClientId,
    pub field: String,
    pub register: super::Register,
    /// When the newest change folded into it reached the server (milliseconds, the server's
    /// clock): when the entity last changed, for lists; never for merging.
    #[serde(default)]
    pub at: i64,
}

/// `GET /api/v1/sync/history?entity=record:<id>`: every change of one client or record the server
/// holds, oldest first, for a device that holds its state but not its history (after a bootstrap).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryResponse {
    pub format: u32,
    pub changes: Vec<Pulled>,
}

/// A change as the server stored it: its place in the server's sequence and the server's clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pulled {
    pub seq: u64,
    /// Milliseconds since the Unix epoch by the server's clock: for history, never for merging.
    pub received_at: i64,
    pub change: Change,
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

/// What the server does with a push, given the writer's last stored change number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted<'a> {
    /// The changes after the last stored number, in order: new, to store.
    pub fresh: Vec<&'a Change>,
    /// The changes at or below it, in order: stored by an earlier try of the same push (its
    /// answer was lost), or not (they never reached the server: the writer's numbers were
    /// advanced past them). The server looks them up, and stores those it does not hold.
    pub to_check: Vec<&'a Change>,
    /// What to acknowledge once those are on the server: the request's highest number (every
    /// change of it is then stored, set aside or noted), never a number the request did not
    /// carry; 0 for an empty push.
    pub acked: u64,
}

/// What the server does with a push, given the writer's last stored change number (see
/// [`Accepted`]): a retry stores nothing twice, and no change is acknowledged unseen.
pub fn accept(request: &PushRequest, last_stored: u64) -> Result<Accepted<'_>, ProtocolError> {
    check_format(request.format)?;
    if request.changes.len() > MAX_BATCH {
        return Err(ProtocolError::TooMany);
    }
    let mut previous = 0;
    for change in &request.changes {
        if change.id.device != request.device {
            return Err(ProtocolError::ForeignChange(change.id.to_string()));
        }
        if change.id.seq <= previous {
            return Err(ProtocolError::OutOfOrder);
        }
        previous = change.id.seq;
    }
    let (to_check, fresh): (Vec<&Change>, Vec<&Change>) = request
        .changes
        .iter()
        .partition(|c| c.id.seq <= last_stored);
    Ok(Accepted {
        fresh,
        to_check,
        acked: previous,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RecordId;
    use crate::sync::{ChangeId, Entity};
    use serde_json::json;

    fn change(device: DeviceId, seq: u64) -> Change {
        Change {
            id: ChangeId { device, seq },
            entity: Entity::Record(RecordId::new_v7(1_795_000_000_000, [4; 10])),
            client: ClientId::new_v7(1_795_000_000_000, [3; 10]),
            field: "answers.user1.q2".into(),
            base: vec![],
            value: json!({"type": "text", "lines": ["残業"]}),
        }
    }

    fn device() -> DeviceId {
        DeviceId::new_v7(1_795_000_000_000, [1; 10])
    }

    fn field(entity: Entity, name: &str, seq: u64, at: i64) -> FieldState {
        let mut register = Register::default();
        register.apply(
            ChangeId {
                device: device(),
                seq,
            },
            &[],
            &json!(seq),
        );
        FieldState {
            entity,
            client: ClientId::new_v7(1_795_000_000_000, [3; 10]),
            field: name.into(),
            register,
            at,
        }
    }

    /// Grouping keeps every field and its order, and an entity's `at` is its newest field's.
    #[test]
    fn grouped_fields_come_back_as_they_were() {
        let record = Entity::Record(RecordId::new_v7(1_795_000_000_000, [4; 10]));
        let other = Entity::Record(RecordId::new_v7(1_795_000_000_000, [5; 10]));
        let mut fields = vec![
            field(record, "a", 1, 10),
            field(record, "b", 2, 30),
            field(other, "a", 3, 20),
        ];
        let mut elsewhere = field(other, "b", 4, 5);
        elsewhere.client = ClientId::new_v7(1_795_000_000_000, [6; 10]);
        fields.push(elsewhere);
        let grouped = ClientState::group(fields.clone());
        assert_eq!(grouped.len(), 2, "two clients");
        assert_eq!(grouped[0].entities.len(), 2);
        assert_eq!(
            grouped[0].entities[0].at, 30,
            "the newest of the entity's fields"
        );
        assert_eq!(
            grouped.iter().map(ClientState::field_count).sum::<usize>(),
            4
        );
        let back: Vec<FieldState> = grouped
            .into_iter()
            .flat_map(ClientState::into_fields)
            .collect();
        let names: Vec<_> = back
            .iter()
            .map(|f| (f.entity, f.client, f.field.clone(), f.register.clone()))
            .collect();
        let expected: Vec<_> = fields
            .iter()
            .map(|f| (f.entity, f.client, f.field.clone(), f.register.clone()))
            .collect();
        assert_eq!(names, expected);
    }

    /// A page framed from registers held as their stored JSON text is the page framed from
    /// parsed registers, byte for byte; unframed, each chunk reads back as that client's part.
    #[test]
    fn a_framed_bootstrap_page_reads_back_chunk_by_chunk() {
        let record = Entity::Record(RecordId::new_v7(1_795_000_000_000, [4; 10]));
        let client = ClientId::new_v7(1_795_000_000_000, [3; 10]);
        let page = BootstrapPage {
            format: BOOTSTRAP_FORMAT,
            base: 9,
            clients: ClientState::group(vec![
                field(Entity::Client(client), "name", 1, 70),
                field(record, "status", 2, 77),
            ]),
            next: Some("cursor".into()),
            total: Some(2),
            scope: None,
        };
        // As the server holds a page: each entity's fields as one JSON text, with their number.
        #[derive(Serialize, Deserialize)]
        #[serde(transparent)]
        struct Raw(Box<serde_json::value::RawValue>);
        impl FieldList for Raw {
            fn count(&self) -> usize {
                serde_json::from_str::<Vec<serde_json::Value>>(self.0.get())
                    .unwrap()
                    .len()
            }
        }
        let raw: BootstrapPage<Raw> =
            serde_json::from_str(&serde_json::to_string(&page).unwrap()).unwrap();
        let framed = page.frame(<[u8]>::to_vec);
        assert_eq!(
            raw.frame(<[u8]>::to_vec),
            framed,
            "raw registers frame the same bytes"
        );
        let text = String::from_utf8(framed.clone()).unwrap();
        assert!(
            text.starts_with(r#"{"format":2,"base":9,"next":"cursor","total":2,"fields":2,"chunks":[{"client":"01a1ee56-5e00-7303-8303-030303030303","profile":true,"bytes":"#),
            "{text}"
        );
        let (head, chunks) = unframe(&framed).unwrap();
        assert_eq!((head.fields, head.chunks.len(), chunks.len()), (2, 2, 2));
        let read: Vec<crate::sync::local::Chunk> = chunks
            .iter()
            .map(|c| crate::stored::decode_direct(std::str::from_utf8(c).unwrap()).unwrap())
            .collect();
        let expected: Vec<crate::sync::local::Chunk> = page.clients[0]
            .entities
            .iter()
            .map(|e| crate::sync::local::Chunk::Entities {
                client,
                entities: vec![e.clone()],
            })
            .collect();
        assert_eq!(read, expected, "the profile, then the records");
        // Packed chunks (the server compresses them) keep their sizes in the head.
        let packed = page.frame(|b| b.iter().rev().copied().collect());
        let (_, chunks) = unframe(&packed).unwrap();
        assert_eq!(chunks[0].len() as u64, head.chunks[0].bytes);
    }

    /// A body that is not a whole page is an error that says so, never a panic.
    #[test]
    fn a_cut_or_padded_bootstrap_page_is_refused() {
        let page = BootstrapPage {
            format: BOOTSTRAP_FORMAT,
            base: 1,
            clients: ClientState::group(vec![field(
                Entity::Record(RecordId::new_v7(1_795_000_000_000, [4; 10])),
                "status",
                1,
                5,
            )]),
            next: None,
            total: None,
            scope: None,
        };
        let framed = page.frame(<[u8]>::to_vec);
        assert!(unframe(&framed).is_ok());
        for bad in [
            &framed[..framed.len() - 1],
            &[framed.as_slice(), b"x"].concat(),
            b"no head".as_slice(),
            b"{\"format\":1}\n".as_slice(),
        ] {
            assert!(unframe(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

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

    /// The wire format, frozen: changing it needs a new WIRE_FORMAT and a path for old devices.
    #[test]
    fn the_push_wire_format_is_frozen() {
        let request = PushRequest {
            format: 1,
            device: device(),
            changes: vec![change(device(), 1)],
        };
        let json = serde_json::to_string(&request).unwrap();
        assert_eq!(
            json,
            r#"{"format":1,"device":"01a1ee56-5e00-7101-8101-010101010101","changes":[{"id":{"device":"01a1ee56-5e00-7101-8101-010101010101","seq":1},"entity":{"type":"record","id":"01a1ee56-5e00-7404-8404-040404040404"},"client":"01a1ee56-5e00-7303-8303-030303030303","field":"answers.user1.q2","base":[],"value":{"lines":["残業"],"type":"text"}}]}"#
        );
        assert_eq!(serde_json::from_str::<PushRequest>(&json).unwrap(), request);
    }

    /// The push's answer: unchanged for a push with nothing refused (what older apps read), and
    /// the refusals' shape frozen.
    #[test]
    fn the_push_answer_is_frozen() {
        let plain = PushResponse {
            format: WIRE_FORMAT,
            acked_through: 3,
            refused: Vec::new(),
            instance: String::new(),
        };
        assert_eq!(
            serde_json::to_string(&plain).unwrap(),
            r#"{"format":1,"acked_through":3}"#
        );
        let refused = PushResponse {
            refused: vec![Refused {
                id: ChangeId {
                    device: device(),
                    seq: 2,
                },
                refusal: Refusal::BadValue {
                    field: "answers.user1.q2".into(),
                    reason: "this answer is of another kind than the question asks".into(),
                },
            }],
            ..plain
        };
        let text = serde_json::to_string(&refused).unwrap();
        assert_eq!(
            text,
            format!(
                r#"{{"format":1,"acked_through":3,"refused":[{{"id":{{"device":"{}","seq":2}},"refusal":{{"code":"bad_value","field":"answers.user1.q2","reason":"this answer is of another kind than the question asks"}}}}]}}"#,
                device()
            )
        );
        assert_eq!(
            serde_json::from_str::<PushResponse>(&text).unwrap(),
            refused
        );
    }

    /// The answers with the database's instance id (a field older apps do not read), frozen;
    /// and an answer without it (an older server's) reads as an empty id.
    #[test]
    fn answers_with_the_instance_id_are_frozen() {
        let push = PushResponse {
            format: WIRE_FORMAT,
            acked_through: 3,
            refused: Vec::new(),
            instance: "01a1ee56-5e00-7101-8101-010101010101".into(),
        };
        let text = serde_json::to_string(&push).unwrap();
        assert_eq!(
            text,
            r#"{"format":1,"acked_through":3,"instance":"01a1ee56-5e00-7101-8101-010101010101"}"#
        );
        assert_eq!(serde_json::from_str::<PushResponse>(&text).unwrap(), push);
        let pull = PullResponse {
            format: WIRE_FORMAT,
            changes: Vec::new(),
            cursor: 4,
            more: false,
            head: 4,
            scope: None,
            instance: "i".into(),
        };
        let text = serde_json::to_string(&pull).unwrap();
        assert_eq!(
            text,
            r#"{"format":1,"changes":[],"cursor":4,"more":false,"head":4,"instance":"i"}"#
        );
        assert_eq!(serde_json::from_str::<PullResponse>(&text).unwrap(), pull);
        let older: PullResponse =
            serde_json::from_str(r#"{"format":1,"changes":[],"cursor":4,"more":false}"#).unwrap();
        assert_eq!(older.instance, "");
        let writers = Writers {
            format: WIRE_FORMAT,
            instance: "i".into(),
            writers: vec![WriterSeq {
                writer: device(),
                last_seq: 9,
            }],
        };
        assert_eq!(
            serde_json::to_string(&writers).unwrap(),
            r#"{"format":1,"instance":"i","writers":[{"writer":"01a1ee56-5e00-7101-8101-010101010101","last_seq":9}]}"#
        );
        let page: BootstrapPage = BootstrapPage {
            format: BOOTSTRAP_FORMAT,
            base: 1,
            clients: Vec::new(),
            next: None,
            total: None,
            scope: None,
        };
        let framed = String::from_utf8(page.frame_with("i", <[u8]>::to_vec)).unwrap();
        assert_eq!(
            framed,
            "{\"format\":2,\"base\":1,\"fields\":0,\"chunks\":[],\"instance\":\"i\"}\n"
        );
        assert_eq!(unframe(framed.as_bytes()).unwrap().0.instance, "i");
    }

    #[test]
    fn a_retried_push_stores_nothing_twice() {
        let request = PushRequest {
            format: 1,
            device: device(),
            changes: (1..=3).map(|s| change(device(), s)).collect(),
        };
        let seqs = |changes: &[&Change]| changes.iter().map(|c| c.id.seq).collect::<Vec<_>>();
        let first = accept(&request, 0).unwrap();
        assert_eq!((seqs(&first.fresh), first.acked), (vec![1, 2, 3], 3));
        assert!(
            first.to_check.is_empty(),
            "nothing to look up: the fast path"
        );
        let retry = accept(&request, 3).unwrap();
        assert_eq!(
            (seqs(&retry.fresh), seqs(&retry.to_check), retry.acked),
            (vec![], vec![1, 2, 3], 3)
        );
        let half = accept(&request, 2).unwrap();
        assert_eq!(
            (seqs(&half.fresh), seqs(&half.to_check), half.acked),
            (vec![3], vec![1, 2], 3)
        );
    }

    #[test]
    fn nothing_is_acknowledged_past_what_the_push_carries() {
        // Issue 19: a writer whose numbers were advanced to 1000 (by someone else's push under
        // its id) sends 2..=501: they are to be looked up, and acknowledged through 501 only.
        let request = PushRequest {
            format: 1,
            device: device(),
            changes: (2..=501).map(|s| change(device(), s)).collect(),
        };
        let accepted = accept(&request, 1000).unwrap();
        assert!(accepted.fresh.is_empty());
        assert_eq!(accepted.to_check.len(), 500);
        assert_eq!(accepted.acked, 501);
        let empty = PushRequest {
            format: 1,
            device: device(),
            changes: vec![],
        };
        assert_eq!(accept(&empty, 1000).unwrap().acked, 0);
    }

    #[test]
    fn bad_pushes_are_refused_with_the_reason() {
        let other = DeviceId::new_v7(9, [9; 10]);
        for (request, expected) in [
            (
                PushRequest {
                    format: 0,
                    device: device(),
                    changes: vec![],
                },
                ProtocolError::UpdateApp(0),
            ),
            (
                PushRequest {
                    format: 2,
                    device: device(),
                    changes: vec![],
                },
                ProtocolError::UpdateServer(2),
            ),
            (
                PushRequest {
                    format: 1,
                    device: device(),
                    changes: vec![change(other, 1)],
                },
                ProtocolError::ForeignChange(format!("{other}#1")),
            ),
            (
                PushRequest {
                    format: 1,
                    device: device(),
                    changes: vec![change(device(), 2), change(device(), 1)],
                },
                ProtocolError::OutOfOrder,
            ),
        ] {
            assert_eq!(accept(&request, 0).unwrap_err(), expected);
        }
        assert!(
            ProtocolError::UpdateApp(0)
                .to_string()
                .contains("Please update the app")
        );
    }
}

//! The bootstrap page (`GET /api/v1/sync/bootstrap`): the current state of a device's scope, a
//! page at a time, instead of its whole history; framed on the wire so that each client's part
//! is the very chunk a device stores (see [`super::local`]).

use super::change::Entity;
use super::formats::check_bootstrap_format;
use super::local::EntitiesView;
use super::state::{ClientState, FieldList, Fields};
use crate::ids::ClientId;
use serde::{Deserialize, Serialize};

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
    /// `scope=` in the pulls that follow (see [`super::protocol::ScopeChange`]).
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
    /// The database's instance id (see [`super::protocol::Writers`]); empty from older servers.
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
                .partition(|e| matches!(e.entity, Entity::Client(_)));
            for (is_profile, entities) in [(true, profile), (false, records)] {
                if entities.is_empty() {
                    continue;
                }
                let text = EntitiesView {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RecordId;
    use crate::sync::formats::BOOTSTRAP_FORMAT;
    use crate::sync::state::tests::field;

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
}

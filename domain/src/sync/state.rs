//! The state of fields as the server holds them and a device stores them: one field
//! ([`FieldState`]), one entity's fields ([`EntityState`]), one client's ([`ClientState`]). A
//! bootstrap page carries these, grouped; a device's stored chunks hold them as they came.

use super::change::Entity;
use super::register::Register;
use crate::ids::ClientId;
use serde::{Deserialize, Serialize};

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
    pub entity: Entity,
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
    pub entity: Entity,
    pub client: ClientId,
    pub field: String,
    pub register: Register,
    /// When the newest change folded into it reached the server (milliseconds, the server's
    /// clock): when the entity last changed, for lists; never for merging.
    #[serde(default)]
    pub at: i64,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ids::{DeviceId, RecordId};
    use crate::sync::ChangeId;
    use serde_json::json;

    fn device() -> DeviceId {
        DeviceId::new_v7(1_795_000_000_000, [1; 10])
    }

    /// A field with one value (its `seq`), written by one device, reached the server at `at`.
    pub(crate) fn field(entity: Entity, name: &str, seq: u64, at: i64) -> FieldState {
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
}

//! A deterministic simulation of the server and four devices: seeded partitions, requests and
//! answers lost on the way, messages delivered twice, and crashes between "the server committed"
//! and "the device heard the acknowledgement". Thousands of random edits; at the end, after the
//! network heals, every device holds exactly the server's state and every edit ever made.
//!
//! A failing seed replays exactly: the test prints it.

#[path = "../../tests/shared/rng.rs"]
mod rng;

use rng::Rng;
use serde_json::json;
use yorisoi_domain::ids::{ClientId, DeviceId, RecordId};
use yorisoi_domain::sync::protocol::{self, PushRequest, WIRE_FORMAT};
use yorisoi_domain::sync::{Change, ChangeId, Entity, Replica};

#[derive(Default)]
struct Server {
    log: Vec<Change>,
    last_stored: std::collections::BTreeMap<DeviceId, u64>,
}

impl Server {
    /// One push, all or nothing, as the database transaction does it.
    fn push(&mut self, request: &PushRequest) -> u64 {
        let last = self.last_stored.get(&request.device).copied().unwrap_or(0);
        let accepted = protocol::accept(request, last).expect("devices push well-formed batches");
        // What the database does with the numbers at or below the last stored: those it does
        // not hold are stored now.
        let missing: Vec<Change> = accepted
            .to_check
            .into_iter()
            .filter(|c| !self.log.iter().any(|held| held.id == c.id))
            .cloned()
            .collect();
        self.log.extend(missing);
        self.log.extend(accepted.fresh.into_iter().cloned());
        self.last_stored
            .insert(request.device, last.max(accepted.acked));
        accepted.acked
    }

    fn pull(&self, cursor: u64, limit: usize) -> (Vec<Change>, u64) {
        let page: Vec<Change> = self
            .log
            .iter()
            .skip(cursor as usize)
            .take(limit)
            .cloned()
            .collect();
        let next = cursor + page.len() as u64;
        (page, next)
    }
}

struct Device {
    id: DeviceId,
    replica: Replica,
    outbox: Vec<Change>,
    next_seq: u64,
    cursor: u64,
    online: bool,
}

impl Device {
    fn push(&mut self, server: &mut Server, rng: &mut Rng, faults: bool) {
        if self.outbox.is_empty() {
            return;
        }
        let batch = self
            .outbox
            .iter()
            .take(1 + rng.below(20) as usize)
            .cloned()
            .collect();
        let request = PushRequest {
            format: WIRE_FORMAT,
            device: self.id,
            changes: batch,
        };
        if faults && rng.chance(15) {
            return; // the request never arrived
        }
        let mut acked = server.push(&request);
        if faults && rng.chance(10) {
            acked = server.push(&request); // delivered twice
        }
        if faults && rng.chance(15) {
            return; // the server committed, but the device crashed before hearing so
        }
        self.outbox.retain(|c| c.id.seq > acked);
    }

    fn pull(&mut self, server: &Server, rng: &mut Rng, faults: bool) -> bool {
        let (page, next) = server.pull(self.cursor, 1 + rng.below(40) as usize);
        if faults && rng.chance(15) {
            return true; // the answer was lost: nothing applied, the cursor stays
        }
        let times = if faults && rng.chance(10) { 2 } else { 1 };
        for _ in 0..times {
            for change in &page {
                self.replica.apply(change);
            }
        }
        // The page and the new cursor are stored together.
        self.cursor = next;
        !page.is_empty()
    }
}

fn simulate(seed: u64, steps: usize) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let client = ClientId::new_v7(1, [1; 10]);
    let records: Vec<Entity> = (0..3)
        .map(|i| Entity::Record(RecordId::new_v7(2 + i, [i as u8; 10])))
        .collect();
    let fields = [
        "answers.cover.consent_date",
        "answers.user1.q2",
        "answers.user1.q4",
        "status",
        "answered_by",
    ];
    let mut server = Server::default();
    let mut devices: Vec<Device> = (0..4)
        .map(|i| Device {
            id: DeviceId::new_v7(100 + i, [i as u8; 10]),
            replica: Replica::default(),
            outbox: vec![],
            next_seq: 1,
            cursor: 0,
            online: true,
        })
        .collect();
    let mut every_edit: Vec<ChangeId> = Vec::new();

    for step in 0..steps {
        let d = rng.below(devices.len() as u64) as usize;
        let device = &mut devices[d];
        match rng.below(10) {
            0..=4 => {
                let entity = records[rng.below(records.len() as u64) as usize];
                let field = fields[rng.below(fields.len() as u64) as usize];
                let value = if rng.chance(5) {
                    serde_json::Value::Null
                } else {
                    json!(format!("{d}-{step}"))
                };
                let id = ChangeId {
                    device: device.id,
                    seq: device.next_seq,
                };
                device.next_seq += 1;
                let change = device.replica.edit(id, entity, client, field, value);
                device.replica.apply(&change);
                device.outbox.push(change);
                every_edit.push(id);
            }
            5 | 6 if device.online => device.push(&mut server, &mut rng, true),
            7 | 8 if device.online => {
                device.pull(&server, &mut rng, true);
            }
            9 => device.online = !device.online,
            _ => {}
        }
    }

    // The network heals: everyone pushes and pulls until nothing moves.
    for device in &mut devices {
        device.online = true;
        while !device.outbox.is_empty() {
            device.push(&mut server, &mut rng, false);
        }
    }
    let mut truth = Replica::default();
    for change in &server.log {
        truth.apply(change);
    }
    let mut ids: Vec<ChangeId> = server.log.iter().map(|c| c.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        server.log.len(),
        "seed {seed}: the server stored a change twice"
    );
    for device in &mut devices {
        while device.pull(&server, &mut rng, false) {}
        assert!(
            device.replica == truth,
            "seed {seed}: device {} diverged from the server",
            device.id
        );
    }
    for id in &every_edit {
        assert!(
            truth.history().contains_key(id),
            "seed {seed}: edit {id} was lost"
        );
    }
}

#[test]
fn thousands_of_edits_under_partitions_drops_duplicates_and_crashes_lose_nothing() {
    for seed in 1..=40 {
        simulate(seed, 2_000);
    }
}

//! The domain's seeded sync simulation, run on the app's own device engine: three devices, each
//! with two tabs whose state is the engine's real [`DeviceState`] (its outbox, the other tabs'
//! unsent changes and seals, push order, the acknowledgement split, pulled pages), sharing
//! their device's storage (localStorage's outbox entries and seals, IndexedDB's synced changes
//! and cursor) as the app does. The server is the domain's `accept` and an ordered log.
//!
//! Seeded faults: devices going offline, pushes lost on the way, pushes delivered twice, the
//! server committing and the tab crashing before it heard (it reloads from storage under a new
//! writer), pull answers lost or delivered twice, tabs closing and reopening, `storage` events
//! missed by the syncing tab. At the end the network heals, every tab seals and the syncing
//! tabs push and pull until nothing moves: every tab holds exactly the server's state, the
//! server stored no change twice, and no edit and nothing acknowledged is lost. A failing seed replays exactly.

#[path = "../../tests/shared/rng.rs"]
mod rng;

use rng::Rng;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use yorisoi_app::device::state::DeviceState;
use yorisoi_domain::ids::{ClientId, DeviceId, RecordId};
use yorisoi_domain::sync::local::{Synced, Unsent, Writer};
use yorisoi_domain::sync::protocol::{self, Pulled, PushRequest, WIRE_FORMAT};
use yorisoi_domain::sync::{ChangeId, Entity, Replica};

#[derive(Default)]
struct Server {
    log: Vec<Pulled>,
    last_stored: BTreeMap<DeviceId, u64>,
}

impl Server {
    /// One push, all or nothing, as the database transaction does it; what it acknowledges.
    fn push(&mut self, request: &PushRequest, now: i64) -> u64 {
        let last = self.last_stored.get(&request.device).copied().unwrap_or(0);
        let accepted = protocol::accept(request, last).expect("devices push well-formed batches");
        let held: BTreeSet<ChangeId> = self.log.iter().map(|p| p.change.id).collect();
        let missing = accepted
            .to_check
            .into_iter()
            .filter(|c| !held.contains(&c.id));
        for change in missing.chain(accepted.fresh).cloned().collect::<Vec<_>>() {
            self.log.push(Pulled {
                seq: self.log.len() as u64 + 1,
                received_at: now,
                change,
            });
        }
        self.last_stored
            .insert(request.device, last.max(accepted.acked));
        accepted.acked
    }

    fn pull(&self, cursor: u64, limit: usize) -> (Vec<Pulled>, u64) {
        let page: Vec<Pulled> = self
            .log
            .iter()
            .skip(cursor as usize)
            .take(limit)
            .cloned()
            .collect();
        (page.clone(), cursor + page.len() as u64)
    }
}

/// One device: its storage, shared by its tabs, and the tabs. Tab 0 is the one that syncs.
struct Device {
    id: DeviceId,
    /// localStorage: every writer's unsent changes and seals.
    outbox: BTreeMap<String, Unsent>,
    seals: BTreeMap<DeviceId, Writer>,
    /// IndexedDB: what the server has, and where the next pull starts (written together).
    synced: Vec<Synced>,
    cursor: u64,
    tabs: Vec<DeviceState>,
    online: bool,
}

struct World {
    rng: Rng,
    server: Server,
    devices: Vec<Device>,
    writers: u64,
    /// Every change an edit made, and every change a device heard acknowledged.
    edits: BTreeSet<ChangeId>,
    acked: BTreeSet<ChangeId>,
    now: i64,
}

impl World {
    fn new_writer(&mut self) -> DeviceId {
        self.writers += 1;
        DeviceId::new_v7(10_000 + self.writers, [self.writers as u8; 10])
    }

    /// A tab opened (or reloaded) on device `d`: it reads the device's storage, as the app's
    /// load does, under a writer of its own.
    fn open_tab(&mut self, d: usize) -> DeviceState {
        let writer = self.new_writer();
        let device = &self.devices[d];
        let mut state = DeviceState::new(writer, device.id);
        for synced in &device.synced {
            state.take_synced(synced);
        }
        state.cursor = device.cursor;
        for (key, unsent) in &device.outbox {
            state.take_unsent(key.clone(), unsent.clone());
        }
        for seal in device.seals.values() {
            state.take_writer(seal);
        }
        state
    }

    fn alive(&self, d: usize) -> BTreeSet<DeviceId> {
        self.devices[d]
            .tabs
            .iter()
            .map(|t| t.own().device())
            .collect()
    }

    /// A person types in tab `t`: the change is in localStorage before the handler returns, and
    /// the other tabs hear of it (unless the event is missed: the syncing tab rescans anyway).
    fn edit(&mut self, d: usize, t: usize, entity: Entity, field: &str, value: serde_json::Value) {
        self.now += 1;
        let client = ClientId::new_v7(1, [1; 10]);
        let now = self.now;
        let tab = &mut self.devices[d].tabs[t];
        let written = tab.write(entity, client, vec![(field.to_owned(), value)], None, now);
        let entries: Vec<(ChangeId, Unsent)> = written
            .into_iter()
            .map(|(_, id)| {
                (
                    id,
                    tab.unsent_entry(id.seq).expect("an unsent change to store"),
                )
            })
            .collect();
        for (id, unsent) in entries {
            self.edits.insert(id);
            let key = yorisoi_app::device::keys::outbox_key(id.device, id.seq);
            self.devices[d].outbox.insert(key.clone(), unsent.clone());
            // A browser delivers `storage` events to every other tab; the syncing tab is made
            // to miss some here, as a tab that missed one would: it reads storage again before
            // it pushes.
            for other in 0..self.devices[d].tabs.len() {
                if other != t && !(other == 0 && self.rng.chance(10)) {
                    self.devices[d].tabs[other].take_unsent(key.clone(), unsent.clone());
                }
            }
        }
    }

    /// Tab `t` seals what it wrote so far, and the other tabs hear of it.
    fn seal(&mut self, d: usize, t: usize) {
        let seal = self.devices[d].tabs[t].seal(None);
        self.devices[d].seals.insert(seal.id, seal);
        for other in 0..self.devices[d].tabs.len() {
            if other != t {
                self.devices[d].tabs[other].take_writer(&seal);
            }
        }
    }

    /// The syncing tab pushes every writer's changes that may go, oldest writer first.
    fn push(&mut self, d: usize, faults: bool) {
        let alive = self.alive(d);
        let device = &mut self.devices[d];
        let unsent: Vec<(String, Unsent)> = device
            .outbox
            .iter()
            .map(|(k, u)| (k.clone(), u.clone()))
            .collect();
        let seals: Vec<Writer> = device.seals.values().cloned().collect();
        device.tabs[0].rescan(unsent, &seals);
        while let Some((writer, changes)) = self.devices[d].tabs[0].next_push(&alive) {
            let request = PushRequest {
                format: WIRE_FORMAT,
                device: writer,
                changes,
            };
            if faults && self.rng.chance(10) {
                return; // the request never arrived
            }
            self.now += 1;
            let mut through = self.server.push(&request, self.now);
            if faults && self.rng.chance(10) {
                through = self.server.push(&request, self.now); // delivered twice
            }
            if faults && self.rng.chance(10) {
                // The server committed, but the tab crashed before it heard: it reloads.
                self.devices[d].tabs[0] = self.open_tab(d);
                return;
            }
            let acked = self.devices[d].tabs[0].acknowledge(writer, through);
            if acked.is_empty() {
                return; // as the app does: the run fails, and the next one tries again
            }
            let device = &mut self.devices[d];
            for a in &acked {
                self.acked.insert(a.change.id);
                device.synced.push(Synced {
                    change: a.change.clone(),
                    received_at: None,
                    made_at: a.made_at,
                });
            }
            // The entries go once IndexedDB holds them; their removal tells the other tabs.
            for a in acked {
                device.outbox.remove(&a.key);
                for tab in device.tabs.iter_mut().skip(1) {
                    tab.unsent_removed(a.change.id);
                }
            }
        }
        let gone = self.devices[d].tabs[0].forget_gone_writers(&alive);
        for writer in gone {
            self.devices[d].seals.remove(&writer);
        }
    }

    /// The syncing tab pulls one page; stored with its cursor, then told to the other tabs.
    fn pull(&mut self, d: usize, faults: bool) -> bool {
        let limit = 1 + self.rng.below(30) as usize;
        let (page, next) = self.server.pull(self.devices[d].cursor, limit);
        if faults && self.rng.chance(10) {
            return true; // the answer was lost: nothing stored, the cursor stays
        }
        let times = if faults && self.rng.chance(10) { 2 } else { 1 };
        let device = &mut self.devices[d];
        for _ in 0..times {
            let synced = device.tabs[0].synced_of(&page);
            device.synced.extend(synced);
            device.cursor = next;
            for tab in &mut device.tabs {
                tab.apply_pulled(&page, next);
            }
        }
        !page.is_empty()
    }
}

fn simulate(seed: u64, steps: usize) {
    let mut world = World {
        rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
        server: Server::default(),
        devices: Vec::new(),
        writers: 0,
        edits: BTreeSet::new(),
        acked: BTreeSet::new(),
        now: 0,
    };
    for i in 0..3u8 {
        world.devices.push(Device {
            id: DeviceId::new_v7(100 + u64::from(i), [i; 10]),
            outbox: BTreeMap::new(),
            seals: BTreeMap::new(),
            synced: Vec::new(),
            cursor: 0,
            tabs: Vec::new(),
            online: true,
        });
        let first = world.open_tab(usize::from(i));
        let second = world.open_tab(usize::from(i));
        world.devices[usize::from(i)].tabs = vec![first, second];
    }
    let records: Vec<Entity> = (0..3)
        .map(|i| Entity::Record(RecordId::new_v7(2 + i, [i as u8; 10])))
        .collect();
    let fields = ["answers.user1.q2", "answers.user1.q4", "status"];

    for step in 0..steps {
        let d = world.rng.below(world.devices.len() as u64) as usize;
        let t = world.rng.below(2) as usize;
        match world.rng.below(20) {
            0..=8 => {
                let entity = records[world.rng.below(records.len() as u64) as usize];
                let field = fields[world.rng.below(fields.len() as u64) as usize];
                world.edit(d, t, entity, field, json!(format!("{d}.{t}-{step}")));
            }
            9 | 10 => world.seal(d, t),
            11..=13 if world.devices[d].online => world.push(d, true),
            14..=16 if world.devices[d].online => {
                world.pull(d, true);
            }
            17 => world.devices[d].online = !world.devices[d].online,
            // A tab closes and opens again (its writer is gone; what it wrote stays).
            18 => world.devices[d].tabs[t] = world.open_tab(d),
            _ => {}
        }
    }

    // The network heals: every tab seals, the syncing tabs push until nothing is left.
    for d in 0..world.devices.len() {
        world.devices[d].online = true;
        for t in 0..2 {
            world.seal(d, t);
        }
        for _ in 0..1_000 {
            world.push(d, false);
            if world.devices[d].tabs.iter().all(|tab| tab.unsent() == 0) {
                break;
            }
        }
        assert!(
            world.devices[d].outbox.is_empty(),
            "seed {seed}: device {d} kept {} changes unsent",
            world.devices[d].outbox.len()
        );
    }
    let mut truth = Replica::default();
    for pulled in &world.server.log {
        truth.apply(&pulled.change);
    }
    let stored: Vec<ChangeId> = world.server.log.iter().map(|p| p.change.id).collect();
    let unique: BTreeSet<ChangeId> = stored.iter().copied().collect();
    assert_eq!(
        unique.len(),
        stored.len(),
        "seed {seed}: the server stored a change twice"
    );
    for d in 0..world.devices.len() {
        while world.pull(d, false) {}
        for (t, tab) in world.devices[d].tabs.iter().enumerate() {
            assert!(
                tab.replica == truth,
                "seed {seed}: device {d} tab {t} diverged from the server"
            );
            assert_eq!(tab.unsent(), 0, "seed {seed}: device {d} tab {t}");
        }
        // A tab opened now reads exactly the same from storage.
        let reopened = world.open_tab(d);
        assert!(
            reopened.replica == truth,
            "seed {seed}: device {d}'s storage diverged from the server"
        );
    }
    for id in world.edits.iter().chain(&world.acked) {
        assert!(unique.contains(id), "seed {seed}: change {id} was lost");
    }
    assert!(
        !world.acked.is_empty() && world.edits.len() > steps / 4,
        "seed {seed}: the simulation made edits and heard acknowledgements"
    );
}

#[test]
fn the_engines_own_state_converges_under_partitions_drops_duplicates_and_crashes() {
    for seed in 1..=20 {
        simulate(seed, 1_500);
    }
}

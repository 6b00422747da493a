//! The hand-over of clients entering or leaving a device's scope, worked out from the `held`
//! table's rows (see `scope.rs`, which reads and writes them). Pure, so the rules are tested on
//! their own.

use std::collections::{BTreeMap, BTreeSet};
use yorisoi_domain::ids::ClientId;

/// A client's place on one device, as the `held` table keeps it.
// `Held::Held` is the table's own word for a client the device holds, confirmed.
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Held {
    /// Its history went out in hand-over `token`, not yet confirmed.
    Sending(i64),
    Held,
    /// The device was told in hand-over `token` to send and delete it, not yet confirmed.
    Leaving(i64),
}

/// What one pull changes in `held`, and the hand-over it sends.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Plan {
    pub(super) confirmed: Vec<ClientId>,
    pub(super) gone: Vec<ClientId>,
    pub(super) entered: Vec<ClientId>,
    pub(super) left: Vec<ClientId>,
    /// More clients are to enter than this hand-over brings: the next pull brings more.
    pub(super) deferred: bool,
}

/// The most clients one hand-over brings with their history (a device past its first pull
/// receives each entering client's changes up to its cursor): a coach given thousands of clients
/// at once receives them a page of clients at a time, each page a bounded answer.
pub const ENTER_PAGE: usize = 2_000;

/// Works out the hand-over from what the device holds, what it confirmed (`echo`) and the
/// clients now in scope, bringing at most `max_entering` clients in. Pure, so the rules are
/// tested on their own.
pub(super) fn plan(
    held: &BTreeMap<ClientId, Held>,
    echo: i64,
    scope: &BTreeSet<ClientId>,
    max_entering: usize,
) -> Plan {
    let mut plan = Plan::default();
    let mut now = BTreeMap::new();
    for (&client, &state) in held {
        match state {
            Held::Sending(token) if token <= echo => {
                plan.confirmed.push(client);
                now.insert(client, Held::Held);
            }
            Held::Leaving(token) if token <= echo => plan.gone.push(client),
            other => {
                now.insert(client, other);
            }
        }
    }
    for &client in scope {
        // Absent, or sent and not confirmed, or being deleted: (re)send its history.
        if now.get(&client) != Some(&Held::Held) {
            if plan.entered.len() == max_entering {
                plan.deferred = true;
                break;
            }
            plan.entered.push(client);
        }
    }
    for &client in now.keys() {
        if !scope.contains(&client) {
            plan.left.push(client);
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(n: u8) -> ClientId {
        ClientId::new_v7(1_795_000_000_000 + u64::from(n), [n; 10])
    }

    #[test]
    fn a_new_device_receives_its_whole_scope_as_entering() {
        let scope = BTreeSet::from([client(1), client(2)]);
        let plan = plan(&BTreeMap::new(), 0, &scope, usize::MAX);
        assert_eq!(plan.entered, vec![client(1), client(2)]);
        assert!(plan.left.is_empty());
    }

    #[test]
    fn a_confirmed_hand_over_is_not_sent_again_and_an_unconfirmed_one_is() {
        let scope = BTreeSet::from([client(1), client(2)]);
        let held = BTreeMap::from([(client(1), Held::Sending(3)), (client(2), Held::Sending(4))]);
        let plan = plan(&held, 3, &scope, usize::MAX);
        assert_eq!(plan.confirmed, vec![client(1)]);
        assert_eq!(plan.entered, vec![client(2)], "token 4 was not confirmed");
    }

    #[test]
    fn an_unassigned_client_leaves_until_the_device_confirms_its_deletion() {
        let held = BTreeMap::from([(client(1), Held::Held), (client(2), Held::Held)]);
        let scope = BTreeSet::from([client(2)]);
        assert_eq!(plan(&held, 0, &scope, usize::MAX).left, vec![client(1)]);
        let leaving = BTreeMap::from([(client(1), Held::Leaving(5)), (client(2), Held::Held)]);
        assert_eq!(
            plan(&leaving, 4, &scope, usize::MAX).left,
            vec![client(1)],
            "sent again"
        );
        let done = plan(&leaving, 5, &scope, usize::MAX);
        assert_eq!(done.gone, vec![client(1)]);
        assert!(done.left.is_empty() && done.entered.is_empty());
    }

    #[test]
    fn at_most_a_page_of_clients_enters_at_once_and_the_next_pulls_bring_the_rest() {
        let scope: BTreeSet<ClientId> = (1..=5).map(client).collect();
        let first = plan(&BTreeMap::new(), 0, &scope, 2);
        assert_eq!(first.entered, vec![client(1), client(2)]);
        assert!(first.deferred, "three more are to come");
        let held = BTreeMap::from([(client(1), Held::Sending(1)), (client(2), Held::Sending(1))]);
        let second = plan(&held, 1, &scope, 2);
        assert_eq!(second.confirmed, vec![client(1), client(2)]);
        assert_eq!(second.entered, vec![client(3), client(4)]);
        assert!(second.deferred);
        let held: BTreeMap<_, _> = (1..=4)
            .map(|n| {
                (
                    client(n),
                    if n <= 2 { Held::Held } else { Held::Sending(2) },
                )
            })
            .collect();
        let third = plan(&held, 2, &scope, 2);
        assert_eq!(third.entered, vec![client(5)]);
        assert!(!third.deferred, "the last page");
    }

    #[test]
    fn a_client_assigned_again_while_leaving_is_sent_anew() {
        let held = BTreeMap::from([(client(1), Held::Leaving(5))]);
        let scope = BTreeSet::from([client(1)]);
        let plan = plan(&held, 4, &scope, usize::MAX);
        assert_eq!(plan.entered, vec![client(1)]);
        assert!(plan.left.is_empty());
    }
}

//! Sorting and ordered collections with one copy of the sort in the app's wasm.
//!
//! `slice::sort_by`/`sort_by_key` and `collect()` into a `BTreeMap`/`BTreeSet` each compile
//! Rust's stable sort once per element type and closure (several KB of wasm each; issue 20
//! measured 28 copies). These helpers sort a list of positions through one comparator behind a
//! `dyn`, so the sort itself exists once, then move the items into place. The result is the
//! same as the standard library's: stable (equal items keep their order), and a map built from
//! pairs keeps the last value given for a key.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sorts `items` by `compare`, stably: the same result as `items.sort_by(compare)`.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let order = {
        let items = &*items;
        sorted_positions(items.len(), &mut |a, b| compare(&items[a], &items[b]))
    };
    permute(items, order);
}

/// Sorts `items` by `key`, stably: the same result as `items.sort_by_key(key)`.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` in their own order, stably: the same result as `items.sort()`.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The map of `pairs`; for equal keys the last value wins, as with `collect()`.
pub fn map_of<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (key, value) in pairs {
        map.insert(key, value);
    }
    map
}

/// The set of `items`, as with `collect()`.
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    for item in items {
        set.insert(item);
    }
    set
}

/// Positions `0..len` in the order `compare` gives them (stable): the one sort in the wasm.
#[inline(never)]
fn sorted_positions(len: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Moves items so that place `j` holds what was at `order[j]`, following each cycle once.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..items.len() {
        if order[start] == DONE {
            continue;
        }
        let mut place = start;
        loop {
            let from = order[place];
            order[place] = DONE;
            if from == start {
                break;
            }
            items.swap(place, from);
            place = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (name, items as (key, tag)): ties on the key tell a stable sort from one that is not.
    fn cases() -> Vec<(&'static str, Vec<(u8, u32)>)> {
        vec![
            ("empty", vec![]),
            ("one", vec![(1, 0)]),
            ("sorted", vec![(1, 0), (2, 1), (3, 2)]),
            ("reversed", vec![(3, 0), (2, 1), (1, 2)]),
            (
                "ties keep their order",
                vec![(2, 0), (1, 1), (2, 2), (1, 3), (2, 4), (0, 5)],
            ),
            (
                "one long cycle",
                vec![(4, 0), (0, 1), (1, 2), (2, 3), (3, 4)],
            ),
            ("two cycles", vec![(1, 0), (0, 1), (3, 2), (2, 3)]),
            (
                "many, with ties",
                (0..200u32).map(|i| (((i * 37) % 11) as u8, i)).collect(),
            ),
        ]
    }

    #[test]
    fn sorts_as_the_standard_stable_sort_does() {
        for (name, items) in cases() {
            let mut expected = items.clone();
            expected.sort_by_key(|i| i.0);
            let mut by_key = items.clone();
            sort_by_key(&mut by_key, |i| i.0);
            assert_eq!(by_key, expected, "sort_by_key: {name}");
            let mut by = items.clone();
            sort_by(&mut by, |a, b| b.0.cmp(&a.0));
            let mut expected_desc = items.clone();
            expected_desc.sort_by_key(|i| std::cmp::Reverse(i.0));
            assert_eq!(by, expected_desc, "sort_by: {name}");
            let mut whole = items.clone();
            sort(&mut whole);
            let mut expected_whole = items.clone();
            expected_whole.sort();
            assert_eq!(whole, expected_whole, "sort: {name}");
        }
    }

    #[test]
    fn a_map_keeps_the_last_value_for_a_key_as_collect_does() {
        let pairs = vec![(2, "a"), (1, "b"), (2, "c"), (3, "d"), (1, "e")];
        let collected: BTreeMap<_, _> = pairs.clone().into_iter().collect();
        assert_eq!(map_of(pairs.clone()), collected);
        assert_eq!(map_of(pairs)[&2], "c");
        let set = set_of([3, 1, 3, 2]);
        assert_eq!(set, BTreeSet::from([1, 2, 3]));
    }
}

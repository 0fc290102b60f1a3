//! Stable sorting with one instance of the standard library's sort for the
//! whole program.
//!
//! `slice::sort` and its kin are generic over the element and the
//! comparison: every call site with another type links another copy of the
//! standard library's driftsort (about 2 KB gzip each in the web app's
//! engine module). These functions sort the positions (a `Vec<usize>`, with
//! the comparison behind a `dyn`), which compiles once, and then move the
//! elements into that order. They are as stable as `sort` and as fast, up
//! to one allocation; for the core's lists (RRsets, MX hosts, findings).

use std::cmp::Ordering;

/// Sorts `items` stably by `cmp`, as `items.sort_by(cmp)` does.
pub fn sort_by<T>(items: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let order = positions_in_order(items.len(), &mut |a, b| match (items.get(a), items.get(b)) {
        (Some(x), Some(y)) => cmp(x, y),
        _ => Ordering::Equal,
    });
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots.get_mut(i).and_then(Option::take)));
}

/// Sorts `items` stably, as `items.sort()` does.
pub fn sort<T: Ord>(items: &mut Vec<T>) {
    sort_by(items, T::cmp);
}

/// Sorts `items` stably by `key`, as `items.sort_by_key(key)` does.
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// `0..len` sorted stably by `cmp` (not generic: the one instance of the sort).
fn positions_in_order(len: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_as_the_standard_library_does_and_keeps_equal_elements_in_order() {
        let lists: [Vec<(u8, u16)>; 5] = [
            vec![],
            vec![(1, 0)],
            vec![(3, 0), (1, 1), (2, 2), (1, 3), (3, 4), (0, 5)],
            (0..100u16).map(|i| (u8::try_from(i * 37 % 11).unwrap(), i)).collect(),
            (0..40u16).rev().map(|i| (u8::try_from(i % 3).unwrap(), i)).collect(),
        ];
        for list in lists {
            let mut ours = list.clone();
            sort_by_key(&mut ours, |&(k, _)| k);
            let mut std = list.clone();
            std.sort_by_key(|&(k, _)| k);
            assert_eq!(ours, std, "{list:?}");
            let mut ours = list.clone();
            sort(&mut ours);
            let mut std = list.clone();
            std.sort();
            assert_eq!(ours, std);
            let mut ours = list.clone();
            sort_by(&mut ours, |a, b| (a.0 % 2).cmp(&(b.0 % 2)).then(b.1.cmp(&a.1)));
            let mut std = list;
            std.sort_by(|a, b| (a.0 % 2).cmp(&(b.0 % 2)).then(b.1.cmp(&a.1)));
            assert_eq!(ours, std);
        }
        let mut rdatas = vec![vec![2, 1], vec![1], vec![], vec![2], vec![1]];
        sort(&mut rdatas);
        assert_eq!(rdatas, [vec![], vec![1], vec![1], vec![2], vec![2, 1]]);
    }
}

//! A bounded list that keeps what matters most: once full, a new item displaces the least
//! important kept one (and, among equals, the newest, so a story keeps its beginning).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// At most `limit` items, the most important by `rank`.
#[derive(Debug)]
pub struct Kept<T> {
    limit: usize,
    heap: BinaryHeap<Reverse<Entry<T>>>,
    next: u64,
    dropped: u64,
}

#[derive(Debug)]
struct Entry<T> {
    rank: u64,
    order: Reverse<u64>,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T> Eq for Entry<T> {}

impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Entry<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.rank, self.order).cmp(&(other.rank, other.order))
    }
}

impl<T> Kept<T> {
    /// Keeps at most `limit` items.
    pub fn new(limit: usize) -> Self {
        Kept {
            limit: limit.max(1),
            heap: BinaryHeap::new(),
            next: 0,
            dropped: 0,
        }
    }

    /// Offers an item of importance `rank`.
    pub fn offer(&mut self, rank: u64, item: T) {
        let entry = Entry {
            rank,
            order: Reverse(self.next),
            item,
        };
        self.next += 1;
        if self.heap.len() < self.limit {
            self.heap.push(Reverse(entry));
            return;
        }
        self.dropped += 1;
        if let Some(mut least) = self.heap.peek_mut() {
            if entry > least.0 {
                *least = Reverse(entry);
            }
        }
    }

    /// How many were offered and not kept.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The kept items in the order they were offered.
    pub fn into_items(self) -> Vec<T> {
        let mut entries: Vec<Entry<T>> = self.heap.into_iter().map(|Reverse(entry)| entry).collect();
        entries.sort_by_key(|entry| Reverse(entry.order));
        entries.into_iter().map(|entry| entry.item).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_important_and_earliest_stay() {
        let mut kept = Kept::new(3);
        for (rank, name) in [(1, "a"), (2, "b"), (1, "c"), (3, "d"), (2, "e"), (1, "f")] {
            kept.offer(rank, name);
        }
        assert_eq!(kept.dropped(), 3);
        assert_eq!(kept.into_items(), vec!["b", "d", "e"]);
        let mut equal = Kept::new(2);
        for name in ["first", "second", "third"] {
            equal.offer(1, name);
        }
        assert_eq!(equal.into_items(), vec!["first", "second"]);
    }
}

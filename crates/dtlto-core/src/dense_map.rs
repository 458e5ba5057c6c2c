//! The iteration order of LLVM's `DenseMap` (ADT/DenseMap.h), where an
//! LLVM result depends on it. The importer walks three such maps: the
//! modules (`DenseMap<StringRef, ...>` of module paths), whose order
//! decides which imports `-import-cutoff` keeps; each module's
//! `DefinedGVSummaries` (`DenseMap<uint64_t, ...>` of GUIDs), whose order
//! seeds the module's walk and so how often a rejected callee is
//! reconsidered (`-print-import-failures`' attempts); and each module's
//! `ImportThresholds` (by GUID), whose order is that of the
//! `-print-import-failures` report.
//!
//! The table is open addressing with quadratic probing over a power-of-two
//! bucket array, grown (to at least 64 buckets) to twice its size when an
//! insertion would fill three quarters of it; growing re-inserts the
//! entries in bucket order. Iteration walks the buckets. GUIDs hash with
//! `densemap::detail::mix` (splitmix64's multiply and xor-shift), strings
//! with `hash_value(StringRef)` (Hashing.h), both truncated to 32 bits.

mod string_hash;

pub use string_hash::string_hash;

const MIN_BUCKETS: usize = 64;

/// `DenseMapInfo<uint64_t>::getHashValue`.
pub fn guid_hash(key: u64) -> u32 {
    let x = key.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    (x ^ (x >> 31)) as u32
}

/// The bucket holding `key`, or the empty one where it goes.
fn find<K: Copy + Eq>(
    buckets: &[Option<K>],
    key: K,
    hash: &impl Fn(K) -> u32,
) -> Result<usize, usize> {
    let mask = buckets.len() - 1;
    let mut at = hash(key) as usize & mask;
    let mut probe = 1;
    loop {
        match buckets[at] {
            Some(k) if k == key => return Ok(at),
            None => return Err(at),
            Some(_) => {
                at = (at + probe) & mask;
                probe += 1;
            }
        }
    }
}

fn grown<K: Copy + Eq>(
    old: &[Option<K>],
    buckets: usize,
    hash: &impl Fn(K) -> u32,
) -> Vec<Option<K>> {
    let mut new = vec![None; buckets.max(MIN_BUCKETS)];
    for key in old.iter().flatten() {
        if let Err(at) = find(&new, *key, hash) {
            new[at] = Some(*key);
        }
    }
    new
}

/// The order in which LLVM iterates a `DenseMap<uint64_t, T>` after
/// inserting `keys` in the given order (repeated keys once).
pub fn iteration_order(keys: impl IntoIterator<Item = u64>) -> Vec<u64> {
    iteration_order_by(keys, guid_hash, 0)
}

/// The order in which LLVM iterates a `DenseMap` whose keys hash with
/// `hash`, constructed to reserve room for `reserve` entries, after
/// inserting `keys` in the given order (repeated keys once). Without
/// erasures the map never holds tombstones, so this is the whole story.
pub fn iteration_order_by<K: Copy + Eq>(
    keys: impl IntoIterator<Item = K>,
    hash: impl Fn(K) -> u32,
    reserve: usize,
) -> Vec<K> {
    // `getMinBucketToReserveForEntries`: no 64-bucket floor here.
    let initial = if reserve == 0 {
        0
    } else {
        (reserve * 4 / 3 + 1 + 1).next_power_of_two()
    };
    let mut buckets: Vec<Option<K>> = vec![None; initial];
    let mut entries = 0usize;
    for key in keys {
        if !buckets.is_empty() && find(&buckets, key, &hash).is_ok() {
            continue;
        }
        let n = buckets.len();
        if (entries + 1) * 4 >= n * 3 {
            buckets = grown(&buckets, n * 2, &hash);
        } else if n - (entries + 1) <= n / 8 {
            buckets = grown(&buckets, n, &hash);
        }
        if let Err(at) = find(&buckets, key, &hash) {
            buckets[at] = Some(key);
            entries += 1;
        }
    }
    buckets.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_maps_iterate_by_hash_bucket() {
        // Three keys in 64 buckets: in the order of their hashes' low six
        // bits, whatever the insertion order.
        let keys = [7u64, 1 << 40, 123_456_789];
        let mut by_bucket = keys.to_vec();
        by_bucket.sort_by_key(|&k| guid_hash(k) & 63);
        assert_eq!(iteration_order(keys), by_bucket);
        assert_eq!(iteration_order(keys.iter().rev().copied()), by_bucket);
        assert_eq!(iteration_order([5, 5, 5]), [5]);
    }

    #[test]
    fn colliding_keys_probe_quadratically_in_insertion_order() {
        // Keys whose hashes share a bucket: the first takes it, the next
        // goes one further, the third three further (1 + 2).
        let bucket = |k: u64| guid_hash(k) as usize & 63;
        let same: Vec<u64> = (0u64..).filter(|&k| bucket(k) == 10).take(3).collect();
        let order = iteration_order(same.iter().copied());
        assert_eq!(order, same, "buckets 10, 11, 13 in that order");
        // Unless a key of another bucket already sits at 11.
        let at_11 = (0u64..).find(|&k| bucket(k) == 11).unwrap();
        let order = iteration_order([at_11, same[0], same[1], same[2]]);
        // 10: same[0]; 11: at_11; 13: same[1] (10 -> 11 -> 13); 16: same[2]
        // (10 -> 11 -> 13 -> 16).
        assert_eq!(order, [same[0], at_11, same[1], same[2]]);
    }

    #[test]
    fn growing_reinserts_in_bucket_order() {
        // 48 keys fill 64 buckets to three quarters: the 48th insertion
        // grows the table to 128 first. Every key is kept, once.
        let keys: Vec<u64> = (1..=200).map(|k| k * 0x9e37_79b9).collect();
        let order = iteration_order(keys.iter().copied());
        let mut sorted = order.clone();
        sorted.sort();
        let mut expected = keys.clone();
        expected.sort();
        assert_eq!(sorted, expected);
        // 200 keys need 512 buckets (200 * 4 >= 256 * 3): bucket order
        // there is hash order modulo 512, up to collisions.
        let buckets: Vec<usize> = order.iter().map(|&k| guid_hash(k) as usize & 511).collect();
        let in_order = buckets.windows(2).filter(|w| w[0] <= w[1]).count();
        assert!(in_order >= buckets.len() - 10, "{buckets:?}");
    }
}

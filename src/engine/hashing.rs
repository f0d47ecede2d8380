//! The md5 bucketing shared by percentage splits and multivariate allocation.

use md5::{Digest, Md5};

/// After this many re-hashes (each happens with probability 1/9999) the engine gives up and
/// returns 0. Python would recurse until its stack ran out; no real input gets near this.
const MAX_ITERATIONS: usize = 64;

/// Flagsmith's `get_hashed_percentage_for_object_ids`: the ids (already in Python `str()` form)
/// joined by `,` and repeated `iterations` times, md5-hashed, read as a 128-bit big-endian
/// integer, reduced mod 9999 and scaled to [0, 100). A result of exactly 100 is re-hashed with
/// one more repetition.
pub fn hashed_percentage(ids: &[&str]) -> f64 {
    for iterations in 1..=MAX_ITERATIONS {
        let mut hasher = Md5::new();
        for round in 0..iterations {
            for (i, id) in ids.iter().enumerate() {
                if round > 0 || i > 0 {
                    hasher.update(b",");
                }
                hasher.update(id.as_bytes());
            }
        }
        let digest: [u8; 16] = hasher.finalize().into();
        let bucket = u128::from_be_bytes(digest) % 9999;
        // Divide first, then multiply: the same IEEE operations as Python.
        let percentage = (bucket as f64 / 9998.0) * 100.0;
        if percentage != 100.0 {
            return percentage;
        }
    }
    0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_from_the_python_engine() {
        assert_eq!(hashed_percentage(&["a", "b"]), 56.72134426885377);
        assert_eq!(hashed_percentage(&["a", "b", "a", "b"]), 35.9371874374875);
        assert_eq!(hashed_percentage(&["12", "user_1"]), 3.700740148029606);
        assert_eq!(
            hashed_percentage(&["1016366", "8AYnz4q3KEfT5DFtnramnP_user-123"]),
            39.19783956791358
        );
    }

    #[test]
    fn a_bucket_of_exactly_100_is_rehashed_with_the_ids_repeated() {
        assert_eq!(
            hashed_percentage(&["16", "identity_361"]),
            6.961392278455691
        );
        assert_eq!(
            hashed_percentage(&["16", "identity_361", "16", "identity_361"]),
            6.961392278455691
        );
        assert_eq!(
            hashed_percentage(&["16", "identity_8079"]),
            2.8605721144228844
        );
    }

    proptest::proptest! {
        #[test]
        fn the_same_ids_always_land_in_the_same_bucket(segment in ".{0,20}", identity in ".{0,40}") {
            let first = hashed_percentage(&[&segment, &identity]);
            proptest::prop_assert_eq!(first, hashed_percentage(&[&segment, &identity]));
            proptest::prop_assert!((0.0..100.0).contains(&first));
        }
    }

    #[test]
    fn buckets_are_close_to_uniform() {
        // 10,000 identities over 10 deciles: each should hold ~1,000; ±15% is > 4 sigma.
        let mut deciles = [0usize; 10];
        for i in 0..10_000 {
            let identity = format!("env-key_user-{i}");
            let percentage = hashed_percentage(&["feature-42", &identity]);
            deciles[(percentage / 10.0) as usize] += 1;
        }
        for (decile, count) in deciles.iter().enumerate() {
            assert!((850..=1150).contains(count), "decile {decile} has {count}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20))]
        #[test]
        fn random_keys_spread_evenly(seed in proptest::prelude::any::<u64>()) {
            let mut deciles = [0usize; 10];
            for i in 0..10_000u64 {
                let key = format!("{seed}-{i}");
                deciles[(hashed_percentage(&["segment", &key]) / 10.0) as usize] += 1;
            }
            for count in deciles {
                proptest::prop_assert!((850..=1150).contains(&count), "{:?}", deciles);
            }
        }
    }

    #[test]
    fn no_ids_hash_the_empty_string() {
        let value = hashed_percentage(&[]);
        assert!((0.0..100.0).contains(&value));
    }
}

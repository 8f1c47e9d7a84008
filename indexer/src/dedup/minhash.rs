//! Word shingles, MinHash signatures and locality-sensitive hashing (LSH) bands.
//!
//! A description becomes the set of hashes of its runs of [`SHINGLE_WORDS`] words. Its
//! signature keeps, for each of [`NUM_HASHES`] hash functions, the smallest hash over the set;
//! two signatures agree at a position with probability equal to the Jaccard similarity of the
//! sets. Signatures are cut into [`BANDS`] bands of [`ROWS`] rows: two descriptions become
//! candidates when any band is equal, which happens often above a Jaccard of about
//! `(1/BANDS)^(1/ROWS)` ≈ 0.29 and rarely below. Each band is one hash-table pass over the
//! documents, so the cost grows linearly with their number.
//!
//! All hashing is defined here (FNV-1a and a fixed multiply-shift family), never by the
//! standard library's randomised hasher, so that a run and the next give equal results.

use std::collections::HashSet;

/// Words per shingle: three tolerates the small rewrites boards make and still tells texts
/// apart.
pub(crate) const SHINGLE_WORDS: usize = 3;
pub(crate) const BANDS: usize = 40;
pub(crate) const ROWS: usize = 3;
pub(crate) const NUM_HASHES: usize = BANDS * ROWS;

/// 64-bit FNV-1a.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// A finaliser that spreads every input bit over the output (splitmix64's).
pub(crate) fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The hashes of the shingles of one sentence's `words`; a sentence shorter than a shingle is
/// one shingle. Shingles never cross sentences, so that removing a boilerplate sentence removes
/// exactly its shingles, and a text's sections do not leave traces of their neighbours.
pub(crate) fn shingles(words: &[String]) -> HashSet<u64> {
    let hashes: Vec<u64> = words.iter().map(|word| fnv1a(word.as_bytes())).collect();
    let combine = |window: &[u64]| {
        window
            .iter()
            .fold(0x9e37_79b9_7f4a_7c15_u64, |acc, hash| mix(acc ^ hash))
    };
    if hashes.is_empty() {
        return HashSet::new();
    }
    if hashes.len() < SHINGLE_WORDS {
        return HashSet::from([combine(&hashes)]);
    }
    hashes.windows(SHINGLE_WORDS).map(combine).collect()
}

/// The multiply-shift family: odd multipliers and offsets drawn once from a fixed seed.
fn family() -> &'static [(u64, u64); NUM_HASHES] {
    static FAMILY: std::sync::OnceLock<[(u64, u64); NUM_HASHES]> = std::sync::OnceLock::new();
    FAMILY.get_or_init(|| {
        let mut state: u64 = 0x5eed_0f7a_cac1_e5d1;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            mix(state)
        };
        std::array::from_fn(|_| (next() | 1, next()))
    })
}

/// A MinHash signature with the size of the set it was made from. Each minimum is kept by its
/// lowest 16 bits (b-bit minwise hashing): two different minimums agree there by chance once
/// in 65,536, which moves an estimate by nothing that matters, and a signature takes half the
/// memory (dedup holds two per posting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    pub(crate) mins: [u16; NUM_HASHES],
    pub(crate) set_size: u32,
}

impl Signature {
    /// The signature of a non-empty set; `None` for an empty one.
    pub(crate) fn of(set: &HashSet<u64>) -> Option<Signature> {
        if set.is_empty() {
            return None;
        }
        let mut mins = [u32::MAX; NUM_HASHES];
        for &shingle in set {
            for (min, (multiplier, offset)) in mins.iter_mut().zip(family()) {
                let hash = (multiplier.wrapping_mul(shingle).wrapping_add(*offset) >> 32) as u32;
                if hash < *min {
                    *min = hash;
                }
            }
        }
        Some(Signature {
            mins: mins.map(|min| min as u16),
            set_size: u32::try_from(set.len()).unwrap_or(u32::MAX),
        })
    }

    /// The estimated Jaccard similarity of the two sets.
    pub(crate) fn jaccard(&self, other: &Signature) -> f64 {
        let equal = self
            .mins
            .iter()
            .zip(other.mins.iter())
            .filter(|(a, b)| a == b)
            .count();
        equal as f64 / NUM_HASHES as f64
    }

    /// The estimated share of the smaller set that the larger one holds: a description cut
    /// short by a board is contained in the full one while their Jaccard is low.
    pub(crate) fn containment(&self, other: &Signature) -> f64 {
        let jaccard = self.jaccard(other);
        let shared =
            jaccard / (1.0 + jaccard) * (f64::from(self.set_size) + f64::from(other.set_size));
        let smaller = f64::from(self.set_size.min(other.set_size));
        (shared / smaller).min(1.0)
    }

    /// The estimated share of this set that `other` holds.
    pub(crate) fn share_in(&self, other: &Signature) -> f64 {
        let jaccard = self.jaccard(other);
        let shared =
            jaccard / (1.0 + jaccard) * (f64::from(self.set_size) + f64::from(other.set_size));
        (shared / f64::from(self.set_size)).min(1.0)
    }

    /// The key of band `band`: its rows hashed together with the band number.
    pub(crate) fn band_key(&self, band: usize) -> u64 {
        let rows = &self.mins[band * ROWS..(band + 1) * ROWS];
        rows.iter()
            .fold(mix(band as u64), |acc, row| mix(acc ^ u64::from(*row)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::text::words;

    fn set(text: &str) -> HashSet<u64> {
        shingles(&words(text).collect::<Vec<_>>())
    }

    #[test]
    fn a_sentence_gives_a_shingle_per_run_of_words() {
        assert!(set("").is_empty());
        assert_eq!(set("twee woorden").len(), 1);
        assert_eq!(set("een twee drie").len(), 1);
        assert_eq!(set("een twee drie vier").len(), 2);
    }

    #[test]
    fn jaccard_estimate_is_close_to_the_truth() {
        let a: HashSet<u64> = (0..400).map(mix).collect();
        let b: HashSet<u64> = (200..600).map(mix).collect();
        let truth = 200.0 / 600.0;
        let (sa, sb) = (
            Signature::of(&a).expect("set"),
            Signature::of(&b).expect("set"),
        );
        assert!(
            (sa.jaccard(&sb) - truth).abs() < 0.15,
            "{}",
            sa.jaccard(&sb)
        );
        assert_eq!(sa.jaccard(&sa), 1.0);
        let c: HashSet<u64> = (0..100).map(mix).collect();
        let sc = Signature::of(&c).expect("set");
        assert!(sa.containment(&sc) > 0.8, "{}", sa.containment(&sc));
        assert!(Signature::of(&HashSet::new()).is_none());
    }

    #[test]
    fn equal_sets_share_every_band() {
        let a = Signature::of(&set("wij zoeken een enthousiaste kok voor ons restaurant"))
            .expect("set");
        let b = Signature::of(&set("Wij zoeken een enthousiaste kok voor ons restaurant!"))
            .expect("set");
        assert!((0..BANDS).all(|band| a.band_key(band) == b.band_key(band)));
    }
}

//! The `cursor` of `/api/search`: an opaque token holding the sort key and id of the last hit
//! of a page, so that the next page starts right after it (search-after), however many hits
//! a coach exports. Unlike `page`, it neither skips nor repeats hits when the offset grows.
//!
//! The token is URL-safe base64 (no padding) of `kind|key|id`; its layout is not a contract.

use std::cmp::Ordering;

/// Where a hit sorts. Hits are ordered by this, then by id, so the order is total and a
/// cursor names one place in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SortKey {
    /// Exact matches before fuzzy ones (`exact`), then by score, higher first.
    Relevance { exact: bool, score: f32 },
    /// Posting day in seconds since the epoch, newer first; undated last.
    Newest { posted: i64 },
    /// Distance in km, nearer first.
    Nearest { km: f64 },
}

impl SortKey {
    /// The order of two keys of the same kind: the one to show first is `Less`.
    pub fn compare(&self, other: &SortKey) -> Ordering {
        match (self, other) {
            (
                SortKey::Relevance { exact, score },
                SortKey::Relevance {
                    exact: other_exact,
                    score: other_score,
                },
            ) => other_exact
                .cmp(exact)
                .then_with(|| other_score.total_cmp(score)),
            (SortKey::Newest { posted }, SortKey::Newest { posted: other }) => other.cmp(posted),
            (SortKey::Nearest { km }, SortKey::Nearest { km: other }) => km.total_cmp(other),
            _ => self.tag().cmp(&other.tag()),
        }
    }

    fn tag(&self) -> char {
        match self {
            SortKey::Relevance { .. } => 'r',
            SortKey::Newest { .. } => 'n',
            SortKey::Nearest { .. } => 'd',
        }
    }
}

/// The position after which the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub key: SortKey,
    pub id: String,
}

impl Cursor {
    /// Whether a hit with `key` and `id` comes after the cursor.
    pub fn precedes(&self, key: &SortKey, id: &str) -> bool {
        self.key.compare(key).then_with(|| self.id.as_str().cmp(id)) == Ordering::Less
    }

    pub fn encode(&self) -> String {
        let key = match self.key {
            SortKey::Relevance { exact, score } => {
                format!("r|{}:{:08x}", u8::from(exact), score.to_bits())
            }
            SortKey::Newest { posted } => format!("n|{posted}"),
            SortKey::Nearest { km } => format!("d|{:016x}", km.to_bits()),
        };
        base64_encode(format!("{key}|{}", self.id).as_bytes())
    }

    /// Reads a token made by [`encode`](Self::encode); `None` for anything else.
    pub fn decode(token: &str) -> Option<Cursor> {
        let bytes = base64_decode(token)?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.splitn(3, '|');
        let (tag, key, id) = (parts.next()?, parts.next()?, parts.next()?);
        let key = match tag {
            "r" => {
                let (exact, bits) = key.split_once(':')?;
                let exact = match exact {
                    "0" => false,
                    "1" => true,
                    _ => return None,
                };
                let score = f32::from_bits(u32::from_str_radix(bits, 16).ok()?);
                if !score.is_finite() {
                    return None;
                }
                SortKey::Relevance { exact, score }
            }
            "n" => SortKey::Newest {
                posted: key.parse().ok()?,
            },
            "d" => {
                let km = f64::from_bits(u64::from_str_radix(key, 16).ok()?);
                if !km.is_finite() {
                    return None;
                }
                SortKey::Nearest { km }
            }
            _ => return None,
        };
        Some(Cursor {
            key,
            id: id.to_owned(),
        })
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            let index = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let value = ALPHABET.iter().position(|a| a == c)?;
            n |= (value as u32) << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_every_length() {
        for len in 0..20 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 250) as u8).collect();
            assert_eq!(base64_decode(&base64_encode(&bytes)), Some(bytes));
        }
        assert_eq!(base64_encode(b"Man"), "TWFu");
        assert!(base64_decode("a").is_none());
        assert!(base64_decode("ab=c").is_none());
    }

    #[test]
    fn cursors_round_trip() {
        for key in [
            SortKey::Relevance {
                exact: true,
                score: 3.25,
            },
            SortKey::Newest {
                posted: 1_790_000_000,
            },
            SortKey::Nearest { km: 12.345 },
        ] {
            let cursor = Cursor {
                key,
                id: "v|1".to_owned(),
            };
            assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
        assert!(Cursor::decode("not a cursor").is_none());
        assert!(Cursor::decode(&base64_encode(b"x|1|id")).is_none());
    }

    #[test]
    fn exact_hits_sort_before_fuzzy_ones_whatever_their_score() {
        let exact = SortKey::Relevance {
            exact: true,
            score: 0.1,
        };
        let fuzzy = SortKey::Relevance {
            exact: false,
            score: 9.0,
        };
        assert_eq!(exact.compare(&fuzzy), Ordering::Less);
        let cursor = Cursor {
            key: exact,
            id: "b".to_owned(),
        };
        assert!(cursor.precedes(&fuzzy, "a"));
        assert!(cursor.precedes(&exact, "c"));
        assert!(!cursor.precedes(&exact, "b"));
    }
}

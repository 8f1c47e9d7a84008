//! Who may see a source's vacancies: everyone, or only the members of one organisation (an
//! internal labour market: `audience = "org:<slug>"` in `sources.toml`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest organisation slug.
pub const MAX_SLUG_CHARS: usize = 40;

/// Everyone, or the members of one organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Audience {
    #[default]
    Public,
    /// The members of the organisation with this slug (lower-case letters, digits and `-`).
    Organisation(String),
}

/// Why a text is not an audience.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not an audience: `public` or `org:<slug>` (a slug of 1 to 40 lower-case letters, \
     digits and -)"
)]
pub struct ParseAudienceError(pub String);

impl Audience {
    /// An organisation's audience, if `slug` is a valid slug.
    pub fn organisation(slug: &str) -> Option<Audience> {
        is_slug(slug).then(|| Audience::Organisation(slug.to_owned()))
    }

    pub fn is_public(&self) -> bool {
        matches!(self, Audience::Public)
    }

    /// The organisation's slug, for an internal audience.
    pub fn organisation_slug(&self) -> Option<&str> {
        match self {
            Audience::Public => None,
            Audience::Organisation(slug) => Some(slug),
        }
    }
}

/// Whether `slug` is 1 to 40 lower-case ASCII letters, digits and inner `-`.
pub fn is_slug(slug: &str) -> bool {
    (1..=MAX_SLUG_CHARS).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Audience::Public => f.write_str("public"),
            Audience::Organisation(slug) => write!(f, "org:{slug}"),
        }
    }
}

impl FromStr for Audience {
    type Err = ParseAudienceError;

    fn from_str(text: &str) -> Result<Audience, ParseAudienceError> {
        match text.strip_prefix("org:") {
            None if text == "public" => Ok(Audience::Public),
            Some(slug) => {
                Audience::organisation(slug).ok_or_else(|| ParseAudienceError(text.to_owned()))
            }
            None => Err(ParseAudienceError(text.to_owned())),
        }
    }
}

impl Serialize for Audience {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Audience, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_read_and_write_as_in_sources_toml() {
        for text in ["public", "org:zorggroep-noord", "org:a", "org:umc2"] {
            let audience: Audience = text.parse().expect(text);
            assert_eq!(audience.to_string(), text);
        }
        assert_eq!(
            "org:zorggroep"
                .parse::<Audience>()
                .ok()
                .and_then(|a| a.organisation_slug().map(str::to_owned)),
            Some("zorggroep".to_owned())
        );
        for bad in [
            "",
            "Public",
            "org:",
            "org:Zorg",
            "org:zorg groep",
            "org:-zorg",
            "org:zorg-",
            "org:zorg_groep",
            "organisation:zorg",
            &format!("org:{}", "a".repeat(41)),
        ] {
            assert!(bad.parse::<Audience>().is_err(), "{bad:?}");
        }
    }
}

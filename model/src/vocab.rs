//! The closed vocabularies of CONTRACT.md. Each serialises exactly as the export spells it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {vocabulary} {value:?}")]
pub struct ParseVocabError {
    pub vocabulary: &'static str,
    pub value: String,
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $label:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling of CONTRACT.md.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseVocabError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ParseVocabError { vocabulary: $label, value: value.to_owned() }),
                }
            }
        }
    };
}

vocabulary! {
    /// The kind of a source in `sources.toml`.
    SourceKind, "source kind" {
        Sitemap => "sitemap",
        Site => "site",
        Feed => "feed",
        Recruitee => "recruitee",
        Greenhouse => "greenhouse",
        Lever => "lever",
        Personio => "personio",
        SmartRecruiters => "smartrecruiters",
        Workday => "workday",
    }
}

impl SourceKind {
    /// Whether the kind is an applicant-tracking system's public API.
    pub fn is_ats(self) -> bool {
        !matches!(
            self,
            SourceKind::Sitemap | SourceKind::Site | SourceKind::Feed
        )
    }

    /// The channel a source of this kind is when `sources.toml` does not say.
    pub fn default_channel(self) -> Channel {
        if self.is_ats() {
            Channel::Ats
        } else {
            Channel::Employer
        }
    }
}

vocabulary! {
    /// Who publishes through a source. Dedup takes a vacancy's fields from its best posting:
    /// employer site and ATS over job boards over staffing agencies.
    Channel, "channel" {
        Employer => "employer",
        Ats => "ats",
        Board => "board",
        Agency => "agency",
    }
}

impl Channel {
    /// Lower is more trustworthy as the source of a vacancy's fields.
    pub fn rank(self) -> u8 {
        match self {
            Channel::Employer => 0,
            Channel::Ats => 0,
            Channel::Board => 1,
            Channel::Agency => 2,
        }
    }
}

vocabulary! {
    /// A posting is active until it expires; a vacancy is expired once all its postings are.
    Status, "status" {
        Active => "active",
        Expired => "expired",
    }
}

vocabulary! {
    /// Why a posting expired (CONTRACT.md, Export).
    ExpiryReason, "expiry reason" {
        ClosingDatePassed => "closing_date_passed",
        NotFound => "not_found",
        Gone => "gone",
        ClosedPage => "closed_page",
        GoneFromListing => "gone_from_listing",
    }
}

vocabulary! {
    /// schema.org's employmentType values, in lower case.
    EmploymentType, "employment type" {
        FullTime => "full_time",
        PartTime => "part_time",
        Contractor => "contractor",
        Temporary => "temporary",
        Intern => "intern",
        Volunteer => "volunteer",
        PerDiem => "per_diem",
        Other => "other",
    }
}

vocabulary! {
    /// Dutch education levels, lowest first.
    EducationLevel, "education level" {
        Vmbo => "vmbo",
        Mbo => "mbo",
        Havo => "havo",
        Vwo => "vwo",
        Hbo => "hbo",
        Wo => "wo",
    }
}

vocabulary! {
    /// The period a published salary is stated in.
    SalaryPeriod, "salary period" {
        Hour => "hour",
        Day => "day",
        Week => "week",
        Month => "month",
        Year => "year",
    }
}

impl SalaryPeriod {
    /// Factor that turns an amount in this period into a monthly amount, on a full-time week
    /// of 38 hours (the common Dutch collective-agreement week) and 52/12 weeks a month.
    pub fn monthly_factor(self) -> f64 {
        const WEEKS_PER_MONTH: f64 = 52.0 / 12.0;
        match self {
            SalaryPeriod::Hour => 38.0 * WEEKS_PER_MONTH,
            SalaryPeriod::Day => 5.0 * WEEKS_PER_MONTH,
            SalaryPeriod::Week => WEEKS_PER_MONTH,
            SalaryPeriod::Month => 1.0,
            SalaryPeriod::Year => 1.0 / 12.0,
        }
    }
}

vocabulary! {
    /// What a person may do in the portal; one person may hold several roles. A seeker
    /// searches, logs actions, keeps shortlists and invites a circle; a circle member follows
    /// the seekers whose circle they joined and gives kudos; a coach leads tables of seekers and
    /// exports shortlists; an operator runs the installation.
    Role, "role" {
        Seeker => "seeker",
        Circle => "circle",
        Coach => "coach",
        Operator => "operator",
    }
}

vocabulary! {
    /// A step a seeker logs: what their circle sees and what the four-weekly overview for UWV
    /// lists as application activities.
    ActionKind, "action kind" {
        Letter => "letter",
        SiteApplication => "site_application",
        Coffee => "coffee",
        Contact => "contact",
        Network => "network",
        Interview => "interview",
        Training => "training",
        Other => "other",
    }
}

impl ActionKind {
    /// How the portal names it.
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Letter => "Sollicitatiebrief verstuurd",
            ActionKind::SiteApplication => "Gesolliciteerd via een site",
            ActionKind::Coffee => "Koffiegesprek",
            ActionKind::Contact => "Contact gelegd",
            ActionKind::Network => "Netwerkgesprek",
            ActionKind::Interview => "Sollicitatiegesprek",
            ActionKind::Training => "Training of cursus",
            ActionKind::Other => "Iets anders",
        }
    }

    /// Whether UWV counts it as an application activity (sollicitatieactiviteit).
    pub fn is_application(self) -> bool {
        matches!(
            self,
            ActionKind::Letter | ActionKind::SiteApplication | ActionKind::Interview
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vocabulary_round_trips_through_its_spelling() {
        for kind in SourceKind::ALL {
            assert_eq!(kind.as_str().parse::<SourceKind>(), Ok(*kind));
            let json = serde_json::to_string(kind).expect("serialise");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        for value in EmploymentType::ALL {
            assert_eq!(value.as_str().parse::<EmploymentType>(), Ok(*value));
        }
        for value in EducationLevel::ALL {
            assert_eq!(value.as_str().parse::<EducationLevel>(), Ok(*value));
        }
        for value in ExpiryReason::ALL {
            assert_eq!(value.as_str().parse::<ExpiryReason>(), Ok(*value));
        }
        for value in ActionKind::ALL {
            assert_eq!(value.as_str().parse::<ActionKind>(), Ok(*value));
        }
    }

    #[test]
    fn unknown_spelling_names_the_vocabulary() {
        let error = "FULL_TIME"
            .parse::<EmploymentType>()
            .expect_err("upper case is not the spelling");
        assert_eq!(error.to_string(), "unknown employment type \"FULL_TIME\"");
    }

    #[test]
    fn monthly_factor_turns_a_year_into_twelfths() {
        assert!((SalaryPeriod::Year.monthly_factor() * 12.0 - 1.0).abs() < 1e-9);
        assert!(SalaryPeriod::Hour.monthly_factor() > 160.0);
    }

    #[test]
    fn ats_kinds_default_to_the_ats_channel() {
        assert_eq!(SourceKind::Greenhouse.default_channel(), Channel::Ats);
        assert_eq!(SourceKind::Sitemap.default_channel(), Channel::Employer);
    }
}

//! Domain types that every vindwerk crate shares: sources, postings, vacancies and the closed
//! vocabularies of their fields (status, expiry reason, employment type, education level,
//! salary period), and the portal's people (users and their roles).
//!
//! This crate does no IO and knows nothing of SQLite, HTTP or tantivy. It defines the words of
//! the glossary in `ARCHITECTURE.md` once, so that the crawler, the store, the indexer and the
//! search server speak of the same things.

mod audience;
mod ids;
mod posting;
mod vacancy;
mod vocab;

pub use audience::{Audience, MAX_SLUG_CHARS, ParseAudienceError, is_slug};
pub use ids::{PostingId, SourceId, UserId, VacancyId};
pub use posting::{Location, Posting, PostingData, Salary};
pub use vacancy::{Vacancy, VacancyPosting};
pub use vocab::{
    ActionKind, Channel, EducationLevel, EmploymentType, ExpiryReason, ParseVocabError, Role,
    SalaryPeriod, SourceKind, Status,
};

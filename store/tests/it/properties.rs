//! Property tests: any posting data survives the store unchanged.

use crate::common::{acme, at};
use proptest::prelude::*;
use vindwerk_model::{
    Channel, EmploymentType, Location, PostingData, Salary, SalaryPeriod, SourceKind,
};
use vindwerk_store::{Store, UpsertOutcome, Upserted};

fn upsert(store: &mut Store, data: &PostingData, hour: u32) -> Upserted {
    store
        .write(|batch| {
            batch.upsert_posting(
                &acme(),
                SourceKind::Sitemap,
                Channel::Employer,
                data,
                at(hour),
            )
        })
        .expect("upsert")
}

fn text() -> impl Strategy<Value = String> {
    // Any Unicode, including quotes, backslashes, control characters and markup.
    any::<String>()
}

fn optional_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn date() -> impl Strategy<Value = Option<chrono::NaiveDate>> {
    proptest::option::of(
        (1900i32..2200, 1u32..366).prop_filter_map("a day of the year", |(year, ordinal)| {
            chrono::NaiveDate::from_yo_opt(year, ordinal)
        }),
    )
}

fn number() -> impl Strategy<Value = Option<f64>> {
    proptest::option::of(
        any::<f64>().prop_filter("json numbers are finite", |value| value.is_finite()),
    )
}

fn posting_data() -> impl Strategy<Value = PostingData> {
    let location = (
        (
            optional_text(),
            optional_text(),
            optional_text(),
            optional_text(),
        ),
        (optional_text(), optional_text(), number(), number()),
    )
        .prop_map(
            |((text, street, locality, region), (postal_code, country, lat, lon))| Location {
                text,
                street,
                locality,
                region,
                postal_code,
                country,
                lat,
                lon,
            },
        );
    let salary = proptest::option::of(
        (
            number(),
            number(),
            optional_text(),
            proptest::option::of(proptest::sample::select(SalaryPeriod::ALL)),
        )
            .prop_map(|(min, max, currency, period)| Salary {
                min,
                max,
                currency,
                period,
            }),
    );
    let employment_types =
        proptest::collection::vec(proptest::sample::select(EmploymentType::ALL), 0..4);
    (
        (
            "https://[a-z]{1,10}\\.nl/[a-z0-9/?=&%-]{0,30}",
            text(),
            optional_text(),
            text(),
        ),
        (location, date(), date(), employment_types),
        (salary, optional_text(), optional_text(), optional_text()),
        (optional_text(), any::<bool>()),
    )
        .prop_map(
            |(
                (url, title, employer, description),
                (location, date_posted, valid_through, employment_types),
                (salary, salary_text, hours_text, education_text),
                (reference, remote),
            )| PostingData {
                url,
                title,
                employer,
                description,
                location,
                date_posted,
                valid_through,
                employment_types,
                salary,
                salary_text,
                hours_text,
                education_text,
                reference,
                remote,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn posting_data_round_trips_through_the_store(data in posting_data()) {
        let mut store = Store::open_in_memory().expect("store");
        let upserted = upsert(&mut store, &data, 6);
        prop_assert_eq!(upserted.outcome, UpsertOutcome::New);
        let posting = store.posting(upserted.id).expect("read").expect("exists");
        prop_assert_eq!(&posting.data, &data);
        // What came back hashes the same: a second read of it is unchanged.
        prop_assert_eq!(upsert(&mut store, &posting.data, 7).outcome, UpsertOutcome::Unchanged);
        let history = store.posting_history(upserted.id).expect("history");
        prop_assert_eq!(history[0].data.as_ref(), Some(&data));
    }
}

use chrono::{DateTime, TimeZone, Utc};
use vindwerk_model::{
    Channel, EmploymentType, Posting, PostingData, PostingId, SalaryPeriod, SourceId, SourceKind,
    Status, VacancyId,
};

use std::collections::HashMap;

use super::super::{
    DedupConfig, NormalisedFields, PostingHead, dedup_item, deduplicate, merge_vacancy,
};

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, 6, 0, 0)
        .single()
        .expect("valid instant")
}

fn posting(id: i64, channel: Channel, first_seen: u32, status: Status) -> Posting {
    Posting {
        id: PostingId(id),
        source: SourceId::new(format!("source-{id}")),
        source_kind: SourceKind::Sitemap,
        channel,
        data: PostingData {
            url: format!("https://example.nl/{id}"),
            reference: Some(format!("REF-{id}")),
            ..PostingData::default()
        },
        content_hash: String::new(),
        first_seen: at(first_seen),
        last_seen: at(first_seen + 5),
        changed_at: at(first_seen),
        status,
        expired_at: (status == Status::Expired).then(|| at(first_seen + 6)),
        expiry_reason: None,
        audience: Default::default(),
    }
}

#[test]
fn fields_come_from_the_best_channel_with_gaps_filled_from_others() {
    let board = posting(1, Channel::Board, 1, Status::Active);
    let employer = posting(2, Channel::Employer, 3, Status::Expired);
    let agency = posting(3, Channel::Agency, 2, Status::Active);
    let board_fields = NormalisedFields {
        title: "Kok (m/v) Utrecht".into(),
        employer: Some("De Zon".into()),
        city: Some("Utrecht".into()),
        salary_min: Some(2800.0),
        salary_max: Some(3400.0),
        salary_period: Some(SalaryPeriod::Month),
        salary_month_min: Some(2800.0),
        salary_month_max: Some(3400.0),
        description: "Board text".into(),
        ..NormalisedFields::default()
    };
    let employer_fields = NormalisedFields {
        title: "Kok".into(),
        employer: Some("Restaurant De Zon".into()),
        city: Some("Utrecht".into()),
        lat: Some(52.09),
        lon: Some(5.12),
        salary_max: Some(3600.0),
        description: "Employer text".into(),
        ..NormalisedFields::default()
    };
    let agency_fields = NormalisedFields {
        title: "Kok".into(),
        employment_type: Some(EmploymentType::FullTime),
        remote: true,
        ..NormalisedFields::default()
    };
    let vacancy = merge_vacancy(
        VacancyId::new("v1"),
        &[
            (&PostingHead::from(&board), &board_fields),
            (&PostingHead::from(&employer), &employer_fields),
            (&PostingHead::from(&agency), &agency_fields),
        ],
    )
    .expect("postings");
    assert_eq!(vacancy.title, "Kok");
    assert_eq!(vacancy.employer.as_deref(), Some("Restaurant De Zon"));
    assert_eq!(vacancy.description, "Employer text");
    assert_eq!((vacancy.lat, vacancy.lon), (Some(52.09), Some(5.12)));
    // The salary comes whole from the employer's posting, never min from one and max from another.
    assert_eq!(
        (vacancy.salary_min, vacancy.salary_max),
        (None, Some(3600.0))
    );
    assert_eq!(vacancy.employment_type, Some(EmploymentType::FullTime));
    assert!(vacancy.remote);
    assert_eq!(vacancy.status, Status::Active);
    assert_eq!(vacancy.expired_at, None);
    assert_eq!((vacancy.first_seen, vacancy.last_seen), (at(1), at(8)));
    let order: Vec<i64> = vacancy.postings.iter().map(|p| p.posting_id.0).collect();
    assert_eq!(order, vec![1, 3, 2]);
}

#[test]
fn a_vacancy_expires_when_every_posting_has() {
    let a = posting(1, Channel::Board, 1, Status::Expired);
    let b = posting(2, Channel::Agency, 4, Status::Expired);
    let fields = NormalisedFields {
        title: "Kok".into(),
        ..NormalisedFields::default()
    };
    let (a, b) = (PostingHead::from(&a), PostingHead::from(&b));
    let vacancy =
        merge_vacancy(VacancyId::new("v1"), &[(&a, &fields), (&b, &fields)]).expect("postings");
    assert_eq!(vacancy.status, Status::Expired);
    assert_eq!(vacancy.expired_at, Some(at(10)));
    assert!(merge_vacancy(VacancyId::new("v2"), &[]).is_none());
}

#[test]
fn a_dedup_item_carries_the_posting_and_its_fields() {
    let p = posting(7, Channel::Board, 1, Status::Active);
    let fields = NormalisedFields {
        title: "Kok".into(),
        city: Some("Utrecht".into()),
        description: "Tekst".into(),
        ..NormalisedFields::default()
    };
    let item = dedup_item(&p, &fields);
    assert_eq!(item.posting_id, PostingId(7));
    assert_eq!(item.reference.as_deref(), Some("REF-7"));
    assert_eq!(item.place_key.as_deref(), Some("Utrecht"));
    assert_eq!(item.employer_key, None);
}

#[test]
fn dedup_groups_and_the_merge_makes_one_vacancy_of_each_group() {
    let text = "Als kok bereid je dagelijks verse gerechten voor onze gasten. Je werkt in een \
        team van vijf koks en bestelt zelf de producten bij lokale leveranciers.";
    let fields = |title: &str, employer: Option<&str>| NormalisedFields {
        title: title.into(),
        employer: employer.map(str::to_owned),
        city: Some("Utrecht".into()),
        description: text.into(),
        ..NormalisedFields::default()
    };
    let postings = [
        (
            posting(1, Channel::Board, 1, Status::Active),
            fields("Kok (m/v)", Some("De Zon")),
        ),
        (
            posting(2, Channel::Employer, 2, Status::Active),
            fields("Kok", Some("De Zon")),
        ),
        (
            posting(3, Channel::Employer, 2, Status::Active),
            fields("Kok", Some("De Maan")),
        ),
    ];
    let items: Vec<_> = postings
        .iter()
        .map(|(posting, fields)| dedup_item(posting, fields))
        .collect();
    let heads: HashMap<PostingId, (PostingHead, &NormalisedFields)> = postings
        .iter()
        .map(|(posting, fields)| (posting.id, (PostingHead::from(posting), fields)))
        .collect();
    let vacancies: Vec<_> = deduplicate(&items, &HashMap::new(), &DedupConfig::default())
        .into_iter()
        .filter_map(|cluster| {
            let members: Vec<_> = cluster
                .postings
                .iter()
                .map(|id| (&heads[id].0, heads[id].1))
                .collect();
            merge_vacancy(cluster.id, &members)
        })
        .collect();
    assert_eq!(vacancies.len(), 2);
    assert_eq!(vacancies[0].postings.len(), 2);
    assert_eq!(vacancies[0].title, "Kok");
    assert_eq!(vacancies[1].employer.as_deref(), Some("De Maan"));
}

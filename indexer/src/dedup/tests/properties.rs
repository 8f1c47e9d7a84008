use std::collections::HashMap;

use proptest::prelude::*;
use vindwerk_model::{PostingId, VacancyId};

use super::super::{DedupConfig, DedupItem, assignment, deduplicate};
use super::templated::templated_world;
use super::world::{Rng, pairwise_f1, world};

fn run(
    items: &[DedupItem],
    previous: &HashMap<PostingId, VacancyId>,
) -> Vec<super::super::Cluster> {
    deduplicate(items, previous, &DedupConfig::default())
}

#[test]
fn f1_on_a_generated_world_is_at_least_095() {
    for seed in [1, 2, 3] {
        let (items, truth) = world(seed, 12, 80);
        let clusters = run(&items, &HashMap::new());
        let (precision, recall, f1) = pairwise_f1(&items, &truth, &clusters);
        eprintln!(
            "seed {seed}: {} postings, {} vacancies, precision {precision:.3} recall {recall:.3} f1 {f1:.3}",
            items.len(),
            clusters.len()
        );
        assert!(
            f1 >= 0.95,
            "seed {seed}: precision {precision:.3} recall {recall:.3} f1 {f1:.3} over {} postings",
            items.len()
        );
    }
}

#[test]
fn f1_on_a_templated_world_is_at_least_095() {
    for seed in [1, 2, 3] {
        let (items, truth) = templated_world(seed, 20, 300);
        let clusters = run(&items, &HashMap::new());
        let (precision, recall, f1) = pairwise_f1(&items, &truth, &clusters);
        eprintln!(
            "templated seed {seed}: {} postings, {} vacancies, precision {precision:.3} recall {recall:.3} f1 {f1:.3}",
            items.len(),
            clusters.len()
        );
        assert!(
            f1 >= 0.95,
            "seed {seed}: precision {precision:.3} recall {recall:.3} f1 {f1:.3}"
        );
    }
}

/// A previous assignment that puts postings under a few made-up ids.
fn scrambled_previous(items: &[DedupItem], seed: u64) -> HashMap<PostingId, VacancyId> {
    let mut rng = Rng::new(seed);
    let mut previous = HashMap::new();
    for item in items {
        if rng.chance(60) {
            previous.insert(
                item.posting_id,
                VacancyId::new(format!("vold{}", rng.below(6))),
            );
        }
    }
    previous
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn dedup_does_not_depend_on_the_order_of_its_input(
        seed in 0u64..1_000,
        order in Just(()).prop_flat_map(|()| proptest::collection::vec(any::<u64>(), 80)),
        with_previous in any::<bool>(),
    ) {
        let (items, _) = world(seed, 4, 20);
        let previous = if with_previous { scrambled_previous(&items, seed) } else { HashMap::new() };
        let mut shuffled: Vec<(u64, DedupItem)> = items
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, item)| (order[i % order.len()].wrapping_add(i as u64), item))
            .collect();
        shuffled.sort_by_key(|(key, _)| *key);
        let shuffled: Vec<DedupItem> = shuffled.into_iter().map(|(_, item)| item).collect();
        prop_assert_eq!(run(&items, &previous), run(&shuffled, &previous));
    }

    #[test]
    fn dedup_on_its_own_assignment_keeps_every_id(seed in 0u64..1_000, with_previous in any::<bool>()) {
        let (items, _) = world(seed, 4, 20);
        let previous = if with_previous { scrambled_previous(&items, seed) } else { HashMap::new() };
        let first = run(&items, &previous);
        let second = run(&items, &assignment(&first));
        prop_assert_eq!(&first, &second);
        let third = run(&items, &assignment(&second));
        prop_assert_eq!(first, third);
    }

    #[test]
    fn a_duplicated_item_changes_nothing(seed in 0u64..1_000, pick in any::<usize>()) {
        let (items, _) = world(seed, 4, 12);
        let mut doubled = items.clone();
        doubled.push(items[pick % items.len()].clone());
        prop_assert_eq!(run(&items, &HashMap::new()), run(&doubled, &HashMap::new()));
    }
}

//! Federated learning on the device and its aggregation (`crates/core/src/federated.rs`):
//! the gradient is the loss's, choices from ranked lists are learned once across tabs,
//! contributions keep to the budget and to consent, the noise averages out, and the
//! shop's aggregation recovers the weights' step and the pairs' counts.

mod common;

use common::*;
use shelfwise_core::catalog::Catalog;
use shelfwise_core::federated::{
    aggregate, bucket_of, contribution, encode_sketch, next_version, pair_bucket, pair_text,
    privatize, ModelFile, Privacy, Received, CONTRIBUTION_FORMAT, SKETCH_WIDTH,
};
use shelfwise_core::measure::Random;
use shelfwise_core::rank::{
    features, Model, RankOptions, Row, RowFeatures, Rows, EXPLORE, GATE, REPEAT, WEIGHTS,
};
use shelfwise_core::{candidates, Engine, Event, EventKind, MemoryStore, Product};

fn random_rows(random: &mut Random, n: usize) -> Vec<RowFeatures> {
    (0..n)
        .map(|i| {
            let mut row = RowFeatures {
                returned: i % 3 == 0,
                ..RowFeatures::default()
            };
            row.explore
                .iter_mut()
                .for_each(|x| *x = random.unit() * 2.0 - 1.0);
            row.repeat.iter_mut().for_each(|x| *x = random.unit());
            row
        })
        .collect()
}

#[test]
fn the_choice_gradient_is_the_derivative_of_the_loss() {
    let mut random = Random::new(7);
    let rows = random_rows(&mut random, 12);
    let gate: [f64; GATE] = std::array::from_fn(|i| random.unit() + i as f64 * 0.1);
    let model = Model::default();
    for chosen in [0, 1, 5] {
        let mut gradient = [0.0; WEIGHTS];
        model.choice_loss(&rows, chosen, &gate, &mut gradient);
        // The device's single-precision gradient is the same to float precision.
        let mut device = [0.0; WEIGHTS];
        model.choice_gradient(&rows, chosen, &gate, &mut device);
        for (d, g) in device.iter().zip(gradient) {
            assert!((d - g).abs() < 1e-5, "{d} vs {g}");
        }
        for (k, analytic) in gradient.iter().enumerate() {
            let h = 1e-3;
            let loss_at = |delta: f64| {
                let mut moved = model;
                moved.weights[k] += delta;
                moved.choice_loss(&rows, chosen, &gate, &mut [0.0; WEIGHTS])
            };
            let numeric = (loss_at(h) - loss_at(-h)) / (2.0 * h);
            // The gate's exponential is single precision (as ranking has it).
            assert!(
                (numeric - analytic).abs() < 2e-3,
                "weight {k}, choice {chosen}: {numeric} vs {analytic}"
            );
        }
        // Only the chosen part's weights and the gate move.
        let part = match rows[chosen].returned {
            true => EXPLORE..EXPLORE + REPEAT,
            false => 0..EXPLORE,
        };
        let other = match rows[chosen].returned {
            true => 0..EXPLORE,
            false => EXPLORE..EXPLORE + REPEAT,
        };
        assert!(part.clone().any(|k| gradient[k] != 0.0));
        assert!(other.clone().all(|k| gradient[k] == 0.0));
    }
}

/// A catalogue ranked as the browser does, with each product's catalog key.
struct Page {
    catalog: Catalog,
    extras: Vec<u32>,
    rows: Vec<Row>,
    products: Vec<Product>,
}

impl Page {
    fn new(products: Vec<Product>) -> Page {
        let mut catalog = Catalog::default();
        let mut extras = Vec::new();
        let rows = plain_rows(&products, &mut catalog, &mut extras);
        Page {
            catalog,
            extras,
            rows,
            products,
        }
    }

    fn rank<S: shelfwise_core::Store>(&self, engine: &mut Engine<S>, now: f64) {
        let list = Rows {
            rows: &self.rows,
            extras: &self.extras,
            catalog: &self.catalog,
        };
        engine
            .rank_rows(list, None, &RankOptions::default(), now)
            .unwrap();
    }

    fn click<S: shelfwise_core::Store>(&self, engine: &mut Engine<S>, index: usize, now: f64) {
        let event = Event::new(EventKind::Click, self.products[index].clone(), now);
        assert!(engine.track_choice(event, Some(self.rows[index].record.key)));
    }
}

fn learning_tab(store: &Shared, id: &str) -> Engine<Shared> {
    let mut engine = tab(store, id);
    engine.grant_consent(true, true, T0).unwrap();
    engine
        .set_learning(Some(Privacy::default()), "default")
        .unwrap();
    engine
}

#[test]
fn a_choice_from_a_ranked_list_is_learned_once_across_tabs() {
    let store = Shared::default();
    let mut a = learning_tab(&store, "a");
    let page = Page::new(catalogue());
    for (i, product) in page.products.iter().enumerate().take(3) {
        a.track(&view(product, T0 + i as f64 * MINUTE));
    }
    let now = T0 + 5.0 * MINUTE;
    // What the model saw: the same features ranking computes.
    let snapshot = a.profile().snapshot(now, a.config());
    let (rows, gate) = features(
        &candidates(&page.products),
        &RankOptions::default(),
        Some(&snapshot),
    )
    .unwrap()
    .unwrap();
    let mut expected = [0.0; WEIGHTS];
    Model::default().choice_gradient(&rows, 6, &gate, &mut expected);
    assert!(expected.iter().any(|g| *g != 0.0));
    drop(snapshot);

    page.rank(&mut a, now);
    page.click(&mut a, 6, now + 1.0);
    let learning = &a.profile().learning;
    assert_eq!((learning.examples, learning.model.as_str()), (1, "default"));
    for (got, want) in learning.gradient.iter().zip(expected) {
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }
    // A click on a product of no ranked list, and a purchase, teach nothing.
    let other = Product::new("elsewhere").with_category("books");
    a.track_choice(Event::new(EventKind::Click, other, now + 2.0), Some(9_999));
    assert_eq!(a.profile().learning.examples, 1);

    // Another tab sees it once, before and after compacting, and so does this one.
    a.flush();
    let mut b = learning_tab(&store, "b");
    assert_eq!(b.profile().learning.examples, 1);
    b.compact(now + 10.0).unwrap();
    assert_eq!(b.profile().learning.examples, 1);
    a.reload();
    assert_eq!(a.profile().learning.examples, 1);
    a.compact(now + 3_000.0).unwrap();
    b.reload();
    assert_eq!(
        (a.profile().learning.examples, b.profile().learning.examples),
        (1, 1)
    );
    // A second choice in the other tab adds up.
    page.rank(&mut b, now + 4_000.0);
    page.click(&mut b, 2, now + 4_001.0);
    b.flush();
    a.reload();
    assert_eq!(a.profile().learning.examples, 2);
}

#[test]
fn contributions_keep_to_the_budget_and_restart_learning() {
    let store = Shared::default();
    let mut engine = learning_tab(&store, "a");
    let page = Page::new(catalogue());
    for (i, product) in page.products.iter().enumerate().take(4) {
        engine.track(&view(product, T0 + i as f64 * MINUTE));
    }
    let now = T0 + 10.0 * MINUTE;
    page.rank(&mut engine, now);
    page.click(&mut engine, 1, now);
    page.click(&mut engine, 7, now);
    let sum = engine.profile().learning.gradient.clone();
    let taken = engine.take_learning(now, 42).unwrap().expect("budget left");
    assert_eq!(taken.model, "default");
    for (mean, total) in taken.mean.iter().zip(&sum) {
        assert!((mean - total / 2.0).abs() < 1e-12);
    }
    // The pair is two of the shopper's values.
    let pair = taken.pair.expect("the profile holds several values");
    assert_eq!(pair.lines().count(), 2, "{pair}");
    assert!(pair.lines().all(|line| line.contains('=')), "{pair}");
    // One report per week by default: the next is refused, in any tab.
    assert_eq!(engine.take_learning(now + 1.0, 1).unwrap(), None);
    let mut other = learning_tab(&store, "b");
    assert_eq!(other.take_learning(now + 2.0, 1).unwrap(), None);
    let (spent, left) = engine.learning_budget(now + 3.0).unwrap();
    assert_eq!((spent, left), (Privacy::default().epsilon(), 0));
    // A week later: nothing learned since, so the update is zeros (it still hides that).
    let later = now + 7.0 * 86_400_000.0;
    let taken = engine
        .take_learning(later, 3)
        .unwrap()
        .expect("a new period");
    assert_eq!(taken.mean, vec![0.0; WEIGHTS]);
    assert_eq!(engine.profile().learning.examples, 0);
    assert_eq!(
        engine.learning_budget(later).unwrap().0,
        2.0 * Privacy::default().epsilon()
    );
}

#[test]
fn learning_needs_measurement_consent_and_withdrawing_it_erases_learning() {
    let page = Page::new(catalogue());
    let mut engine = granted(MemoryStore::new());
    engine
        .set_learning(Some(Privacy::default()), "default")
        .unwrap();
    engine.track(&view(&page.products[0], T0));
    page.rank(&mut engine, T0 + MINUTE);
    page.click(&mut engine, 3, T0 + MINUTE);
    assert_eq!(
        engine.profile().learning.examples,
        0,
        "personalization alone"
    );
    assert!(engine.take_learning(T0 + MINUTE, 1).is_err());

    engine.grant_consent(true, true, T0 + 2.0 * MINUTE).unwrap();
    page.rank(&mut engine, T0 + 3.0 * MINUTE);
    page.click(&mut engine, 3, T0 + 3.0 * MINUTE);
    engine.flush();
    assert_eq!(engine.profile().learning.examples, 1);
    engine.withdraw_measurement(T0 + 4.0 * MINUTE).unwrap();
    assert_eq!(engine.profile().learning, Default::default());
    engine.reload();
    assert_eq!(
        engine.profile().learning,
        Default::default(),
        "nothing comes back from the journal"
    );
}

#[test]
fn privatized_updates_average_to_the_clipped_gradient() {
    let mut random = Random::new(11);
    let gradient: Vec<f64> = (0..WEIGHTS)
        .map(|i| match i {
            0..=3 => 2.5,
            4 => -0.4,
            _ => 0.0,
        })
        .collect();
    let (clip, epsilon, draws) = (1.0, 2.0, 200_000);
    let mut mean = [0.0; WEIGHTS];
    for _ in 0..draws {
        let noised = privatize(&gradient, clip, epsilon, &mut random);
        // One weight per report, at ±B·d.
        let bound = clip * (epsilon.exp() + 1.0) / (epsilon.exp() - 1.0) * WEIGHTS as f64;
        let reported: Vec<&f64> = noised.iter().filter(|x| **x != 0.0).collect();
        assert_eq!(reported.len(), 1);
        assert!((reported[0].abs() - bound).abs() < 1e-9);
        for (m, x) in mean.iter_mut().zip(&noised) {
            *m += x / draws as f64;
        }
    }
    // 2.5 is clipped to 1; the standard error per weight is about 0.055 here.
    for (i, m) in mean.iter().enumerate() {
        let want = match i {
            0..=3 => 1.0,
            4 => -0.4,
            _ => 0.0,
        };
        assert!((m - want).abs() < 0.25, "weight {i}: {m}");
    }
}

#[test]
fn the_shop_recovers_pair_counts_and_publishes_only_what_clears_k_and_the_noise() {
    let mut random = Random::new(5);
    let pairs = [
        pair_text(("brand", "apple"), ("category", "smartphones")),
        pair_text(("brand", "samsung"), ("brand", "apple")),
        pair_text(("brand", "dior"), ("category", "fragrances")),
    ];
    let buckets: Vec<usize> = pairs.iter().map(|p| bucket_of(p)).collect();
    assert_eq!(
        bucket_of(&pairs[0]),
        bucket_of(&pair_text(("category", "smartphones"), ("brand", "apple")))
    );
    assert_eq!(
        pair_bucket(("category", "smartphones"), ("brand", "apple")),
        buckets[0],
        "ranking hashes pairs as devices do"
    );
    // 20,000 devices: 30% hold the first pair, 10% the second, 20 the third, the rest none.
    let n = 20_000;
    let reports: Vec<Received> = (0..n)
        .map(|i| {
            let bucket = match i {
                i if i < 6_000 => Some(buckets[0]),
                i if i < 8_000 => Some(buckets[1]),
                i if i < 8_020 => Some(buckets[2]),
                _ => None,
            };
            Received {
                format: CONTRIBUTION_FORMAT.into(),
                version: 1.0,
                model: "default".into(),
                gradient: Some(vec![0.0; WEIGHTS]),
                sketch_epsilon: 2.0,
                sketch_width: SKETCH_WIDTH as f64,
                ones: Some(
                    encode_sketch(bucket, 2.0, &mut random)
                        .into_iter()
                        .map(f64::from)
                        .collect(),
                ),
            }
        })
        .collect();
    let result = aggregate(&reports, &ModelFile::default(), 0.5, 50.0);
    assert_eq!(result.priors.reports, n);
    // The null's standard error at ε = 2 over 20,000 reports is about 120.
    let count = |b: usize| result.priors.count(b);
    assert!(
        (count(buckets[0]) - 6_000.0).abs() < 500.0,
        "{}",
        count(buckets[0])
    );
    assert!(
        (count(buckets[1]) - 2_000.0).abs() < 500.0,
        "{}",
        count(buckets[1])
    );
    assert_eq!(
        count(buckets[2]),
        0.0,
        "20 shoppers are below k and the noise"
    );
    assert!(
        result.priors.buckets.len() <= 4,
        "noise published: {:?}",
        result.priors.buckets
    );
    assert_eq!(
        result.model.model,
        Model::default(),
        "zero updates move nothing"
    );
}

#[test]
fn the_shop_averages_updates_of_its_current_model_only() {
    let current = ModelFile::default();
    let report = |model: &str, gradient: Vec<f64>| Received {
        format: CONTRIBUTION_FORMAT.into(),
        version: 1.0,
        model: model.into(),
        gradient: Some(gradient),
        sketch_epsilon: 2.0,
        sketch_width: SKETCH_WIDTH as f64,
        ones: Some(vec![]),
    };
    let reports = vec![
        report("default", vec![1.0; WEIGHTS]),
        report("default", vec![3.0; WEIGHTS]),
        report("default+1", vec![100.0; WEIGHTS]),
        report("default", vec![1.0; WEIGHTS - 1]),
        report("default", vec![f64::NAN; WEIGHTS]),
        Received {
            format: "shelfwise-report".into(),
            ..report("default", vec![1.0; WEIGHTS])
        },
    ];
    let result = aggregate(&reports, &current, 0.1, 50.0);
    assert_eq!((result.reports, result.ignored), (2, 4));
    assert_eq!(result.mean, vec![2.0; WEIGHTS]);
    assert_eq!(result.model.version, "default+1");
    for (new, old) in result.model.model.weights.iter().zip(current.model.weights) {
        let want = ((old - 0.2) * 1e4).round() / 1e4;
        assert_eq!(*new, want);
    }
}

#[test]
fn versions_count_up() {
    assert_eq!(next_version("default"), "default+1");
    assert_eq!(next_version("default+1"), "default+2");
    assert_eq!(next_version("shop-2026+41"), "shop-2026+42");
    assert_eq!(next_version("a+b"), "a+b+1");
}

#[test]
fn a_contribution_states_its_privacy_and_holds_one_number_per_weight() {
    let privacy = Privacy::default();
    let mut random = Random::new(3);
    let pair = pair_text(("brand", "apple"), ("category", "smartphones"));
    let report = contribution(
        "default",
        &[0.0; WEIGHTS],
        Some(&pair),
        &privacy,
        &mut random,
    );
    let json = shelfwise_core::json::to_string(&report);
    assert!(json.starts_with(r#"{"format":"shelfwise-contribution","version":1,"model":"default","epsilon":2,"clip":0.1,"gradient":["#), "{json}");
    assert_eq!(report.gradient.len(), WEIGHTS);
    assert!(report.ones.windows(2).all(|w| w[0] < w[1]));
    assert!(report.ones.iter().all(|b| (*b as usize) < SKETCH_WIDTH));
    assert!(Privacy::from_numbers(&[0.0, 1.0, 1.0, 7.0, 1.0]).is_err());
    assert!(Privacy::from_numbers(&[1.0, 1.0, 1.0, 7.0, 1.5]).is_err());
    // NaN is "not given": the core's defaults, declared once.
    assert_eq!(Privacy::from_numbers(&[f64::NAN; 5]).unwrap(), privacy);
    let numbers = [f64::NAN, 3.0, f64::NAN, f64::NAN, 2.0];
    let given = Privacy::from_numbers(&numbers).unwrap();
    assert_eq!(
        (given.model_epsilon, given.sketch_epsilon, given.per_period),
        (2.0, 3.0, 2)
    );
    assert_eq!(
        Privacy::from_numbers(&[2.0, 2.0, 0.1, 7.0, 1.0]).unwrap(),
        privacy
    );
}

//! How long the engine takes to evaluate one realistic environment: 50 features (every fifth
//! multivariate), 10 segments with nested ALL/ANY/NONE rules over most operators, and segment
//! overrides. Three cases: an identity with 5 traits (all segments tried, variants bucketed),
//! the environment's own flags (no identity), and the identity again with 5 more segments that
//! read other flags (flag dependencies, a chain of them included).
//!
//! `cargo bench --bench engine` (add `-- --quick` for a fast pass).

// A benchmark's setup may stop on bad input, as a test does.
#![allow(clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use flagstaff::engine::{
    Environment, EnvironmentContext, EvaluationContext, FeatureContext, IdentityContext, Number,
    SegmentContext, SegmentRule, VariantContext,
};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Value, json};

const FEATURES: usize = 50;

/// Feature `i`: a flag, a string, a number or a multivariate string, by `i`.
fn feature(i: usize) -> FeatureContext {
    let value = match i % 4 {
        0 => Value::Null,
        1 => json!(format!("value-{i}")),
        2 => json!(i * 10),
        _ => json!(i % 8 == 3),
    };
    let variants = if i.is_multiple_of(5) {
        [("red", 30.0), ("green", 30.0), ("blue", 20.0)]
            .iter()
            .zip(1_i64..)
            .map(|((key, weight), priority)| VariantContext {
                value: json!(format!("{key}-{i}")),
                weight: Number::from(*weight),
                priority: Number::from(priority),
                key: Some((*key).into()),
            })
            .collect()
    } else {
        Vec::new()
    };
    FeatureContext {
        key: (1000 + i).to_string(),
        name: format!("feature_{i:02}"),
        enabled: !i.is_multiple_of(3),
        value,
        variants,
        ..Default::default()
    }
}

/// An override of feature `i` by a segment, with the given priority.
fn segment_override(i: usize, priority: i64) -> FeatureContext {
    FeatureContext {
        key: (5000 + i).to_string(),
        enabled: true,
        value: json!(format!("override-{i}")),
        priority: Some(Number::from(priority)),
        ..feature(i)
    }
}

/// A segment as `bench/segments.json` writes it (the management API's shape, which the
/// engine's rules and conditions read as they are), so the load test seeds the same segments.
#[derive(Deserialize)]
struct Definition {
    name: String,
    rules: Vec<SegmentRule>,
}

/// Ten segments; the identity below is in about half of them.
fn segments() -> Vec<Definition> {
    serde_json::from_str(include_str!("../bench/segments.json"))
        .expect("bench/segments.json holds segment definitions")
}

fn context() -> EvaluationContext {
    let features: IndexMap<String, FeatureContext> = (0..FEATURES)
        .map(feature)
        .map(|f| (f.name.clone(), f))
        .collect();
    let segments = segments()
        .into_iter()
        .enumerate()
        .map(|(n, Definition { name, rules })| {
            // Three overrides per segment, overlapping so priorities decide some features.
            let overrides = (0..3)
                .map(|k| segment_override((n * 4 + k * 7) % FEATURES, (n % 4) as i64))
                .collect();
            let segment = SegmentContext {
                key: (n + 1).to_string(),
                name,
                rules,
                overrides,
                metadata: None,
            };
            (segment.key.clone(), segment)
        })
        .collect();
    EvaluationContext {
        environment: EnvironmentContext {
            key: "bench-environment".into(),
            name: "Production".into(),
        },
        identity: None,
        features,
        segments,
    }
}

fn identity() -> IdentityContext {
    let traits = [
        ("plan", json!("pro")),
        ("age", json!(34)),
        ("country", json!("de")),
        ("app_version", json!("2.4.1")),
        ("beta", json!(true)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    IdentityContext {
        identifier: "user-4711@example.com".into(),
        key: None,
        traits,
    }
}

fn engine(c: &mut Criterion) {
    let environment = Environment::prepare(&context()).expect("the bench context is valid");
    let identity = identity();
    // Make sure the cases measure what they say: overrides and variants both in play.
    let evaluation = environment.evaluate(Some(&identity));
    assert!(
        evaluation.segments.len() >= 3 && evaluation.flags.len() == FEATURES,
        "the identity should match several segments: {:?}",
        evaluation.segments
    );
    c.bench_function("identity: 50 features, 10 segments, 5 traits", |b| {
        b.iter(|| black_box(environment.evaluate(Some(black_box(&identity)))));
    });
    c.bench_function("environment flags: 50 features, no identity", |b| {
        b.iter(|| black_box(environment.evaluate(None)));
    });
}

/// Five segments whose conditions read other flags (`$.flags.<name>.enabled` or `.value`):
/// one reads a feature that a segment overrides, one reads a flag another dependency sets (a
/// chain), each overrides two features.
fn with_dependencies() -> EvaluationContext {
    let mut context = context();
    let reads = [
        ("$.flags.feature_00.enabled", "true", 40),
        ("$.flags.feature_07.enabled", "true", 41),
        ("$.flags.feature_41.value", "override-41", 42),
        ("$.flags.feature_05.value", "value-5", 43),
        ("$.flags.feature_42.enabled", "false", 44),
    ];
    for (n, (property, value, target)) in reads.into_iter().enumerate() {
        let rules: Vec<SegmentRule> =
            serde_json::from_value(json!([{"type": "ALL", "conditions": [
                {"property": property, "operator": "EQUAL", "value": value},
                {"property": "plan", "operator": "EQUAL", "value": "pro"}
            ]}]))
            .expect("valid rules");
        let segment = SegmentContext {
            key: format!("dependency-{n}"),
            name: format!("dependency-{n}"),
            rules,
            overrides: vec![segment_override(target, 1), segment_override(target + 5, 2)],
            metadata: None,
        };
        context.segments.insert(segment.key.clone(), segment);
    }
    context
}

fn dependencies(c: &mut Criterion) {
    let environment =
        Environment::prepare(&with_dependencies()).expect("the bench context is valid");
    let identity = identity();
    let evaluation = environment.evaluate(Some(&identity));
    let dependent = evaluation
        .segments
        .iter()
        .filter(|s| s.name.starts_with("dependency-"))
        .count();
    assert!(
        dependent >= 2,
        "the identity should match some dependency segments: {:?}",
        evaluation.segments
    );
    c.bench_function(
        "identity with dependencies: 50 features, 15 segments, 5 reading flags",
        |b| {
            b.iter(|| black_box(environment.evaluate(Some(black_box(&identity)))));
        },
    );
}

criterion_group!(benches, engine, dependencies);
criterion_main!(benches);

//! How long the engine takes to evaluate one realistic environment: 50 features (every fifth
//! multivariate), 10 segments with nested ALL/ANY/NONE rules over most operators, and segment
//! overrides. Two cases: an identity with 5 traits (all segments tried, variants bucketed),
//! and the environment's own flags (no identity).
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

criterion_group!(benches, engine);
criterion_main!(benches);

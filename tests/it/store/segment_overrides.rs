//! `SegmentOverrideStore` on both backends: segment overrides, their states and priorities.

use chrono::TimeDelta;
use flagstaff::domain::audit::ChangeType;
use flagstaff::domain::feature_state::{MvAllocation, NewSegmentOverride, Scope as Applies};
use flagstaff::domain::{
    EnvironmentId, FeatureId, FeatureSegmentId, FeatureValue, MvOptionId, SegmentId,
};
use flagstaff::store::StoreError;

use super::fixtures::{
    Acme, audit, changed_fields, environment, feature, last_env_entry, mv_feature, new_override,
    order, organisation, project, segment, segment_override, updated_at,
};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    a_segment_override_is_created_with_its_state,
    overrides_without_a_priority_go_last,
    a_given_priority_shifts_the_others_down,
    a_segment_overrides_a_feature_once_per_environment,
    a_segment_override_needs_its_feature_segment_and_environment,
    feature_segments_come_in_feature_and_priority_order,
    segment_override_states_come_in_id_order,
    deleting_a_feature_segment_closes_the_gap,
    set_priorities_renumbers_densely_in_the_given_order,
    set_priorities_refuses_overrides_of_something_else,
);

async fn a_segment_override_is_created_with_its_state(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let (colour, options) = mv_feature(&ctx, &web, "colour", &[("a", 10.0), ("b", 20.0)]).await;
    let beta = segment(&ctx, &web, "beta").await;
    ctx.clock.advance(TimeDelta::seconds(20));
    let new = NewSegmentOverride {
        value: FeatureValue::Integer(5),
        mv_values: vec![
            MvAllocation {
                mv_option_id: options[1].id,
                percentage_allocation: 70.0,
            },
            MvAllocation {
                mv_option_id: options[0].id,
                percentage_allocation: 30.0,
            },
        ],
        ..new_override(&colour, &beta, &dev, None)
    };
    let (fs, state) = ctx
        .store
        .create_segment_override(&new, &audit("beta gets 5"))
        .await
        .unwrap();
    assert_eq!(
        (fs.feature_id, fs.segment_id, fs.environment_id, fs.priority),
        (colour.id, beta.id, dev.id, 0)
    );
    assert_eq!(ctx.store.feature_segment(fs.id).await.unwrap(), fs);
    assert_eq!(state.scope, Applies::Segment(fs.id));
    assert_eq!(
        (state.feature_id, state.environment_id),
        (colour.id, dev.id)
    );
    assert!(state.enabled);
    assert_eq!(state.value, FeatureValue::Integer(5));
    let now = start_time() + TimeDelta::seconds(20);
    assert_eq!((state.created_at, state.updated_at), (now, now));
    // Shares come back in the order written (by id).
    let shares: Vec<_> = state
        .mv_values
        .iter()
        .map(|v| (v.mv_option_id, v.percentage_allocation))
        .collect();
    assert_eq!(shares, [(options[1].id, 70.0), (options[0].id, 30.0)]);
    assert_eq!(ctx.store.feature_state(state.id).await.unwrap(), state);
    let entry = last_env_entry(&ctx, &dev).await;
    assert_eq!(entry.related_object_type, "Segment override");
    assert_eq!(entry.related_object_id, Some(fs.id.0));
    assert_eq!(entry.change_type, ChangeType::Create);
    assert_eq!(updated_at(&ctx, &dev).await, now);
    assert!(matches!(
        ctx.store.feature_segment(FeatureSegmentId(999)).await,
        Err(StoreError::NotFound)
    ));
}

async fn overrides_without_a_priority_go_last(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let mut made = Vec::new();
    for name in ["a", "b", "c"] {
        let s = segment(&ctx, &web, name).await;
        let fs = segment_override(&ctx, &checkout, &s, &dev, None).await;
        made.push((s.id, fs.priority));
    }
    assert_eq!(made.iter().map(|m| m.1).collect::<Vec<_>>(), [0, 1, 2]);
    let listed = ctx
        .store
        .feature_segments(dev.id, Some(checkout.id))
        .await
        .unwrap();
    assert_eq!(order(&listed), made);
}

async fn a_given_priority_shifts_the_others_down(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let mut s = Vec::new();
    for name in ["a", "b", "c", "d", "e", "f"] {
        s.push(segment(&ctx, &web, name).await);
    }
    segment_override(&ctx, &checkout, &s[0], &dev, None).await;
    segment_override(&ctx, &checkout, &s[1], &dev, None).await;
    segment_override(&ctx, &checkout, &s[5], &prod, None).await;
    let c = segment_override(&ctx, &checkout, &s[2], &dev, Some(0)).await;
    assert_eq!(c.priority, 0);
    let d = segment_override(&ctx, &checkout, &s[3], &dev, Some(1)).await;
    assert_eq!(d.priority, 1);
    // Past the end means last; below zero means first.
    let e = segment_override(&ctx, &checkout, &s[4], &dev, Some(99)).await;
    assert_eq!(e.priority, 4);
    let listed = ctx
        .store
        .feature_segments(dev.id, Some(checkout.id))
        .await
        .unwrap();
    assert_eq!(
        order(&listed),
        [
            (s[2].id, 0),
            (s[3].id, 1),
            (s[0].id, 2),
            (s[1].id, 3),
            (s[4].id, 4)
        ]
    );
    let f = segment_override(&ctx, &checkout, &s[5], &dev, Some(-3)).await;
    assert_eq!(f.priority, 0);
    let priorities: Vec<_> = ctx
        .store
        .feature_segments(dev.id, Some(checkout.id))
        .await
        .unwrap()
        .iter()
        .map(|fs| fs.priority)
        .collect();
    assert_eq!(priorities, [0, 1, 2, 3, 4, 5]);
    // Other environments keep theirs.
    let elsewhere = ctx.store.feature_segments(prod.id, None).await.unwrap();
    assert_eq!(order(&elsewhere), [(s[5].id, 0)]);
}

async fn a_segment_overrides_a_feature_once_per_environment(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let search = feature(&ctx, &web, "search").await;
    let beta = segment(&ctx, &web, "beta").await;
    let alpha = segment(&ctx, &web, "alpha").await;
    segment_override(&ctx, &checkout, &alpha, &dev, None).await;
    segment_override(&ctx, &checkout, &beta, &dev, None).await;
    let again = ctx
        .store
        .create_segment_override(&new_override(&checkout, &beta, &dev, Some(0)), &audit("o"))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    // The refused override moved nobody.
    let listed = ctx
        .store
        .feature_segments(dev.id, Some(checkout.id))
        .await
        .unwrap();
    assert_eq!(order(&listed), [(alpha.id, 0), (beta.id, 1)]);
    assert_eq!(
        ctx.store
            .segment_override_states(dev.id)
            .await
            .unwrap()
            .len(),
        2
    );
    segment_override(&ctx, &checkout, &beta, &prod, None).await;
    segment_override(&ctx, &search, &beta, &dev, None).await;
}

async fn a_segment_override_needs_its_feature_segment_and_environment(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let app = project(&ctx, &org, "App").await;
    let dev = environment(&ctx, &web, "Development").await;
    let theirs = environment(&ctx, &app, "Theirs").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let beta = segment(&ctx, &web, "beta").await;
    let foreign = segment(&ctx, &app, "foreign").await;
    let good = new_override(&checkout, &beta, &dev, None);
    let cases = [
        NewSegmentOverride {
            feature_id: FeatureId(999),
            ..good.clone()
        },
        NewSegmentOverride {
            segment_id: SegmentId(999),
            ..good.clone()
        },
        NewSegmentOverride {
            environment_id: EnvironmentId(999),
            ..good.clone()
        },
        NewSegmentOverride {
            segment_id: foreign.id,
            ..good.clone()
        },
        NewSegmentOverride {
            environment_id: theirs.id,
            ..good.clone()
        },
        NewSegmentOverride {
            mv_values: vec![MvAllocation {
                mv_option_id: MvOptionId(999),
                percentage_allocation: 1.0,
            }],
            ..good.clone()
        },
    ];
    for case in cases {
        let result = ctx.store.create_segment_override(&case, &audit("o")).await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "{case:?}: {result:?}"
        );
    }
    assert!(
        ctx.store
            .feature_segments(dev.id, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        ctx.store
            .segment_override_states(dev.id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn feature_segments_come_in_feature_and_priority_order(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    let first = feature(&ctx, &web, "first").await;
    let second = feature(&ctx, &web, "second").await;
    let a = segment(&ctx, &web, "a").await;
    let b = segment(&ctx, &web, "b").await;
    segment_override(&ctx, &second, &a, &dev, None).await;
    segment_override(&ctx, &first, &a, &dev, None).await;
    segment_override(&ctx, &second, &b, &dev, Some(0)).await;
    segment_override(&ctx, &first, &b, &prod, None).await;
    let all: Vec<_> = ctx
        .store
        .feature_segments(dev.id, None)
        .await
        .unwrap()
        .iter()
        .map(|fs| (fs.feature_id, fs.segment_id, fs.priority))
        .collect();
    assert_eq!(
        all,
        [
            (first.id, a.id, 0),
            (second.id, b.id, 0),
            (second.id, a.id, 1)
        ]
    );
    let one = ctx
        .store
        .feature_segments(dev.id, Some(second.id))
        .await
        .unwrap();
    assert_eq!(order(&one), [(b.id, 0), (a.id, 1)]);
}

async fn segment_override_states_come_in_id_order(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    let first = feature(&ctx, &web, "first").await;
    let second = feature(&ctx, &web, "second").await;
    let a = segment(&ctx, &web, "a").await;
    let b = segment(&ctx, &web, "b").await;
    let mut made = Vec::new();
    for (f, s) in [(&second, &a), (&first, &b), (&second, &b)] {
        let (fs, state) = ctx
            .store
            .create_segment_override(&new_override(f, s, &dev, Some(0)), &audit("o"))
            .await
            .unwrap();
        assert_eq!(state.scope, Applies::Segment(fs.id));
        made.push(state.id);
    }
    segment_override(&ctx, &first, &a, &prod, None).await;
    let states = ctx.store.segment_override_states(dev.id).await.unwrap();
    let ids: Vec<_> = states.iter().map(|s| s.id).collect();
    assert_eq!(ids, made);
    assert!(states.iter().all(|s| s.environment_id == dev.id));
    assert_eq!(states[0].value, FeatureValue::String("for a".into()));
}

async fn deleting_a_feature_segment_closes_the_gap(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let mut s = Vec::new();
    let mut fs = Vec::new();
    for name in ["a", "b", "c"] {
        let seg = segment(&ctx, &web, name).await;
        fs.push(segment_override(&ctx, &checkout, &seg, &dev, None).await);
        s.push(seg);
    }
    ctx.clock.advance(TimeDelta::seconds(30));
    ctx.store
        .delete_feature_segment(fs[0].id, &audit("drop a"))
        .await
        .unwrap();
    let listed = ctx
        .store
        .feature_segments(dev.id, Some(checkout.id))
        .await
        .unwrap();
    assert_eq!(order(&listed), [(s[1].id, 0), (s[2].id, 1)]);
    let states = ctx.store.segment_override_states(dev.id).await.unwrap();
    assert_eq!(states.len(), 2);
    assert!(
        !states
            .iter()
            .any(|st| st.scope == Applies::Segment(fs[0].id))
    );
    assert!(matches!(
        ctx.store.feature_segment(fs[0].id).await,
        Err(StoreError::NotFound)
    ));
    let entry = last_env_entry(&ctx, &dev).await;
    assert_eq!(entry.related_object_type, "Segment override");
    assert_eq!(entry.related_object_id, Some(fs[0].id.0));
    assert_eq!(entry.change_type, ChangeType::Delete);
    assert_eq!(
        updated_at(&ctx, &dev).await,
        start_time() + TimeDelta::seconds(30)
    );
    assert!(matches!(
        ctx.store
            .delete_feature_segment(fs[0].id, &audit("again"))
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn set_priorities_renumbers_densely_in_the_given_order(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let search = feature(&ctx, &web, "search").await;
    let mut s = Vec::new();
    let mut fs = Vec::new();
    for name in ["a", "b", "c", "d"] {
        let seg = segment(&ctx, &web, name).await;
        fs.push(segment_override(&ctx, &checkout, &seg, &dev, None).await);
        s.push(seg);
    }
    let untouched = segment_override(&ctx, &search, &s[0], &dev, None).await;
    ctx.clock.advance(TimeDelta::seconds(40));
    // Moving one to the top: it takes the place, the rest keep their order.
    let moved = ctx
        .store
        .set_priorities(dev.id, checkout.id, &[(fs[3].id, 0)], &audit("d first"))
        .await
        .unwrap();
    assert_eq!(
        order(&moved),
        [(s[3].id, 0), (s[0].id, 1), (s[1].id, 2), (s[2].id, 3)]
    );
    assert_eq!(
        ctx.store
            .feature_segments(dev.id, Some(checkout.id))
            .await
            .unwrap(),
        moved
    );
    let entry = last_env_entry(&ctx, &dev).await;
    assert_eq!(entry.related_object_type, "Segment override");
    assert_eq!(entry.change_type, ChangeType::Update);
    assert_eq!(changed_fields(&entry), ["priority"]);
    assert_eq!(
        updated_at(&ctx, &dev).await,
        start_time() + TimeDelta::seconds(40)
    );
    // A full, gappy order is renumbered from 0.
    let all = [
        (fs[0].id, 30),
        (fs[1].id, 10),
        (fs[2].id, 20),
        (fs[3].id, 40),
    ];
    let moved = ctx
        .store
        .set_priorities(dev.id, checkout.id, &all, &audit("all"))
        .await
        .unwrap();
    assert_eq!(
        order(&moved),
        [(s[1].id, 0), (s[2].id, 1), (s[0].id, 2), (s[3].id, 3)]
    );
    assert_eq!(
        ctx.store.feature_segment(untouched.id).await.unwrap(),
        untouched
    );
}

async fn set_priorities_refuses_overrides_of_something_else(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let search = feature(&ctx, &web, "search").await;
    let a = segment(&ctx, &web, "a").await;
    let b = segment(&ctx, &web, "b").await;
    let mine = segment_override(&ctx, &checkout, &a, &dev, None).await;
    let second = segment_override(&ctx, &checkout, &b, &dev, None).await;
    let other_feature = segment_override(&ctx, &search, &a, &dev, None).await;
    let other_env = segment_override(&ctx, &checkout, &a, &prod, None).await;
    for stranger in [other_feature.id, other_env.id, FeatureSegmentId(999)] {
        let result = ctx
            .store
            .set_priorities(
                dev.id,
                checkout.id,
                &[(second.id, 0), (stranger, 1)],
                &audit("x"),
            )
            .await;
        assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
    }
    // Nothing moved.
    let listed = ctx
        .store
        .feature_segments(dev.id, Some(checkout.id))
        .await
        .unwrap();
    assert_eq!(listed, [mine, second]);
}

use chrono::TimeDelta;
use flagstaff::domain::audit::{AuditEntry, AuditQuery, ChangeType};
use flagstaff::domain::environment::Environment;
use flagstaff::domain::feature::NewFeature;
use flagstaff::domain::feature_state::{
    FeatureSegment, FeatureStatePatch, MvAllocation, NewIdentityOverride, NewSegmentOverride,
    Scope as Applies,
};
use flagstaff::domain::identity::{TraitValue, TraitWrite};
use flagstaff::domain::{
    EnvironmentId, FeatureId, FeatureSegmentId, FeatureStateId, FeatureValue, IdentityId,
    MvOptionId, PageRequest, SegmentId,
};
use flagstaff::store::StoreError;

use super::fixtures::{
    audit, changed_fields, environment, feature, mv_feature, new_feature, new_override,
    organisation, project, segment, segment_override,
};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    a_state_reads_back_by_id,
    states_and_feature_segments_are_found_by_uuid,
    environment_defaults_come_in_feature_order,
    an_update_changes_what_the_patch_sets,
    an_update_is_audited_against_its_environment_only,
    an_update_keeps_shares_of_options_not_named,
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
    deleting_a_segment_overrides_state_deletes_its_feature_segment,
    an_environment_default_cannot_be_deleted,
    an_identity_override_lives_in_its_identitys_environment,
    an_identity_overrides_a_feature_once,
    an_identity_override_needs_its_feature_and_identity,
    identity_overrides_come_in_feature_then_identity_order,
    identity_state_reads_identity_traits_and_overrides_together,
    deleting_an_identity_override_is_audited,
    deleting_an_identity_deletes_its_overrides,
    copying_overrides_replaces_the_targets_own,
    overrides_are_copied_only_within_one_environment,
);

/// The newest audit entry of the environment.
async fn last_env_entry(ctx: &Ctx, env: &Environment) -> AuditEntry {
    let query = AuditQuery {
        environment_ids: vec![env.id],
        ..AuditQuery::default()
    };
    let page = PageRequest {
        page: 1,
        page_size: 1,
    };
    ctx.store
        .audit_entries(&query, page)
        .await
        .unwrap()
        .items
        .remove(0)
}

async fn updated_at(ctx: &Ctx, env: &Environment) -> flagstaff::domain::Timestamp {
    ctx.store.environment(env.id).await.unwrap().updated_at
}

fn order(list: &[FeatureSegment]) -> Vec<(SegmentId, i32)> {
    list.iter().map(|fs| (fs.segment_id, fs.priority)).collect()
}

async fn a_state_reads_back_by_id(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let default = ctx.store.environment_defaults(dev.id).await.unwrap()[0].clone();
    assert_eq!(ctx.store.feature_state(default.id).await.unwrap(), default);
    assert_eq!(default.feature_id, checkout.id);
    assert_eq!(default.mv_hashing_salt, None);
    assert!(matches!(
        ctx.store.feature_state(FeatureStateId(999)).await,
        Err(StoreError::NotFound)
    ));
}

async fn states_and_feature_segments_are_found_by_uuid(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let beta = segment(&ctx, &web, "beta").await;
    let (fs, state) = ctx
        .store
        .create_segment_override(&new_override(&checkout, &beta, &dev, None), &audit("o"))
        .await
        .unwrap();
    let default = ctx.store.environment_defaults(dev.id).await.unwrap()[0].clone();
    for found in [default, state.clone()] {
        let by_uuid = ctx.store.feature_state_by_uuid(&found.uuid).await.unwrap();
        assert_eq!(by_uuid, found);
    }
    assert_eq!(
        ctx.store.feature_segment_by_uuid(&fs.uuid).await.unwrap(),
        fs
    );
    // A state's uuid is not a feature segment's, and the other way round.
    assert!(matches!(
        ctx.store.feature_segment_by_uuid(&state.uuid).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store.feature_state_by_uuid(&fs.uuid).await,
        Err(StoreError::NotFound)
    ));
    ctx.store
        .delete_feature_segment(fs.id, &audit("gone"))
        .await
        .unwrap();
    assert!(matches!(
        ctx.store.feature_segment_by_uuid(&fs.uuid).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store.feature_state_by_uuid(&state.uuid).await,
        Err(StoreError::NotFound)
    ));
}

async fn environment_defaults_come_in_feature_order(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let other = environment(&ctx, &web, "Other").await;
    let a = feature(&ctx, &web, "a").await;
    let b = feature(&ctx, &web, "b").await;
    let beta = segment(&ctx, &web, "beta").await;
    segment_override(&ctx, &a, &beta, &dev, None).await;
    let c = feature(&ctx, &web, "c").await;
    let defaults = ctx.store.environment_defaults(dev.id).await.unwrap();
    let features: Vec<_> = defaults.iter().map(|s| s.feature_id).collect();
    assert_eq!(features, [a.id, b.id, c.id]);
    assert!(defaults.iter().all(|s| s.scope == Applies::Environment));
    assert!(defaults.iter().all(|s| s.environment_id == dev.id));
    let elsewhere = ctx.store.environment_defaults(other.id).await.unwrap();
    assert!(elsewhere.iter().all(|s| s.environment_id == other.id));
    assert!(
        ctx.store
            .environment_defaults(EnvironmentId(999))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn an_update_changes_what_the_patch_sets(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let new = NewFeature {
        initial_value: Some("42".into()),
        ..new_feature(&web, "limit")
    };
    ctx.store.create_feature(&new, &audit("f")).await.unwrap();
    let default = ctx.store.environment_defaults(dev.id).await.unwrap()[0].clone();
    ctx.clock.advance(TimeDelta::seconds(10));
    let on = FeatureStatePatch {
        enabled: Some(true),
        ..FeatureStatePatch::default()
    };
    let updated = ctx
        .store
        .update_feature_state(default.id, &on, &audit("on"))
        .await
        .unwrap();
    assert!(updated.enabled);
    assert_eq!(updated.value, FeatureValue::Integer(42));
    assert_eq!(updated.created_at, start_time());
    assert_eq!(updated.updated_at, start_time() + TimeDelta::seconds(10));
    assert_eq!(ctx.store.feature_state(default.id).await.unwrap(), updated);
    for value in [
        FeatureValue::String("x".into()),
        FeatureValue::Boolean(false),
        FeatureValue::Null,
        FeatureValue::Integer(-7),
    ] {
        let patch = FeatureStatePatch {
            value: Some(value.clone()),
            ..FeatureStatePatch::default()
        };
        let updated = ctx
            .store
            .update_feature_state(default.id, &patch, &audit("value"))
            .await
            .unwrap();
        assert_eq!(updated.value, value);
        assert!(updated.enabled);
    }
    let missing = ctx
        .store
        .update_feature_state(FeatureStateId(999), &on, &audit("x"))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

async fn an_update_is_audited_against_its_environment_only(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let prod = environment(&ctx, &web, "Production").await;
    feature(&ctx, &web, "checkout").await;
    let default = ctx.store.environment_defaults(dev.id).await.unwrap()[0].clone();
    ctx.clock.advance(TimeDelta::seconds(12));
    let patch = FeatureStatePatch {
        enabled: Some(true),
        value: Some(FeatureValue::String("v2".into())),
        mv_values: None,
    };
    ctx.store
        .update_feature_state(default.id, &patch, &audit("ship it"))
        .await
        .unwrap();
    let entry = last_env_entry(&ctx, &dev).await;
    assert_eq!(entry.related_object_type, "Feature state");
    assert_eq!(entry.related_object_id, Some(default.id.0));
    assert_eq!(
        entry.related_object_uuid.as_deref(),
        Some(default.uuid.as_str())
    );
    assert_eq!(entry.change_type, ChangeType::Update);
    assert_eq!(
        (entry.project_id, entry.environment_id),
        (Some(web.id), Some(dev.id))
    );
    assert_eq!(entry.log, "ship it");
    assert_eq!(changed_fields(&entry), ["enabled", "value"]);
    assert_eq!(
        updated_at(&ctx, &dev).await,
        start_time() + TimeDelta::seconds(12)
    );
    assert_eq!(updated_at(&ctx, &prod).await, start_time());
}

async fn an_update_keeps_shares_of_options_not_named(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let (_, options) = mv_feature(&ctx, &web, "colour", &[("a", 10.0), ("b", 20.0)]).await;
    let (_, other) = mv_feature(&ctx, &web, "other", &[("z", 5.0)]).await;
    let foreign = other[0].id;
    let default = ctx.store.environment_defaults(dev.id).await.unwrap()[0].clone();
    let share = |option: MvOptionId, percentage_allocation: f64| MvAllocation {
        mv_option_id: option,
        percentage_allocation,
    };
    let patch = FeatureStatePatch {
        mv_values: Some(vec![share(options[1].id, 55.0)]),
        ..FeatureStatePatch::default()
    };
    let updated = ctx
        .store
        .update_feature_state(default.id, &patch, &audit("shares"))
        .await
        .unwrap();
    let shares: Vec<_> = updated
        .mv_values
        .iter()
        .map(|v| (v.id, v.mv_option_id, v.percentage_allocation))
        .collect();
    let ids: Vec<_> = default.mv_values.iter().map(|v| v.id).collect();
    assert_eq!(
        shares,
        [(ids[0], options[0].id, 10.0), (ids[1], options[1].id, 55.0)]
    );
    assert_eq!(
        changed_fields(&last_env_entry(&ctx, &dev).await),
        ["mv_values"]
    );
    let refused = FeatureStatePatch {
        mv_values: Some(vec![share(foreign, 1.0)]),
        ..FeatureStatePatch::default()
    };
    let result = ctx
        .store
        .update_feature_state(default.id, &refused, &audit("x"))
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
    // A refused update changes nothing.
    assert_eq!(ctx.store.feature_state(default.id).await.unwrap(), updated);
}

async fn a_segment_override_is_created_with_its_state(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
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
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
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
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
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
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
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
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
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
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
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
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
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
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
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
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
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

async fn deleting_a_segment_overrides_state_deletes_its_feature_segment(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let a = segment(&ctx, &web, "a").await;
    let b = segment(&ctx, &web, "b").await;
    let (first, state) = ctx
        .store
        .create_segment_override(&new_override(&checkout, &a, &dev, None), &audit("o"))
        .await
        .unwrap();
    segment_override(&ctx, &checkout, &b, &dev, None).await;
    ctx.clock.advance(TimeDelta::seconds(50));
    ctx.store
        .delete_feature_state(state.id, &audit("drop"))
        .await
        .unwrap();
    assert!(matches!(
        ctx.store.feature_state(state.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store.feature_segment(first.id).await,
        Err(StoreError::NotFound)
    ));
    let listed = ctx.store.feature_segments(dev.id, None).await.unwrap();
    assert_eq!(order(&listed), [(b.id, 0)]);
    let entry = last_env_entry(&ctx, &dev).await;
    assert_eq!(entry.related_object_type, "Feature state");
    assert_eq!(entry.related_object_id, Some(state.id.0));
    assert_eq!(entry.change_type, ChangeType::Delete);
    assert_eq!(
        updated_at(&ctx, &dev).await,
        start_time() + TimeDelta::seconds(50)
    );
    assert!(matches!(
        ctx.store
            .delete_feature_state(state.id, &audit("again"))
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn an_environment_default_cannot_be_deleted(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    feature(&ctx, &web, "checkout").await;
    let default = ctx.store.environment_defaults(dev.id).await.unwrap()[0].clone();
    let refused = ctx
        .store
        .delete_feature_state(default.id, &audit("x"))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(ctx.store.feature_state(default.id).await.unwrap(), default);
    assert_eq!(
        last_env_entry(&ctx, &dev).await.related_object_type,
        "Environment"
    );
}

fn identity_override(
    feature: &flagstaff::domain::feature::Feature,
    identity: &flagstaff::domain::identity::Identity,
    value: &str,
) -> NewIdentityOverride {
    NewIdentityOverride {
        feature_id: feature.id,
        identity_id: identity.id,
        enabled: true,
        value: FeatureValue::String(value.to_string()),
    }
}

async fn an_identity_override_lives_in_its_identitys_environment(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let prod = environment(&ctx, &web, "Production").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let ada = ctx.store.create_identity(prod.id, "ada").await.unwrap();
    ctx.clock.advance(TimeDelta::seconds(70));
    let created = ctx
        .store
        .create_identity_override(&identity_override(&checkout, &ada, "vip"), &audit("vip"))
        .await
        .unwrap();
    assert_eq!(created.scope, Applies::Identity(ada.id));
    assert_eq!(
        (created.feature_id, created.environment_id),
        (checkout.id, prod.id)
    );
    assert!(created.enabled);
    assert_eq!(created.value, FeatureValue::String("vip".into()));
    assert!(created.mv_values.is_empty());
    let now = start_time() + TimeDelta::seconds(70);
    assert_eq!((created.created_at, created.updated_at), (now, now));
    assert_eq!(ctx.store.feature_state(created.id).await.unwrap(), created);
    let entry = last_env_entry(&ctx, &prod).await;
    assert_eq!(entry.related_object_type, "Feature state");
    assert_eq!(entry.related_object_id, Some(created.id.0));
    assert_eq!(entry.change_type, ChangeType::Create);
    assert_eq!(updated_at(&ctx, &prod).await, now);
    assert_eq!(updated_at(&ctx, &dev).await, start_time());
    // An override is neither a default nor a segment override.
    let defaults = ctx.store.environment_defaults(prod.id).await.unwrap();
    assert!(defaults.iter().all(|s| s.scope == Applies::Environment));
    assert_eq!(defaults.len(), 1);
    assert!(
        ctx.store
            .segment_override_states(prod.id)
            .await
            .unwrap()
            .is_empty()
    );
    // Updates work on overrides like on any state.
    ctx.clock.advance(TimeDelta::seconds(1));
    let off = FeatureStatePatch {
        enabled: Some(false),
        ..FeatureStatePatch::default()
    };
    let updated = ctx
        .store
        .update_feature_state(created.id, &off, &audit("off"))
        .await
        .unwrap();
    assert!(!updated.enabled);
    assert_eq!(updated.scope, Applies::Identity(ada.id));
    assert_eq!(updated.updated_at, now + TimeDelta::seconds(1));
}

async fn an_identity_overrides_a_feature_once(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let search = feature(&ctx, &web, "search").await;
    let ada = ctx.store.create_identity(dev.id, "ada").await.unwrap();
    let bob = ctx.store.create_identity(dev.id, "bob").await.unwrap();
    let first = identity_override(&checkout, &ada, "one");
    ctx.store
        .create_identity_override(&first, &audit("o"))
        .await
        .unwrap();
    let again = ctx
        .store
        .create_identity_override(&identity_override(&checkout, &ada, "two"), &audit("o"))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    for new in [
        identity_override(&search, &ada, "s"),
        identity_override(&checkout, &bob, "b"),
    ] {
        ctx.store
            .create_identity_override(&new, &audit("o"))
            .await
            .unwrap();
    }
    let ada_overrides = ctx.store.identity_overrides(ada.id).await.unwrap();
    assert_eq!(ada_overrides.len(), 2);
    assert_eq!(ada_overrides[0].value, FeatureValue::String("one".into()));
}

async fn an_identity_override_needs_its_feature_and_identity(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let app = project(&ctx, &org, "App").await;
    let dev = environment(&ctx, &web, "Development").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let theirs = feature(&ctx, &app, "theirs").await;
    let ada = ctx.store.create_identity(dev.id, "ada").await.unwrap();
    let good = identity_override(&checkout, &ada, "x");
    for new in [
        NewIdentityOverride {
            identity_id: IdentityId(999),
            ..good.clone()
        },
        NewIdentityOverride {
            feature_id: FeatureId(999),
            ..good.clone()
        },
        NewIdentityOverride {
            feature_id: theirs.id,
            ..good.clone()
        },
    ] {
        let result = ctx.store.create_identity_override(&new, &audit("o")).await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "{new:?}: {result:?}"
        );
    }
    assert!(
        ctx.store
            .identity_overrides(ada.id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn identity_overrides_come_in_feature_then_identity_order(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let prod = environment(&ctx, &web, "Production").await;
    let first = feature(&ctx, &web, "first").await;
    let second = feature(&ctx, &web, "second").await;
    let ada = ctx.store.create_identity(dev.id, "ada").await.unwrap();
    let bob = ctx.store.create_identity(dev.id, "bob").await.unwrap();
    let eve = ctx.store.create_identity(prod.id, "eve").await.unwrap();
    // Written out of order on purpose.
    for (f, i) in [
        (&second, &bob),
        (&second, &ada),
        (&first, &bob),
        (&first, &ada),
        (&first, &eve),
    ] {
        let new = identity_override(f, i, &i.identifier);
        ctx.store
            .create_identity_override(&new, &audit("o"))
            .await
            .unwrap();
    }
    let of_ada: Vec<_> = ctx
        .store
        .identity_overrides(ada.id)
        .await
        .unwrap()
        .iter()
        .map(|s| (s.feature_id, s.scope))
        .collect();
    assert_eq!(
        of_ada,
        [
            (first.id, Applies::Identity(ada.id)),
            (second.id, Applies::Identity(ada.id))
        ]
    );
    let in_dev: Vec<_> = ctx
        .store
        .identity_overrides_in(dev.id)
        .await
        .unwrap()
        .iter()
        .map(|s| (s.scope, s.feature_id))
        .collect();
    assert_eq!(
        in_dev,
        [
            (Applies::Identity(ada.id), first.id),
            (Applies::Identity(ada.id), second.id),
            (Applies::Identity(bob.id), first.id),
            (Applies::Identity(bob.id), second.id),
        ]
    );
    let in_prod = ctx.store.identity_overrides_in(prod.id).await.unwrap();
    assert_eq!(in_prod.len(), 1);
    assert_eq!(in_prod[0].scope, Applies::Identity(eve.id));
    assert!(
        ctx.store
            .identity_overrides(IdentityId(999))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn deleting_an_identity_override_is_audited(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let ada = ctx.store.create_identity(dev.id, "ada").await.unwrap();
    let state = ctx
        .store
        .create_identity_override(&identity_override(&checkout, &ada, "x"), &audit("o"))
        .await
        .unwrap();
    ctx.clock.advance(TimeDelta::seconds(80));
    ctx.store
        .delete_feature_state(state.id, &audit("forget"))
        .await
        .unwrap();
    assert!(matches!(
        ctx.store.feature_state(state.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        ctx.store
            .identity_overrides(ada.id)
            .await
            .unwrap()
            .is_empty()
    );
    let entry = last_env_entry(&ctx, &dev).await;
    assert_eq!(entry.related_object_type, "Feature state");
    assert_eq!(entry.related_object_id, Some(state.id.0));
    assert_eq!(entry.change_type, ChangeType::Delete);
    assert_eq!(entry.log, "forget");
    assert_eq!(
        updated_at(&ctx, &dev).await,
        start_time() + TimeDelta::seconds(80)
    );
    // The identity and the environment default stay.
    assert_eq!(ctx.store.identity(ada.id).await.unwrap(), ada);
    assert_eq!(
        ctx.store.environment_defaults(dev.id).await.unwrap().len(),
        1
    );
}

async fn deleting_an_identity_deletes_its_overrides(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let ada = ctx.store.create_identity(dev.id, "ada").await.unwrap();
    let bob = ctx.store.create_identity(dev.id, "bob").await.unwrap();
    let mut states = Vec::new();
    for i in [&ada, &bob] {
        let new = identity_override(&checkout, i, "x");
        states.push(
            ctx.store
                .create_identity_override(&new, &audit("o"))
                .await
                .unwrap(),
        );
    }
    ctx.store.delete_identity(ada.id).await.unwrap();
    assert!(matches!(
        ctx.store.feature_state(states[0].id).await,
        Err(StoreError::NotFound)
    ));
    let left = ctx.store.identity_overrides_in(dev.id).await.unwrap();
    assert_eq!(left, [states[1].clone()]);
}

async fn copying_overrides_replaces_the_targets_own(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let search = feature(&ctx, &web, "search").await;
    let (colour, options) = mv_feature(&ctx, &web, "colour", &[("blue", 0.0)]).await;
    let ada = ctx.store.create_identity(dev.id, "ada").await.unwrap();
    let bob = ctx.store.create_identity(dev.id, "bob").await.unwrap();
    for new in [
        identity_override(&checkout, &ada, "a"),
        identity_override(&colour, &ada, "red"),
        identity_override(&search, &bob, "b"),
    ] {
        ctx.store
            .create_identity_override(&new, &audit("o"))
            .await
            .unwrap();
    }
    let ada_colour = ctx.store.identity_overrides(ada.id).await.unwrap()[1].clone();
    let share = FeatureStatePatch {
        mv_values: Some(vec![MvAllocation {
            mv_option_id: options[0].id,
            percentage_allocation: 30.0,
        }]),
        ..FeatureStatePatch::default()
    };
    ctx.store
        .update_feature_state(ada_colour.id, &share, &audit("share"))
        .await
        .unwrap();
    let bobs_own = ctx.store.identity_overrides(bob.id).await.unwrap()[0].clone();
    ctx.clock.advance(TimeDelta::seconds(5));
    let copied = ctx
        .store
        .copy_identity_overrides(ada.id, bob.id, &audit("clone"))
        .await
        .unwrap();
    let seen: Vec<_> = copied
        .iter()
        .map(|s| (s.feature_id, s.scope, s.value.clone()))
        .collect();
    assert_eq!(
        seen,
        [
            (
                checkout.id,
                Applies::Identity(bob.id),
                FeatureValue::String("a".into())
            ),
            (
                colour.id,
                Applies::Identity(bob.id),
                FeatureValue::String("red".into())
            ),
        ]
    );
    assert_eq!(copied[1].mv_values.len(), 1);
    assert_eq!(copied[1].mv_values[0].mv_option_id, options[0].id);
    assert_eq!(copied[1].mv_values[0].percentage_allocation, 30.0);
    assert_eq!(ctx.store.identity_overrides(bob.id).await.unwrap(), copied);
    assert!(matches!(
        ctx.store.feature_state(bobs_own.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(ctx.store.identity_overrides(ada.id).await.unwrap().len(), 2);
    assert_eq!(
        updated_at(&ctx, &dev).await,
        start_time() + TimeDelta::seconds(5)
    );
    let entries = ctx
        .store
        .audit_entries(
            &AuditQuery {
                environment_ids: vec![dev.id],
                search: Some("clone".into()),
                ..AuditQuery::default()
            },
            PageRequest::all(),
        )
        .await
        .unwrap();
    let mut kinds: Vec<_> = entries.items.iter().map(|e| e.change_type).collect();
    kinds.sort_by_key(|k| format!("{k:?}"));
    assert_eq!(
        kinds,
        [ChangeType::Create, ChangeType::Create, ChangeType::Delete]
    );
}

async fn overrides_are_copied_only_within_one_environment(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let prod = environment(&ctx, &web, "Production").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let ada = ctx.store.create_identity(dev.id, "ada").await.unwrap();
    let eve = ctx.store.create_identity(prod.id, "eve").await.unwrap();
    ctx.store
        .create_identity_override(&identity_override(&checkout, &eve, "e"), &audit("o"))
        .await
        .unwrap();
    for (from, to) in [
        (ada.id, eve.id),
        (eve.id, ada.id),
        (IdentityId(999), ada.id),
    ] {
        let result = ctx
            .store
            .copy_identity_overrides(from, to, &audit("clone"))
            .await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "{from:?}->{to:?}: {result:?}"
        );
    }
    assert_eq!(ctx.store.identity_overrides(eve.id).await.unwrap().len(), 1);
}

async fn identity_state_reads_identity_traits_and_overrides_together(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let prod = environment(&ctx, &web, "Production").await;
    let first = feature(&ctx, &web, "first").await;
    let second = feature(&ctx, &web, "second").await;
    assert_eq!(ctx.store.identity_state(dev.id, "ada").await.unwrap(), None);
    let writes = [
        TraitWrite {
            key: "plan".into(),
            value: Some(TraitValue::String("pro".into())),
        },
        TraitWrite {
            key: "seats".into(),
            value: Some(TraitValue::Integer(3)),
        },
    ];
    let (ada, traits) = ctx.store.identify(dev.id, "ada", &writes).await.unwrap();
    let bob = ctx.store.create_identity(dev.id, "bob").await.unwrap();
    for (f, i) in [(&second, &ada), (&first, &ada), (&first, &bob)] {
        ctx.store
            .create_identity_override(&identity_override(f, i, &i.identifier), &audit("o"))
            .await
            .unwrap();
    }
    let (identity, read_traits, overrides) = ctx
        .store
        .identity_state(dev.id, "ada")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(identity, ada);
    assert_eq!(read_traits, traits);
    assert_eq!(
        overrides,
        ctx.store.identity_overrides(ada.id).await.unwrap()
    );
    let features: Vec<_> = overrides.iter().map(|s| s.feature_id).collect();
    assert_eq!(features, [first.id, second.id]);
    // Per environment: the identifier means nothing in production.
    assert_eq!(
        ctx.store.identity_state(prod.id, "ada").await.unwrap(),
        None
    );
    let (_, none, bob_overrides) = ctx
        .store
        .identity_state(dev.id, "bob")
        .await
        .unwrap()
        .unwrap();
    assert!(none.is_empty());
    assert_eq!(bob_overrides.len(), 1);
}

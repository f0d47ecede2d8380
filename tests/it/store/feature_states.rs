//! `FeatureStateStore` on both backends: reading, updating and deleting feature states.

use chrono::TimeDelta;
use flagstaff::domain::audit::ChangeType;
use flagstaff::domain::feature::NewFeature;
use flagstaff::domain::feature_state::{FeatureStatePatch, MvAllocation};
use flagstaff::domain::{FeatureStateId, FeatureValue, MvOptionId};
use flagstaff::store::StoreError;

use super::fixtures::{
    Acme, audit, changed_fields, environment, feature, mv_feature, new_feature, new_override,
    segment, segment_override,
};
use super::fixtures::{last_env_entry, order, updated_at};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    a_state_reads_back_by_id,
    states_and_feature_segments_are_found_by_uuid,
    an_update_changes_what_the_patch_sets,
    an_update_is_audited_against_its_environment_only,
    an_update_keeps_shares_of_options_not_named,
    deleting_a_segment_overrides_state_deletes_its_feature_segment,
);

async fn a_state_reads_back_by_id(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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

async fn an_update_changes_what_the_patch_sets(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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

async fn deleting_a_segment_overrides_state_deletes_its_feature_segment(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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

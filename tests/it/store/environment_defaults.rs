//! `EnvironmentDefaultStore` on both backends: one default state per feature and environment.

use flagstaff::domain::EnvironmentId;
use flagstaff::domain::feature_state::Scope as Applies;
use flagstaff::store::StoreError;

use super::fixtures::{
    Acme, audit, environment, feature, last_env_entry, segment, segment_override,
};
use crate::harness::Ctx;
use crate::on_both_backends;

on_both_backends!(
    environment_defaults_come_in_feature_order,
    an_environment_default_cannot_be_deleted,
);

async fn environment_defaults_come_in_feature_order(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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

async fn an_environment_default_cannot_be_deleted(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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

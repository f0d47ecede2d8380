//! `MvOptionStore` on both backends: a multivariate feature's options and their shares.

use chrono::TimeDelta;
use flagstaff::domain::audit::ChangeType;
use flagstaff::domain::feature::FeatureType;
use flagstaff::domain::{FeatureId, FeatureValue, MvOptionId};
use flagstaff::store::StoreError;

use super::fixtures::{
    Acme, audit, changed_fields, environment, feature, last_entry, mv_option, organisation,
    project, segment, segment_override,
};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    mv_options_switch_the_type_and_share_every_default,
    mv_option_keys_are_unique_within_a_feature,
    updating_an_option_keeps_existing_shares,
);

async fn mv_options_switch_the_type_and_share_every_default(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    let colour = feature(&ctx, &web, "colour").await;
    let beta = segment(&ctx, &web, "beta").await;
    segment_override(&ctx, &colour, &beta, &dev, None).await;
    ctx.clock.advance(TimeDelta::seconds(4));
    let red = ctx
        .store
        .create_mv_option(
            colour.id,
            &mv_option("red", FeatureValue::String("red".into()), 40.0),
            &audit("red"),
        )
        .await
        .unwrap();
    assert_eq!(red.feature_id, colour.id);
    assert_eq!(red.default_percentage_allocation, 40.0);
    assert_eq!(ctx.store.mv_option(red.id).await.unwrap(), red);
    let entry = last_entry(&ctx, &web).await;
    assert_eq!(entry.related_object_type, "Multivariate feature option");
    assert_eq!(entry.related_object_id, Some(red.id.0));
    assert_eq!(entry.change_type, ChangeType::Create);
    assert_eq!(
        ctx.store.feature(colour.id).await.unwrap().feature_type,
        FeatureType::Multivariate
    );
    for env in [dev.id, prod.id] {
        let state = &ctx.store.environment_defaults(env).await.unwrap()[0];
        assert_eq!(state.mv_values.len(), 1);
        assert_eq!(state.mv_values[0].mv_option_id, red.id);
        assert_eq!(state.mv_values[0].percentage_allocation, 40.0);
        let moved = ctx.store.environment(env).await.unwrap().updated_at;
        assert_eq!(moved, start_time() + TimeDelta::seconds(4));
    }
    // Only environment defaults get a share.
    let override_state = &ctx.store.segment_override_states(dev.id).await.unwrap()[0];
    assert!(override_state.mv_values.is_empty());
    let blue = ctx
        .store
        .create_mv_option(
            colour.id,
            &mv_option("blue", FeatureValue::String("blue".into()), 10.0),
            &audit("blue"),
        )
        .await
        .unwrap();
    let ids: Vec<_> = ctx
        .store
        .mv_options(colour.id)
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(ids, [red.id, blue.id]);
    ctx.store
        .delete_mv_option(red.id, &audit("no red"))
        .await
        .unwrap();
    assert_eq!(last_entry(&ctx, &web).await.change_type, ChangeType::Delete);
    assert_eq!(
        ctx.store.feature(colour.id).await.unwrap().feature_type,
        FeatureType::Multivariate
    );
    let state = &ctx.store.environment_defaults(dev.id).await.unwrap()[0];
    let left: Vec<_> = state.mv_values.iter().map(|v| v.mv_option_id).collect();
    assert_eq!(left, [blue.id]);
    ctx.store
        .delete_mv_option(blue.id, &audit("no blue"))
        .await
        .unwrap();
    assert_eq!(
        ctx.store.feature(colour.id).await.unwrap().feature_type,
        FeatureType::Standard
    );
    assert!(ctx.store.mv_options(colour.id).await.unwrap().is_empty());
    let state = &ctx.store.environment_defaults(dev.id).await.unwrap()[0];
    assert!(state.mv_values.is_empty());
    assert!(matches!(
        ctx.store.delete_mv_option(blue.id, &audit("again")).await,
        Err(StoreError::NotFound)
    ));
}

async fn mv_option_keys_are_unique_within_a_feature(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let colour = feature(&ctx, &web, "colour").await;
    let size = feature(&ctx, &web, "size").await;
    let option = mv_option("big", FeatureValue::Integer(1), 10.0);
    ctx.store
        .create_mv_option(colour.id, &option, &audit("o"))
        .await
        .unwrap();
    let clash = ctx
        .store
        .create_mv_option(colour.id, &option, &audit("o"))
        .await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    ctx.store
        .create_mv_option(size.id, &option, &audit("o"))
        .await
        .unwrap();
    let missing = ctx
        .store
        .create_mv_option(FeatureId(999), &option, &audit("o"))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    assert_eq!(ctx.store.mv_options(colour.id).await.unwrap().len(), 1);
}

async fn updating_an_option_keeps_existing_shares(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let colour = feature(&ctx, &web, "colour").await;
    let red = ctx
        .store
        .create_mv_option(
            colour.id,
            &mv_option("red", FeatureValue::String("red".into()), 40.0),
            &audit("o"),
        )
        .await
        .unwrap();
    ctx.clock.advance(TimeDelta::seconds(2));
    let changed = mv_option("crimson", FeatureValue::String("red".into()), 15.0);
    let updated = ctx
        .store
        .update_mv_option(red.id, &changed, &audit("rename"))
        .await
        .unwrap();
    assert_eq!(updated.key.as_deref(), Some("crimson"));
    assert_eq!(updated.default_percentage_allocation, 15.0);
    assert_eq!((updated.id, updated.feature_id), (red.id, colour.id));
    assert_eq!(ctx.store.mv_option(red.id).await.unwrap(), updated);
    let state = &ctx.store.environment_defaults(dev.id).await.unwrap()[0];
    assert_eq!(state.mv_values[0].percentage_allocation, 40.0);
    let entry = last_entry(&ctx, &web).await;
    assert_eq!(entry.change_type, ChangeType::Update);
    assert_eq!(
        changed_fields(&entry),
        ["default_percentage_allocation", "key"]
    );
    let moved = ctx.store.environment(dev.id).await.unwrap().updated_at;
    assert_eq!(moved, start_time() + TimeDelta::seconds(2));
    let missing = ctx
        .store
        .update_mv_option(MvOptionId(999), &changed, &audit("x"))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

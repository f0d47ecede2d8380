//! `IdentityOverrideStore` on both backends: identity overrides, read, deleted and copied.

use chrono::TimeDelta;
use flagstaff::domain::audit::{AuditQuery, ChangeType};
use flagstaff::domain::feature_state::{
    FeatureStatePatch, MvAllocation, NewIdentityOverride, Scope as Applies,
};
use flagstaff::domain::identity::{TraitValue, TraitWrite};
use flagstaff::domain::{FeatureId, FeatureValue, IdentityId, PageRequest};
use flagstaff::store::StoreError;

use super::fixtures::{
    Acme, audit, environment, feature, last_env_entry, mv_feature, organisation, project,
    updated_at,
};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
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
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
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

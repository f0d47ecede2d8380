//! `IdentityStore` on both backends: identities, identify with traits, search and pages.

use chrono::TimeDelta;
use flagstaff::domain::audit::{AuditQuery, ChangeType};
use flagstaff::domain::identity::{IdentityQuery, TraitValue, TraitWrite};
use flagstaff::domain::{EnvironmentId, IdentityId, PageRequest, TraitId};
use flagstaff::store::StoreError;

use super::fixtures::{audit, changed_fields, environment, organisation, project};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    identities_are_unique_per_environment,
    identities_list_in_creation_order_with_search_and_pages,
    identify_creates_the_identity_and_types_its_traits,
    identify_updates_in_place_and_deletes_on_null,
    concurrent_identify_calls_lose_no_trait,
    deleting_an_identity_deletes_its_traits,
    increments_count_up_from_zero_and_refuse_other_types,
    renaming_keeps_traits_and_is_audited_in_the_environment,
);

fn set(key: &str, value: TraitValue) -> TraitWrite {
    TraitWrite {
        key: key.to_string(),
        value: Some(value),
    }
}

async fn two_environments(ctx: &Ctx) -> (EnvironmentId, EnvironmentId) {
    let org = organisation(ctx, "Acme").await;
    let web = project(ctx, &org, "Web").await;
    let dev = environment(ctx, &web, "Development").await;
    let prod = environment(ctx, &web, "Production").await;
    (dev.id, prod.id)
}

async fn identities_are_unique_per_environment(ctx: Ctx) {
    let (dev, prod) = two_environments(&ctx).await;
    let ada = ctx.store.create_identity(dev, "ada").await.unwrap();
    assert_eq!((ada.identifier.as_str(), ada.environment_id), ("ada", dev));
    assert_eq!(ada.created_date, start_time());
    assert_eq!(ctx.store.identity(ada.id).await.unwrap(), ada);
    assert_eq!(
        ctx.store.identity_by_identifier(dev, "ada").await.unwrap(),
        Some(ada.clone())
    );
    assert_eq!(
        ctx.store.identity_by_identifier(prod, "ada").await.unwrap(),
        None
    );
    let clash = ctx.store.create_identity(dev, "ada").await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    ctx.store.create_identity(prod, "ada").await.unwrap();
    let orphan = ctx.store.create_identity(EnvironmentId(999), "x").await;
    assert!(matches!(orphan, Err(StoreError::NotFound)), "{orphan:?}");
    assert!(matches!(
        ctx.store.identity(IdentityId(999)).await,
        Err(StoreError::NotFound)
    ));
}

async fn identities_list_in_creation_order_with_search_and_pages(ctx: Ctx) {
    let (dev, prod) = two_environments(&ctx).await;
    for name in ["carol", "Alice", "bob", "alicia"] {
        ctx.store.create_identity(dev, name).await.unwrap();
        ctx.clock.advance(TimeDelta::seconds(1));
    }
    ctx.store
        .create_identity(prod, "alice-in-prod")
        .await
        .unwrap();
    let names = |page: &flagstaff::domain::Page<flagstaff::domain::identity::Identity>| {
        page.items
            .iter()
            .map(|i| i.identifier.clone())
            .collect::<Vec<_>>()
    };
    let all = ctx
        .store
        .identities(dev, &IdentityQuery::default(), PageRequest::all())
        .await
        .unwrap();
    assert_eq!(names(&all), ["carol", "Alice", "bob", "alicia"]);
    assert_eq!(all.total, 4);
    let search = IdentityQuery {
        search: Some("ALI".into()),
        exact: false,
    };
    let found = ctx
        .store
        .identities(dev, &search, PageRequest::all())
        .await
        .unwrap();
    assert_eq!(names(&found), ["Alice", "alicia"]);
    let exact = IdentityQuery {
        search: Some("alice".into()),
        exact: true,
    };
    assert_eq!(
        ctx.store
            .identities(dev, &exact, PageRequest::all())
            .await
            .unwrap()
            .total,
        0
    );
    let page = PageRequest {
        page: 2,
        page_size: 3,
    };
    let second = ctx
        .store
        .identities(dev, &IdentityQuery::default(), page)
        .await
        .unwrap();
    assert_eq!(names(&second), ["alicia"]);
    assert_eq!(second.total, 4);
    let wildcard = IdentityQuery {
        search: Some("%".into()),
        exact: false,
    };
    assert_eq!(
        ctx.store
            .identities(dev, &wildcard, PageRequest::all())
            .await
            .unwrap()
            .total,
        0
    );
}

async fn identify_creates_the_identity_and_types_its_traits(ctx: Ctx) {
    let (dev, _) = two_environments(&ctx).await;
    let writes = [
        set("plan", TraitValue::String("pro".into())),
        set("age", TraitValue::Integer(42)),
        set("beta", TraitValue::Boolean(true)),
        set("score", TraitValue::Float(0.5)),
    ];
    let (identity, traits) = ctx.store.identify(dev, "ada", &writes).await.unwrap();
    assert_eq!(identity.identifier, "ada");
    let values: Vec<_> = traits
        .iter()
        .map(|t| (t.key.as_str(), t.value.clone()))
        .collect();
    assert_eq!(
        values,
        [
            ("plan", TraitValue::String("pro".into())),
            ("age", TraitValue::Integer(42)),
            ("beta", TraitValue::Boolean(true)),
            ("score", TraitValue::Float(0.5)),
        ]
    );
    assert_eq!(ctx.store.traits(identity.id).await.unwrap(), traits);
    let (again, _) = ctx.store.identify(dev, "ada", &[]).await.unwrap();
    assert_eq!(again, identity);
    let orphan = ctx.store.identify(EnvironmentId(999), "x", &[]).await;
    assert!(matches!(orphan, Err(StoreError::NotFound)), "{orphan:?}");
}

async fn identify_updates_in_place_and_deletes_on_null(ctx: Ctx) {
    let (dev, _) = two_environments(&ctx).await;
    let (identity, before) = ctx
        .store
        .identify(
            dev,
            "ada",
            &[
                set("plan", TraitValue::String("free".into())),
                set("age", TraitValue::Integer(1)),
            ],
        )
        .await
        .unwrap();
    ctx.clock.advance(TimeDelta::hours(1));
    let writes = [
        set("plan", TraitValue::Integer(3)),
        TraitWrite {
            key: "age".into(),
            value: None,
        },
        TraitWrite {
            key: "never-set".into(),
            value: None,
        },
    ];
    let (_, after) = ctx.store.identify(dev, "ada", &writes).await.unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].id, before[0].id, "an update keeps the trait's id");
    assert_eq!(after[0].created_date, before[0].created_date);
    assert_eq!(after[0].value, TraitValue::Integer(3));
    ctx.store.delete_trait(after[0].id).await.unwrap();
    assert!(ctx.store.traits(identity.id).await.unwrap().is_empty());
    assert!(matches!(
        ctx.store.delete_trait(TraitId(999)).await,
        Err(StoreError::NotFound)
    ));
}

async fn concurrent_identify_calls_lose_no_trait(ctx: Ctx) {
    let (dev, _) = two_environments(&ctx).await;
    let mut tasks = Vec::new();
    for n in 0..16 {
        let store = ctx.store.clone();
        tasks.push(tokio::spawn(async move {
            let write = set(&format!("trait-{n}"), TraitValue::Integer(n));
            store.identify(dev, "shared", &[write]).await.unwrap()
        }));
    }
    let mut identities = Vec::new();
    for task in tasks {
        identities.push(task.await.unwrap().0.id);
    }
    identities.dedup();
    assert_eq!(identities.len(), 1, "every call saw the same identity");
    let traits = ctx.store.traits(identities[0]).await.unwrap();
    assert_eq!(traits.len(), 16);
}

async fn deleting_an_identity_deletes_its_traits(ctx: Ctx) {
    let (dev, _) = two_environments(&ctx).await;
    let (identity, _) = ctx
        .store
        .identify(dev, "ada", &[set("plan", TraitValue::String("pro".into()))])
        .await
        .unwrap();
    ctx.store.delete_identity(identity.id).await.unwrap();
    assert!(ctx.store.traits(identity.id).await.unwrap().is_empty());
    assert_eq!(
        ctx.store.identity_by_identifier(dev, "ada").await.unwrap(),
        None
    );
    assert!(matches!(
        ctx.store.delete_identity(identity.id).await,
        Err(StoreError::NotFound)
    ));
}

async fn increments_count_up_from_zero_and_refuse_other_types(ctx: Ctx) {
    let (dev, _) = two_environments(&ctx).await;
    assert_eq!(
        ctx.store
            .increment_trait(dev, "ada", "clicks", 2)
            .await
            .unwrap(),
        Some(2)
    );
    assert_eq!(
        ctx.store
            .increment_trait(dev, "ada", "clicks", -5)
            .await
            .unwrap(),
        Some(-3)
    );
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let store = ctx.store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .increment_trait(dev, "ada", "clicks", 1)
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let (identity, traits) = ctx.store.identify(dev, "ada", &[]).await.unwrap();
    assert_eq!(
        traits[0].value,
        TraitValue::Integer(7),
        "concurrent increments all count"
    );
    ctx.store
        .identify(dev, "ada", &[set("plan", TraitValue::String("pro".into()))])
        .await
        .unwrap();
    assert_eq!(
        ctx.store
            .increment_trait(dev, "ada", "plan", 1)
            .await
            .unwrap(),
        None
    );
    let plan = ctx
        .store
        .traits(identity.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.key == "plan")
        .unwrap();
    assert_eq!(plan.value, TraitValue::String("pro".into()));
}

async fn renaming_keeps_traits_and_is_audited_in_the_environment(ctx: Ctx) {
    let (dev, prod) = two_environments(&ctx).await;
    let (ada, _) = ctx
        .store
        .identify(dev, "ada", &[set("plan", TraitValue::String("pro".into()))])
        .await
        .unwrap();
    ctx.store.create_identity(dev, "bob").await.unwrap();
    ctx.store.create_identity(prod, "ada2").await.unwrap();
    let before = ctx.store.traits(ada.id).await.unwrap();
    ctx.clock.advance(TimeDelta::seconds(5));
    let renamed = ctx
        .store
        .rename_identity(ada.id, "ada2", &audit("renamed"))
        .await
        .unwrap();
    assert_eq!(renamed.identifier, "ada2");
    assert_eq!(
        (renamed.id, renamed.created_date),
        (ada.id, ada.created_date)
    );
    assert_eq!(ctx.store.traits(ada.id).await.unwrap(), before);
    assert_eq!(
        ctx.store.identity_by_identifier(dev, "ada").await.unwrap(),
        None
    );
    let dev_env = ctx.store.environment(dev).await.unwrap();
    assert_eq!(dev_env.updated_at, start_time() + TimeDelta::seconds(5));
    let prod_env = ctx.store.environment(prod).await.unwrap();
    assert!(prod_env.updated_at < dev_env.updated_at);
    let query = AuditQuery {
        environment_ids: vec![dev],
        ..AuditQuery::default()
    };
    let entry = ctx
        .store
        .audit_entries(&query, PageRequest::all())
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(entry.log, "renamed");
    assert_eq!(entry.change_type, ChangeType::Update);
    assert_eq!(entry.related_object_id, Some(ada.id.0));
    assert_eq!(changed_fields(&entry), ["identifier"]);

    let clash = ctx.store.rename_identity(ada.id, "bob", &audit("x")).await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    let unknown = ctx
        .store
        .rename_identity(IdentityId(999), "x", &audit("x"))
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound)), "{unknown:?}");
}

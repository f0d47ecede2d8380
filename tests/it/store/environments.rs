//! `EnvironmentStore` on both backends: environments by id and key, unique names, audits.

use chrono::TimeDelta;
use flagstaff::domain::audit::{AuditQuery, ChangeType};
use flagstaff::domain::environment::{
    EnvironmentSettings, NewEnvironment, NewServerKey, ServerKeyPatch,
};
use flagstaff::domain::feature_state::{
    FeatureSegment, FeatureState, FeatureStatePatch, MvAllocation, NewSegmentOverride,
    Scope as Applies,
};
use flagstaff::domain::{EnvironmentId, FeatureValue, PageRequest, ProjectId};
use flagstaff::store::StoreError;

use super::fixtures::{
    Acme, audit, environment, feature, mv_feature, new_override, organisation, project, segment,
    segment_override,
};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    an_environment_reads_back_by_id_and_by_key,
    names_are_unique_per_project_and_keys_everywhere,
    updates_are_audited_and_move_updated_at,
    deleting_an_environment_is_recorded_against_its_project,
    a_clone_copies_settings_under_a_new_name_and_key,
    a_clone_copies_default_states_and_segment_overrides,
    server_keys_are_stored_found_and_expire,
    server_key_changes_move_updated_at,
);

fn new_env(project: ProjectId, name: &str, key: &str) -> NewEnvironment {
    NewEnvironment {
        project_id: project,
        api_key: key.to_string(),
        settings: EnvironmentSettings::named(name),
    }
}

async fn an_environment_reads_back_by_id_and_by_key(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    assert_eq!(dev.settings, EnvironmentSettings::named("Development"));
    assert!(
        dev.settings.allow_client_traits && dev.settings.use_identity_composite_key_for_hashing
    );
    assert_eq!(dev.settings.hide_disabled_flags, None);
    assert_eq!(
        (dev.created_date, dev.updated_at),
        (start_time(), start_time())
    );
    assert_eq!(ctx.store.environment(dev.id).await.unwrap(), dev);
    assert_eq!(
        ctx.store
            .environment_by_api_key(&dev.api_key)
            .await
            .unwrap(),
        Some(dev.clone())
    );
    assert_eq!(
        ctx.store.environment_by_api_key("nope").await.unwrap(),
        None
    );
    let prod = environment(&ctx, &web, "Production").await;
    let ids: Vec<_> = ctx
        .store
        .environments_of(web.id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, [dev.id, prod.id]);
    let orphan = ctx
        .store
        .create_environment(&new_env(ProjectId(999), "x", "k"), &audit("e"))
        .await;
    assert!(matches!(orphan, Err(StoreError::NotFound)), "{orphan:?}");
}

async fn names_are_unique_per_project_and_keys_everywhere(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let app = project(&ctx, &org, "App").await;
    ctx.store
        .create_environment(&new_env(web.id, "Dev", "k1"), &audit("e"))
        .await
        .unwrap();
    let same_name = ctx
        .store
        .create_environment(&new_env(web.id, "Dev", "k2"), &audit("e"))
        .await;
    assert!(
        matches!(same_name, Err(StoreError::Conflict(_))),
        "{same_name:?}"
    );
    let same_key = ctx
        .store
        .create_environment(&new_env(app.id, "Other", "k1"), &audit("e"))
        .await;
    assert!(
        matches!(same_key, Err(StoreError::Conflict(_))),
        "{same_key:?}"
    );
    ctx.store
        .create_environment(&new_env(app.id, "Dev", "k3"), &audit("e"))
        .await
        .unwrap();
    assert_eq!(ctx.store.environments_of(web.id).await.unwrap().len(), 1);
}

async fn updates_are_audited_and_move_updated_at(ctx: Ctx) {
    let Acme { dev, .. } = Acme::new(&ctx).await;
    ctx.clock.advance(TimeDelta::seconds(30));
    let settings = EnvironmentSettings {
        allow_client_traits: false,
        hide_disabled_flags: Some(true),
        ..dev.settings.clone()
    };
    let updated = ctx
        .store
        .update_environment(dev.id, &settings, &audit("lock"))
        .await
        .unwrap();
    assert_eq!(updated.settings, settings);
    assert_eq!(updated.updated_at, start_time() + TimeDelta::seconds(30));
    assert_eq!(ctx.store.environment(dev.id).await.unwrap(), updated);
    let log = ctx
        .store
        .audit_entries(
            &AuditQuery {
                environment_ids: vec![dev.id],
                ..AuditQuery::default()
            },
            PageRequest::all(),
        )
        .await
        .unwrap();
    let fields: Vec<_> = log.items[0]
        .change_details
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(fields, ["allow_client_traits", "hide_disabled_flags"]);
    let missing = ctx
        .store
        .update_environment(EnvironmentId(999), &settings, &audit("x"))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

async fn deleting_an_environment_is_recorded_against_its_project(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    ctx.store
        .delete_environment(dev.id, &audit("gone"))
        .await
        .unwrap();
    assert!(matches!(
        ctx.store.environment(dev.id).await,
        Err(StoreError::NotFound)
    ));
    let log = ctx
        .store
        .audit_entries(
            &AuditQuery {
                project_id: Some(web.id),
                ..AuditQuery::default()
            },
            PageRequest::all(),
        )
        .await
        .unwrap();
    assert_eq!(log.items[0].change_type, ChangeType::Delete);
    assert_eq!(log.items[0].related_object_id, Some(dev.id.0));
    assert!(matches!(
        ctx.store.delete_environment(dev.id, &audit("again")).await,
        Err(StoreError::NotFound)
    ));
}

async fn a_clone_copies_settings_under_a_new_name_and_key(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let settings = EnvironmentSettings {
        banner_text: Some("careful".into()),
        ..dev.settings.clone()
    };
    ctx.store
        .update_environment(dev.id, &settings, &audit("banner"))
        .await
        .unwrap();
    let copy = ctx
        .store
        .clone_environment(dev.id, "Staging", "staging-key", &audit("clone"))
        .await
        .unwrap();
    assert_ne!(copy.id, dev.id);
    assert_eq!(copy.api_key, "staging-key");
    assert_eq!(copy.project_id, web.id);
    assert_eq!(copy.settings.name, "Staging");
    assert_eq!(copy.settings.banner_text.as_deref(), Some("careful"));
    let clash = ctx
        .store
        .clone_environment(dev.id, "Staging", "other-key", &audit("clone"))
        .await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    let missing = ctx
        .store
        .clone_environment(EnvironmentId(999), "X", "x", &audit("clone"))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

async fn server_keys_are_stored_found_and_expire(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    let expires = start_time() + TimeDelta::hours(1);
    let key = ctx
        .store
        .create_server_key(
            &NewServerKey {
                environment_id: dev.id,
                key: "ser.abc".into(),
                name: "backend".into(),
                expires_at: Some(expires),
            },
            &audit("key"),
        )
        .await
        .unwrap();
    assert!(key.active);
    assert_eq!(key.created_at, start_time());
    assert!(key.is_valid(start_time()));
    assert!(!key.is_valid(expires));
    assert_eq!(
        ctx.store.server_key_by_key("ser.abc").await.unwrap(),
        Some(key.clone())
    );
    assert_eq!(ctx.store.server_key_by_key("ser.nope").await.unwrap(), None);
    let clash = ctx
        .store
        .create_server_key(
            &NewServerKey {
                environment_id: prod.id,
                key: "ser.abc".into(),
                name: "dup".into(),
                expires_at: None,
            },
            &audit("key"),
        )
        .await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    assert_eq!(
        ctx.store.server_keys(dev.id).await.unwrap(),
        std::slice::from_ref(&key)
    );
    assert!(ctx.store.server_keys(prod.id).await.unwrap().is_empty());

    let patch = ServerKeyPatch {
        active: Some(false),
        expires_at: Some(None),
        ..ServerKeyPatch::default()
    };
    let updated = ctx
        .store
        .update_server_key(key.id, &patch, &audit("off"))
        .await
        .unwrap();
    assert!(!updated.active && updated.expires_at.is_none());
    assert_eq!(updated.name, "backend");
    assert!(!updated.is_valid(start_time()));
    ctx.store
        .delete_server_key(key.id, &audit("rm"))
        .await
        .unwrap();
    assert_eq!(ctx.store.server_key_by_key("ser.abc").await.unwrap(), None);
    assert!(matches!(
        ctx.store.delete_server_key(key.id, &audit("rm")).await,
        Err(StoreError::NotFound)
    ));
}

async fn server_key_changes_move_updated_at(ctx: Ctx) {
    let Acme { dev, .. } = Acme::new(&ctx).await;
    ctx.clock.advance(TimeDelta::seconds(7));
    ctx.store
        .create_server_key(
            &NewServerKey {
                environment_id: dev.id,
                key: "ser.xyz".into(),
                name: "k".into(),
                expires_at: None,
            },
            &audit("key"),
        )
        .await
        .unwrap();
    let moved = ctx.store.environment(dev.id).await.unwrap().updated_at;
    assert_eq!(moved, start_time() + TimeDelta::seconds(7));
}

async fn a_clone_copies_default_states_and_segment_overrides(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let (colour, options) = mv_feature(&ctx, &web, "colour", &[("a", 10.0), ("b", 20.0)]).await;
    let plain = feature(&ctx, &web, "plain").await;
    let a = segment(&ctx, &web, "a").await;
    let b = segment(&ctx, &web, "b").await;
    // Values and shares that differ from the feature's defaults.
    let defaults = ctx.store.environment_defaults(dev.id).await.unwrap();
    let patch = FeatureStatePatch {
        enabled: Some(true),
        value: Some(FeatureValue::Integer(3)),
        mv_values: Some(vec![MvAllocation {
            mv_option_id: options[0].id,
            percentage_allocation: 60.0,
        }]),
    };
    ctx.store
        .update_feature_state(defaults[0].id, &patch, &audit("u"))
        .await
        .unwrap();
    let with_shares = NewSegmentOverride {
        mv_values: vec![MvAllocation {
            mv_option_id: options[1].id,
            percentage_allocation: 90.0,
        }],
        ..new_override(&colour, &a, &dev, None)
    };
    ctx.store
        .create_segment_override(&with_shares, &audit("o"))
        .await
        .unwrap();
    segment_override(&ctx, &colour, &b, &dev, Some(0)).await;
    segment_override(&ctx, &plain, &a, &dev, None).await;
    ctx.clock.advance(TimeDelta::seconds(60));
    let copy = ctx
        .store
        .clone_environment(dev.id, "Staging", "staging-key", &audit("clone"))
        .await
        .unwrap();
    // Everything but ids, uuids, environment and times is the same.
    let content = |s: &FeatureState| {
        let shares: Vec<_> = s
            .mv_values
            .iter()
            .map(|v| (v.mv_option_id, v.percentage_allocation))
            .collect();
        (s.feature_id, s.enabled, s.value.clone(), shares)
    };
    let source = ctx.store.environment_defaults(dev.id).await.unwrap();
    let copied = ctx.store.environment_defaults(copy.id).await.unwrap();
    assert_eq!(
        copied.iter().map(content).collect::<Vec<_>>(),
        source.iter().map(content).collect::<Vec<_>>()
    );
    assert_eq!(copied[0].value, FeatureValue::Integer(3));
    assert!(copied.iter().all(|s| s.environment_id == copy.id));
    assert!(copied.iter().all(|s| s.scope == Applies::Environment));
    assert!(
        copied
            .iter()
            .all(|s| !source.iter().any(|o| o.id == s.id || o.uuid == s.uuid))
    );
    let key = |fs: &FeatureSegment| (fs.feature_id, fs.segment_id, fs.priority);
    let source_fs = ctx.store.feature_segments(dev.id, None).await.unwrap();
    let copied_fs = ctx.store.feature_segments(copy.id, None).await.unwrap();
    assert_eq!(
        copied_fs.iter().map(key).collect::<Vec<_>>(),
        source_fs.iter().map(key).collect::<Vec<_>>()
    );
    assert!(copied_fs.iter().all(|fs| fs.environment_id == copy.id));
    // Each copied override state belongs to the copied feature segment of its segment.
    let copied_states = ctx.store.segment_override_states(copy.id).await.unwrap();
    let source_states = ctx.store.segment_override_states(dev.id).await.unwrap();
    assert_eq!(copied_states.len(), 3);
    for state in &copied_states {
        let Applies::Segment(fs_id) = state.scope else {
            panic!("{state:?}")
        };
        let fs = ctx.store.feature_segment(fs_id).await.unwrap();
        assert_eq!(fs.environment_id, copy.id);
        let original = source_states
            .iter()
            .find(|s| {
                let Applies::Segment(id) = s.scope else {
                    return false;
                };
                let of = source_fs.iter().find(|o| o.id == id).unwrap();
                (of.feature_id, of.segment_id) == (fs.feature_id, fs.segment_id)
            })
            .unwrap();
        assert_eq!(content(state), content(original));
    }
    let with_share = copied_states
        .iter()
        .find(|s| !s.mv_values.is_empty())
        .unwrap();
    assert_eq!(with_share.mv_values[0].mv_option_id, options[1].id);
    assert_eq!(with_share.mv_values[0].percentage_allocation, 90.0);
    // The source keeps its own.
    assert_eq!(
        ctx.store
            .segment_override_states(dev.id)
            .await
            .unwrap()
            .len(),
        3
    );
}

//! `FeatureStore` on both backends: features with their default states, unique names, lists.

use chrono::TimeDelta;
use flagstaff::domain::audit::ChangeType;
use flagstaff::domain::feature::{
    FeaturePatch, FeatureQuery, FeatureSettings, FeatureSort, FeatureType, NewFeature,
};
use flagstaff::domain::feature_state::Scope as Applies;
use flagstaff::domain::project::ProjectSettings;
use flagstaff::domain::{FeatureId, FeatureValue, MvOptionId, PageRequest, ProjectId, TagId};
use flagstaff::store::StoreError;

use super::fixtures::{
    Acme, audit, changed_fields, environment, feature, last_entry, mv_option, new_feature,
    organisation, project, segment, segment_override, tag,
};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    a_feature_gets_a_typed_default_state_in_every_environment,
    an_environment_created_later_gets_defaults_for_existing_features,
    prevent_flag_defaults_gives_disabled_empty_states,
    names_are_unique_per_project_ignoring_case,
    options_given_at_creation_make_it_multivariate_with_shares,
    creating_a_feature_needs_its_project_and_its_projects_tags,
    creating_a_feature_is_audited_and_moves_every_environment,
    features_of_searches_and_filters,
    features_of_filters_by_tags,
    features_of_sorts_and_pages,
    updates_change_what_the_patch_sets_and_are_audited,
    deleting_a_feature_deletes_its_states_overrides_and_options,
);

async fn a_feature_gets_a_typed_default_state_in_every_environment(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    let cases = [
        ("number", Some("42"), FeatureValue::Integer(42)),
        ("yes", Some("True"), FeatureValue::Boolean(true)),
        ("no", Some("false"), FeatureValue::Boolean(false)),
        ("text", Some("hello"), FeatureValue::String("hello".into())),
        ("nothing", None, FeatureValue::Null),
    ];
    for (name, initial, expected) in cases {
        let new = NewFeature {
            default_enabled: true,
            initial_value: initial.map(str::to_string),
            ..new_feature(&web, name)
        };
        let created = ctx
            .store
            .create_feature(&new, &audit("create"))
            .await
            .unwrap();
        assert_eq!(created.name, name);
        assert_eq!(created.initial_value.as_deref(), initial);
        assert_eq!(created.feature_type, FeatureType::Standard);
        assert_eq!(created.created_date, start_time());
        assert!(created.default_enabled && created.tags.is_empty());
        assert_eq!(ctx.store.feature(created.id).await.unwrap(), created);
        for env in [&dev, &prod] {
            let defaults = ctx.store.environment_defaults(env.id).await.unwrap();
            let state = defaults
                .iter()
                .find(|s| s.feature_id == created.id)
                .unwrap();
            assert_eq!(state.scope, Applies::Environment);
            assert_eq!(state.environment_id, env.id);
            assert!(state.enabled, "{name}");
            assert_eq!(state.value, expected, "{name}");
            assert!(state.mv_values.is_empty());
            assert_eq!(
                (state.created_at, state.updated_at),
                (start_time(), start_time())
            );
        }
    }
    assert_eq!(
        ctx.store.environment_defaults(dev.id).await.unwrap().len(),
        5
    );
    assert!(matches!(
        ctx.store.feature(FeatureId(999)).await,
        Err(StoreError::NotFound)
    ));
}

async fn an_environment_created_later_gets_defaults_for_existing_features(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let new = NewFeature {
        default_enabled: true,
        initial_value: Some("7".into()),
        mv_options: vec![
            mv_option("a", FeatureValue::String("red".into()), 30.0),
            mv_option("b", FeatureValue::Integer(2), 20.0),
        ],
        ..new_feature(&web, "colour")
    };
    let colour = ctx.store.create_feature(&new, &audit("f")).await.unwrap();
    let plain = feature(&ctx, &web, "plain").await;
    let options = ctx.store.mv_options(colour.id).await.unwrap();
    let late = environment(&ctx, &web, "Late").await;
    let defaults = ctx.store.environment_defaults(late.id).await.unwrap();
    let features: Vec<_> = defaults.iter().map(|s| s.feature_id).collect();
    assert_eq!(features, [colour.id, plain.id]);
    assert!(defaults[0].enabled);
    assert_eq!(defaults[0].value, FeatureValue::Integer(7));
    let shares: Vec<_> = defaults[0]
        .mv_values
        .iter()
        .map(|v| (v.mv_option_id, v.percentage_allocation))
        .collect();
    assert_eq!(shares, [(options[0].id, 30.0), (options[1].id, 20.0)]);
    assert!(!defaults[1].enabled && defaults[1].value == FeatureValue::Null);
}

async fn prevent_flag_defaults_gives_disabled_empty_states(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let settings = ProjectSettings {
        prevent_flag_defaults: true,
        ..ProjectSettings::named("Web")
    };
    ctx.store
        .update_project(web.id, &settings, &audit("strict"))
        .await
        .unwrap();
    let dev = environment(&ctx, &web, "Development").await;
    let new = NewFeature {
        default_enabled: true,
        initial_value: Some("on".into()),
        mv_options: vec![mv_option("a", FeatureValue::Boolean(true), 50.0)],
        ..new_feature(&web, "guarded")
    };
    let guarded = ctx.store.create_feature(&new, &audit("f")).await.unwrap();
    assert!(guarded.default_enabled);
    let defaults = ctx.store.environment_defaults(dev.id).await.unwrap();
    assert!(!defaults[0].enabled);
    assert_eq!(defaults[0].value, FeatureValue::Null);
    assert_eq!(defaults[0].mv_values.len(), 1);
}

async fn names_are_unique_per_project_ignoring_case(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let app = project(&ctx, &org, "App").await;
    for (first, second) in [("Checkout", "checkout"), ("Ärger", "äRGER")] {
        feature(&ctx, &web, first).await;
        let clash = ctx
            .store
            .create_feature(&new_feature(&web, second), &audit("f"))
            .await;
        assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
        let elsewhere = feature(&ctx, &app, second).await;
        assert_eq!(elsewhere.name, second);
    }
    let page = ctx
        .store
        .features_of(web.id, &FeatureQuery::default(), PageRequest::all())
        .await
        .unwrap();
    assert_eq!(page.total, 2);
}

async fn options_given_at_creation_make_it_multivariate_with_shares(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let new = NewFeature {
        mv_options: vec![
            mv_option("blue", FeatureValue::String("blue".into()), 30.0),
            mv_option("big", FeatureValue::Integer(9), 25.5),
        ],
        ..new_feature(&web, "colour")
    };
    let colour = ctx.store.create_feature(&new, &audit("f")).await.unwrap();
    assert_eq!(colour.feature_type, FeatureType::Multivariate);
    let options = ctx.store.mv_options(colour.id).await.unwrap();
    let keys: Vec<_> = options.iter().map(|o| o.key.as_deref()).collect();
    assert_eq!(keys, [Some("blue"), Some("big")]);
    assert!(options[0].id < options[1].id);
    assert_eq!(options[1].value, FeatureValue::Integer(9));
    assert_eq!(options[1].feature_id, colour.id);
    assert_eq!(
        ctx.store.mv_option(options[0].id).await.unwrap(),
        options[0]
    );
    let state = &ctx.store.environment_defaults(dev.id).await.unwrap()[0];
    let shares: Vec<_> = state
        .mv_values
        .iter()
        .map(|v| (v.mv_option_id, v.percentage_allocation))
        .collect();
    assert_eq!(shares, [(options[0].id, 30.0), (options[1].id, 25.5)]);
    assert!(state.mv_values[0].id < state.mv_values[1].id);
    assert!(matches!(
        ctx.store.mv_option(MvOptionId(999)).await,
        Err(StoreError::NotFound)
    ));
    // Both are found by uuid too; an unknown uuid is NotFound.
    assert_eq!(
        ctx.store.feature_by_uuid(&colour.uuid).await.unwrap(),
        colour
    );
    assert_eq!(
        ctx.store.mv_option_by_uuid(&options[1].uuid).await.unwrap(),
        options[1]
    );
    let unknown = "00000000-0000-4000-8000-000000000000";
    assert!(matches!(
        ctx.store.feature_by_uuid(unknown).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store.mv_option_by_uuid(unknown).await,
        Err(StoreError::NotFound)
    ));
}

async fn creating_a_feature_needs_its_project_and_its_projects_tags(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let app = project(&ctx, &org, "App").await;
    environment(&ctx, &web, "Development").await;
    let foreign = tag(&ctx, &app, "theirs").await;
    let mut orphan = new_feature(&web, "orphan");
    orphan.project_id = ProjectId(999);
    let missing = ctx.store.create_feature(&orphan, &audit("f")).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    for tags in [vec![TagId(999)], vec![foreign.id]] {
        let new = NewFeature {
            tags,
            ..new_feature(&web, "tagged")
        };
        let refused = ctx.store.create_feature(&new, &audit("f")).await;
        assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    }
    // A refused creation leaves nothing behind.
    let page = ctx
        .store
        .features_of(web.id, &FeatureQuery::default(), PageRequest::all())
        .await
        .unwrap();
    assert_eq!(page.total, 0);
    let mine = tag(&ctx, &web, "mine").await;
    let other = tag(&ctx, &web, "other").await;
    let new = NewFeature {
        tags: vec![other.id, mine.id, other.id],
        ..new_feature(&web, "tagged")
    };
    let tagged = ctx.store.create_feature(&new, &audit("f")).await.unwrap();
    assert_eq!(tagged.tags, [mine.id, other.id]);
}

async fn creating_a_feature_is_audited_and_moves_every_environment(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    ctx.clock.advance(TimeDelta::seconds(5));
    let created = feature(&ctx, &web, "checkout").await;
    let entry = last_entry(&ctx, &web).await;
    assert_eq!(entry.related_object_type, "Feature");
    assert_eq!(entry.related_object_id, Some(created.id.0));
    assert_eq!(
        entry.related_object_uuid.as_deref(),
        Some(created.uuid.as_str())
    );
    assert_eq!(entry.change_type, ChangeType::Create);
    assert_eq!(
        (entry.project_id, entry.environment_id),
        (Some(web.id), None)
    );
    assert_eq!(entry.log, "feature");
    for env in [dev.id, prod.id] {
        let moved = ctx.store.environment(env).await.unwrap().updated_at;
        assert_eq!(moved, start_time() + TimeDelta::seconds(5));
    }
}

async fn features_of_searches_and_filters(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let app = project(&ctx, &org, "App").await;
    let checkout = feature(&ctx, &web, "Checkout_v2").await;
    let search = feature(&ctx, &web, "search").await;
    let old = NewFeature {
        settings: FeatureSettings {
            is_archived: true,
            ..FeatureSettings::default()
        },
        ..new_feature(&web, "old checkout")
    };
    let old = ctx.store.create_feature(&old, &audit("f")).await.unwrap();
    let umlaut = feature(&ctx, &web, "Überweisung").await;
    feature(&ctx, &app, "checkout elsewhere").await;
    let ids = |query: FeatureQuery| {
        let store = ctx.store.clone();
        async move {
            let page = store
                .features_of(web.id, &query, PageRequest::all())
                .await
                .unwrap();
            let ids: Vec<_> = page.items.iter().map(|f| f.id).collect();
            assert_eq!(page.total, ids.len() as u64);
            ids
        }
    };
    let everything = ids(FeatureQuery::default()).await;
    assert_eq!(everything, [checkout.id, search.id, old.id, umlaut.id]);
    let searched = |s: &str| FeatureQuery {
        search: Some(s.to_string()),
        ..FeatureQuery::default()
    };
    assert_eq!(ids(searched("CHECKOUT")).await, [checkout.id, old.id]);
    assert_eq!(ids(searched("t_v")).await, [checkout.id]);
    assert_eq!(ids(searched("_")).await, [checkout.id]);
    assert_eq!(ids(searched("%")).await, []);
    assert_eq!(ids(searched("überw")).await, [umlaut.id]);
    let archived = |a: bool| FeatureQuery {
        is_archived: Some(a),
        ..FeatureQuery::default()
    };
    assert_eq!(ids(archived(true)).await, [old.id]);
    assert_eq!(
        ids(archived(false)).await,
        [checkout.id, search.id, umlaut.id]
    );
}

async fn features_of_filters_by_tags(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let red = tag(&ctx, &web, "red").await;
    let blue = tag(&ctx, &web, "blue").await;
    let unused = tag(&ctx, &web, "unused").await;
    let tagged = |name: &str, tags: Vec<TagId>| NewFeature {
        tags,
        ..new_feature(&web, name)
    };
    let mut ids = Vec::new();
    for (name, tags) in [
        ("both", vec![red.id, blue.id]),
        ("red", vec![red.id]),
        ("blue", vec![blue.id]),
        ("none", vec![]),
    ] {
        let f = ctx
            .store
            .create_feature(&tagged(name, tags), &audit("f"))
            .await
            .unwrap();
        ids.push(f.id);
    }
    let [both, only_red, only_blue, untagged] = ids[..] else {
        unreachable!()
    };
    let list = |tags: Option<Vec<TagId>>, union: bool| {
        let store = ctx.store.clone();
        async move {
            let query = FeatureQuery {
                tags,
                tags_union: union,
                ..FeatureQuery::default()
            };
            let page = store
                .features_of(web.id, &query, PageRequest::all())
                .await
                .unwrap();
            assert_eq!(page.total, page.items.len() as u64);
            page.items.iter().map(|f| f.id).collect::<Vec<_>>()
        }
    };
    let red_and_blue = Some(vec![red.id, blue.id]);
    assert_eq!(list(red_and_blue.clone(), false).await, [both]);
    assert_eq!(list(red_and_blue, true).await, [both, only_red, only_blue]);
    assert_eq!(list(Some(vec![red.id]), false).await, [both, only_red]);
    assert_eq!(
        list(Some(vec![red.id, red.id]), false).await,
        [both, only_red]
    );
    assert_eq!(list(Some(vec![red.id, unused.id]), false).await, []);
    assert_eq!(
        list(Some(vec![red.id, unused.id]), true).await,
        [both, only_red]
    );
    assert_eq!(list(Some(vec![]), false).await, [untagged]);
    assert_eq!(list(Some(vec![]), true).await, [untagged]);
    assert_eq!(list(None, false).await.len(), 4);
}

async fn features_of_sorts_and_pages(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    // Created in this order; "alpha" and "Beta" share a creation time.
    let gamma = feature(&ctx, &web, "gamma").await;
    ctx.clock.advance(TimeDelta::seconds(1));
    let alpha = feature(&ctx, &web, "alpha").await;
    let beta = feature(&ctx, &web, "Beta").await;
    ctx.clock.advance(TimeDelta::seconds(1));
    let delta = feature(&ctx, &web, "delta").await;
    let sorted = |sort: FeatureSort, descending: bool, page: PageRequest| {
        let store = ctx.store.clone();
        async move {
            let query = FeatureQuery {
                sort,
                descending,
                ..FeatureQuery::default()
            };
            let page = store.features_of(web.id, &query, page).await.unwrap();
            assert_eq!(page.total, 4);
            page.items.iter().map(|f| f.id).collect::<Vec<_>>()
        }
    };
    let all = PageRequest::all();
    assert_eq!(
        sorted(FeatureSort::CreatedDate, false, all).await,
        [gamma.id, alpha.id, beta.id, delta.id]
    );
    // Ties in the sort key keep id order, whichever the direction.
    assert_eq!(
        sorted(FeatureSort::CreatedDate, true, all).await,
        [delta.id, alpha.id, beta.id, gamma.id]
    );
    // Names sort ignoring case.
    assert_eq!(
        sorted(FeatureSort::Name, false, all).await,
        [alpha.id, beta.id, delta.id, gamma.id]
    );
    assert_eq!(
        sorted(FeatureSort::Name, true, all).await,
        [gamma.id, delta.id, beta.id, alpha.id]
    );
    let page = |page| PageRequest { page, page_size: 3 };
    assert_eq!(
        sorted(FeatureSort::Name, false, page(1)).await,
        [alpha.id, beta.id, delta.id]
    );
    assert_eq!(sorted(FeatureSort::Name, false, page(2)).await, [gamma.id]);
    assert_eq!(sorted(FeatureSort::Name, false, page(3)).await, []);
}

async fn updates_change_what_the_patch_sets_and_are_audited(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    let red = tag(&ctx, &web, "red").await;
    let new = NewFeature {
        settings: FeatureSettings {
            description: Some("first".into()),
            ..FeatureSettings::default()
        },
        ..new_feature(&web, "checkout")
    };
    let checkout = ctx.store.create_feature(&new, &audit("f")).await.unwrap();
    ctx.clock.advance(TimeDelta::seconds(9));
    let patch = FeaturePatch {
        is_archived: Some(true),
        tags: Some(vec![red.id]),
        ..FeaturePatch::default()
    };
    let updated = ctx
        .store
        .update_feature(checkout.id, &patch, &audit("archive"))
        .await
        .unwrap();
    assert!(updated.settings.is_archived);
    assert_eq!(updated.settings.description.as_deref(), Some("first"));
    assert!(!updated.settings.is_server_key_only);
    assert_eq!(updated.tags, [red.id]);
    assert_eq!(updated.name, "checkout");
    assert_eq!(ctx.store.feature(checkout.id).await.unwrap(), updated);
    let entry = last_entry(&ctx, &web).await;
    assert_eq!(entry.related_object_type, "Feature");
    assert_eq!(entry.change_type, ChangeType::Update);
    assert_eq!(changed_fields(&entry), ["is_archived", "tags"]);
    for env in [dev.id, prod.id] {
        let moved = ctx.store.environment(env).await.unwrap().updated_at;
        assert_eq!(moved, start_time() + TimeDelta::seconds(9));
    }
    let clear = FeaturePatch {
        description: Some(None),
        is_server_key_only: Some(true),
        tags: Some(vec![]),
        ..FeaturePatch::default()
    };
    let cleared = ctx
        .store
        .update_feature(checkout.id, &clear, &audit("clear"))
        .await
        .unwrap();
    assert_eq!(cleared.settings.description, None);
    assert!(cleared.settings.is_archived && cleared.settings.is_server_key_only);
    assert!(cleared.tags.is_empty());
    let missing = ctx
        .store
        .update_feature(FeatureId(999), &clear, &audit("x"))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
    let bad_tag = FeaturePatch {
        tags: Some(vec![TagId(999)]),
        ..FeaturePatch::default()
    };
    let refused = ctx
        .store
        .update_feature(checkout.id, &bad_tag, &audit("x"))
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)));
}

async fn deleting_a_feature_deletes_its_states_overrides_and_options(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let new = NewFeature {
        mv_options: vec![mv_option("a", FeatureValue::Integer(1), 10.0)],
        ..new_feature(&web, "doomed")
    };
    let doomed = ctx.store.create_feature(&new, &audit("f")).await.unwrap();
    let kept = feature(&ctx, &web, "kept").await;
    let option = ctx.store.mv_options(doomed.id).await.unwrap()[0].clone();
    let beta = segment(&ctx, &web, "beta").await;
    segment_override(&ctx, &doomed, &beta, &dev, None).await;
    segment_override(&ctx, &kept, &beta, &dev, None).await;
    ctx.clock.advance(TimeDelta::seconds(3));
    ctx.store
        .delete_feature(doomed.id, &audit("gone"))
        .await
        .unwrap();
    assert!(matches!(
        ctx.store.feature(doomed.id).await,
        Err(StoreError::NotFound)
    ));
    let defaults = ctx.store.environment_defaults(dev.id).await.unwrap();
    let features: Vec<_> = defaults.iter().map(|s| s.feature_id).collect();
    assert_eq!(features, [kept.id]);
    assert!(matches!(
        ctx.store.mv_option(option.id).await,
        Err(StoreError::NotFound)
    ));
    let overrides = ctx.store.feature_segments(dev.id, None).await.unwrap();
    assert_eq!(overrides.len(), 1);
    assert_eq!(overrides[0].feature_id, kept.id);
    assert_eq!(
        ctx.store
            .segment_override_states(dev.id)
            .await
            .unwrap()
            .len(),
        1
    );
    let entry = last_entry(&ctx, &web).await;
    assert_eq!(entry.change_type, ChangeType::Delete);
    assert_eq!(entry.related_object_id, Some(doomed.id.0));
    let moved = ctx.store.environment(dev.id).await.unwrap().updated_at;
    assert_eq!(moved, start_time() + TimeDelta::seconds(3));
    assert!(matches!(
        ctx.store.delete_feature(doomed.id, &audit("again")).await,
        Err(StoreError::NotFound)
    ));
}

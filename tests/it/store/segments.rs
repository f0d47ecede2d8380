//! `SegmentStore` on both backends: segments with rule trees, audits and pages.

use chrono::TimeDelta;
use flagstaff::domain::audit::ChangeType;
use flagstaff::domain::segment::{
    Condition, NewSegment, Operator, RuleType, Segment, SegmentQuery, SegmentRule, SegmentUpdate,
};
use flagstaff::domain::{FeatureId, PageRequest, ProjectId, SegmentId};
use flagstaff::store::StoreError;

use super::fixtures::{
    Acme, audit, changed_fields, condition, environment, feature, last_entry, new_segment,
    organisation, project, rule, segment, segment_override,
};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    a_rule_tree_round_trips_in_the_order_written,
    segments_need_their_project_and_feature,
    creating_a_segment_is_audited_and_moves_every_environment,
    segments_of_pages_in_id_order_with_a_total,
    segments_of_searches_names_ignoring_case,
    segments_of_can_hide_feature_specific_segments,
    all_segments_of_lists_every_segment_with_its_rules,
    an_update_replaces_name_description_and_tree,
    an_update_is_audited_and_moves_every_environment,
    deleting_a_segment_deletes_its_rules_and_overrides,
    a_segment_is_found_by_uuid,
);

/// Two top-level rules, nesting two levels deep, with conditions at every level.
fn deep_tree() -> Vec<SegmentRule> {
    let mut split = condition(Operator::PercentageSplit, "", "25");
    split.property = None;
    let mut described = condition(Operator::In, "country", "de,fr");
    described.description = Some("europe".into());
    vec![
        rule(
            RuleType::All,
            vec![
                rule(
                    RuleType::Any,
                    vec![rule(
                        RuleType::None,
                        vec![],
                        vec![condition(Operator::Equal, "banned", "true")],
                    )],
                    vec![
                        condition(Operator::Equal, "plan", "pro"),
                        condition(Operator::GreaterThan, "seats", "10"),
                    ],
                ),
                rule(RuleType::None, vec![], vec![described]),
            ],
            vec![condition(Operator::IsSet, "email", "")],
        ),
        rule(RuleType::Any, vec![], vec![split]),
    ]
}

fn strip(rules: &[SegmentRule]) -> Vec<SegmentRule> {
    rules
        .iter()
        .map(|r| SegmentRule {
            id: None,
            rule_type: r.rule_type,
            rules: strip(&r.rules),
            conditions: r
                .conditions
                .iter()
                .map(|c| Condition {
                    id: None,
                    ..c.clone()
                })
                .collect(),
        })
        .collect()
}

/// Every rule id, then every condition id, in depth-first order.
fn ids(rules: &[SegmentRule], rule_ids: &mut Vec<i64>, condition_ids: &mut Vec<i64>) {
    for r in rules {
        rule_ids.push(r.id.unwrap());
        condition_ids.extend(r.conditions.iter().map(|c| c.id.unwrap()));
        ids(&r.rules, rule_ids, condition_ids);
    }
}

fn all_ids(segment: &Segment) -> (Vec<i64>, Vec<i64>) {
    let (mut rules, mut conditions) = (Vec::new(), Vec::new());
    ids(&segment.rules, &mut rules, &mut conditions);
    (rules, conditions)
}

async fn a_rule_tree_round_trips_in_the_order_written(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let new = NewSegment {
        description: Some("paying customers".into()),
        rules: deep_tree(),
        ..new_segment(&web, "beta users")
    };
    let created = ctx.store.create_segment(&new, &audit("s")).await.unwrap();
    assert_eq!(created.name, "beta users");
    assert_eq!(created.description.as_deref(), Some("paying customers"));
    assert_eq!((created.project_id, created.feature_id), (web.id, None));
    assert_eq!(
        (created.created_at, created.updated_at),
        (start_time(), start_time())
    );
    assert_eq!(strip(&created.rules), deep_tree());
    let (rule_ids, condition_ids) = all_ids(&created);
    assert_eq!(rule_ids.len(), 5);
    assert_eq!(condition_ids.len(), 6);
    // Written depth first, so ids ascend in that order.
    assert!(rule_ids.windows(2).all(|w| w[0] < w[1]), "{rule_ids:?}");
    assert_eq!(ctx.store.segment(created.id).await.unwrap(), created);
    let empty = NewSegment {
        rules: vec![],
        ..new_segment(&web, "nobody")
    };
    let empty = ctx.store.create_segment(&empty, &audit("s")).await.unwrap();
    assert!(ctx.store.segment(empty.id).await.unwrap().rules.is_empty());
}

async fn segments_need_their_project_and_feature(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let mut orphan = new_segment(&web, "orphan");
    orphan.project_id = ProjectId(999);
    let missing = ctx.store.create_segment(&orphan, &audit("s")).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let no_feature = NewSegment {
        feature_id: Some(FeatureId(999)),
        ..new_segment(&web, "specific")
    };
    let missing = ctx.store.create_segment(&no_feature, &audit("s")).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let checkout = feature(&ctx, &web, "checkout").await;
    let specific = NewSegment {
        feature_id: Some(checkout.id),
        ..new_segment(&web, "specific")
    };
    let specific = ctx
        .store
        .create_segment(&specific, &audit("s"))
        .await
        .unwrap();
    assert_eq!(specific.feature_id, Some(checkout.id));
    assert!(matches!(
        ctx.store.segment(SegmentId(999)).await,
        Err(StoreError::NotFound)
    ));
}

async fn creating_a_segment_is_audited_and_moves_every_environment(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    ctx.clock.advance(TimeDelta::seconds(6));
    let beta = segment(&ctx, &web, "beta").await;
    let entry = last_entry(&ctx, &web).await;
    assert_eq!(entry.related_object_type, "Segment");
    assert_eq!(entry.related_object_id, Some(beta.id.0));
    assert_eq!(
        entry.related_object_uuid.as_deref(),
        Some(beta.uuid.as_str())
    );
    assert_eq!(entry.change_type, ChangeType::Create);
    assert_eq!(
        (entry.project_id, entry.environment_id),
        (Some(web.id), None)
    );
    for env in [dev.id, prod.id] {
        let moved = ctx.store.environment(env).await.unwrap().updated_at;
        assert_eq!(moved, start_time() + TimeDelta::seconds(6));
    }
}

async fn list(
    ctx: &Ctx,
    project: ProjectId,
    query: SegmentQuery,
    page: PageRequest,
) -> (Vec<SegmentId>, u64) {
    let page = ctx.store.segments_of(project, &query, page).await.unwrap();
    (page.items.iter().map(|s| s.id).collect(), page.total)
}

fn everything() -> SegmentQuery {
    SegmentQuery {
        search: None,
        include_feature_specific: true,
    }
}

async fn segments_of_pages_in_id_order_with_a_total(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let app = project(&ctx, &org, "App").await;
    let mut made = Vec::new();
    for name in ["c", "a", "b", "d", "e"] {
        made.push(segment(&ctx, &web, name).await.id);
    }
    segment(&ctx, &app, "elsewhere").await;
    let page = |page| PageRequest { page, page_size: 2 };
    assert_eq!(
        list(&ctx, web.id, everything(), page(1)).await,
        (made[..2].to_vec(), 5)
    );
    assert_eq!(
        list(&ctx, web.id, everything(), page(3)).await,
        (made[4..].to_vec(), 5)
    );
    assert_eq!(list(&ctx, web.id, everything(), page(4)).await, (vec![], 5));
    let first = ctx
        .store
        .segments_of(web.id, &everything(), page(1))
        .await
        .unwrap();
    assert_eq!(first.items[0], ctx.store.segment(made[0]).await.unwrap());
    assert!(!first.items[0].rules.is_empty());
}

async fn segments_of_searches_names_ignoring_case(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let beta = segment(&ctx, &web, "Beta users").await;
    let testers = segment(&ctx, &web, "early BETA_testers").await;
    let percent = segment(&ctx, &web, "100% of Österreich").await;
    segment(&ctx, &web, "everyone").await;
    segment(&ctx, &web, "giant").await;
    let search = |s: &str| SegmentQuery {
        search: Some(s.to_string()),
        include_feature_specific: true,
    };
    let all = PageRequest::all();
    assert_eq!(
        list(&ctx, web.id, search("beta"), all).await,
        (vec![beta.id, testers.id], 2)
    );
    assert_eq!(
        list(&ctx, web.id, search("A_T"), all).await,
        (vec![testers.id], 1)
    );
    assert_eq!(
        list(&ctx, web.id, search("%"), all).await,
        (vec![percent.id], 1)
    );
    assert_eq!(
        list(&ctx, web.id, search("österr"), all).await,
        (vec![percent.id], 1)
    );
    assert_eq!(list(&ctx, web.id, search("nobody"), all).await, (vec![], 0));
}

async fn segments_of_can_hide_feature_specific_segments(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let shared = segment(&ctx, &web, "shared").await;
    let specific = NewSegment {
        feature_id: Some(checkout.id),
        ..new_segment(&web, "checkout only")
    };
    let specific = ctx
        .store
        .create_segment(&specific, &audit("s"))
        .await
        .unwrap();
    let all = PageRequest::all();
    assert_eq!(
        list(&ctx, web.id, everything(), all).await,
        (vec![shared.id, specific.id], 2)
    );
    let project_wide = SegmentQuery {
        search: None,
        include_feature_specific: false,
    };
    assert_eq!(
        list(&ctx, web.id, project_wide, all).await,
        (vec![shared.id], 1)
    );
}

async fn all_segments_of_lists_every_segment_with_its_rules(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let app = project(&ctx, &org, "App").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let deep = NewSegment {
        rules: deep_tree(),
        ..new_segment(&web, "deep")
    };
    let deep = ctx.store.create_segment(&deep, &audit("s")).await.unwrap();
    segment(&ctx, &app, "elsewhere").await;
    let plain = segment(&ctx, &web, "plain").await;
    let specific = NewSegment {
        feature_id: Some(checkout.id),
        ..new_segment(&web, "specific")
    };
    let specific = ctx
        .store
        .create_segment(&specific, &audit("s"))
        .await
        .unwrap();
    let all = ctx.store.all_segments_of(web.id).await.unwrap();
    assert_eq!(all, [deep, plain, specific]);
    assert!(
        ctx.store
            .all_segments_of(ProjectId(999))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn an_update_replaces_name_description_and_tree(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let deep = NewSegment {
        description: Some("old".into()),
        rules: deep_tree(),
        ..new_segment(&web, "deep")
    };
    let deep = ctx.store.create_segment(&deep, &audit("s")).await.unwrap();
    let other = segment(&ctx, &web, "other").await;
    let (old_rules, old_conditions) = all_ids(&deep);
    let new_tree = vec![rule(
        RuleType::Any,
        vec![rule(
            RuleType::All,
            vec![],
            vec![
                condition(Operator::Regex, "email", ".*@acme\\.com"),
                condition(Operator::Modulo, "id", "2|0"),
            ],
        )],
        vec![],
    )];
    let update = SegmentUpdate {
        name: "acme staff".into(),
        description: None,
        rules: new_tree.clone(),
    };
    let updated = ctx
        .store
        .update_segment(deep.id, &update, &audit("u"))
        .await
        .unwrap();
    assert_eq!(updated.name, "acme staff");
    assert_eq!(updated.description, None);
    assert_eq!(strip(&updated.rules), new_tree);
    assert_eq!(
        (updated.id, updated.uuid.as_str()),
        (deep.id, deep.uuid.as_str())
    );
    assert_eq!(updated.created_at, deep.created_at);
    let (new_rules, new_conditions) = all_ids(&updated);
    assert!(new_rules.iter().all(|id| !old_rules.contains(id)));
    assert!(new_conditions.iter().all(|id| !old_conditions.contains(id)));
    assert_eq!(ctx.store.segment(deep.id).await.unwrap(), updated);
    // Other segments keep their trees.
    assert_eq!(ctx.store.segment(other.id).await.unwrap(), other);
    let missing = ctx
        .store
        .update_segment(SegmentId(999), &update, &audit("u"))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

async fn an_update_is_audited_and_moves_every_environment(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    let beta = segment(&ctx, &web, "beta").await;
    ctx.clock.advance(TimeDelta::minutes(2));
    // Same name, same tree (rewritten with new ids): only the description changes.
    let update = SegmentUpdate {
        name: "beta".into(),
        description: Some("testers".into()),
        rules: strip(&beta.rules),
    };
    let updated = ctx
        .store
        .update_segment(beta.id, &update, &audit("describe"))
        .await
        .unwrap();
    let later = start_time() + TimeDelta::minutes(2);
    assert_eq!(updated.updated_at, later);
    let entry = last_entry(&ctx, &web).await;
    assert_eq!(entry.related_object_type, "Segment");
    assert_eq!(entry.related_object_id, Some(beta.id.0));
    assert_eq!(entry.change_type, ChangeType::Update);
    assert_eq!(entry.log, "describe");
    assert_eq!(changed_fields(&entry), ["description"]);
    for env in [dev.id, prod.id] {
        assert_eq!(ctx.store.environment(env).await.unwrap().updated_at, later);
    }
    let renamed = SegmentUpdate {
        name: "gamma".into(),
        rules: vec![],
        ..update
    };
    ctx.store
        .update_segment(beta.id, &renamed, &audit("rename"))
        .await
        .unwrap();
    assert_eq!(
        changed_fields(&last_entry(&ctx, &web).await),
        ["name", "rules"]
    );
}

async fn deleting_a_segment_deletes_its_rules_and_overrides(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let search = feature(&ctx, &web, "search").await;
    let first = segment(&ctx, &web, "first").await;
    let doomed = segment(&ctx, &web, "doomed").await;
    let last = segment(&ctx, &web, "last").await;
    for s in [&first, &doomed, &last] {
        segment_override(&ctx, &checkout, s, &dev, None).await;
    }
    segment_override(&ctx, &checkout, &doomed, &prod, None).await;
    segment_override(&ctx, &search, &last, &dev, None).await;
    ctx.clock.advance(TimeDelta::seconds(8));
    ctx.store
        .delete_segment(doomed.id, &audit("gone"))
        .await
        .unwrap();
    assert!(matches!(
        ctx.store.segment(doomed.id).await,
        Err(StoreError::NotFound)
    ));
    let overrides: Vec<_> = ctx
        .store
        .feature_segments(dev.id, Some(checkout.id))
        .await
        .unwrap()
        .iter()
        .map(|fs| (fs.segment_id, fs.priority))
        .collect();
    // Its override is gone and the others close up.
    assert_eq!(overrides, [(first.id, 0), (last.id, 1)]);
    assert!(
        ctx.store
            .feature_segments(prod.id, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        ctx.store
            .segment_override_states(prod.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ctx.store
            .segment_override_states(dev.id)
            .await
            .unwrap()
            .len(),
        3
    );
    let entry = last_entry(&ctx, &web).await;
    assert_eq!(entry.related_object_type, "Segment");
    assert_eq!(entry.change_type, ChangeType::Delete);
    assert_eq!(entry.related_object_id, Some(doomed.id.0));
    for env in [dev.id, prod.id] {
        let moved = ctx.store.environment(env).await.unwrap().updated_at;
        assert_eq!(moved, start_time() + TimeDelta::seconds(8));
    }
    let names: Vec<_> = ctx
        .store
        .all_segments_of(web.id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["first", "last"]);
    assert!(matches!(
        ctx.store.delete_segment(doomed.id, &audit("again")).await,
        Err(StoreError::NotFound)
    ));
}

async fn a_segment_is_found_by_uuid(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    segment(&ctx, &web, "alpha").await;
    let beta = segment(&ctx, &web, "beta").await;
    assert_eq!(ctx.store.segment_by_uuid(&beta.uuid).await.unwrap(), beta);
    ctx.store
        .delete_segment(beta.id, &audit("gone"))
        .await
        .unwrap();
    for uuid in [beta.uuid.as_str(), "00000000-0000-4000-8000-000000000000"] {
        assert!(matches!(
            ctx.store.segment_by_uuid(uuid).await,
            Err(StoreError::NotFound)
        ));
    }
}

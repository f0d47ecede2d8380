//! `ProjectStore` on both backends: projects, upstream's defaults, unique names, audits.

use chrono::TimeDelta;
use flagstaff::domain::audit::{AuditQuery, ChangeType};
use flagstaff::domain::project::ProjectSettings;
use flagstaff::domain::{OrganisationId, PageRequest, ProjectId};
use flagstaff::store::StoreError;

use super::fixtures::{Acme, audit, environment, organisation, project};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    a_project_reads_back_with_upstream_defaults,
    names_are_unique_within_an_organisation_only,
    projects_of_an_organisation_come_in_id_order,
    updates_are_audited_and_move_every_environment,
    deleting_a_project_deletes_its_environments,
    projects_need_an_existing_organisation,
);

async fn a_project_reads_back_with_upstream_defaults(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let created = project(&ctx, &org, "Web").await;
    assert_eq!(created.settings, ProjectSettings::named("Web"));
    assert!(created.settings.only_allow_lower_case_feature_names);
    assert_eq!(created.settings.max_segments_allowed, 500);
    assert_eq!(created.organisation_id, org.id);
    assert_eq!(created.created_date, start_time());
    assert_eq!(ctx.store.project(created.id).await.unwrap(), created);
    let log = ctx
        .store
        .audit_entries(
            &AuditQuery {
                project_id: Some(created.id),
                ..AuditQuery::default()
            },
            PageRequest::all(),
        )
        .await
        .unwrap();
    assert_eq!(log.items[0].related_object_type, "Project");
    assert_eq!(log.items[0].organisation_id, Some(org.id));
}

async fn names_are_unique_within_an_organisation_only(ctx: Ctx) {
    let acme = organisation(&ctx, "Acme").await;
    let other = organisation(&ctx, "Other").await;
    project(&ctx, &acme, "Web").await;
    let clash = ctx
        .store
        .create_project(acme.id, &ProjectSettings::named("Web"), &audit("p"))
        .await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    project(&ctx, &other, "Web").await;
    let mobile = project(&ctx, &acme, "Mobile").await;
    let rename = ctx
        .store
        .update_project(mobile.id, &ProjectSettings::named("Web"), &audit("p"))
        .await;
    assert!(matches!(rename, Err(StoreError::Conflict(_))), "{rename:?}");
}

async fn projects_of_an_organisation_come_in_id_order(ctx: Ctx) {
    let acme = organisation(&ctx, "Acme").await;
    let other = organisation(&ctx, "Other").await;
    let b = project(&ctx, &acme, "B").await;
    project(&ctx, &other, "X").await;
    let a = project(&ctx, &acme, "A").await;
    let ids: Vec<_> = ctx
        .store
        .projects_of(acme.id)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, [b.id, a.id]);
}

async fn updates_are_audited_and_move_every_environment(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    ctx.clock.advance(TimeDelta::minutes(1));
    let settings = ProjectSettings {
        hide_disabled_flags: true,
        ..web.settings.clone()
    };
    let updated = ctx
        .store
        .update_project(web.id, &settings, &audit("hide"))
        .await
        .unwrap();
    assert!(updated.settings.hide_disabled_flags);
    let later = start_time() + TimeDelta::minutes(1);
    for env in [dev, prod] {
        assert_eq!(
            ctx.store.environment(env.id).await.unwrap().updated_at,
            later
        );
    }
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
    let newest = &log.items[0];
    assert_eq!(newest.change_type, ChangeType::Update);
    assert_eq!(newest.change_details.len(), 1);
    assert_eq!(newest.change_details[0].field, "hide_disabled_flags");
}

async fn deleting_a_project_deletes_its_environments(ctx: Ctx) {
    let Acme { org, web, dev } = Acme::new(&ctx).await;
    ctx.store
        .delete_project(web.id, &audit("delete"))
        .await
        .unwrap();
    assert!(matches!(
        ctx.store.project(web.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store.environment(dev.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        ctx.store
            .environment_by_api_key(&dev.api_key)
            .await
            .unwrap(),
        None
    );
    assert!(matches!(
        ctx.store.delete_project(web.id, &audit("again")).await,
        Err(StoreError::NotFound)
    ));
    // The deletion stays in the organisation's log.
    let log = ctx
        .store
        .audit_entries(
            &AuditQuery {
                organisation_id: Some(org.id),
                ..AuditQuery::default()
            },
            PageRequest::all(),
        )
        .await
        .unwrap();
    assert_eq!(log.items[0].change_type, ChangeType::Delete);
    assert_eq!(log.items[0].related_object_type, "Project");
}

async fn projects_need_an_existing_organisation(ctx: Ctx) {
    let orphan = ctx
        .store
        .create_project(
            OrganisationId(999),
            &ProjectSettings::named("x"),
            &audit("p"),
        )
        .await;
    assert!(matches!(orphan, Err(StoreError::NotFound)), "{orphan:?}");
    assert!(matches!(
        ctx.store.project(ProjectId(999)).await,
        Err(StoreError::NotFound)
    ));
}

//! `TagStore` on both backends: a project's tags, plain and unaudited, found by uuid.

use flagstaff::domain::audit::AuditQuery;
use flagstaff::domain::feature::NewFeature;
use flagstaff::domain::{PageRequest, ProjectId};
use flagstaff::store::StoreError;

use super::fixtures::{audit, new_feature, new_tag, organisation, project, tag};
use crate::harness::Ctx;
use crate::on_both_backends;

on_both_backends!(tags_are_plain_unaudited_crud, a_tag_is_found_by_uuid,);

async fn tags_are_plain_unaudited_crud(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let app = project(&ctx, &org, "App").await;
    let red = tag(&ctx, &web, "red").await;
    let blue = tag(&ctx, &web, "blue").await;
    tag(&ctx, &app, "green").await;
    assert_eq!((red.label.as_str(), red.project_id), ("red", web.id));
    assert_eq!(ctx.store.tag(red.id).await.unwrap(), red);
    assert_eq!(
        ctx.store.tags_of(web.id).await.unwrap(),
        [red.clone(), blue.clone()]
    );
    let mut change = new_tag(&app, "scarlet");
    change.color = "#FF0000".into();
    change.description = Some("hot".into());
    change.is_permanent = true;
    let updated = ctx.store.update_tag(red.id, &change).await.unwrap();
    assert_eq!(updated.project_id, web.id);
    assert_eq!(updated.label, "scarlet");
    assert_eq!(updated.color, "#FF0000");
    assert_eq!(updated.description.as_deref(), Some("hot"));
    assert!(updated.is_permanent);
    let new = NewFeature {
        tags: vec![red.id, blue.id],
        ..new_feature(&web, "tagged")
    };
    let tagged = ctx.store.create_feature(&new, &audit("f")).await.unwrap();
    ctx.store.delete_tag(red.id).await.unwrap();
    assert_eq!(ctx.store.feature(tagged.id).await.unwrap().tags, [blue.id]);
    assert!(matches!(
        ctx.store.tag(red.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store.delete_tag(red.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store.update_tag(red.id, &change).await,
        Err(StoreError::NotFound)
    ));
    let mut orphan = new_tag(&web, "orphan");
    orphan.project_id = ProjectId(999);
    assert!(matches!(
        ctx.store.create_tag(&orphan).await,
        Err(StoreError::NotFound)
    ));
    // The project's log holds its own creation and the feature's, nothing about tags.
    let query = AuditQuery {
        project_id: Some(web.id),
        ..AuditQuery::default()
    };
    let log = ctx
        .store
        .audit_entries(&query, PageRequest::all())
        .await
        .unwrap();
    let types: Vec<_> = log
        .items
        .iter()
        .map(|e| e.related_object_type.as_str())
        .collect();
    assert_eq!(types, ["Feature", "Project"]);
}

async fn a_tag_is_found_by_uuid(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    tag(&ctx, &web, "blue").await;
    let red = tag(&ctx, &web, "red").await;
    assert_eq!(ctx.store.tag_by_uuid(&red.uuid).await.unwrap(), red);
    ctx.store.delete_tag(red.id).await.unwrap();
    for uuid in [
        red.uuid.as_str(),
        "00000000-0000-4000-8000-000000000000",
        "",
    ] {
        assert!(matches!(
            ctx.store.tag_by_uuid(uuid).await,
            Err(StoreError::NotFound)
        ));
    }
}

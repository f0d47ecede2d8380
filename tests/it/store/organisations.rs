//! `OrganisationStore` on both backends: organisations, their members, roles and audits.

use chrono::TimeDelta;
use flagstaff::domain::audit::{Audit, AuditQuery, Author, ChangeType};
use flagstaff::domain::organisation::{
    NewOrgApiKey, NewOrganisation, OrgApiKeyPatch, OrganisationSettings, Role,
};
use flagstaff::domain::{OrganisationId, PageRequest, UserId};
use flagstaff::store::StoreError;

use super::fixtures::{audit, organisation, user};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    the_creator_becomes_admin_and_the_creation_is_audited,
    organisations_of_a_user_carry_their_role_in_id_order,
    updates_are_audited_with_the_fields_that_changed,
    memberships_are_added_changed_and_removed,
    memberships_need_an_existing_user_and_organisation,
    deleting_an_organisation_removes_its_members_and_keys,
    api_keys_are_found_by_prefix_and_prefixes_are_unique,
    api_key_updates_and_deletes_are_audited,
);

fn key(org: OrganisationId, prefix: &str) -> NewOrgApiKey {
    NewOrgApiKey {
        organisation_id: org,
        prefix: prefix.to_string(),
        hashed_key: format!("hash-of-{prefix}"),
        name: "ci".into(),
        expiry_date: None,
        is_admin: true,
        created_by: None,
    }
}

async fn the_creator_becomes_admin_and_the_creation_is_audited(ctx: Ctx) {
    let ada = user(&ctx, "ada@example.com").await;
    let new = NewOrganisation {
        name: "Acme".into(),
        settings: OrganisationSettings::default(),
    };
    let by_ada = Audit::new(Author::User(ada.id), "Organisation created: Acme");
    let org = ctx
        .store
        .create_organisation(&new, Some(ada.id), &by_ada)
        .await
        .unwrap();
    assert_eq!(org.name, "Acme");
    assert!(org.settings.persist_trait_data);
    assert_eq!(org.created_date, start_time());
    assert_eq!(ctx.store.organisation(org.id).await.unwrap(), org);
    let membership = ctx.store.membership(org.id, ada.id).await.unwrap().unwrap();
    assert_eq!(membership.role, Role::Admin);

    let query = AuditQuery {
        organisation_id: Some(org.id),
        ..AuditQuery::default()
    };
    let log = ctx
        .store
        .audit_entries(&query, PageRequest::all())
        .await
        .unwrap();
    assert_eq!(log.total, 1);
    let entry = &log.items[0];
    assert_eq!(entry.author, Some(Author::User(ada.id)));
    assert_eq!(entry.change_type, ChangeType::Create);
    assert_eq!(entry.related_object_type, "Organisation");
    assert_eq!(entry.related_object_id, Some(org.id.0));
    assert_eq!(
        entry.related_object_uuid.as_deref(),
        Some(org.uuid.as_str())
    );
    assert_eq!(entry.log, "Organisation created: Acme");
    assert_eq!(ctx.store.audit_entry(entry.id).await.unwrap(), *entry);
}

async fn organisations_of_a_user_carry_their_role_in_id_order(ctx: Ctx) {
    let ada = user(&ctx, "ada@example.com").await;
    let first = organisation(&ctx, "First").await;
    let second = organisation(&ctx, "Second").await;
    organisation(&ctx, "Not hers").await;
    ctx.store
        .set_membership(second.id, ada.id, Role::User)
        .await
        .unwrap();
    ctx.store
        .set_membership(first.id, ada.id, Role::Admin)
        .await
        .unwrap();
    let orgs = ctx.store.organisations_of(ada.id).await.unwrap();
    let seen: Vec<_> = orgs.iter().map(|(o, r)| (o.name.as_str(), *r)).collect();
    assert_eq!(seen, [("First", Role::Admin), ("Second", Role::User)]);
}

async fn updates_are_audited_with_the_fields_that_changed(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    ctx.clock.advance(TimeDelta::seconds(5));
    let settings = OrganisationSettings {
        persist_trait_data: false,
        ..org.settings.clone()
    };
    let updated = ctx
        .store
        .update_organisation(org.id, "Acme Ltd", &settings, &audit("renamed"))
        .await
        .unwrap();
    assert_eq!(updated.name, "Acme Ltd");
    assert!(!updated.settings.persist_trait_data);
    assert_eq!(updated.created_date, org.created_date);

    let query = AuditQuery {
        organisation_id: Some(org.id),
        ..AuditQuery::default()
    };
    let log = ctx
        .store
        .audit_entries(&query, PageRequest::all())
        .await
        .unwrap();
    assert_eq!(log.total, 2);
    let newest = &log.items[0];
    assert_eq!(newest.change_type, ChangeType::Update);
    assert_eq!(newest.created_date, start_time() + TimeDelta::seconds(5));
    let fields: Vec<_> = newest
        .change_details
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(fields, ["name", "persist_trait_data"]);
    assert_eq!(newest.change_details[0].old, serde_json::json!("Acme"));
    assert_eq!(newest.change_details[0].new, serde_json::json!("Acme Ltd"));

    let missing = ctx
        .store
        .update_organisation(OrganisationId(999), "x", &settings, &audit("x"))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

async fn memberships_are_added_changed_and_removed(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let ada = user(&ctx, "ada@example.com").await;
    let bob = user(&ctx, "bob@example.com").await;
    ctx.store
        .set_membership(org.id, bob.id, Role::User)
        .await
        .unwrap();
    ctx.store
        .set_membership(org.id, ada.id, Role::User)
        .await
        .unwrap();
    let changed = ctx
        .store
        .set_membership(org.id, ada.id, Role::Admin)
        .await
        .unwrap();
    assert_eq!(changed.role, Role::Admin);
    let members = ctx.store.members(org.id).await.unwrap();
    let seen: Vec<_> = members
        .iter()
        .map(|(u, m)| (u.email.as_str(), m.role))
        .collect();
    assert_eq!(
        seen,
        [
            ("ada@example.com", Role::Admin),
            ("bob@example.com", Role::User)
        ]
    );
    ctx.store.remove_membership(org.id, bob.id).await.unwrap();
    assert_eq!(ctx.store.membership(org.id, bob.id).await.unwrap(), None);
    assert!(matches!(
        ctx.store.remove_membership(org.id, bob.id).await,
        Err(StoreError::NotFound)
    ));
}

async fn memberships_need_an_existing_user_and_organisation(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let ada = user(&ctx, "ada@example.com").await;
    assert!(matches!(
        ctx.store
            .set_membership(org.id, UserId(999), Role::User)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store
            .set_membership(OrganisationId(999), ada.id, Role::User)
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn deleting_an_organisation_removes_its_members_and_keys(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let ada = user(&ctx, "ada@example.com").await;
    ctx.store
        .set_membership(org.id, ada.id, Role::Admin)
        .await
        .unwrap();
    ctx.store
        .create_org_api_key(&key(org.id, "abcd1234"), &audit("key"))
        .await
        .unwrap();
    ctx.store.delete_organisation(org.id).await.unwrap();
    assert!(matches!(
        ctx.store.organisation(org.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(ctx.store.organisations_of(ada.id).await.unwrap().is_empty());
    assert_eq!(
        ctx.store.org_api_key_by_prefix("abcd1234").await.unwrap(),
        None
    );
    // The user stays.
    assert!(ctx.store.user(ada.id).await.is_ok());
    assert!(matches!(
        ctx.store.delete_organisation(org.id).await,
        Err(StoreError::NotFound)
    ));
}

async fn api_keys_are_found_by_prefix_and_prefixes_are_unique(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let other = organisation(&ctx, "Other").await;
    let created = ctx
        .store
        .create_org_api_key(&key(org.id, "abcd1234"), &audit("key"))
        .await
        .unwrap();
    assert_eq!(created.hashed_key, "hash-of-abcd1234");
    assert!(!created.revoked && created.is_admin);
    assert_eq!(created.created, start_time());
    let clash = ctx
        .store
        .create_org_api_key(&key(other.id, "abcd1234"), &audit("key"))
        .await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    ctx.store
        .create_org_api_key(&key(org.id, "efgh5678"), &audit("key"))
        .await
        .unwrap();
    let keys = ctx.store.org_api_keys(org.id).await.unwrap();
    let prefixes: Vec<_> = keys.iter().map(|k| k.prefix.as_str()).collect();
    assert_eq!(prefixes, ["abcd1234", "efgh5678"]);
    assert!(ctx.store.org_api_keys(other.id).await.unwrap().is_empty());
    assert_eq!(
        ctx.store.org_api_key_by_prefix("abcd1234").await.unwrap(),
        Some(created)
    );
    let orphan = ctx
        .store
        .create_org_api_key(&key(OrganisationId(999), "zzzz0000"), &audit("key"))
        .await;
    assert!(matches!(orphan, Err(StoreError::NotFound)), "{orphan:?}");
}

async fn api_key_updates_and_deletes_are_audited(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let created = ctx
        .store
        .create_org_api_key(&key(org.id, "abcd1234"), &audit("key"))
        .await
        .unwrap();
    let expiry = start_time() + TimeDelta::days(1);
    let patch = OrgApiKeyPatch {
        revoked: Some(true),
        expiry_date: Some(Some(expiry)),
        ..OrgApiKeyPatch::default()
    };
    let updated = ctx
        .store
        .update_org_api_key(created.id, &patch, &audit("revoke"))
        .await
        .unwrap();
    assert!(updated.revoked);
    assert_eq!(updated.expiry_date, Some(expiry));
    assert_eq!(updated.name, "ci");
    assert!(updated.has_expired(expiry));
    assert!(!updated.has_expired(start_time()));
    ctx.store
        .delete_org_api_key(created.id, &audit("delete"))
        .await
        .unwrap();
    assert_eq!(
        ctx.store.org_api_key_by_prefix("abcd1234").await.unwrap(),
        None
    );
    assert!(matches!(
        ctx.store
            .delete_org_api_key(created.id, &audit("again"))
            .await,
        Err(StoreError::NotFound)
    ));
    let query = AuditQuery {
        organisation_id: Some(org.id),
        search: Some("REVOKE".into()),
        ..AuditQuery::default()
    };
    let found = ctx
        .store
        .audit_entries(&query, PageRequest::all())
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.items[0].related_object_type, "Master API key");
}

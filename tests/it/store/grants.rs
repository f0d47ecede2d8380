//! `GrantStore` on both backends: permission grants to users and groups, and what a user holds.

use flagstaff::domain::permission::{GrantId, GrantTarget, Grantee};
use flagstaff::domain::{ProjectId, UserId};
use flagstaff::store::StoreError;

use super::fixtures::{environment, new_group, organisation, project, user};
use crate::harness::Ctx;
use crate::on_both_backends;

on_both_backends!(
    grants_store_sorted_keys_and_are_unique_per_grantee,
    a_user_gets_their_own_and_their_groups_grants,
    deleting_a_group_or_target_deletes_its_grants,
);

async fn grants_store_sorted_keys_and_are_unique_per_grantee(ctx: Ctx) {
    let acme = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &acme, "Web").await;
    let ada = user(&ctx, "ada@example.com").await;
    let target = GrantTarget::Project(web.id);
    let keys = [
        "VIEW_PROJECT".to_string(),
        "CREATE_FEATURE".into(),
        "VIEW_PROJECT".into(),
    ];
    let grant = ctx
        .store
        .create_grant(target, Grantee::User(ada.id), false, &keys)
        .await
        .unwrap();
    assert_eq!(grant.permissions, ["CREATE_FEATURE", "VIEW_PROJECT"]);
    assert_eq!(
        (grant.target, grant.grantee, grant.admin),
        (target, Grantee::User(ada.id), false)
    );
    let clash = ctx
        .store
        .create_grant(target, Grantee::User(ada.id), true, &[])
        .await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    assert_eq!(
        ctx.store.grants(target).await.unwrap(),
        std::slice::from_ref(&grant)
    );
    assert_eq!(ctx.store.grant(target, grant.id).await.unwrap(), grant);
    let updated = ctx
        .store
        .update_grant(target, grant.id, true, &["EDIT_FEATURE".into()])
        .await
        .unwrap();
    assert!(updated.admin);
    assert_eq!(updated.permissions, ["EDIT_FEATURE"]);
    ctx.store.delete_grant(target, grant.id).await.unwrap();
    assert!(ctx.store.grants(target).await.unwrap().is_empty());
    assert!(matches!(
        ctx.store.delete_grant(target, grant.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store
            .update_grant(target, GrantId(999), true, &[])
            .await,
        Err(StoreError::NotFound)
    ));
    let orphan = ctx
        .store
        .create_grant(
            GrantTarget::Project(ProjectId(999)),
            Grantee::User(ada.id),
            false,
            &[],
        )
        .await;
    assert!(matches!(orphan, Err(StoreError::NotFound)), "{orphan:?}");
    let nobody = ctx
        .store
        .create_grant(target, Grantee::User(UserId(999)), false, &[])
        .await;
    assert!(matches!(nobody, Err(StoreError::NotFound)), "{nobody:?}");
}

async fn a_user_gets_their_own_and_their_groups_grants(ctx: Ctx) {
    let acme = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &acme, "Web").await;
    let dev = environment(&ctx, &web, "Development").await;
    let ada = user(&ctx, "ada@example.com").await;
    let bob = user(&ctx, "bob@example.com").await;
    let group = ctx
        .store
        .create_group(&new_group(acme.id, "Developers", false))
        .await
        .unwrap();
    ctx.store
        .add_group_members(group.id, &[ada.id])
        .await
        .unwrap();
    let env = GrantTarget::Environment(dev.id);
    let own = ctx
        .store
        .create_grant(
            env,
            Grantee::User(ada.id),
            false,
            &["VIEW_ENVIRONMENT".into()],
        )
        .await
        .unwrap();
    let via = ctx
        .store
        .create_grant(env, Grantee::Group(group.id), true, &[])
        .await
        .unwrap();
    ctx.store
        .create_grant(
            env,
            Grantee::User(bob.id),
            false,
            &["VIEW_IDENTITIES".into()],
        )
        .await
        .unwrap();
    let for_ada = ctx.store.grants_for_user(env, ada.id).await.unwrap();
    assert_eq!(for_ada, [own, via]);
    assert!(
        ctx.store
            .grants_for_user(GrantTarget::Project(web.id), ada.id)
            .await
            .unwrap()
            .is_empty()
    );
    let org = GrantTarget::Organisation(acme.id);
    ctx.store
        .create_grant(
            org,
            Grantee::Group(group.id),
            false,
            &["CREATE_PROJECT".into()],
        )
        .await
        .unwrap();
    assert_eq!(
        ctx.store.grants_for_user(org, ada.id).await.unwrap()[0].permissions,
        ["CREATE_PROJECT"]
    );
    assert!(
        ctx.store
            .grants_for_user(org, bob.id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn deleting_a_group_or_target_deletes_its_grants(ctx: Ctx) {
    let acme = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &acme, "Web").await;
    let group = ctx
        .store
        .create_group(&new_group(acme.id, "Developers", false))
        .await
        .unwrap();
    let target = GrantTarget::Project(web.id);
    ctx.store
        .create_grant(target, Grantee::Group(group.id), false, &[])
        .await
        .unwrap();
    ctx.store.delete_group(group.id).await.unwrap();
    assert!(ctx.store.grants(target).await.unwrap().is_empty());
    let ada = user(&ctx, "ada@example.com").await;
    ctx.store
        .create_grant(target, Grantee::User(ada.id), true, &[])
        .await
        .unwrap();
    ctx.store
        .delete_project(web.id, &super::fixtures::audit("gone"))
        .await
        .unwrap();
    assert!(ctx.store.grants(target).await.unwrap().is_empty());
}

use flagstaff::domain::organisation::Role;
use flagstaff::domain::permission::{GrantId, GrantTarget, Grantee, GroupId, NewGroup};
use flagstaff::domain::{OrganisationId, ProjectId, UserId};
use flagstaff::store::StoreError;

use super::fixtures::{environment, organisation, project, user};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    groups_are_created_listed_renamed_and_deleted,
    group_members_are_added_removed_and_made_admin,
    grants_store_sorted_keys_and_are_unique_per_grantee,
    a_user_gets_their_own_and_their_groups_grants,
    deleting_a_group_or_target_deletes_its_grants,
    an_accepted_invite_joins_and_is_used_up,
    a_link_joins_without_being_used_up,
);

fn new_group(org: OrganisationId, name: &str, is_default: bool) -> NewGroup {
    NewGroup {
        organisation_id: org,
        name: name.to_string(),
        is_default,
        external_id: None,
    }
}

async fn groups_are_created_listed_renamed_and_deleted(ctx: Ctx) {
    let acme = organisation(&ctx, "Acme").await;
    let other = organisation(&ctx, "Other").await;
    let devs = ctx
        .store
        .create_group(&new_group(acme.id, "Developers", false))
        .await
        .unwrap();
    assert_eq!(
        (devs.name.as_str(), devs.is_default, devs.members.len()),
        ("Developers", false, 0)
    );
    let clash = ctx
        .store
        .create_group(&new_group(acme.id, "Developers", false))
        .await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    ctx.store
        .create_group(&new_group(other.id, "Developers", false))
        .await
        .unwrap();
    let ops = ctx
        .store
        .create_group(&new_group(acme.id, "Ops", true))
        .await
        .unwrap();
    let ids: Vec<GroupId> = ctx
        .store
        .groups_of(acme.id)
        .await
        .unwrap()
        .iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(ids, [devs.id, ops.id]);
    let renamed = ctx
        .store
        .update_group(devs.id, "Engineers", true, Some("ext-1"))
        .await
        .unwrap();
    assert_eq!(
        (
            renamed.name.as_str(),
            renamed.is_default,
            renamed.external_id.as_deref()
        ),
        ("Engineers", true, Some("ext-1"))
    );
    let taken = ctx.store.update_group(devs.id, "Ops", false, None).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    ctx.store.delete_group(ops.id).await.unwrap();
    assert!(matches!(
        ctx.store.group(ops.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store.delete_group(ops.id).await,
        Err(StoreError::NotFound)
    ));
    let orphan = ctx
        .store
        .create_group(&new_group(OrganisationId(999), "x", false))
        .await;
    assert!(matches!(orphan, Err(StoreError::NotFound)), "{orphan:?}");
}

async fn group_members_are_added_removed_and_made_admin(ctx: Ctx) {
    let acme = organisation(&ctx, "Acme").await;
    let ada = user(&ctx, "ada@example.com").await;
    let bob = user(&ctx, "bob@example.com").await;
    let group = ctx
        .store
        .create_group(&new_group(acme.id, "Developers", false))
        .await
        .unwrap();
    ctx.store
        .add_group_members(group.id, &[bob.id, ada.id])
        .await
        .unwrap();
    let again = ctx
        .store
        .add_group_members(group.id, &[ada.id])
        .await
        .unwrap();
    let members: Vec<UserId> = again.members.iter().map(|m| m.user_id).collect();
    assert_eq!(members, [ada.id, bob.id]);
    let admin = ctx
        .store
        .set_group_admin(group.id, bob.id, true)
        .await
        .unwrap();
    assert!(
        admin
            .members
            .iter()
            .any(|m| m.user_id == bob.id && m.group_admin)
    );
    let of_ada = ctx.store.groups_of_user(acme.id, ada.id).await.unwrap();
    assert_eq!(of_ada.len(), 1);
    let removed = ctx
        .store
        .remove_group_members(group.id, &[ada.id, UserId(999)])
        .await
        .unwrap();
    assert_eq!(removed.members.len(), 1);
    assert!(
        ctx.store
            .groups_of_user(acme.id, ada.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        ctx.store.set_group_admin(group.id, ada.id, true).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store.add_group_members(group.id, &[UserId(999)]).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store.add_group_members(GroupId(999), &[ada.id]).await,
        Err(StoreError::NotFound)
    ));
}

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

async fn an_accepted_invite_joins_and_is_used_up(ctx: Ctx) {
    let acme = organisation(&ctx, "Acme").await;
    let ada = user(&ctx, "ada@example.com").await;
    let bob = user(&ctx, "bob@example.com").await;
    let default = ctx
        .store
        .create_group(&new_group(acme.id, "Everyone", true))
        .await
        .unwrap();
    ctx.store
        .create_group(&new_group(acme.id, "Chosen", false))
        .await
        .unwrap();
    let invite = ctx
        .store
        .create_invite(
            acme.id,
            "ada@example.com",
            Role::User,
            "hash-1",
            Some(bob.id),
        )
        .await
        .unwrap();
    assert_eq!(
        (invite.email.as_str(), invite.role, invite.invited_by),
        ("ada@example.com", Role::User, Some(bob.id))
    );
    assert_eq!(invite.date_created, start_time());
    let twice = ctx
        .store
        .create_invite(acme.id, "ada@example.com", Role::Admin, "hash-2", None)
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    assert_eq!(
        ctx.store.invites(acme.id).await.unwrap(),
        std::slice::from_ref(&invite)
    );
    assert_eq!(
        ctx.store.invite_by_hash("hash-1").await.unwrap(),
        Some(invite.clone())
    );
    ctx.store.accept_invite(invite.id, ada.id).await.unwrap();
    assert_eq!(
        ctx.store
            .membership(acme.id, ada.id)
            .await
            .unwrap()
            .map(|m| m.role),
        Some(Role::User)
    );
    let groups = ctx.store.groups_of_user(acme.id, ada.id).await.unwrap();
    assert_eq!(
        groups.iter().map(|g| g.id).collect::<Vec<_>>(),
        [default.id]
    );
    assert_eq!(ctx.store.invite_by_hash("hash-1").await.unwrap(), None);
    assert!(matches!(
        ctx.store.accept_invite(invite.id, ada.id).await,
        Err(StoreError::NotFound)
    ));

    // An admin invited as a user stays an admin.
    ctx.store
        .set_membership(acme.id, bob.id, Role::Admin)
        .await
        .unwrap();
    let again = ctx
        .store
        .create_invite(acme.id, "bob@example.com", Role::User, "hash-3", None)
        .await
        .unwrap();
    ctx.store.accept_invite(again.id, bob.id).await.unwrap();
    assert_eq!(
        ctx.store
            .membership(acme.id, bob.id)
            .await
            .unwrap()
            .map(|m| m.role),
        Some(Role::Admin)
    );
    let dropped = ctx
        .store
        .create_invite(acme.id, "c@example.com", Role::User, "hash-4", None)
        .await
        .unwrap();
    ctx.store.delete_invite(dropped.id).await.unwrap();
    assert!(matches!(
        ctx.store.delete_invite(dropped.id).await,
        Err(StoreError::NotFound)
    ));
}

async fn a_link_joins_without_being_used_up(ctx: Ctx) {
    let acme = organisation(&ctx, "Acme").await;
    let ada = user(&ctx, "ada@example.com").await;
    let bob = user(&ctx, "bob@example.com").await;
    let link = ctx
        .store
        .create_invite_link(acme.id, Role::Admin, "link-1", None)
        .await
        .unwrap();
    assert_eq!((link.role, link.expires_at), (Role::Admin, None));
    assert_eq!(
        ctx.store.invite_links(acme.id).await.unwrap(),
        std::slice::from_ref(&link)
    );
    assert_eq!(
        ctx.store.invite_link_by_hash("link-1").await.unwrap(),
        Some(link.clone())
    );
    ctx.store.join_by_link(link.id, ada.id).await.unwrap();
    ctx.store.join_by_link(link.id, bob.id).await.unwrap();
    assert_eq!(ctx.store.members(acme.id).await.unwrap().len(), 2);
    ctx.store.delete_invite_link(link.id).await.unwrap();
    assert_eq!(ctx.store.invite_link_by_hash("link-1").await.unwrap(), None);
    assert!(matches!(
        ctx.store.join_by_link(link.id, ada.id).await,
        Err(StoreError::NotFound)
    ));
}

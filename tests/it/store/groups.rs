//! `GroupStore` on both backends: groups, their members and their admins.

use flagstaff::domain::permission::GroupId;
use flagstaff::domain::{OrganisationId, UserId};
use flagstaff::store::StoreError;

use super::fixtures::{new_group, organisation, user};
use crate::harness::Ctx;
use crate::on_both_backends;

on_both_backends!(
    groups_are_created_listed_renamed_and_deleted,
    group_members_are_added_removed_and_made_admin,
);

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

//! `InviteStore` on both backends: email invites and invite links, and joining by them.

use flagstaff::domain::organisation::Role;
use flagstaff::store::StoreError;

use super::fixtures::{new_group, organisation, user};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    an_accepted_invite_joins_and_is_used_up,
    a_link_joins_without_being_used_up,
);

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

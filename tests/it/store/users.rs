//! `UserStore` on both backends: users, unique emails, the first user and updates.

use flagstaff::domain::UserId;
use flagstaff::domain::user::UserPatch;
use flagstaff::store::StoreError;

use super::fixtures::{new_user, user};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    a_user_reads_back_as_created,
    emails_are_unique,
    only_the_first_user_is_created_by_create_first_user,
    updates_change_only_what_the_patch_sets,
    missing_users_are_not_found,
    tokens_find_their_active_user_until_deleted,
    deleting_a_user_deletes_their_tokens,
    logins_are_recorded,
);

async fn a_user_reads_back_as_created(ctx: Ctx) {
    let created = user(&ctx, "ada@example.com").await;
    assert_eq!(created.email, "ada@example.com");
    assert_eq!(created.date_joined, start_time());
    assert!(created.is_active && !created.is_superuser);
    assert_eq!(ctx.store.user(created.id).await.unwrap(), created);
    assert_eq!(
        ctx.store.user_by_email("ada@example.com").await.unwrap(),
        Some(created)
    );
    assert_eq!(
        ctx.store.user_by_email("bob@example.com").await.unwrap(),
        None
    );
    assert_eq!(ctx.store.count_users().await.unwrap(), 1);
}

async fn emails_are_unique(ctx: Ctx) {
    user(&ctx, "ada@example.com").await;
    let err = ctx
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(ctx.store.count_users().await.unwrap(), 1);
}

async fn only_the_first_user_is_created_by_create_first_user(ctx: Ctx) {
    let mut first = new_user("root@example.com");
    first.is_superuser = true;
    let created = ctx.store.create_first_user(&first).await.unwrap().unwrap();
    assert!(created.is_superuser);
    assert_eq!(
        ctx.store
            .create_first_user(&new_user("b@example.com"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(ctx.store.count_users().await.unwrap(), 1);
}

async fn updates_change_only_what_the_patch_sets(ctx: Ctx) {
    let created = user(&ctx, "ada@example.com").await;
    let patch = UserPatch {
        last_name: Some("Byron".into()),
        ..UserPatch::default()
    };
    let updated = ctx.store.update_user(created.id, &patch).await.unwrap();
    assert_eq!(updated.last_name, "Byron");
    assert_eq!(updated.first_name, created.first_name);
    ctx.store
        .set_password_hash(created.id, "new-hash")
        .await
        .unwrap();
    let read = ctx.store.user(created.id).await.unwrap();
    assert_eq!(read.password_hash.as_deref(), Some("new-hash"));
}

async fn missing_users_are_not_found(ctx: Ctx) {
    let missing = UserId(4242);
    assert!(matches!(
        ctx.store.user(missing).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store.update_user(missing, &UserPatch::default()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store.delete_user(missing).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store.create_token(missing, "h").await,
        Err(StoreError::NotFound)
    ));
}

async fn tokens_find_their_active_user_until_deleted(ctx: Ctx) {
    let ada = user(&ctx, "ada@example.com").await;
    ctx.store.create_token(ada.id, "hash-1").await.unwrap();
    ctx.store.create_token(ada.id, "hash-2").await.unwrap();
    assert_eq!(
        ctx.store
            .user_by_token("hash-1")
            .await
            .unwrap()
            .map(|u| u.id),
        Some(ada.id)
    );
    ctx.store.delete_token("hash-1").await.unwrap();
    ctx.store.delete_token("hash-unknown").await.unwrap();
    assert_eq!(ctx.store.user_by_token("hash-1").await.unwrap(), None);
    assert!(ctx.store.user_by_token("hash-2").await.unwrap().is_some());
    ctx.store.delete_tokens_of(ada.id).await.unwrap();
    assert_eq!(ctx.store.user_by_token("hash-2").await.unwrap(), None);
}

async fn deleting_a_user_deletes_their_tokens(ctx: Ctx) {
    let ada = user(&ctx, "ada@example.com").await;
    ctx.store.create_token(ada.id, "hash").await.unwrap();
    ctx.store.delete_user(ada.id).await.unwrap();
    assert_eq!(ctx.store.user_by_token("hash").await.unwrap(), None);
    assert_eq!(ctx.store.count_users().await.unwrap(), 0);
}

async fn logins_are_recorded(ctx: Ctx) {
    let ada = user(&ctx, "ada@example.com").await;
    assert!(!ctx.store.any_login().await.unwrap());
    ctx.store.record_login(ada.id, start_time()).await.unwrap();
    assert!(ctx.store.any_login().await.unwrap());
    assert_eq!(
        ctx.store.user(ada.id).await.unwrap().last_login,
        Some(start_time())
    );
}

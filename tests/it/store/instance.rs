//! `InstanceStore` on both backends: instance settings and login failure counts.

use chrono::TimeDelta;

use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    settings_are_set_and_replaced,
    failures_count_on_past_a_lock_until_forgotten,
    unlocked_failures_are_forgotten_after_the_last_one,
    clearing_forgets_the_failures,
    concurrent_failures_all_count,
);

async fn settings_are_set_and_replaced(ctx: Ctx) {
    assert_eq!(ctx.store.setting("site_name").await.unwrap(), None);
    ctx.store.set_setting("site_name", "Flags").await.unwrap();
    ctx.store.set_setting("site_name", "Flags!").await.unwrap();
    assert_eq!(
        ctx.store.setting("site_name").await.unwrap().as_deref(),
        Some("Flags!")
    );
}

async fn failures_count_on_past_a_lock_until_forgotten(ctx: Ctx) {
    let long_ago = start_time() - TimeDelta::hours(1);
    let until = start_time() + TimeDelta::hours(1);
    for expected in 1..=3 {
        let state = ctx
            .store
            .record_login_failure("user:a", long_ago)
            .await
            .unwrap();
        assert_eq!((state.failures, state.locked_until), (expected, None));
    }
    assert_eq!(
        ctx.store.lock_login("user:a", until).await.unwrap(),
        Some(until)
    );
    assert_eq!(
        ctx.store
            .lock_login("user:a", until - TimeDelta::minutes(30))
            .await
            .unwrap(),
        Some(until),
        "a shorter lock keeps the longer one"
    );
    let locked = ctx.store.login_failures("user:a").await.unwrap().unwrap();
    assert_eq!((locked.failures, locked.locked_until), (3, Some(until)));
    assert!(locked.is_locked(start_time()));
    assert_eq!(ctx.store.login_failures("user:b").await.unwrap(), None);
    assert_eq!(
        ctx.store.lock_login("user:b", until).await.unwrap(),
        None,
        "no failures, nothing to lock"
    );

    // The lock has run out, but ended after `forget_before`: the count goes on.
    ctx.clock.advance(TimeDelta::hours(2));
    let on = ctx
        .store
        .record_login_failure("user:a", start_time())
        .await
        .unwrap();
    assert_eq!((on.failures, on.locked_until), (4, Some(until)));
    assert!(!on.is_locked(start_time() + TimeDelta::hours(2)));
    // A lock that ended at or before `forget_before` is forgotten with its count.
    let fresh = ctx
        .store
        .record_login_failure("user:a", until)
        .await
        .unwrap();
    assert_eq!((fresh.failures, fresh.locked_until), (1, None));
}

async fn unlocked_failures_are_forgotten_after_the_last_one(ctx: Ctx) {
    let now = start_time();
    ctx.store
        .record_login_failure("user:a", now - TimeDelta::hours(1))
        .await
        .unwrap();
    ctx.clock.advance(TimeDelta::minutes(10));
    let second = ctx
        .store
        .record_login_failure("user:a", now - TimeDelta::seconds(1))
        .await
        .unwrap();
    assert_eq!(
        second.failures, 2,
        "the last failure is after forget_before"
    );
    let fresh = ctx
        .store
        .record_login_failure("user:a", now + TimeDelta::minutes(10))
        .await
        .unwrap();
    assert_eq!(fresh.failures, 1, "the last failure is at forget_before");
}

async fn clearing_forgets_the_failures(ctx: Ctx) {
    let long_ago = start_time() - TimeDelta::hours(1);
    ctx.store
        .record_login_failure("user:a ip:10.0.0.1", long_ago)
        .await
        .unwrap();
    ctx.store
        .clear_login_failures("user:a ip:10.0.0.1")
        .await
        .unwrap();
    ctx.store.clear_login_failures("never-seen").await.unwrap();
    assert_eq!(
        ctx.store
            .login_failures("user:a ip:10.0.0.1")
            .await
            .unwrap(),
        None
    );
}

async fn concurrent_failures_all_count(ctx: Ctx) {
    let long_ago = start_time() - TimeDelta::hours(1);
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let store = ctx.store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .record_login_failure("user:c", long_ago)
                .await
                .unwrap()
        }));
    }
    let mut counts: Vec<u32> = Vec::new();
    for task in tasks {
        counts.push(task.await.unwrap().failures);
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=10).collect::<Vec<_>>());
    assert_eq!(
        ctx.store
            .login_failures("user:c")
            .await
            .unwrap()
            .unwrap()
            .failures,
        10
    );
}

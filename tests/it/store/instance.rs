use chrono::TimeDelta;

use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    settings_are_set_and_replaced,
    failures_count_up_to_a_lock_that_runs_out,
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

async fn failures_count_up_to_a_lock_that_runs_out(ctx: Ctx) {
    let until = start_time() + TimeDelta::hours(1);
    let first = ctx
        .store
        .record_login_failure("user:a", 3, until)
        .await
        .unwrap();
    assert_eq!((first.failures, first.locked_until), (1, None));
    ctx.store
        .record_login_failure("user:a", 3, until)
        .await
        .unwrap();
    let third = ctx
        .store
        .record_login_failure("user:a", 3, until)
        .await
        .unwrap();
    assert_eq!((third.failures, third.locked_until), (3, Some(until)));
    assert!(third.is_locked(start_time()));
    assert_eq!(
        ctx.store.login_failures("user:a").await.unwrap(),
        Some(third)
    );
    assert_eq!(ctx.store.login_failures("user:b").await.unwrap(), None);
    ctx.clock.advance(TimeDelta::hours(2));
    let fresh = ctx
        .store
        .record_login_failure("user:a", 3, until + TimeDelta::hours(2))
        .await
        .unwrap();
    assert_eq!(
        (fresh.failures, fresh.locked_until),
        (1, None),
        "an expired lock starts over"
    );
}

async fn clearing_forgets_the_failures(ctx: Ctx) {
    let until = start_time() + TimeDelta::hours(1);
    ctx.store
        .record_login_failure("ip:10.0.0.1", 5, until)
        .await
        .unwrap();
    ctx.store.clear_login_failures("ip:10.0.0.1").await.unwrap();
    ctx.store.clear_login_failures("never-seen").await.unwrap();
    assert_eq!(ctx.store.login_failures("ip:10.0.0.1").await.unwrap(), None);
}

async fn concurrent_failures_all_count(ctx: Ctx) {
    let until = start_time() + TimeDelta::hours(1);
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let store = ctx.store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .record_login_failure("user:c", 100, until)
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
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

//! `WebhookStore` on both backends: webhooks created, listed, changed and deleted.

use chrono::TimeDelta;
use flagstaff::domain::EnvironmentId;
use flagstaff::domain::environment::WebhookFields;
use flagstaff::store::StoreError;

use super::fixtures::{Acme, environment};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(webhooks_are_created_listed_changed_and_deleted);

fn fields(url: &str) -> WebhookFields {
    WebhookFields {
        url: url.to_string(),
        secret: "s3cret".into(),
        enabled: true,
    }
}

async fn webhooks_are_created_listed_changed_and_deleted(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    let first = ctx
        .store
        .create_webhook(dev.id, &fields("https://a.example/hook"))
        .await
        .unwrap();
    assert_eq!(
        (first.created_at, first.updated_at),
        (start_time(), start_time())
    );
    let second = ctx
        .store
        .create_webhook(dev.id, &fields("https://b.example/hook"))
        .await
        .unwrap();
    ctx.store
        .create_webhook(prod.id, &fields("https://c.example/hook"))
        .await
        .unwrap();
    assert_eq!(
        ctx.store.webhooks(dev.id).await.unwrap(),
        [first.clone(), second.clone()]
    );
    ctx.clock.advance(TimeDelta::seconds(3));
    let changed = ctx
        .store
        .update_webhook(
            first.id,
            &WebhookFields {
                enabled: false,
                ..fields("https://a.example/v2")
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (changed.url.as_str(), changed.enabled),
        ("https://a.example/v2", false)
    );
    assert_eq!(changed.updated_at, start_time() + TimeDelta::seconds(3));
    assert_eq!(changed.created_at, start_time());
    ctx.store.delete_webhook(second.id).await.unwrap();
    assert!(matches!(
        ctx.store.webhook(second.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store.delete_webhook(second.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        ctx.store
            .update_webhook(second.id, &fields("https://x.example"))
            .await,
        Err(StoreError::NotFound)
    ));
    let orphan = ctx
        .store
        .create_webhook(EnvironmentId(999), &fields("https://x.example"))
        .await;
    assert!(matches!(orphan, Err(StoreError::NotFound)), "{orphan:?}");
}

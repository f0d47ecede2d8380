//! `AnalyticsStore` on both backends: evaluation counts per day and label.

use chrono::{NaiveDate, TimeDelta};
use flagstaff::domain::EnvironmentId;
use flagstaff::domain::analytics::{EvaluationCount, Labels};
use flagstaff::store::StoreError;

use super::fixtures::{Acme, audit, environment, feature, organisation, project};
use crate::harness::{Ctx, start_time};
use crate::on_both_backends;

on_both_backends!(
    evaluations_add_up_per_day_and_labels,
    evaluations_of_other_projects_are_skipped,
);

fn labels(app: &str) -> Labels {
    Labels::from([("client_application_name".to_string(), app.to_string())])
}

async fn evaluations_add_up_per_day_and_labels(ctx: Ctx) {
    let Acme { web, dev, .. } = Acme::new(&ctx).await;
    let prod = environment(&ctx, &web, "Production").await;
    let checkout = feature(&ctx, &web, "checkout").await;
    let search = feature(&ctx, &web, "search").await;
    let today = start_time().date_naive();
    let yesterday = today - TimeDelta::days(1);
    let store = &ctx.store;
    for (day, app, counts) in [
        (today, "web", vec![(checkout.id, 3), (search.id, 1)]),
        (today, "web", vec![(checkout.id, 4)]),
        (today, "ios", vec![(checkout.id, 10)]),
        (yesterday, "web", vec![(checkout.id, 7)]),
    ] {
        store
            .record_evaluations(dev.id, day, &labels(app), &counts)
            .await
            .unwrap();
    }
    store
        .record_evaluations(prod.id, today, &labels("web"), &[(checkout.id, 100)])
        .await
        .unwrap();
    let seen = store
        .evaluations(dev.id, checkout.id, yesterday)
        .await
        .unwrap();
    let expected = vec![
        EvaluationCount {
            day: yesterday,
            labels: labels("web"),
            count: 7,
        },
        EvaluationCount {
            day: today,
            labels: labels("ios"),
            count: 10,
        },
        EvaluationCount {
            day: today,
            labels: labels("web"),
            count: 7,
        },
    ];
    assert_eq!(seen, expected);
    let since_today = store.evaluations(dev.id, checkout.id, today).await.unwrap();
    assert_eq!(since_today, expected[1..]);
    let searched = store
        .evaluations(dev.id, search.id, yesterday)
        .await
        .unwrap();
    assert_eq!(searched.iter().map(|e| e.count).collect::<Vec<_>>(), [1]);
    // Deleting the feature takes its counts with it.
    store
        .delete_feature(checkout.id, &audit("gone"))
        .await
        .unwrap();
    assert!(
        store
            .evaluations(dev.id, checkout.id, yesterday)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn evaluations_of_other_projects_are_skipped(ctx: Ctx) {
    let org = organisation(&ctx, "Acme").await;
    let web = project(&ctx, &org, "Web").await;
    let app = project(&ctx, &org, "App").await;
    let dev = environment(&ctx, &web, "Development").await;
    let ours = feature(&ctx, &web, "ours").await;
    let theirs = feature(&ctx, &app, "theirs").await;
    let day = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
    ctx.store
        .record_evaluations(dev.id, day, &Labels::new(), &[(theirs.id, 5), (ours.id, 2)])
        .await
        .unwrap();
    assert!(
        ctx.store
            .evaluations(dev.id, theirs.id, day)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ctx.store.evaluations(dev.id, ours.id, day).await.unwrap()[0].count,
        2
    );
    let missing = ctx
        .store
        .record_evaluations(EnvironmentId(999), day, &Labels::new(), &[(ours.id, 1)])
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

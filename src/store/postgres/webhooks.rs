//! Environment and organisation webhooks and their deliveries, in PostgreSQL.

use super::listing::Listing;
use super::rows::{Conn, all, exactly_one, exec, one};
use super::{PostgresStore, Tx};
use crate::domain::EnvironmentId;
use crate::domain::environment::{Webhook, WebhookFields};
use crate::domain::webhook::{
    AUDIT_LOG_CREATED, Claimed, Delivery, OrganisationWebhook, OrganisationWebhookFields, Outcome,
    Target, body,
};
use crate::domain::{OrganisationId, Page, PageRequest, Timestamp};
use crate::store::audit::{Change, Filed};
use crate::store::mv_options::option;
use crate::store::webhooks::{
    AUDIT_RECORD, CLAIM, CLAIMED, COLUMNS, DELIVERY_COLUMNS, ENQUEUE, ENVIRONMENT_HOOKS, FINISH,
    FLAG_CONTEXT, ORGANISATION_COLUMNS, ORGANISATION_HOOKS, OUTBOX, Outbox, PRUNE, audit_record,
    claimed, delivery, finished, flag_context, flag_event, flag_keys, options_sql,
    organisation_webhook, outbox, target_column, webhook,
};
use crate::store::{Result, WebhookStore};
use async_trait::async_trait;
use std::time::Duration;

async fn find(client: &impl Conn, id: i64) -> Result<Webhook> {
    one(
        client,
        &format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1"),
        &[&id],
        webhook,
    )
    .await
}

async fn find_organisation(client: &impl Conn, id: i64) -> Result<OrganisationWebhook> {
    one(
        client,
        &format!("SELECT {ORGANISATION_COLUMNS} FROM organisation_webhooks WHERE id = $1"),
        &[&id],
        organisation_webhook,
    )
    .await
}

async fn ids(tx: &Tx<'_>, sql: &str, of: i64) -> Result<Vec<i64>> {
    all(tx, sql, &[&of], |r| r.get(0)).await
}

async fn insert(tx: &Tx<'_>, now: Timestamp, hook: Target, event: &str, body: &str) -> Result<()> {
    let (env, org) = match hook {
        Target::Environment(id) => (Some(id), None),
        Target::Organisation(id) => (None, Some(id)),
    };
    exec(tx, ENQUEUE, &[&env, &org, &event, &body, &now]).await?;
    Ok(())
}

/// Writes the deliveries a change makes, in its transaction: its audit entry (`audit_id`, filed
/// under `filed`) to the organisation's webhooks, and each flag state it moved to the webhooks
/// of the state's environment and of the organisation.
pub(super) async fn enqueue(
    tx: &Tx<'_>,
    now: Timestamp,
    change: &Change<'_>,
    audit_id: i64,
    filed: Filed,
) -> Result<()> {
    let org_hooks = match filed.0 {
        Some(org) => ids(tx, ORGANISATION_HOOKS, org.0).await?,
        None => Vec::new(),
    };
    if !org_hooks.is_empty() {
        let data = one(tx, AUDIT_RECORD, &[&audit_id], audit_record).await?;
        let text = body(AUDIT_LOG_CREATED, data);
        for &id in &org_hooks {
            insert(tx, now, Target::Organisation(id), AUDIT_LOG_CREATED, &text).await?;
        }
    }
    let (user, key) = change.author_ids();
    for (before, after) in &change.flags {
        let Some(state) = after.as_ref().or(before.as_ref()) else {
            continue;
        };
        let env_hooks = ids(tx, ENVIRONMENT_HOOKS, state.environment_id.0).await?;
        if env_hooks.is_empty() && org_hooks.is_empty() {
            continue;
        }
        let (feature, env, identity, segment) = flag_keys(state);
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 6] =
            [&feature, &env, &identity, &segment, &user, &key];
        let ctx = one(tx, FLAG_CONTEXT, &params, flag_context).await?;
        let options = all(tx, &options_sql(), &[&feature], option).await?;
        let (event, data) = flag_event(&ctx, before.as_ref(), after.as_ref(), &options, now);
        let text = body(event, data);
        let hooks = env_hooks.into_iter().map(Target::Environment);
        for hook in hooks.chain(org_hooks.iter().copied().map(Target::Organisation)) {
            insert(tx, now, hook, event, &text).await?;
        }
    }
    Ok(())
}

#[async_trait]
impl WebhookStore for PostgresStore {
    async fn create_webhook(&self, env: EnvironmentId, fields: &WebhookFields) -> Result<Webhook> {
        let client = self.client().await?;
        one(
            &client,
            &format!(
                "INSERT INTO webhooks (environment_id, url, secret, enabled, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING {COLUMNS}"
            ),
            &[
                &env.0,
                &fields.url,
                &fields.secret,
                &fields.enabled,
                &self.now(),
            ],
            webhook,
        )
        .await
    }

    async fn webhooks(&self, env: EnvironmentId) -> Result<Vec<Webhook>> {
        let client = self.client().await?;
        all(
            &client,
            &format!("SELECT {COLUMNS} FROM webhooks WHERE environment_id = $1 ORDER BY id"),
            &[&env.0],
            webhook,
        )
        .await
    }

    async fn webhook(&self, id: i64) -> Result<Webhook> {
        let client = self.client().await?;
        find(&client, id).await
    }

    async fn update_webhook(&self, id: i64, fields: &WebhookFields) -> Result<Webhook> {
        let client = self.client().await?;
        exactly_one(
            exec(&client, "UPDATE webhooks SET url = $1, secret = $2, enabled = $3, updated_at = $4 WHERE id = $5", &[
                        &fields.url,
                        &fields.secret,
                        &fields.enabled,
                        &self.now(),
                        &id,
                    ]).await?,
        )?;
        find(&client, id).await
    }

    async fn delete_webhook(&self, id: i64) -> Result<()> {
        let client = self.client().await?;
        exactly_one(exec(&client, "DELETE FROM webhooks WHERE id = $1", &[&id]).await?)
    }

    async fn create_organisation_webhook(
        &self,
        org: OrganisationId,
        fields: &OrganisationWebhookFields,
    ) -> Result<OrganisationWebhook> {
        let client = self.client().await?;
        one(
            &client,
            &format!(
                "INSERT INTO organisation_webhooks
                    (organisation_id, name, url, secret, enabled, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {ORGANISATION_COLUMNS}"
            ),
            &[
                &org.0,
                &fields.name,
                &fields.url,
                &fields.secret,
                &fields.enabled,
                &self.now(),
            ],
            organisation_webhook,
        )
        .await
    }

    async fn organisation_webhooks(&self, org: OrganisationId) -> Result<Vec<OrganisationWebhook>> {
        let client = self.client().await?;
        all(
            &client,
            &format!(
                "SELECT {ORGANISATION_COLUMNS} FROM organisation_webhooks
                 WHERE organisation_id = $1 ORDER BY id"
            ),
            &[&org.0],
            organisation_webhook,
        )
        .await
    }

    async fn organisation_webhook(&self, id: i64) -> Result<OrganisationWebhook> {
        let client = self.client().await?;
        find_organisation(&client, id).await
    }

    async fn update_organisation_webhook(
        &self,
        id: i64,
        fields: &OrganisationWebhookFields,
    ) -> Result<OrganisationWebhook> {
        let client = self.client().await?;
        exactly_one(
            exec(
                &client,
                "UPDATE organisation_webhooks
                 SET name = $1, url = $2, secret = $3, enabled = $4, updated_at = $5 WHERE id = $6",
                &[
                    &fields.name,
                    &fields.url,
                    &fields.secret,
                    &fields.enabled,
                    &self.now(),
                    &id,
                ],
            )
            .await?,
        )?;
        find_organisation(&client, id).await
    }

    async fn delete_organisation_webhook(&self, id: i64) -> Result<()> {
        let client = self.client().await?;
        exactly_one(
            exec(
                &client,
                "DELETE FROM organisation_webhooks WHERE id = $1",
                &[&id],
            )
            .await?,
        )
    }

    async fn deliveries(&self, target: Target, page: PageRequest) -> Result<Page<Delivery>> {
        let client = self.client().await?;
        let (column, id) = target_column(target);
        let mut list = Listing::default();
        let p = list.arg(id);
        list.filter(format!("{column} = {p}"));
        list.page(
            &client,
            (DELIVERY_COLUMNS, "webhook_deliveries"),
            "id DESC",
            page,
            delivery,
        )
        .await
    }

    async fn claim_deliveries(
        &self,
        claim: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Claimed>> {
        let client = self.client().await?;
        let now = self.now();
        let until = now + lease;
        let sql = CLAIM.replace("{lock}", "FOR UPDATE SKIP LOCKED");
        let n = exec(&client, &sql, &[&claim, &until, &now, &(limit as i64)]).await?;
        if n == 0 {
            return Ok(Vec::new());
        }
        all(&client, CLAIMED, &[&claim], claimed).await
    }

    async fn finish_delivery(&self, id: i64, claim: &str, outcome: &Outcome) -> Result<()> {
        let client = self.client().await?;
        let now = self.now();
        let (state, next, code, error) = finished(outcome, now);
        exec(
            &client,
            FINISH,
            &[&id, &claim, &state.as_str(), &next, &code, &error, &now],
        )
        .await?;
        Ok(())
    }

    async fn outbox(&self) -> Result<Outbox> {
        let client = self.client().await?;
        one(&client, OUTBOX, &[], outbox).await
    }

    async fn prune_deliveries(&self, before: Timestamp) -> Result<u64> {
        let client = self.client().await?;
        exec(&client, PRUNE, &[&before]).await
    }
}

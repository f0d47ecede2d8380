//! Environment and organisation webhooks and their deliveries, in SQLite.

use super::listing::Listing;
use super::rows::{all, exactly_one, exec, one, ts};
use super::{SqliteStore, Tx};
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
use rusqlite::{Connection, params};
use std::time::Duration;

/// The shared `$n` SQL as SQLite numbers its parameters (`?n`).
fn numbered(sql: &str) -> String {
    sql.replace('$', "?")
}

fn find(conn: &Connection, id: i64) -> Result<Webhook> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM webhooks WHERE id = ?"),
        [id],
        webhook,
    )
}

fn find_organisation(conn: &Connection, id: i64) -> Result<OrganisationWebhook> {
    one(
        conn,
        &format!("SELECT {ORGANISATION_COLUMNS} FROM organisation_webhooks WHERE id = ?"),
        [id],
        organisation_webhook,
    )
}

fn ids(tx: &Tx<'_>, sql: &str, of: i64) -> Result<Vec<i64>> {
    all(tx, &numbered(sql), [of], |r| r.get(0))
}

/// Writes the deliveries a change makes, in its transaction: its audit entry (`audit_id`, filed
/// under `filed`) to the organisation's webhooks, and each flag state it moved to the webhooks
/// of the state's environment and of the organisation.
pub(super) fn enqueue(
    tx: &Tx<'_>,
    now: Timestamp,
    change: &Change<'_>,
    audit_id: i64,
    filed: Filed,
) -> Result<()> {
    let org_hooks = match filed.0 {
        Some(org) => ids(tx, ORGANISATION_HOOKS, org.0)?,
        None => Vec::new(),
    };
    let insert = |hook: Target, event: &str, body: &str| {
        let (env, org) = match hook {
            Target::Environment(id) => (Some(id), None),
            Target::Organisation(id) => (None, Some(id)),
        };
        exec(
            tx,
            &numbered(ENQUEUE),
            params![env, org, event, body, ts(now)],
        )
    };
    if !org_hooks.is_empty() {
        let data = one(tx, &numbered(AUDIT_RECORD), [audit_id], audit_record)?;
        let text = body(AUDIT_LOG_CREATED, data);
        for &id in &org_hooks {
            insert(Target::Organisation(id), AUDIT_LOG_CREATED, &text)?;
        }
    }
    let (user, key) = change.author_ids();
    for (before, after) in &change.flags {
        let Some(state) = after.as_ref().or(before.as_ref()) else {
            continue;
        };
        let env_hooks = ids(tx, ENVIRONMENT_HOOKS, state.environment_id.0)?;
        if env_hooks.is_empty() && org_hooks.is_empty() {
            continue;
        }
        let (feature, env, identity, segment) = flag_keys(state);
        let ctx = one(
            tx,
            &numbered(FLAG_CONTEXT),
            params![feature, env, identity, segment, user, key],
            flag_context,
        )?;
        let options = all(tx, &numbered(&options_sql()), [feature], option)?;
        let (event, data) = flag_event(&ctx, before.as_ref(), after.as_ref(), &options, now);
        let text = body(event, data);
        let hooks = env_hooks.into_iter().map(Target::Environment);
        for hook in hooks.chain(org_hooks.iter().copied().map(Target::Organisation)) {
            insert(hook, event, &text)?;
        }
    }
    Ok(())
}

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn create_webhook(&self, env: EnvironmentId, fields: &WebhookFields) -> Result<Webhook> {
        let (f, now) = (fields.clone(), self.now());
        self.write(move |tx| {
            one(tx, &format!(
                    "INSERT INTO webhooks (environment_id, url, secret, enabled, created_at, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
                ), params![env.0, f.url, f.secret, f.enabled, ts(now), ts(now)], webhook)
        })
        .await
    }

    async fn webhooks(&self, env: EnvironmentId) -> Result<Vec<Webhook>> {
        self.read(move |c| {
            all(
                c,
                &format!("SELECT {COLUMNS} FROM webhooks WHERE environment_id = ? ORDER BY id"),
                [env.0],
                webhook,
            )
        })
        .await
    }

    async fn webhook(&self, id: i64) -> Result<Webhook> {
        self.read(move |c| find(c, id)).await
    }

    async fn update_webhook(&self, id: i64, fields: &WebhookFields) -> Result<Webhook> {
        let (f, now) = (fields.clone(), self.now());
        self.write(move |tx| {
            exactly_one(exec(
                tx,
                "UPDATE webhooks SET url = ?, secret = ?, enabled = ?, updated_at = ? WHERE id = ?",
                params![f.url, f.secret, f.enabled, ts(now), id],
            )?)?;
            find(tx, id)
        })
        .await
    }

    async fn delete_webhook(&self, id: i64) -> Result<()> {
        self.write(move |tx| exactly_one(exec(tx, "DELETE FROM webhooks WHERE id = ?", [id])?))
            .await
    }

    async fn create_organisation_webhook(
        &self,
        org: OrganisationId,
        fields: &OrganisationWebhookFields,
    ) -> Result<OrganisationWebhook> {
        let (f, now) = (fields.clone(), self.now());
        self.write(move |tx| {
            one(
                tx,
                &format!(
                    "INSERT INTO organisation_webhooks
                        (organisation_id, name, url, secret, enabled, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING {ORGANISATION_COLUMNS}"
                ),
                params![org.0, f.name, f.url, f.secret, f.enabled, ts(now)],
                organisation_webhook,
            )
        })
        .await
    }

    async fn organisation_webhooks(&self, org: OrganisationId) -> Result<Vec<OrganisationWebhook>> {
        self.read(move |c| {
            all(
                c,
                &format!(
                    "SELECT {ORGANISATION_COLUMNS} FROM organisation_webhooks
                     WHERE organisation_id = ? ORDER BY id"
                ),
                [org.0],
                organisation_webhook,
            )
        })
        .await
    }

    async fn organisation_webhook(&self, id: i64) -> Result<OrganisationWebhook> {
        self.read(move |c| find_organisation(c, id)).await
    }

    async fn update_organisation_webhook(
        &self,
        id: i64,
        fields: &OrganisationWebhookFields,
    ) -> Result<OrganisationWebhook> {
        let (f, now) = (fields.clone(), self.now());
        self.write(move |tx| {
            exactly_one(exec(
                tx,
                "UPDATE organisation_webhooks
                 SET name = ?, url = ?, secret = ?, enabled = ?, updated_at = ? WHERE id = ?",
                params![f.name, f.url, f.secret, f.enabled, ts(now), id],
            )?)?;
            find_organisation(tx, id)
        })
        .await
    }

    async fn delete_organisation_webhook(&self, id: i64) -> Result<()> {
        self.write(move |tx| {
            exactly_one(exec(
                tx,
                "DELETE FROM organisation_webhooks WHERE id = ?",
                [id],
            )?)
        })
        .await
    }

    async fn deliveries(&self, target: Target, page: PageRequest) -> Result<Page<Delivery>> {
        self.read(move |c| {
            let (column, id) = target_column(target);
            let mut list = Listing::default();
            let p = list.arg(id);
            list.filter(format!("{column} = {p}"));
            list.page(
                c,
                (DELIVERY_COLUMNS, "webhook_deliveries"),
                "id DESC",
                page,
                delivery,
            )
        })
        .await
    }

    async fn claim_deliveries(
        &self,
        claim: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Claimed>> {
        let (claim, now) = (claim.to_string(), self.now());
        let until = now + lease;
        self.write(move |tx| {
            let sql = numbered(&CLAIM.replace("{lock}", ""));
            let n = exec(tx, &sql, params![claim, ts(until), ts(now), limit as i64])?;
            if n == 0 {
                return Ok(Vec::new());
            }
            all(tx, &numbered(CLAIMED), [&claim], claimed)
        })
        .await
    }

    async fn finish_delivery(&self, id: i64, claim: &str, outcome: &Outcome) -> Result<()> {
        let (claim, outcome, now) = (claim.to_string(), outcome.clone(), self.now());
        self.write(move |tx| {
            let (state, next, code, error) = finished(&outcome, now);
            exec(
                tx,
                &numbered(FINISH),
                params![id, claim, state.as_str(), ts(next), code, error, ts(now)],
            )?;
            Ok(())
        })
        .await
    }

    async fn outbox(&self) -> Result<Outbox> {
        self.read(|c| one(c, OUTBOX, [], outbox)).await
    }

    async fn prune_deliveries(&self, before: Timestamp) -> Result<u64> {
        self.write(move |tx| exec(tx, &numbered(PRUNE), [ts(before)]))
            .await
    }
}

//! Environment and organisation webhooks and their deliveries: the trait, rows and shared SQL.

use super::Result;
use crate::domain::environment::{Webhook, WebhookFields};
use crate::domain::webhook::{
    Claimed, Delivery, DeliveryState, OrganisationWebhook, OrganisationWebhookFields, Outcome,
    Target,
};
use crate::domain::{EnvironmentId, OrganisationId, Page, PageRequest, Timestamp};
use crate::store::rows::Columns;
use async_trait::async_trait;
use std::time::Duration;

mod bodies;
pub(super) use bodies::{
    AUDIT_RECORD, FLAG_CONTEXT, audit_record, flag_context, flag_event, flag_keys, options_sql,
};

/// Environment and organisation webhooks, and their deliveries.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// `NotFound` when the environment does not exist.
    async fn create_webhook(&self, env: EnvironmentId, fields: &WebhookFields) -> Result<Webhook>;

    /// The environment's webhooks, ordered by id.
    async fn webhooks(&self, env: EnvironmentId) -> Result<Vec<Webhook>>;

    /// `NotFound` when there is no such webhook.
    async fn webhook(&self, id: i64) -> Result<Webhook>;

    /// Replaces url, secret and enabled; moves `updated_at`. `NotFound` when there is none.
    async fn update_webhook(&self, id: i64, fields: &WebhookFields) -> Result<Webhook>;

    /// `NotFound` when there is no such webhook. Its deliveries go with it.
    async fn delete_webhook(&self, id: i64) -> Result<()>;

    /// `NotFound` when the organisation does not exist.
    async fn create_organisation_webhook(
        &self,
        org: OrganisationId,
        fields: &OrganisationWebhookFields,
    ) -> Result<OrganisationWebhook>;

    /// The organisation's webhooks, ordered by id.
    async fn organisation_webhooks(&self, org: OrganisationId) -> Result<Vec<OrganisationWebhook>>;

    /// `NotFound` when there is no such webhook.
    async fn organisation_webhook(&self, id: i64) -> Result<OrganisationWebhook>;

    /// Replaces name, url, secret and enabled; moves `updated_at`. `NotFound` when there is none.
    async fn update_organisation_webhook(
        &self,
        id: i64,
        fields: &OrganisationWebhookFields,
    ) -> Result<OrganisationWebhook>;

    /// `NotFound` when there is no such webhook. Its deliveries go with it.
    async fn delete_organisation_webhook(&self, id: i64) -> Result<()>;

    /// One page of a webhook's deliveries, newest first.
    async fn deliveries(&self, target: Target, page: PageRequest) -> Result<Page<Delivery>>;

    /// Claims up to `limit` pending deliveries that are due and not claimed by a live claim,
    /// counting an attempt on each, for `lease`. Two nodes never claim the same delivery at once.
    async fn claim_deliveries(
        &self,
        claim: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Claimed>>;

    /// Records how an attempt ended; nothing when the claim has run out and was taken over.
    async fn finish_delivery(&self, id: i64, claim: &str, outcome: &Outcome) -> Result<()>;

    /// How many deliveries are pending, and when the next one is due.
    async fn outbox(&self) -> Result<Outbox>;

    /// Deletes delivered and failed deliveries last tried before `before`; how many went.
    async fn prune_deliveries(&self, before: Timestamp) -> Result<u64>;
}

/// The pending part of the deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outbox {
    pub pending: u64,
    pub next_due: Option<Timestamp>,
}

pub(super) const COLUMNS: &str = "id, environment_id, url, secret, enabled, created_at, updated_at";

pub(super) fn webhook(row: &dyn Columns) -> Result<Webhook> {
    Ok(Webhook {
        id: row.get(0)?,
        environment_id: EnvironmentId(row.get(1)?),
        url: row.get(2)?,
        secret: row.get(3)?,
        enabled: row.get(4)?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
    })
}

pub(super) const ORGANISATION_COLUMNS: &str =
    "id, organisation_id, name, url, secret, enabled, created_at, updated_at";

pub(super) fn organisation_webhook(row: &dyn Columns) -> Result<OrganisationWebhook> {
    Ok(OrganisationWebhook {
        id: row.get(0)?,
        organisation_id: OrganisationId(row.get(1)?),
        name: row.get(2)?,
        url: row.get(3)?,
        secret: row.get(4)?,
        enabled: row.get(5)?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
    })
}

pub(super) const DELIVERY_COLUMNS: &str = "id, webhook_id, organisation_webhook_id, event_type,
    payload, state, attempts, next_attempt_at, response_code, error, created_at, updated_at";

fn target(row: &dyn Columns, env: usize) -> Result<Target> {
    Ok(match row.get::<Option<i64>>(env)? {
        Some(id) => Target::Environment(id),
        None => Target::Organisation(row.get(env + 1)?),
    })
}

pub(super) fn delivery(row: &dyn Columns) -> Result<Delivery> {
    let state: String = row.get(5)?;
    Ok(Delivery {
        id: row.get(0)?,
        target: target(row, 1)?,
        event_type: row.get(3)?,
        payload: row.get(4)?,
        state: DeliveryState::parse(&state),
        attempts: row.get::<i64>(6)? as i32,
        next_attempt_at: row.get(7)?,
        response_code: row.get::<Option<i64>>(8)?.map(|c| c as i32),
        error: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
    })
}

/// The column a target's deliveries are filed under, and the webhook's id.
pub(super) fn target_column(target: Target) -> (&'static str, i64) {
    match target {
        Target::Environment(id) => ("webhook_id", id),
        Target::Organisation(id) => ("organisation_webhook_id", id),
    }
}

// The SQL below is written once for both backends with `$n` parameters; SQLite reads it with
// `?n` (see `sqlite::webhooks::numbered`).

/// Marks up to `$4` due deliveries as claimed by `$1` until `$2`; `$3` is now. `{lock}` is
/// `FOR UPDATE SKIP LOCKED` on PostgreSQL, so that concurrent claims pass each other by.
pub(super) const CLAIM: &str = "UPDATE webhook_deliveries
    SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1
    WHERE id IN (SELECT id FROM webhook_deliveries
        WHERE state = 'pending' AND next_attempt_at <= $3
          AND (claimed_until IS NULL OR claimed_until < $3)
        ORDER BY next_attempt_at, id LIMIT $4 {lock})";

/// What claim `$1` holds, with the webhook's current URL and secret.
pub(super) const CLAIMED: &str = "SELECT d.id, d.webhook_id, d.organisation_webhook_id,
        COALESCE(w.url, o.url), COALESCE(w.secret, o.secret), d.payload, d.event_type,
        d.attempts, d.created_at
    FROM webhook_deliveries d
    LEFT JOIN webhooks w ON w.id = d.webhook_id
    LEFT JOIN organisation_webhooks o ON o.id = d.organisation_webhook_id
    WHERE d.claimed_by = $1 AND d.state = 'pending' ORDER BY d.id";

pub(super) fn claimed(row: &dyn Columns) -> Result<Claimed> {
    Ok(Claimed {
        id: row.get(0)?,
        target: target(row, 1)?,
        url: row.get(3)?,
        secret: row.get(4)?,
        payload: row.get(5)?,
        event_type: row.get(6)?,
        attempts: row.get::<i64>(7)? as i32,
        created_at: row.get(8)?,
    })
}

/// Ends claim `$2` on delivery `$1`: state `$3`, next attempt `$4` (now when not retried),
/// response code `$5`, error `$6`, at `$7`.
pub(super) const FINISH: &str = "UPDATE webhook_deliveries
    SET state = $3, next_attempt_at = $4, response_code = $5, error = $6, updated_at = $7,
        claimed_by = NULL, claimed_until = NULL
    WHERE id = $1 AND claimed_by = $2";

/// The columns `FINISH` sets from an outcome: state, next attempt, response code, error.
pub(super) fn finished(
    outcome: &Outcome,
    now: Timestamp,
) -> (DeliveryState, Timestamp, Option<i32>, Option<&str>) {
    match outcome {
        Outcome::Delivered { code } => (DeliveryState::Delivered, now, Some(*code), None),
        Outcome::Retry { at, code, error } => (DeliveryState::Pending, *at, *code, Some(error)),
        Outcome::Failed { code, error } => (DeliveryState::Failed, now, *code, Some(error)),
    }
}

pub(super) const OUTBOX: &str = "SELECT COUNT(*), MIN(next_attempt_at)
    FROM webhook_deliveries WHERE state = 'pending'";

pub(super) fn outbox(row: &dyn Columns) -> Result<Outbox> {
    Ok(Outbox {
        pending: row.get::<i64>(0)?.max(0) as u64,
        next_due: row.get(1)?,
    })
}

pub(super) const PRUNE: &str =
    "DELETE FROM webhook_deliveries WHERE state <> 'pending' AND updated_at < $1";

/// The enabled webhooks of environment `$1`.
pub(super) const ENVIRONMENT_HOOKS: &str =
    "SELECT id FROM webhooks WHERE environment_id = $1 AND enabled ORDER BY id";

/// The enabled webhooks of organisation `$1`.
pub(super) const ORGANISATION_HOOKS: &str =
    "SELECT id FROM organisation_webhooks WHERE organisation_id = $1 AND enabled ORDER BY id";

/// Writes one pending delivery: environment webhook `$1` or organisation webhook `$2`,
/// event `$3`, body `$4`, at `$5`.
pub(super) const ENQUEUE: &str = "INSERT INTO webhook_deliveries
    (webhook_id, organisation_webhook_id, event_type, payload, next_attempt_at, created_at,
     updated_at)
    VALUES ($1, $2, $3, $4, $5, $5, $5)";

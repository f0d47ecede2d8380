//! Webhooks: environment and organisation webhooks, and their deliveries (the outbox and the
//! delivery log): the storage trait, how rows read, and the bodies written with each change.

use super::Result;
use crate::domain::environment::{Webhook, WebhookFields};
use crate::domain::feature::MvOption;
use crate::domain::feature_state::{FeatureState, Scope as Applies};
use crate::domain::webhook::{
    Claimed, Delivery, DeliveryState, FLAG_DELETED, FLAG_UPDATED, OrganisationWebhook,
    OrganisationWebhookFields, Outcome, Target, timestamp,
};
use crate::domain::{
    EnvironmentId, FeatureValue, OrganisationId, Page, PageRequest, Timestamp, drf_datetime,
};
use crate::store::mv_options;
use crate::store::rows::Columns;
use async_trait::async_trait;
use serde_json::{Value, json};
use std::time::Duration;

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

/// Audit entry `$1` with the names of what it points at.
pub(super) const AUDIT_RECORD: &str = "SELECT a.id, a.created_date, a.log, a.related_object_id,
        a.related_object_uuid, a.related_object_type, a.change_type, a.is_system_event,
        u.id, u.email, u.first_name, u.last_name, k.id, k.name, p.id, p.name, e.id, e.name,
        e.api_key
    FROM audit_log a
    LEFT JOIN users u ON u.id = a.author_user_id
    LEFT JOIN organisation_api_keys k ON k.id = a.author_api_key_id
    LEFT JOIN projects p ON p.id = a.project_id
    LEFT JOIN environments e ON e.id = a.environment_id
    WHERE a.id = $1";

/// The `data` of an `AUDIT_LOG_CREATED` body: the entry as the audit log lists it.
pub(super) fn audit_record(row: &dyn Columns) -> Result<Value> {
    let author = match (row.get::<Option<i64>>(8)?, row.get::<Option<i64>>(12)?) {
        (Some(id), _) => json!({
            "id": id,
            "email": row.get::<String>(9)?,
            "first_name": row.get::<String>(10)?,
            "last_name": row.get::<String>(11)?,
        }),
        (None, Some(id)) => json!({"id": id, "name": row.get::<String>(13)?}),
        (None, None) => Value::Null,
    };
    let project = match row.get::<Option<i64>>(14)? {
        Some(id) => json!({"id": id, "name": row.get::<String>(15)?}),
        None => Value::Null,
    };
    let environment = match row.get::<Option<i64>>(16)? {
        Some(id) => json!({
            "id": id,
            "name": row.get::<String>(17)?,
            "api_key": row.get::<String>(18)?,
        }),
        None => Value::Null,
    };
    Ok(json!({
        "id": row.get::<i64>(0)?,
        "created_date": drf_datetime(row.get(1)?),
        "log": row.get::<String>(2)?,
        "author": author,
        "environment": environment,
        "project": project,
        "related_object_id": row.get::<Option<i64>>(3)?,
        "related_object_uuid": row.get::<Option<String>>(4)?,
        "related_object_type": row.get::<Option<String>>(5)?,
        "change_type": row.get::<String>(6)?,
        "is_system_event": row.get::<bool>(7)?,
    }))
}

/// What a flag state's body says beside the state itself: feature `$1` in environment `$2`,
/// identity `$3` or feature segment `$4`, changed by user `$5` or organisation API key `$6`.
pub(super) const FLAG_CONTEXT: &str = "SELECT f.id, f.created_date, f.default_enabled,
        f.description, f.initial_value, f.name, f.type, p.id, p.name, e.id, e.name,
        (SELECT identifier FROM identities WHERE id = $3),
        s.id, s.name, s.description, fs.priority,
        (SELECT email FROM users WHERE id = $5),
        (SELECT name FROM organisation_api_keys WHERE id = $6)
    FROM features f
    JOIN projects p ON p.id = f.project_id
    JOIN environments e ON e.id = $2
    LEFT JOIN feature_segments fs ON fs.id = $4
    LEFT JOIN segments s ON s.id = fs.segment_id
    WHERE f.id = $1";

/// The options of feature `$1`, whose values a multivariate state's shares name.
pub(super) fn options_sql() -> String {
    format!(
        "SELECT {} FROM mv_options WHERE feature_id = $1 ORDER BY id",
        mv_options::COLUMNS
    )
}

/// The parts of a flag state's body that come from the rows around it.
pub(super) struct FlagContext {
    feature: Value,
    environment: Value,
    identity: Option<String>,
    segment: Value,
    changed_by: Option<String>,
}

pub(super) fn flag_context(row: &dyn Columns) -> Result<FlagContext> {
    let segment = match row.get::<Option<i64>>(12)? {
        Some(id) => json!({
            "segment": {
                "id": id,
                "name": row.get::<String>(13)?,
                "description": row.get::<Option<String>>(14)?,
            },
            "priority": row.get::<i64>(15)?,
        }),
        None => Value::Null,
    };
    Ok(FlagContext {
        feature: json!({
            "id": row.get::<i64>(0)?,
            "created_date": drf_datetime(row.get(1)?),
            "default_enabled": row.get::<bool>(2)?,
            "description": row.get::<Option<String>>(3)?,
            "initial_value": row.get::<Option<String>>(4)?,
            "name": row.get::<String>(5)?,
            "type": row.get::<String>(6)?,
            "project": {"id": row.get::<i64>(7)?, "name": row.get::<String>(8)?},
        }),
        environment: json!({"id": row.get::<i64>(9)?, "name": row.get::<String>(10)?}),
        identity: row.get(11)?,
        segment,
        changed_by: row.get::<Option<String>>(16)?.or(row.get(17)?),
    })
}

/// The parameters of `FLAG_CONTEXT` for a change of `state`: feature, environment, identity,
/// feature segment.
pub(super) fn flag_keys(state: &FeatureState) -> (i64, i64, Option<i64>, Option<i64>) {
    let (identity, segment) = match state.scope {
        Applies::Environment => (None, None),
        Applies::Identity(i) => (Some(i.0), None),
        Applies::Segment(fs) => (None, Some(fs.0)),
    };
    (
        state.feature_id.0,
        state.environment_id.0,
        identity,
        segment,
    )
}

fn flag_state(ctx: &FlagContext, state: &FeatureState, options: &[MvOption]) -> Value {
    let value = |v: &FeatureValue| serde_json::to_value(v).unwrap_or(Value::Null);
    let shares: Vec<Value> = state
        .mv_values
        .iter()
        .map(|share| {
            let option = options.iter().find(|o| o.id == share.mv_option_id);
            json!({
                "id": share.id,
                "multivariate_feature_option": {
                    "id": share.mv_option_id.0,
                    "value": option.map_or(Value::Null, |o| value(&o.value)),
                },
                "percentage_allocation": share.percentage_allocation,
            })
        })
        .collect();
    let identity = match state.scope {
        Applies::Identity(id) => json!(id.0),
        _ => Value::Null,
    };
    json!({
        "feature": ctx.feature,
        "environment": ctx.environment,
        "identity": identity,
        "identity_identifier": ctx.identity,
        "feature_segment": ctx.segment,
        "enabled": state.enabled,
        "feature_state_value": value(&state.value),
        "multivariate_feature_state_values": shares,
    })
}

/// The event type and `data` of a flag change: `FLAG_DELETED` when there is no new state.
pub(super) fn flag_event(
    ctx: &FlagContext,
    before: Option<&FeatureState>,
    after: Option<&FeatureState>,
    options: &[MvOption],
    now: Timestamp,
) -> (&'static str, Value) {
    let mut data = json!({
        "new_state": after.map_or(Value::Null, |s| flag_state(ctx, s, options)),
        "changed_by": ctx.changed_by.clone().unwrap_or_default(),
        "timestamp": timestamp(now),
    });
    if let Some(before) = before {
        data["previous_state"] = flag_state(ctx, before, options);
    }
    let event = if after.is_some() {
        FLAG_UPDATED
    } else {
        FLAG_DELETED
    };
    (event, data)
}

//! The bodies of webhook deliveries: an audit entry and a flag state, as the store reads them.

use crate::domain::feature::MvOption;
use crate::domain::feature_state::{FeatureState, Scope as Applies};
use crate::domain::webhook::{FLAG_DELETED, FLAG_UPDATED, timestamp};
use crate::domain::{FeatureValue, Timestamp, drf_datetime};
use crate::store::Result;
use crate::store::mv_options;
use crate::store::rows::Columns;
use serde_json::{Value, json};
/// Audit entry `$1` with the names of what it points at.
pub(in crate::store) const AUDIT_RECORD: &str =
    "SELECT a.id, a.created_date, a.log, a.related_object_id,
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
pub(in crate::store) fn audit_record(row: &dyn Columns) -> Result<Value> {
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
pub(in crate::store) const FLAG_CONTEXT: &str = "SELECT f.id, f.created_date, f.default_enabled,
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
pub(in crate::store) fn options_sql() -> String {
    format!(
        "SELECT {} FROM mv_options WHERE feature_id = $1 ORDER BY id",
        mv_options::COLUMNS
    )
}

/// The parts of a flag state's body that come from the rows around it.
pub(in crate::store) struct FlagContext {
    feature: Value,
    environment: Value,
    identity: Option<String>,
    segment: Value,
    changed_by: Option<String>,
}

pub(in crate::store) fn flag_context(row: &dyn Columns) -> Result<FlagContext> {
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
pub(in crate::store) fn flag_keys(state: &FeatureState) -> (i64, i64, Option<i64>, Option<i64>) {
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
pub(in crate::store) fn flag_event(
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

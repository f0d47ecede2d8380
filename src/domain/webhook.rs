//! Outbound webhooks: organisation webhooks, deliveries, and the JSON bodies they post.

use super::{OrganisationId, Timestamp};
use serde::Serialize;
use serde_json::Value;
use std::io;

/// A flag's state changed (environment and organisation webhooks).
pub const FLAG_UPDATED: &str = "FLAG_UPDATED";
/// A flag's state was deleted.
pub const FLAG_DELETED: &str = "FLAG_DELETED";
/// An audit log entry was written (organisation webhooks).
pub const AUDIT_LOG_CREATED: &str = "AUDIT_LOG_CREATED";
/// What `POST /api/v1/webhooks/test/` sends.
pub const TEST: &str = "TEST";

/// An organisation's webhook: every audit log entry and flag change of the organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationWebhook {
    pub id: i64,
    pub organisation_id: OrganisationId,
    pub name: String,
    pub url: String,
    /// Signs each delivery (HMAC-SHA256) when not empty.
    pub secret: String,
    pub enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The settable part of an organisation webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationWebhookFields {
    pub name: String,
    pub url: String,
    pub secret: String,
    pub enabled: bool,
}

/// The webhook a delivery goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// An environment webhook, by id.
    Environment(i64),
    /// An organisation webhook, by id.
    Organisation(i64),
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// In the outbox: not sent yet, or to be tried again.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up: the retry time ran out, or the receiver cannot be reached by design.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    /// An unknown stored state reads as failed: it will not be sent.
    pub fn parse(s: &str) -> Self {
        match s {
            "pending" => DeliveryState::Pending,
            "delivered" => DeliveryState::Delivered,
            _ => DeliveryState::Failed,
        }
    }
}

/// One event for one webhook, and how sending it went.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: i64,
    pub target: Target,
    pub event_type: String,
    /// The body as posted (sorted keys).
    pub payload: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub next_attempt_at: Timestamp,
    /// The receiver's status code on the last attempt, if it answered.
    pub response_code: Option<i32>,
    /// Why the last attempt failed, if it did.
    pub error: Option<String>,
    pub created_at: Timestamp,
    /// When the last attempt ended (or the delivery was written).
    pub updated_at: Timestamp,
}

/// A pending delivery claimed by one node for one attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub id: i64,
    pub target: Target,
    pub url: String,
    pub secret: String,
    pub payload: String,
    pub event_type: String,
    /// Counting this one.
    pub attempts: i32,
    pub created_at: Timestamp,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Delivered {
        code: i32,
    },
    /// Try again at `at`.
    Retry {
        at: Timestamp,
        code: Option<i32>,
        error: String,
    },
    Failed {
        code: Option<i32>,
        error: String,
    },
}

/// A webhook body: `{"data": …, "event_type": …}` as Flagsmith writes it with Python's
/// `json.dumps(sort_keys=True)`: keys sorted, `", "` and `": "` between items, non-ASCII escaped.
pub fn body(event_type: &str, data: Value) -> String {
    let value = serde_json::json!({ "data": data, "event_type": event_type });
    python_json(&value)
}

/// `value` as Python's `json.dumps(value, sort_keys=True)` prints it.
pub fn python_json(value: &Value) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter);
    // Writing a `Value` into memory cannot fail.
    let _ = sorted(value).serialize(&mut ser);
    String::from_utf8(out).unwrap_or_default()
}

/// A timestamp as Flagsmith's webhooks write it: `%Y-%m-%dT%H:%M:%S.%fZ`.
pub fn timestamp(t: Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

struct PythonFormatter;

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        for c in fragment.chars() {
            if (' '..='~').contains(&c) {
                w.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(w, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_read_as_python_writes_them() {
        let data = json!({"b": [1, 2.5, null], "a": {"z": true, "y": "é ☃ 😀"}, "c": "\n\u{7f}"});
        assert_eq!(
            body("FLAG_UPDATED", data),
            r#"{"data": {"a": {"y": "\u00e9 \u2603 \ud83d\ude00", "z": true}, "b": [1, 2.5, null], "c": "\n\u007f"}, "event_type": "FLAG_UPDATED"}"#
        );
    }

    #[test]
    fn timestamps_carry_microseconds() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-12-04T10:00:00Z").unwrap();
        assert_eq!(timestamp(t.to_utc()), "2026-12-04T10:00:00.000000Z");
    }
}

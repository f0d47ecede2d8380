//! The audit log: who changed what, when, with before and after values.

use serde::Serialize;

use super::{AuditLogId, EnvironmentId, OrgApiKeyId, OrganisationId, ProjectId, Timestamp, UserId};

/// Who made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Author {
    User(UserId),
    ApiKey(OrgApiKeyId),
    /// The server itself (bootstrap, migrations).
    System,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ChangeType {
    Create,
    Update,
    Delete,
}

impl ChangeType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeType::Create => "CREATE",
            ChangeType::Update => "UPDATE",
            ChangeType::Delete => "DELETE",
        }
    }

    pub fn parse(s: &str) -> Option<ChangeType> {
        match s {
            "CREATE" => Some(ChangeType::Create),
            "UPDATE" => Some(ChangeType::Update),
            "DELETE" => Some(ChangeType::Delete),
            _ => None,
        }
    }
}

/// What the caller of a store write says about the change; the store adds what it wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    pub author: Author,
    /// Human text, e.g. "New Flag created: checkout".
    pub log: String,
}

impl Audit {
    pub fn new(author: Author, log: impl Into<String>) -> Self {
        Audit {
            author,
            log: log.into(),
        }
    }
}

/// One field that a change altered.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: AuditLogId,
    pub created_date: Timestamp,
    pub log: String,
    /// `None` once the author's user or key has been deleted.
    pub author: Option<Author>,
    pub organisation_id: Option<OrganisationId>,
    pub project_id: Option<ProjectId>,
    pub environment_id: Option<EnvironmentId>,
    /// "Feature", "Feature state", "Segment", "Environment", …
    pub related_object_type: String,
    pub related_object_id: Option<i64>,
    pub related_object_uuid: Option<String>,
    pub change_type: ChangeType,
    pub change_details: Vec<FieldChange>,
    pub is_system_event: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuditQuery {
    pub organisation_id: Option<OrganisationId>,
    /// Entries of any of these organisations (none of them when empty).
    pub organisation_ids: Option<Vec<OrganisationId>>,
    pub project_id: Option<ProjectId>,
    /// Only entries about a project (upstream's logs show no others).
    pub with_project: bool,
    pub environment_ids: Vec<EnvironmentId>,
    /// Case-insensitive substring of the log text.
    pub search: Option<String>,
    pub is_system_event: Option<bool>,
}

/// The fields whose values differ between two serialisations of the same object, in field order.
pub fn diff(before: &serde_json::Value, after: &serde_json::Value) -> Vec<FieldChange> {
    let (Some(old), Some(new)) = (before.as_object(), after.as_object()) else {
        return Vec::new();
    };
    let mut fields: Vec<&String> = old.keys().chain(new.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter_map(|field| {
            let o = old.get(field).cloned().unwrap_or(serde_json::Value::Null);
            let n = new.get(field).cloned().unwrap_or(serde_json::Value::Null);
            (o != n).then(|| FieldChange {
                field: field.clone(),
                old: o,
                new: n,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::diff;
    use serde_json::json;

    #[test]
    fn diff_lists_only_the_fields_that_changed() {
        let changes = diff(
            &json!({"name": "a", "enabled": false, "gone": 1}),
            &json!({"name": "a", "enabled": true, "added": 2}),
        );
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["added", "enabled", "gone"]);
        assert_eq!(changes[1].old, json!(false));
        assert_eq!(changes[1].new, json!(true));
    }
}

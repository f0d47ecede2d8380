//! The audit log, written in the transaction of each change: the storage trait and how a row reads.

use super::Result;
use crate::domain::audit::{Audit, AuditEntry, AuditQuery, Author, ChangeType, FieldChange, diff};
use crate::domain::feature_state::FeatureState;
use crate::domain::{
    AuditLogId, EnvironmentId, IdentityId, OrgApiKeyId, OrganisationId, Page, PageRequest,
    ProjectId, UserId,
};
use crate::store::rows::Columns;
use async_trait::async_trait;

/// Reading the audit log (entries are written by the store's other writes).
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// One page of the entries matching the query, newest first.
    async fn audit_entries(
        &self,
        query: &AuditQuery,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>>;

    /// `NotFound` when there is no such entry.
    async fn audit_entry(&self, id: AuditLogId) -> Result<AuditEntry>;
}

/// Where a change happened. It decides the audit entry's organisation, project and
/// environment, and which environments' `updated_at` move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Organisation-wide; no environment moves.
    Organisation(OrganisationId),
    /// Project-wide; every environment of the project moves.
    Project(ProjectId),
    /// One environment moves.
    Environment(EnvironmentId),
    /// One identity's traits or existence: never audited, no environment moves; it only tells
    /// the identity cache (SDK traffic writes these).
    Identity(IdentityId),
}

/// One audit entry to write with a change, in the change's transaction.
#[derive(Debug, Clone)]
pub(crate) struct Change<'a> {
    pub audit: &'a Audit,
    pub object_type: &'static str,
    pub object_id: i64,
    pub object_uuid: Option<String>,
    pub change_type: ChangeType,
    pub scope: Scope,
    pub details: Vec<FieldChange>,
    /// Flag states this change moved, as (before, after): each is posted to webhooks.
    pub flags: Vec<(Option<FeatureState>, Option<FeatureState>)>,
}

impl<'a> Change<'a> {
    pub fn created(
        audit: &'a Audit,
        object_type: &'static str,
        object_id: i64,
        object_uuid: Option<&str>,
        scope: Scope,
    ) -> Self {
        Change {
            audit,
            object_type,
            object_id,
            object_uuid: object_uuid.map(str::to_string),
            change_type: ChangeType::Create,
            scope,
            details: Vec::new(),
            flags: Vec::new(),
        }
    }

    pub fn deleted(
        audit: &'a Audit,
        object_type: &'static str,
        object_id: i64,
        object_uuid: Option<&str>,
        scope: Scope,
    ) -> Self {
        Change {
            change_type: ChangeType::Delete,
            ..Change::created(audit, object_type, object_id, object_uuid, scope)
        }
    }

    /// An update, with the fields that differ between the two serialisations.
    pub fn updated<T: serde::Serialize>(
        audit: &'a Audit,
        object_type: &'static str,
        object_id: i64,
        object_uuid: Option<&str>,
        scope: Scope,
        before: &T,
        after: &T,
    ) -> Self {
        let to_json = |v: &T| serde_json::to_value(v).unwrap_or(serde_json::Value::Null);
        Change {
            change_type: ChangeType::Update,
            details: diff(&to_json(before), &to_json(after)),
            ..Change::created(audit, object_type, object_id, object_uuid, scope)
        }
    }
}

impl Change<'_> {
    /// Tells webhooks that a flag state moved from `before` to `after` (`None`: created, deleted).
    pub fn flag(mut self, before: Option<&FeatureState>, after: Option<&FeatureState>) -> Self {
        self.flags.push((before.cloned(), after.cloned()));
        self
    }

    /// The `author_user_id` and `author_api_key_id` columns of the entry.
    pub fn author_ids(&self) -> (Option<i64>, Option<i64>) {
        match self.audit.author {
            Author::User(id) => (Some(id.0), None),
            Author::ApiKey(id) => (None, Some(id.0)),
            Author::System => (None, None),
        }
    }
}

/// The organisation, project and environment an audit entry is filed under.
pub(super) type Filed = (
    Option<OrganisationId>,
    Option<ProjectId>,
    Option<EnvironmentId>,
);

impl Scope {
    /// Where an entry in this scope is filed, given the organisation and project that a
    /// project or environment scope lies in (read by the backend with [`owner`]).
    pub fn filed(self, owner: Option<(OrganisationId, ProjectId)>) -> Filed {
        let (org, project) = owner.map_or((None, None), |(o, p)| (Some(o), Some(p)));
        match self {
            Scope::Organisation(o) => (Some(o), None, None),
            Scope::Project(_) => (org, project, None),
            Scope::Environment(e) => (org, project, Some(e)),
            Scope::Identity(_) => (None, None, None),
        }
    }
}

/// Reads `organisation_id, project id` of the project a scope lies in.
pub(super) fn owner(row: &dyn Columns) -> Result<(OrganisationId, ProjectId)> {
    Ok((OrganisationId(row.get(0)?), ProjectId(row.get(1)?)))
}

pub(super) const COLUMNS: &str =
    "id, created_date, log, author_user_id, author_api_key_id, organisation_id,
    project_id, environment_id, related_object_type, related_object_id, related_object_uuid,
    change_type, change_details, is_system_event";

pub(super) fn entry(row: &dyn Columns) -> Result<AuditEntry> {
    let is_system_event: bool = row.get(13)?;
    let user: Option<i64> = row.get(3)?;
    let key: Option<i64> = row.get(4)?;
    let author = match (user, key) {
        (Some(u), _) => Some(Author::User(UserId(u))),
        (None, Some(k)) => Some(Author::ApiKey(OrgApiKeyId(k))),
        (None, None) if is_system_event => Some(Author::System),
        (None, None) => None,
    };
    let change_type: String = row.get(11)?;
    let details: serde_json::Value = row.get(12)?;
    Ok(AuditEntry {
        id: AuditLogId(row.get(0)?),
        created_date: row.get(1)?,
        log: row.get(2)?,
        author,
        organisation_id: row.get::<Option<i64>>(5)?.map(OrganisationId),
        project_id: row.get::<Option<i64>>(6)?.map(ProjectId),
        environment_id: row.get::<Option<i64>>(7)?.map(EnvironmentId),
        related_object_type: row.get(8)?,
        related_object_id: row.get(9)?,
        related_object_uuid: row.get(10)?,
        change_type: ChangeType::parse(&change_type).unwrap_or(ChangeType::Update),
        change_details: serde_json::from_value::<Vec<FieldChange>>(details).unwrap_or_default(),
        is_system_event,
    })
}

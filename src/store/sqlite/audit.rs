//! Writing audit entries inside a change's transaction, moving `updated_at`, and reading the log.

use super::SqliteStore;
use super::rows::{all, contains_pattern, exec, one, ts};
use crate::domain::audit::{AuditEntry, AuditQuery, Author};
use crate::domain::{
    AuditLogId, EnvironmentId, OrganisationId, Page, PageRequest, ProjectId, Timestamp,
};
use crate::store::audit::{AuditStore, COLUMNS, Change, Scope, entry};
use crate::store::{Result, StoreError};
use async_trait::async_trait;
use rusqlite::{Connection, Transaction, params};

/// Writes the audit entry for `change` and moves the `updated_at` of the environments in its scope.
/// Call it before deleting the object, while the scope still resolves.
pub(super) fn record(tx: &Transaction<'_>, now: Timestamp, change: &Change<'_>) -> Result<()> {
    let (org, project, env) = resolve(tx, change.scope)?;
    let (user, key) = match change.audit.author {
        Author::User(id) => (Some(id.0), None),
        Author::ApiKey(id) => (None, Some(id.0)),
        Author::System => (None, None),
    };
    let details = serde_json::to_string(&change.details)
        .map_err(|e| StoreError::Other(format!("audit details: {e}")))?;
    exec(tx, "INSERT INTO audit_log (created_date, log, author_user_id, author_api_key_id, organisation_id,
             project_id, environment_id, related_object_type, related_object_id, related_object_uuid,
             change_type, change_details, is_system_event)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", params![
        ts(now),
        change.audit.log,
        user,
        key,
        org.map(|o| o.0),
        project.map(|p| p.0),
        env.map(|e| e.0),
        change.object_type,
        change.object_id,
        change.object_uuid,
        change.change_type.as_str(),
        details,
        change.audit.author == Author::System,
    ])?;
    bump(tx, now, change.scope)
}

/// Moves `updated_at` of the environments a change in `scope` can affect.
pub(super) fn bump(tx: &Transaction<'_>, now: Timestamp, scope: Scope) -> Result<()> {
    match scope {
        Scope::Organisation(_) => {}
        Scope::Project(p) => {
            exec(
                tx,
                "UPDATE environments SET updated_at = ? WHERE project_id = ?",
                params![ts(now), p.0],
            )?;
        }
        Scope::Environment(e) => {
            exec(
                tx,
                "UPDATE environments SET updated_at = ? WHERE id = ?",
                params![ts(now), e.0],
            )?;
        }
    }
    Ok(())
}

type Resolved = (
    Option<OrganisationId>,
    Option<ProjectId>,
    Option<EnvironmentId>,
);

fn resolve(tx: &Transaction<'_>, scope: Scope) -> Result<Resolved> {
    Ok(match scope {
        Scope::Organisation(o) => (Some(o), None, None),
        Scope::Project(p) => {
            let org: i64 = one(
                tx,
                "SELECT organisation_id FROM projects WHERE id = ?",
                [p.0],
                |r| r.get(0),
            )?;
            (Some(OrganisationId(org)), Some(p), None)
        }
        Scope::Environment(e) => {
            let (org, project): (i64, i64) = one(
                tx,
                "SELECT p.organisation_id, p.id FROM environments e
                     JOIN projects p ON p.id = e.project_id WHERE e.id = ?",
                [e.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            (Some(OrganisationId(org)), Some(ProjectId(project)), Some(e))
        }
    })
}

fn list(conn: &Connection, query: &AuditQuery, page: PageRequest) -> Result<Page<AuditEntry>> {
    let mut filters = Vec::new();
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(o) = query.organisation_id {
        filters.push("organisation_id = ?".to_string());
        args.push(o.0.into());
    }
    if let Some(p) = query.project_id {
        filters.push("project_id = ?".to_string());
        args.push(p.0.into());
    }
    if !query.environment_ids.is_empty() {
        let marks = vec!["?"; query.environment_ids.len()].join(", ");
        filters.push(format!("environment_id IN ({marks})"));
        args.extend(query.environment_ids.iter().map(|e| e.0.into()));
    }
    if let Some(search) = &query.search {
        filters.push("fold(log) LIKE fold(?) ESCAPE '\\'".to_string());
        args.push(contains_pattern(search).into());
    }
    if let Some(system) = query.is_system_event {
        filters.push("is_system_event = ?".to_string());
        args.push(i64::from(system).into());
    }
    let filter = if filters.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", filters.join(" AND "))
    };
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM audit_log {filter}"),
        rusqlite::params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    args.push((page.page_size as i64).into());
    args.push((page.offset() as i64).into());
    let items = all(
        conn,
        &format!("SELECT {COLUMNS} FROM audit_log {filter} ORDER BY id DESC LIMIT ? OFFSET ?"),
        rusqlite::params_from_iter(args.iter()),
        entry,
    )?;
    Ok(Page {
        items,
        total: total as u64,
    })
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn audit_entries(
        &self,
        query: &AuditQuery,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>> {
        let query = query.clone();
        self.read(move |c| list(c, &query, page)).await
    }

    async fn audit_entry(&self, id: AuditLogId) -> Result<AuditEntry> {
        self.read(move |c| {
            one(
                c,
                &format!("SELECT {COLUMNS} FROM audit_log WHERE id = ?"),
                [id.0],
                entry,
            )
        })
        .await
    }
}

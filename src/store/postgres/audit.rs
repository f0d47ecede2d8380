//! Writing audit entries inside a change's transaction, moving `updated_at`, and reading the log.

use super::PostgresStore;
use super::rows::{contains_pattern, exec, one};
use crate::domain::audit::{AuditEntry, AuditQuery, Author};
use crate::domain::{
    AuditLogId, EnvironmentId, OrganisationId, Page, PageRequest, ProjectId, Timestamp,
};
use crate::store::audit::{AuditStore, COLUMNS, Change, Scope, entry};
use crate::store::{Result, StoreError};
use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::types::ToSql;

/// Writes the audit entry for `change` and moves the `updated_at` of the environments in its scope.
/// Call it before deleting the object, while the scope still resolves.
pub(super) async fn record(
    tx: &Transaction<'_>,
    now: Timestamp,
    change: &Change<'_>,
) -> Result<()> {
    let (org, project, env) = resolve(tx, change.scope).await?;
    let (user, key) = match change.audit.author {
        Author::User(id) => (Some(id.0), None),
        Author::ApiKey(id) => (None, Some(id.0)),
        Author::System => (None, None),
    };
    let details = serde_json::to_value(&change.details)
        .map_err(|e| StoreError::Other(format!("audit details: {e}")))?;
    exec(tx, "INSERT INTO audit_log (created_date, log, author_user_id, author_api_key_id, organisation_id,
                 project_id, environment_id, related_object_type, related_object_id, related_object_uuid,
                 change_type, change_details, is_system_event)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)", &[
            &now,
            &change.audit.log,
            &user,
            &key,
            &org.map(|o| o.0),
            &project.map(|p| p.0),
            &env.map(|e| e.0),
            &change.object_type,
            &change.object_id,
            &change.object_uuid,
            &change.change_type.as_str(),
            &details,
            &(change.audit.author == Author::System),
        ]).await?;
    bump(tx, now, change.scope).await
}

/// Moves `updated_at` of the environments a change in `scope` can affect.
pub(super) async fn bump(tx: &Transaction<'_>, now: Timestamp, scope: Scope) -> Result<()> {
    match scope {
        Scope::Organisation(_) => {}
        Scope::Project(p) => {
            exec(
                tx,
                "UPDATE environments SET updated_at = $1 WHERE project_id = $2",
                &[&now, &p.0],
            )
            .await?;
        }
        Scope::Environment(e) => {
            exec(
                tx,
                "UPDATE environments SET updated_at = $1 WHERE id = $2",
                &[&now, &e.0],
            )
            .await?;
        }
    }
    Ok(())
}

type Resolved = (
    Option<OrganisationId>,
    Option<ProjectId>,
    Option<EnvironmentId>,
);

async fn resolve(tx: &Transaction<'_>, scope: Scope) -> Result<Resolved> {
    Ok(match scope {
        Scope::Organisation(o) => (Some(o), None, None),
        Scope::Project(p) => {
            let stmt = tx
                .prepare_cached("SELECT organisation_id FROM projects WHERE id = $1")
                .await?;
            let row = tx
                .query_opt(&stmt, &[&p.0])
                .await?
                .ok_or(StoreError::NotFound)?;
            (Some(OrganisationId(row.get(0))), Some(p), None)
        }
        Scope::Environment(e) => {
            let stmt = tx
                .prepare_cached(
                    "SELECT p.organisation_id, p.id FROM environments e
                     JOIN projects p ON p.id = e.project_id WHERE e.id = $1",
                )
                .await?;
            let row = tx
                .query_opt(&stmt, &[&e.0])
                .await?
                .ok_or(StoreError::NotFound)?;
            (
                Some(OrganisationId(row.get(0))),
                Some(ProjectId(row.get(1))),
                Some(e),
            )
        }
    })
}

async fn list(
    client: &impl GenericClient,
    query: &AuditQuery,
    page: PageRequest,
) -> Result<Page<AuditEntry>> {
    let mut filters = Vec::new();
    let mut args: Vec<Box<dyn ToSql + Sync + Send>> = Vec::new();
    let arg = |value: Box<dyn ToSql + Sync + Send>, args: &mut Vec<_>| {
        args.push(value);
        format!("${}", args.len())
    };
    if let Some(o) = query.organisation_id {
        filters.push(format!(
            "organisation_id = {}",
            arg(Box::new(o.0), &mut args)
        ));
    }
    if let Some(p) = query.project_id {
        filters.push(format!("project_id = {}", arg(Box::new(p.0), &mut args)));
    }
    if !query.environment_ids.is_empty() {
        let ids: Vec<i64> = query.environment_ids.iter().map(|e| e.0).collect();
        filters.push(format!(
            "environment_id = ANY({})",
            arg(Box::new(ids), &mut args)
        ));
    }
    if let Some(search) = &query.search {
        let p = arg(Box::new(contains_pattern(search)), &mut args);
        filters.push(format!("lower(log) LIKE lower({p}) ESCAPE '\\'"));
    }
    if let Some(system) = query.is_system_event {
        filters.push(format!(
            "is_system_event = {}",
            arg(Box::new(system), &mut args)
        ));
    }
    let filter = if filters.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", filters.join(" AND "))
    };
    let params: Vec<&(dyn ToSql + Sync)> = args
        .iter()
        .map(|a| a.as_ref() as &(dyn ToSql + Sync))
        .collect();
    let total: i64 = client
        .query_one(&format!("SELECT COUNT(*) FROM audit_log {filter}"), &params)
        .await?
        .try_get(0)?;
    let limit = page.page_size as i64;
    let offset = page.offset() as i64;
    let mut paged = params.clone();
    paged.push(&limit);
    paged.push(&offset);
    let n = params.len();
    let rows = client
        .query(
            &format!(
                "SELECT {COLUMNS} FROM audit_log {filter} ORDER BY id DESC LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            ),
            &paged,
        )
        .await?;
    Ok(Page {
        items: rows.iter().map(|r| entry(r)).collect::<Result<_>>()?,
        total: total as u64,
    })
}

#[async_trait]
impl AuditStore for PostgresStore {
    async fn audit_entries(
        &self,
        query: &AuditQuery,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>> {
        let mut client = self.client().await?;
        let tx = super::read_snapshot(&mut client).await?;
        let page = list(&tx, query, page).await?;
        tx.commit().await?;
        Ok(page)
    }

    async fn audit_entry(&self, id: AuditLogId) -> Result<AuditEntry> {
        let client = self.client().await?;
        one(
            &client,
            &format!("SELECT {COLUMNS} FROM audit_log WHERE id = $1"),
            &[&id.0],
            entry,
        )
        .await
    }
}

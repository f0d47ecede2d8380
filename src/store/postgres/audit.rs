//! Writing audit entries inside a change's transaction, moving `updated_at`, and reading the log.

use super::PostgresStore;
use super::Tx;
use super::listing::Listing;
use super::rows::{Conn, contains_pattern, exec, one};
use super::webhooks;
use crate::domain::audit::{AuditEntry, AuditQuery, Author};
use crate::domain::{AuditLogId, Page, PageRequest, Timestamp};
use crate::store::audit::{AuditStore, COLUMNS, Change, Filed, Scope, entry, owner};
use crate::store::{Result, StoreError};
use async_trait::async_trait;

/// Writes the audit entry for `change` and moves the `updated_at` of the environments in its scope.
/// Call it before deleting the object, while the scope still resolves.
pub(super) async fn record(tx: &Tx<'_>, now: Timestamp, change: &Change<'_>) -> Result<()> {
    let (org, project, env) = resolve(tx, change.scope).await?;
    let (user, key) = change.author_ids();
    let details = serde_json::to_value(&change.details)
        .map_err(|e| StoreError::Other(format!("audit details: {e}")))?;
    let audit_id: i64 = one(tx, "INSERT INTO audit_log (created_date, log, author_user_id, author_api_key_id, organisation_id,
                 project_id, environment_id, related_object_type, related_object_id, related_object_uuid,
                 change_type, change_details, is_system_event)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id", &[
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
        ], |r| r.get(0)).await?;
    webhooks::enqueue(tx, now, change, audit_id, (org, project, env)).await?;
    bump(tx, now, change.scope).await
}

/// Moves `updated_at` of the environments a change in `scope` can affect.
pub(super) async fn bump(tx: &Tx<'_>, now: Timestamp, scope: Scope) -> Result<()> {
    tx.changed(scope);
    match scope {
        Scope::Organisation(_) | Scope::Identity(_) => {}
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

async fn resolve(tx: &Tx<'_>, scope: Scope) -> Result<Filed> {
    let owner = match scope {
        Scope::Organisation(_) | Scope::Identity(_) => None,
        Scope::Project(p) => Some(
            one(
                tx,
                "SELECT organisation_id, id FROM projects WHERE id = $1",
                &[&p.0],
                owner,
            )
            .await?,
        ),
        Scope::Environment(e) => Some(
            one(
                tx,
                "SELECT p.organisation_id, p.id FROM environments e
                 JOIN projects p ON p.id = e.project_id WHERE e.id = $1",
                &[&e.0],
                owner,
            )
            .await?,
        ),
    };
    Ok(scope.filed(owner))
}

async fn list(
    client: &impl Conn,
    query: &AuditQuery,
    page: PageRequest,
) -> Result<Page<AuditEntry>> {
    let mut list = Listing::default();
    if let Some(o) = query.organisation_id {
        let p = list.arg(o.0);
        list.filter(format!("organisation_id = {p}"));
    }
    if let Some(p) = query.project_id {
        let p = list.arg(p.0);
        list.filter(format!("project_id = {p}"));
    }
    if let Some(orgs) = &query.organisation_ids {
        let marks: Vec<_> = orgs.iter().map(|o| list.arg(o.0)).collect();
        if marks.is_empty() {
            list.filter("1 = 0");
        } else {
            list.filter(format!("organisation_id IN ({})", marks.join(", ")));
        }
    }
    if query.with_project {
        list.filter("project_id IS NOT NULL");
    }
    if !query.environment_ids.is_empty() {
        let ids: Vec<i64> = query.environment_ids.iter().map(|e| e.0).collect();
        let p = list.arg(ids);
        list.filter(format!("environment_id = ANY({p})"));
    }
    if let Some(search) = &query.search {
        let p = list.arg(contains_pattern(search));
        list.filter(format!("lower(log) LIKE lower({p}) ESCAPE '\\'"));
    }
    if let Some(system) = query.is_system_event {
        let p = list.arg(system);
        list.filter(format!("is_system_event = {p}"));
    }
    list.page(client, (COLUMNS, "audit_log"), "id DESC", page, entry)
        .await
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

//! Reading the audit log of an organisation or a project.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::{Caller, Service, ServiceError, ServiceResult};
use crate::domain::audit::{AuditEntry, AuditQuery, Author};
use crate::domain::environment::Environment;
use crate::domain::organisation::Role;
use crate::domain::project::Project;
use crate::domain::user::User;
use crate::domain::{AuditLogId, EnvironmentId, OrganisationId, Page, PageRequest, ProjectId};

/// Whose log to read. Each shows entries about projects only, as upstream's logs do.
#[derive(Debug, Clone, Copy)]
pub enum AuditScope {
    Organisation(OrganisationId),
    Project(ProjectId),
    /// The organisations the caller administers (`/audit/` without a project).
    Administered,
}

/// An entry with the objects it names, for display.
#[derive(Debug, Clone)]
pub struct AuditView {
    pub entry: AuditEntry,
    pub author: Option<User>,
    pub project: Option<Project>,
    pub environment: Option<Environment>,
}

impl Service {
    async fn audit_query(&self, caller: &Caller, scope: AuditScope) -> ServiceResult<AuditQuery> {
        match scope {
            AuditScope::Organisation(org) => {
                self.require_org_admin(caller, org).await?;
                Ok(AuditQuery {
                    organisation_id: Some(org),
                    ..AuditQuery::default()
                })
            }
            AuditScope::Project(project) => {
                self.project_for(caller, project, Some("VIEW_AUDIT_LOG"))
                    .await?;
                Ok(AuditQuery {
                    project_id: Some(project),
                    ..AuditQuery::default()
                })
            }
            AuditScope::Administered => Ok(AuditQuery {
                organisation_ids: Some(self.organisations_administered(caller).await?),
                ..AuditQuery::default()
            }),
        }
        .map(|query| AuditQuery {
            with_project: true,
            ..query
        })
    }

    /// The organisations the caller is an admin of.
    async fn organisations_administered(
        &self,
        caller: &Caller,
    ) -> ServiceResult<Vec<OrganisationId>> {
        Ok(self
            .organisations(caller)
            .await?
            .into_iter()
            .filter(|view| view.role == Role::Admin)
            .map(|view| view.organisation.id)
            .collect())
    }

    /// One page of a log, newest first, with the authors, projects and environments named.
    pub async fn audit_log(
        &self,
        caller: &Caller,
        scope: AuditScope,
        environments: Vec<EnvironmentId>,
        search: Option<String>,
        is_system_event: Option<bool>,
        page: PageRequest,
    ) -> ServiceResult<Page<AuditView>> {
        let query = AuditQuery {
            environment_ids: environments,
            search: search.filter(|s| !s.is_empty()),
            is_system_event,
            ..self.audit_query(caller, scope).await?
        };
        let found = self.store.audit_entries(&query, page).await?;
        let mut views = Vec::with_capacity(found.items.len());
        let mut names = Names::default();
        for entry in found.items {
            views.push(names.view(self, entry).await?);
        }
        Ok(Page {
            items: views,
            total: found.total,
        })
    }

    /// One entry of the log, if it is in the scope.
    pub async fn audit_entry(
        &self,
        caller: &Caller,
        scope: AuditScope,
        id: AuditLogId,
    ) -> ServiceResult<AuditView> {
        self.audit_query(caller, scope).await?;
        let entry = self.store.audit_entry(id).await?;
        let in_scope = match scope {
            AuditScope::Organisation(org) => {
                entry.organisation_id == Some(org) && entry.project_id.is_some()
            }
            AuditScope::Project(project) => entry.project_id == Some(project),
            AuditScope::Administered => false,
        };
        if !in_scope {
            return Err(ServiceError::NotFound(None));
        }
        Names::default().view(self, entry).await
    }

    /// An entry by id alone (the legacy `audit/{id}/`), readable as its project's log is; an
    /// entry about no project is in no log.
    pub async fn audit_entry_by_id(
        &self,
        caller: &Caller,
        id: AuditLogId,
    ) -> ServiceResult<AuditView> {
        let entry = self.store.audit_entry(id).await?;
        let Some(project) = entry.project_id else {
            return Err(ServiceError::NotFound(None));
        };
        self.audit_query(caller, AuditScope::Project(project))
            .await?;
        Names::default().view(self, entry).await
    }
}

/// Looks up each user, project and environment once per page.
#[derive(Default)]
struct Names {
    users: HashMap<i64, Option<User>>,
    projects: HashMap<i64, Option<Project>>,
    environments: HashMap<i64, Option<Environment>>,
}

fn absent_ok<T>(found: Result<T, crate::store::StoreError>) -> ServiceResult<Option<T>> {
    match found {
        Ok(v) => Ok(Some(v)),
        Err(crate::store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

impl Names {
    async fn view(&mut self, service: &Service, entry: AuditEntry) -> ServiceResult<AuditView> {
        let author = match entry.author {
            Some(Author::User(id)) => {
                if let Entry::Vacant(slot) = self.users.entry(id.0) {
                    slot.insert(absent_ok(service.store.user(id).await)?);
                }
                self.users.get(&id.0).cloned().flatten()
            }
            _ => None,
        };
        let project = match entry.project_id {
            Some(id) => {
                if let Entry::Vacant(slot) = self.projects.entry(id.0) {
                    slot.insert(absent_ok(service.store.project(id).await)?);
                }
                self.projects.get(&id.0).cloned().flatten()
            }
            None => None,
        };
        let environment = match entry.environment_id {
            Some(id) => {
                if let Entry::Vacant(slot) = self.environments.entry(id.0) {
                    slot.insert(absent_ok(service.store.environment(id).await)?);
                }
                self.environments.get(&id.0).cloned().flatten()
            }
            None => None,
        };
        Ok(AuditView {
            entry,
            author,
            project,
            environment,
        })
    }
}

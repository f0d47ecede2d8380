//! The audit log: per project, per organisation and the older `/api/v1/audit/?project=`.

use super::query_params::{Integer, Param, integer};
use std::sync::Arc;

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::accounts::UserOut;
use super::environments::EnvironmentOut;
use super::projects::ProjectOut;
use crate::api::auth::AdminAuth;
use crate::api::pagination::{Paginated, page_request};
use crate::api::{Tag, datetime};
use crate::domain::audit::Author;
use crate::domain::{AuditLogId, EnvironmentId, OrganisationId, ProjectId};
use crate::service::{AuditScope, AuditView, Service, ServiceError};

pub struct AuditApi;

#[derive(Debug, Object)]
pub struct FieldChangeOut {
    field: String,
    old: serde_json::Value,
    new: serde_json::Value,
}

#[derive(Debug, Object)]
pub struct AuditLogOut {
    id: i64,
    created_date: String,
    log: String,
    author: Option<UserOut>,
    /// The organisation API key that made the change, when one did.
    master_api_key: Option<i64>,
    environment: Option<EnvironmentOut>,
    project: Option<ProjectOut>,
    related_object_id: Option<i64>,
    related_object_uuid: Option<String>,
    related_object_type: String,
    is_system_event: bool,
    /// `CREATE`, `UPDATE` or `DELETE`.
    change_type: String,
    change_details: Vec<FieldChangeOut>,
}

impl From<AuditView> for AuditLogOut {
    fn from(v: AuditView) -> Self {
        let e = v.entry;
        AuditLogOut {
            id: e.id.0,
            created_date: datetime(e.created_date),
            log: e.log,
            author: v.author.map(Into::into),
            master_api_key: match e.author {
                Some(Author::ApiKey(k)) => Some(k.0),
                _ => None,
            },
            environment: v.environment.map(Into::into),
            project: v.project.map(Into::into),
            related_object_id: e.related_object_id,
            related_object_uuid: e.related_object_uuid,
            related_object_type: e.related_object_type,
            is_system_event: e.is_system_event,
            change_type: e.change_type.as_str().to_string(),
            change_details: e
                .change_details
                .into_iter()
                .map(|c| FieldChangeOut {
                    field: c.field,
                    old: c.old,
                    new: c.new,
                })
                .collect(),
        }
    }
}

/// `environments` as upstream takes it: repeated, or comma-separated ids.
fn environment_ids(raw: &[String]) -> Result<Vec<EnvironmentId>, ServiceError> {
    raw.iter()
        .flat_map(|r| r.split(','))
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.trim().parse::<i64>().map(EnvironmentId).map_err(|_| {
                ServiceError::invalid(
                    "environments",
                    format!("\"{r}\" is not a valid environment id."),
                )
            })
        })
        .collect()
}

struct Filters {
    environments: Vec<String>,
    search: Option<String>,
    is_system_event: Option<bool>,
    page: Option<String>,
    page_size: Option<String>,
}

async fn list(
    svc: &Service,
    auth: &AdminAuth,
    req: &Request,
    scope: AuditScope,
    f: Filters,
) -> poem::Result<Json<Paginated<AuditLogOut>>> {
    let request = page_request(f.page, f.page_size, 999)?;
    let found = svc
        .audit_log(
            auth.caller(),
            scope,
            environment_ids(&f.environments)?,
            f.search,
            f.is_system_event,
            request,
        )
        .await?;
    Ok(Json(Paginated::page(req, request, found, Into::into)))
}

#[OpenApi(tag = "Tag::Audit")]
impl AuditApi {
    /// A project's audit log, newest first (needs `VIEW_AUDIT_LOG`).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/v1/projects/:id/audit/", method = "get")]
    async fn project_log(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        req: &Request,
        id: Path<i64>,
        #[oai(default)] environments: Query<Vec<Param<Integer>>>,
        search: Query<Option<String>>,
        is_system_event: Query<Option<bool>>,
        page: Query<Param<Integer>>,
        page_size: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<AuditLogOut>>> {
        let filters = Filters {
            environments: environments
                .0
                .into_iter()
                .filter_map(Param::into_text)
                .collect(),
            search: search.0,
            is_system_event: is_system_event.0,
            page: page.0.into_text(),
            page_size: page_size.0.into_text(),
        };
        list(
            &svc,
            &auth,
            req,
            AuditScope::Project(ProjectId(id.0)),
            filters,
        )
        .await
    }

    /// One entry of a project's audit log (needs `VIEW_AUDIT_LOG`).
    #[oai(path = "/api/v1/projects/:id/audit/:entry/", method = "get")]
    async fn project_entry(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        entry: Path<i64>,
    ) -> poem::Result<Json<AuditLogOut>> {
        let view = svc
            .audit_entry(
                auth.caller(),
                AuditScope::Project(ProjectId(id.0)),
                AuditLogId(entry.0),
            )
            .await?;
        Ok(Json(view.into()))
    }

    /// An organisation's audit log: what happened in its projects, newest first (organisation
    /// admins).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/v1/organisations/:id/audit/", method = "get")]
    async fn organisation_log(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        req: &Request,
        id: Path<i64>,
        #[oai(default)] environments: Query<Vec<Param<Integer>>>,
        search: Query<Option<String>>,
        is_system_event: Query<Option<bool>>,
        page: Query<Param<Integer>>,
        page_size: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<AuditLogOut>>> {
        let filters = Filters {
            environments: environments
                .0
                .into_iter()
                .filter_map(Param::into_text)
                .collect(),
            search: search.0,
            is_system_event: is_system_event.0,
            page: page.0.into_text(),
            page_size: page_size.0.into_text(),
        };
        list(
            &svc,
            &auth,
            req,
            AuditScope::Organisation(OrganisationId(id.0)),
            filters,
        )
        .await
    }

    /// One entry of an organisation's audit log (organisation admins).
    #[oai(path = "/api/v1/organisations/:id/audit/:entry/", method = "get")]
    async fn organisation_entry(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        id: Path<i64>,
        entry: Path<i64>,
    ) -> poem::Result<Json<AuditLogOut>> {
        let view = svc
            .audit_entry(
                auth.caller(),
                AuditScope::Organisation(OrganisationId(id.0)),
                AuditLogId(entry.0),
            )
            .await?;
        Ok(Json(view.into()))
    }

    /// One entry, by id alone: needs what its project's (or organisation's) log needs.
    #[oai(path = "/api/v1/audit/:entry/", method = "get")]
    async fn legacy_entry(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        entry: Path<i64>,
    ) -> poem::Result<Json<AuditLogOut>> {
        let view = svc
            .audit_entry_by_id(auth.caller(), AuditLogId(entry.0))
            .await?;
        Ok(Json(view.into()))
    }

    /// The log of a project (`?project=`), or without one, of every project in the
    /// organisations the caller administers.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/v1/audit/", method = "get")]
    async fn legacy_log(
        &self,
        svc: Data<&Arc<Service>>,
        auth: AdminAuth,
        req: &Request,
        project: Query<Param<Integer>>,
        #[oai(default)] environments: Query<Vec<Param<Integer>>>,
        search: Query<Option<String>>,
        is_system_event: Query<Option<bool>>,
        page: Query<Param<Integer>>,
        page_size: Query<Param<Integer>>,
    ) -> poem::Result<Json<Paginated<AuditLogOut>>> {
        let scope = match integer("project", project.0.into_text())? {
            Some(project) => AuditScope::Project(ProjectId(project)),
            None => AuditScope::Administered,
        };
        let filters = Filters {
            environments: environments
                .0
                .into_iter()
                .filter_map(Param::into_text)
                .collect(),
            search: search.0,
            is_system_event: is_system_event.0,
            page: page.0.into_text(),
            page_size: page_size.0.into_text(),
        };
        list(&svc, &auth, req, scope, filters).await
    }
}

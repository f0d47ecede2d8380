//! Isolation between organisations, for every operation of the management API.
//
// Isolation between organisations: for every operation of the management API, a user (and an
// API key) of another organisation gets 404 or 403 for this organisation's objects, and the
// objects are unchanged afterwards. The table of operations is checked against the OpenAPI
// document, so a new endpoint cannot be added without saying how it is isolated.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;

use poem::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::feature_states::feature;
use super::segments::plan_is;
use super::world::{World, call, created, get, ok, post};
use super::{TestApp, json};
use crate::api_on_both_backends;

api_on_both_backends!(another_organisation_reaches_nothing_of_ours);

/// Operations that do not address an organisation's objects, and why.
pub(super) const NOT_SCOPED: &[(&str, &str, &str)] = &[
    ("POST", "/api/v1/auth/login/", "signs in; no organisation"),
    (
        "DELETE",
        "/api/v1/auth/token/",
        "ends the caller's own session",
    ),
    ("POST", "/api/v1/auth/users/", "signs up"),
    ("GET", "/api/v1/auth/users/me/", "the caller's own account"),
    ("PUT", "/api/v1/auth/users/me/", "the caller's own account"),
    (
        "PATCH",
        "/api/v1/auth/users/me/",
        "the caller's own account",
    ),
    (
        "POST",
        "/api/v1/auth/users/set_password/",
        "the caller's own account",
    ),
    (
        "POST",
        "/api/v1/organisations/",
        "creates the caller's own organisation",
    ),
    (
        "GET",
        "/api/v1/organisations/permissions/",
        "the list of permission keys",
    ),
    (
        "GET",
        "/api/v1/projects/permissions/",
        "the list of permission keys",
    ),
    (
        "GET",
        "/api/v1/environments/permissions/",
        "the list of permission keys",
    ),
    (
        "POST",
        "/api/v1/users/join/{hash}/",
        "the invite's hash is the credential",
    ),
    (
        "POST",
        "/api/v1/users/join/link/{hash}/",
        "the link's hash is the credential",
    ),
    ("GET", "/api/v1/users/config/init/", "first run only"),
    ("POST", "/api/v1/users/config/init/", "first run only"),
    (
        "GET",
        "/api/v1/flags/",
        "SDK: the environment key is the credential",
    ),
    (
        "GET",
        "/api/v1/identities/",
        "SDK: the environment key is the credential",
    ),
    (
        "POST",
        "/api/v1/identities/",
        "SDK: the environment key is the credential",
    ),
    (
        "POST",
        "/api/v1/traits/",
        "SDK: the environment key is the credential",
    ),
    (
        "PUT",
        "/api/v1/traits/bulk/",
        "SDK: the environment key is the credential",
    ),
    (
        "POST",
        "/api/v1/traits/increment-value/",
        "SDK: the environment key is the credential",
    ),
    (
        "GET",
        "/api/v1/environment-document/",
        "SDK: the server key is the credential",
    ),
    (
        "POST",
        "/api/v1/analytics/flags/",
        "SDK: the environment key is the credential",
    ),
    (
        "POST",
        "/api/v2/analytics/flags/",
        "SDK: the environment key is the credential",
    ),
    (
        "POST",
        "/ofrep/v1/evaluate/flags/{key}",
        "OFREP: the environment key is the credential",
    ),
    (
        "POST",
        "/ofrep/v1/evaluate/flags",
        "OFREP: the environment key is the credential",
    ),
    (
        "GET",
        "/sse/environments/{key}/stream",
        "realtime: the environment key in the address is the credential",
    ),
    (
        "GET",
        "/sse/environments/{key}/ofrep",
        "realtime: the environment key in the address is the credential",
    ),
    ("GET", "/health/liveness/", "public"),
    ("GET", "/health/readiness/", "public"),
    ("GET", "/version/", "public"),
];

/// What another organisation may get back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Expect {
    /// 404, or 403.
    Denied,
    /// A write that names our objects in its body: refused with 400, 403 or 404.
    Refused,
    /// A list filtered by our objects: refused (400 included: the filter names nothing the
    /// caller can see), or an empty list.
    NothingListed,
    /// A list of the caller's own objects: ours are not in it.
    Excludes,
}

pub(super) struct Op {
    pub method: Method,
    pub template: &'static str,
    pub path: String,
    pub body: Value,
    pub expect: Expect,
}

/// The template with its `{name}` placeholders filled in.
fn fill(template: &str, params: &[(&str, &dyn Display)]) -> String {
    let mut path = template.to_string();
    for (name, value) in params {
        path = path.replace(&format!("{{{name}}}"), &value.to_string());
    }
    assert!(!path.contains('{'), "unfilled placeholder in {path}");
    path
}

fn op(method: Method, template: &'static str, params: &[(&str, &dyn Display)], body: Value) -> Op {
    Op {
        path: fill(template, params),
        method,
        template,
        body,
        expect: Expect::Denied,
    }
}

fn expecting(mut op: Op, expect: Expect) -> Op {
    op.expect = expect;
    op
}

/// One of every kind of object in the superuser's organisation.
pub(super) struct Ours {
    pub w: World,
    project_uuid: String,
    env_uuid: String,
    pub member: i64,
    pub group: i64,
    invite: i64,
    invite_link: i64,
    key_prefix: String,
    pub feature: i64,
    pub mv_option: i64,
    pub default_state: i64,
    pub tag: i64,
    pub segment: i64,
    pub feature_segment: i64,
    pub segment_state: i64,
    /// Uuids of the organisation, feature, option, tag, segment, segment override and its state.
    org_uuid: String,
    feature_uuid: String,
    mv_option_uuid: String,
    tag_uuid: String,
    segment_uuid: String,
    feature_segment_uuid: String,
    segment_state_uuid: String,
    pub identity: i64,
    pub other_identity: i64,
    trait_id: i64,
    pub identity_override: i64,
    server_key: i64,
    webhook: i64,
    org_webhook: i64,
    org_user_grant: i64,
    org_group_grant: i64,
    project_user_grant: i64,
    project_group_grant: i64,
    env_user_grant: i64,
    env_group_grant: i64,
    audit_entry: i64,
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

fn uuid(v: &Value) -> String {
    v["uuid"]
        .as_str()
        .unwrap_or_else(|| panic!("no uuid in {v}"))
        .to_string()
}

async fn make(app: &TestApp, w: &World, path: String, body: Value) -> Value {
    created(post(app, &path, &w.admin, body).await).await
}

async fn first(app: &TestApp, w: &World, path: String) -> Value {
    let list = ok(get(app, &path, &w.admin).await).await;
    let items = list.get("results").unwrap_or(&list);
    items[0].clone()
}

impl Ours {
    /// The set in the superuser's organisation.
    pub async fn new(app: &TestApp) -> Ours {
        Ours::of(app, World::new(app).await, "member@example.com").await
    }

    /// The same set in another user's organisation, which the superuser does not belong to.
    pub async fn other(app: &TestApp) -> Ours {
        Ours::of(app, World::other(app).await, "other-member@example.com").await
    }

    async fn of(app: &TestApp, w: World, member_email: &str) -> Ours {
        let (org, project, key) = (w.org, w.project, w.env_key.clone());
        let member_token = w.member(app, member_email, &["VIEW_PROJECT"], &[]).await;
        let member = app.me(member_token.trim_start_matches("Token ")).await;
        let project_uuid = ok(get(app, &format!("/api/v1/projects/{project}/"), &w.admin).await)
            .await["uuid"]
            .as_str()
            .unwrap()
            .to_string();
        let env_uuid = ok(get(app, &format!("/api/v1/environments/{key}/"), &w.admin).await).await
            ["uuid"]
            .as_str()
            .unwrap()
            .to_string();
        let group = id(&make(
            app,
            &w,
            format!("/api/v1/organisations/{org}/groups/"),
            json!({"name": "ours", "is_default": false}),
        )
        .await);
        make(
            app,
            &w,
            format!("/api/v1/organisations/{org}/invite/"),
            json!({"invites": [{"email": "invited@example.com", "role": "USER"}], "emails": []}),
        )
        .await;
        let invite = id(&first(app, &w, format!("/api/v1/organisations/{org}/invites/")).await);
        let invite_link = id(&first(
            app,
            &w,
            format!("/api/v1/organisations/{org}/invite-links/"),
        )
        .await);
        let key_prefix = make(
            app,
            &w,
            format!("/api/v1/organisations/{org}/master-api-keys/"),
            json!({"name": "ours"}),
        )
        .await["prefix"]
            .as_str()
            .unwrap()
            .to_string();
        let tag = make(
            app,
            &w,
            format!("/api/v1/projects/{project}/tags/"),
            json!({"label": "ours", "color": "#fff"}),
        )
        .await;
        let f = feature(
            app,
            &w,
            json!({"name": "ours", "initial_value": "v",
                   "multivariate_options": [{"string_value": "b", "default_percentage_allocation": 10}]}),
        )
        .await;
        let feature = id(&f);
        let mv_option = id(&f["multivariate_options"][0]);
        let (feature_uuid, mv_option_uuid) = (uuid(&f), uuid(&f["multivariate_options"][0]));
        let org_uuid =
            uuid(&ok(get(app, &format!("/api/v1/organisations/{org}/"), &w.admin).await).await);
        let default_state = id(&first(
            app,
            &w,
            format!("/api/v1/environments/{key}/featurestates/?feature={feature}"),
        )
        .await);
        let segment = make(
            app,
            &w,
            format!("/api/v1/projects/{project}/segments/"),
            json!({"name": "ours", "rules": plan_is("pro")}),
        )
        .await;
        let o = make(
            app,
            &w,
            format!("/api/v1/environments/{key}/features/{feature}/create-segment-override/"),
            json!({"enabled": true, "feature_state_value": {"type": "unicode", "string_value": "s"},
                   "feature_segment": {"segment": id(&segment)}}),
        )
        .await;
        let (segment_state, feature_segment) = (id(&o), id(&o["feature_segment"]));
        let identities = format!("/api/v1/environments/{key}/identities/");
        let identity = id(&make(app, &w, identities.clone(), json!({"identifier": "ours"})).await);
        let other_identity =
            id(&make(app, &w, identities.clone(), json!({"identifier": "ours2"})).await);
        let trait_id = id(&make(
            app,
            &w,
            format!("{identities}{identity}/traits/"),
            json!({"trait_key": "plan", "value_type": "unicode", "string_value": "pro"}),
        )
        .await);
        let identity_override = id(&make(
            app,
            &w,
            format!("{identities}{identity}/featurestates/"),
            json!({"feature": feature, "enabled": true, "feature_state_value": "mine"}),
        )
        .await);
        let server_key = id(&make(
            app,
            &w,
            format!("/api/v1/environments/{key}/api-keys/"),
            json!({"name": "ours"}),
        )
        .await);
        let webhook = id(&make(
            app,
            &w,
            format!("/api/v1/environments/{key}/webhooks/"),
            json!({"url": "https://example.com/hook", "secret": "s3cret"}),
        )
        .await);
        let org_webhook = id(&make(
            app,
            &w,
            format!("/api/v1/organisations/{org}/webhooks/"),
            json!({"url": "https://example.com/audit", "secret": "s3cret"}),
        )
        .await);
        let org_user_grant = id(&make(
            app,
            &w,
            format!("/api/v1/organisations/{org}/user-permissions/"),
            json!({"user": member, "permissions": ["CREATE_PROJECT"], "admin": false}),
        )
        .await);
        let org_group_grant = id(&make(
            app,
            &w,
            format!("/api/v1/organisations/{org}/user-group-permissions/"),
            json!({"group": group, "permissions": ["CREATE_PROJECT"], "admin": false}),
        )
        .await);
        let project_user_grant = id(&first(
            app,
            &w,
            format!("/api/v1/projects/{project}/user-permissions/"),
        )
        .await);
        let project_group_grant = id(&make(
            app,
            &w,
            format!("/api/v1/projects/{project}/user-group-permissions/"),
            json!({"group": group, "permissions": ["VIEW_PROJECT"], "admin": false}),
        )
        .await);
        let env_user_grant = id(&first(
            app,
            &w,
            format!("/api/v1/environments/{key}/user-permissions/"),
        )
        .await);
        let env_group_grant = id(&make(
            app,
            &w,
            format!("/api/v1/environments/{key}/user-group-permissions/"),
            json!({"group": group, "permissions": ["VIEW_ENVIRONMENT"], "admin": false}),
        )
        .await);
        let audit_entry = id(&first(app, &w, format!("/api/v1/projects/{project}/audit/")).await);
        Ours {
            w,
            project_uuid,
            env_uuid,
            member,
            group,
            invite,
            invite_link,
            key_prefix,
            feature,
            mv_option,
            default_state,
            tag: id(&tag),
            segment: id(&segment),
            feature_segment,
            segment_state,
            org_uuid,
            feature_uuid,
            mv_option_uuid,
            tag_uuid: uuid(&tag),
            segment_uuid: uuid(&segment),
            feature_segment_uuid: uuid(&o["feature_segment"]),
            segment_state_uuid: uuid(&o),
            identity,
            other_identity,
            trait_id,
            identity_override,
            server_key,
            webhook,
            org_webhook,
            org_user_grant,
            org_group_grant,
            project_user_grant,
            project_group_grant,
            env_user_grant,
            env_group_grant,
            audit_entry,
        }
    }

    /// Every organisation-scoped operation, aimed at our objects.
    pub fn operations(&self) -> Vec<Op> {
        use Method as M;
        let o = self;
        let (org, project, env) = (&o.w.org, &o.w.project, &o.w.env_key);
        let env_id = &o.w.env_id;
        let raw_state = json!({"enabled": false, "feature_state_value": "theirs"});
        let mut ops = vec![
            // Organisations and what hangs off them.
            expecting(
                op(M::GET, "/api/v1/organisations/", &[], json!(null)),
                Expect::Excludes,
            ),
            op(
                M::GET,
                "/api/v1/organisations/{id}/",
                &[("id", org)],
                json!(null),
            ),
            op(
                M::PUT,
                "/api/v1/organisations/{id}/",
                &[("id", org)],
                json!({"name": "theirs"}),
            ),
            op(
                M::PATCH,
                "/api/v1/organisations/{id}/",
                &[("id", org)],
                json!({"name": "theirs"}),
            ),
            op(
                M::DELETE,
                "/api/v1/organisations/{id}/",
                &[("id", org)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/organisations/{id}/projects/",
                &[("id", org)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/organisations/{id}/users/",
                &[("id", org)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/organisations/{id}/users/{user_id}/update-role/",
                &[("id", org), ("user_id", &o.member)],
                json!({"role": "ADMIN"}),
            ),
            op(
                M::POST,
                "/api/v1/organisations/{id}/remove-users/",
                &[("id", org)],
                json!([{"id": o.member}]),
            ),
            op(
                M::GET,
                "/api/v1/organisations/{id}/my-permissions/",
                &[("id", org)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/organisations/{id}/user-detailed-permissions/{user_id}/",
                &[("id", org), ("user_id", &o.member)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/organisations/{id}/audit/",
                &[("id", org)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/organisations/{id}/webhooks/",
                &[("id", org)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/organisations/{id}/webhooks/",
                &[("id", org)],
                json!({"url": "https://example.com/theirs"}),
            ),
            op(
                M::GET,
                "/api/v1/organisations/{id}/webhooks/{webhook}/deliveries/",
                &[("id", org), ("webhook", &o.org_webhook)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/webhooks/test/",
                &[],
                json!({"webhook_url": "https://example.com/theirs",
                       "scope": {"type": "organisation", "id": org}}),
            ),
            op(
                M::GET,
                "/api/v1/environments/{api_key}/webhooks/{id}/deliveries/",
                &[("api_key", env), ("id", &o.webhook)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/organisations/{id}/audit/{entry}/",
                &[("id", org), ("entry", &o.audit_entry)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/audit/{entry}/",
                &[("entry", &o.audit_entry)],
                json!(null),
            ),
            expecting(
                op(
                    M::GET,
                    "/api/v1/audit/?project={project}",
                    &[("project", project)],
                    json!(null),
                ),
                Expect::NothingListed,
            ),
            op(
                M::GET,
                "/api/v1/organisations/{id}/master-api-keys/",
                &[("id", org)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/organisations/{id}/master-api-keys/",
                &[("id", org)],
                json!({"name": "theirs"}),
            ),
        ];
        for method in [M::GET, M::PUT, M::PATCH, M::DELETE] {
            ops.push(op(
                method,
                "/api/v1/organisations/{id}/master-api-keys/{prefix}/",
                &[("id", org), ("prefix", &o.key_prefix)],
                json!({"name": "theirs"}),
            ));
        }
        ops.extend([
            // Groups.
            op(
                M::GET,
                "/api/v1/organisations/{org}/groups/",
                &[("org", org)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/organisations/{org}/groups/",
                &[("org", org)],
                json!({"name": "theirs", "is_default": false}),
            ),
            op(
                M::GET,
                "/api/v1/organisations/{org}/groups/my-groups/",
                &[("org", org)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/organisations/{org}/groups/summaries/",
                &[("org", org)],
                json!(null),
            ),
        ]);
        for method in [M::GET, M::PUT, M::PATCH, M::DELETE] {
            ops.push(op(
                method,
                "/api/v1/organisations/{org}/groups/{id}/",
                &[("org", org), ("id", &o.group)],
                json!({"name": "theirs"}),
            ));
        }
        for template in [
            "/api/v1/organisations/{org}/groups/{id}/add-users/",
            "/api/v1/organisations/{org}/groups/{id}/remove-users/",
        ] {
            ops.push(op(
                M::POST,
                template,
                &[("org", org), ("id", &o.group)],
                json!({"user_ids": [o.member]}),
            ));
        }
        for template in [
            "/api/v1/organisations/{org}/groups/{id}/users/{user}/make-admin/",
            "/api/v1/organisations/{org}/groups/{id}/users/{user}/remove-admin/",
        ] {
            ops.push(op(
                M::POST,
                template,
                &[("org", org), ("id", &o.group), ("user", &o.member)],
                json!(null),
            ));
        }
        // Invites.
        ops.extend([
            op(
                M::POST,
                "/api/v1/organisations/{org}/invite/",
                &[("org", org)],
                json!({"invites": [{"email": "x@example.com", "role": "ADMIN"}], "emails": []}),
            ),
            op(
                M::GET,
                "/api/v1/organisations/{org}/invites/",
                &[("org", org)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/organisations/{org}/invites/{id}/",
                &[("org", org), ("id", &o.invite)],
                json!(null),
            ),
            op(
                M::DELETE,
                "/api/v1/organisations/{org}/invites/{id}/",
                &[("org", org), ("id", &o.invite)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/organisations/{org}/invites/{id}/resend/",
                &[("org", org), ("id", &o.invite)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/organisations/{org}/invite-links/",
                &[("org", org)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/organisations/{org}/invite-links/",
                &[("org", org)],
                json!({"role": "ADMIN"}),
            ),
            op(
                M::DELETE,
                "/api/v1/organisations/{org}/invite-links/{id}/",
                &[("org", org), ("id", &o.invite_link)],
                json!(null),
            ),
        ]);
        // Permission grants at the three levels.
        let org_target: &dyn Display = org;
        let project_target: &dyn Display = project;
        let env_target: &dyn Display = env;
        for (level, key, target, user_grant, group_grant) in [
            (
                "organisations",
                "CREATE_PROJECT",
                org_target,
                &o.org_user_grant,
                &o.org_group_grant,
            ),
            (
                "projects",
                "VIEW_PROJECT",
                project_target,
                &o.project_user_grant,
                &o.project_group_grant,
            ),
            (
                "environments",
                "VIEW_ENVIRONMENT",
                env_target,
                &o.env_user_grant,
                &o.env_group_grant,
            ),
        ] {
            let grant = json!({"permissions": [key], "admin": true});
            for (kind, existing, body) in [
                ("user-permissions", user_grant, json!({"user": o.member})),
                (
                    "user-group-permissions",
                    group_grant,
                    json!({"group": o.group}),
                ),
            ] {
                let list = leak(format!("/api/v1/{level}/{{target}}/{kind}/"));
                let one = leak(format!("/api/v1/{level}/{{target}}/{kind}/{{id}}/"));
                let mut new = grant.clone();
                new.as_object_mut()
                    .unwrap()
                    .extend(body.as_object().unwrap().clone());
                ops.push(op(M::GET, list, &[("target", target)], json!(null)));
                ops.push(op(M::POST, list, &[("target", target)], new));
                for method in [M::PUT, M::PATCH, M::DELETE] {
                    ops.push(op(
                        method,
                        one,
                        &[("target", target), ("id", existing)],
                        grant.clone(),
                    ));
                }
            }
        }
        // Projects.
        ops.extend([
            expecting(
                op(
                    M::GET,
                    "/api/v1/projects/?organisation={org}",
                    &[("org", org)],
                    json!(null),
                ),
                Expect::NothingListed,
            ),
            expecting(
                op(
                    M::GET,
                    "/api/v1/projects/?uuid={uuid}",
                    &[("uuid", &o.project_uuid)],
                    json!(null),
                ),
                Expect::NothingListed,
            ),
            expecting(
                op(
                    M::POST,
                    "/api/v1/projects/",
                    &[],
                    json!({"name": "theirs", "organisation": org}),
                ),
                Expect::Refused,
            ),
            op(
                M::GET,
                "/api/v1/projects/get-by-uuid/{uuid}/",
                &[("uuid", &o.project_uuid)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/organisations/get-by-uuid/{uuid}/",
                &[("uuid", &o.org_uuid)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/features/get-by-uuid/{uuid}/",
                &[("uuid", &o.feature_uuid)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/multivariate/options/get-by-uuid/{uuid}/",
                &[("uuid", &o.mv_option_uuid)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/projects/{id}/my-permissions/",
                &[("id", project)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/projects/{id}/environments/",
                &[("id", project)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/projects/{project}/all-user-permissions/{user_id}/",
                &[("project", project), ("user_id", &o.member)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/projects/{project}/user-detailed-permissions/{user_id}/",
                &[("project", project), ("user_id", &o.member)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/projects/{id}/audit/",
                &[("id", project)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/projects/{id}/audit/{entry}/",
                &[("id", project), ("entry", &o.audit_entry)],
                json!(null),
            ),
        ]);
        for method in [M::GET, M::PUT, M::PATCH, M::DELETE] {
            ops.push(op(
                method,
                "/api/v1/projects/{id}/",
                &[("id", project)],
                json!({"name": "theirs"}),
            ));
        }
        // Environments.
        ops.extend([
            expecting(
                op(
                    M::GET,
                    "/api/v1/environments/?project={project}",
                    &[("project", project)],
                    json!(null),
                ),
                Expect::NothingListed,
            ),
            expecting(
                op(
                    M::POST,
                    "/api/v1/environments/",
                    &[],
                    json!({"name": "theirs", "project": project}),
                ),
                Expect::Refused,
            ),
            op(
                M::GET,
                "/api/v1/environments/get-by-uuid/{uuid}/",
                &[("uuid", &o.env_uuid)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/environments/{api_key}/clone/",
                &[("api_key", env)],
                json!({"name": "theirs"}),
            ),
            op(
                M::GET,
                "/api/v1/environments/{api_key}/document/",
                &[("api_key", env)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/environments/{api_key}/user-detailed-permissions/{user_id}/",
                &[("api_key", env), ("user_id", &o.member)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/environments/{api_key}/my-permissions/",
                &[("api_key", env)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/environments/{api_key}/api-keys/",
                &[("api_key", env)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/environments/{api_key}/api-keys/",
                &[("api_key", env)],
                json!({"name": "theirs"}),
            ),
            op(
                M::GET,
                "/api/v1/environments/{api_key}/webhooks/",
                &[("api_key", env)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/environments/{api_key}/webhooks/",
                &[("api_key", env)],
                json!({"url": "https://example.com/theirs", "secret": "x"}),
            ),
        ]);
        for method in [M::GET, M::PUT, M::PATCH, M::DELETE] {
            ops.push(op(
                method,
                "/api/v1/environments/{api_key}/",
                &[("api_key", env)],
                json!({"name": "theirs"}),
            ));
        }
        for method in [M::PUT, M::PATCH, M::DELETE] {
            ops.push(op(
                method.clone(),
                "/api/v1/environments/{api_key}/api-keys/{id}/",
                &[("api_key", env), ("id", &o.server_key)],
                json!({"active": false}),
            ));
            ops.push(op(
                method,
                "/api/v1/environments/{api_key}/webhooks/{id}/",
                &[("api_key", env), ("id", &o.webhook)],
                json!({"enabled": false}),
            ));
        }
        for method in [M::GET, M::PUT, M::PATCH, M::DELETE] {
            ops.push(op(
                method,
                "/api/v1/organisations/{id}/webhooks/{webhook}/",
                &[("id", org), ("webhook", &o.org_webhook)],
                json!({"enabled": false}),
            ));
        }
        // Features, their options, tags and segments.
        ops.extend([
            op(
                M::GET,
                "/api/v1/projects/{project}/features/",
                &[("project", project)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/projects/{project}/features/",
                &[("project", project)],
                json!({"name": "theirs"}),
            ),
            op(
                M::GET,
                "/api/v1/projects/{project}/features/{feature}/mv-options/",
                &[("project", project), ("feature", &o.feature)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/projects/{project}/features/{feature}/mv-options/",
                &[("project", project), ("feature", &o.feature)],
                json!({"type": "unicode", "string_value": "x", "default_percentage_allocation": 0}),
            ),
            op(
                M::GET,
                "/api/v1/projects/{project}/tags/",
                &[("project", project)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/projects/{project}/tags/",
                &[("project", project)],
                json!({"label": "theirs", "color": "#000"}),
            ),
            op(
                M::GET,
                "/api/v1/projects/{project}/segments/",
                &[("project", project)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/projects/{project}/segments/",
                &[("project", project)],
                json!({"name": "theirs", "rules": plan_is("x")}),
            ),
            op(
                M::GET,
                "/api/v1/projects/{project}/tags/get-by-uuid/{uuid}/",
                &[("project", project), ("uuid", &o.tag_uuid)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/segments/get-by-uuid/{uuid}/",
                &[("uuid", &o.segment_uuid)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/projects/{project}/segments/{id}/associated-features/",
                &[("project", project), ("id", &o.segment)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/projects/{project}/segments/{id}/clone/",
                &[("project", project), ("id", &o.segment)],
                json!({"name": "theirs"}),
            ),
        ]);
        let mut members = op(
            M::GET,
            "/api/v1/projects/{project}/segments/{id}/members/",
            &[("project", project), ("id", &o.segment)],
            json!(null),
        );
        members.path += &format!("?environment={env_id}");
        ops.push(members);
        let mut evaluation_data = op(
            M::GET,
            "/api/v1/projects/{project}/features/{id}/evaluation-data/",
            &[("project", project), ("id", &o.feature)],
            json!(null),
        );
        evaluation_data.path += &format!("?environment_id={env_id}");
        ops.push(evaluation_data);
        for (template, body) in [
            (
                "/api/v1/projects/{project}/features/{id}/add-owners/",
                json!({"user_ids": []}),
            ),
            (
                "/api/v1/projects/{project}/features/{id}/remove-owners/",
                json!({"user_ids": []}),
            ),
            (
                "/api/v1/projects/{project}/features/{id}/add-group-owners/",
                json!({"group_ids": []}),
            ),
            (
                "/api/v1/projects/{project}/features/{id}/remove-group-owners/",
                json!({"group_ids": []}),
            ),
        ] {
            let at: [(&str, &dyn Display); 2] = [("project", project), ("id", &o.feature)];
            ops.push(op(M::POST, template, &at, body));
        }
        for method in [M::GET, M::PUT, M::PATCH, M::DELETE] {
            ops.push(op(
                method.clone(),
                "/api/v1/projects/{project}/features/{id}/",
                &[("project", project), ("id", &o.feature)],
                json!({"description": "theirs"}),
            ));
            ops.push(op(
                method.clone(),
                "/api/v1/projects/{project}/features/{feature}/mv-options/{id}/",
                &[
                    ("project", project),
                    ("feature", &o.feature),
                    ("id", &o.mv_option),
                ],
                json!({"type": "unicode", "string_value": "x"}),
            ));
            ops.push(op(
                method.clone(),
                "/api/v1/projects/{project}/tags/{id}/",
                &[("project", project), ("id", &o.tag)],
                json!({"label": "theirs"}),
            ));
            ops.push(op(
                method,
                "/api/v1/projects/{project}/segments/{id}/",
                &[("project", project), ("id", &o.segment)],
                json!({"name": "theirs", "rules": plan_is("x")}),
            ));
        }
        // Feature states and segment overrides.
        ops.extend([
            op(M::GET, "/api/v1/environments/{api_key}/featurestates/", &[("api_key", env)], json!(null)),
            op(
                M::POST,
                "/api/v1/environments/{api_key}/featurestates/",
                &[("api_key", env)],
                json!({"feature": o.feature, "identity": o.other_identity, "enabled": true}),
            ),
            op(
                M::POST,
                "/api/v1/environments/{api_key}/features/{feature}/create-segment-override/",
                &[("api_key", env), ("feature", &o.feature)],
                json!({"feature_state_value": {"type": "unicode", "string_value": "x"},
                       "feature_segment": {"segment": o.segment}}),
            ),
            expecting(
                op(
                    M::GET,
                    "/api/v1/features/featurestates/?environment={env}",
                    &[("env", env_id)],
                    json!(null),
                ),
                Expect::NothingListed,
            ),
            expecting(
                op(
                    M::POST,
                    "/api/v1/features/featurestates/",
                    &[],
                    json!({"feature": o.feature, "environment": env_id, "identity": o.other_identity,
                           "enabled": true}),
                ),
                Expect::Refused,
            ),
            expecting(
                op(
                    M::GET,
                    "/api/v1/features/feature-segments/?environment={env}&feature={feature}",
                    &[("env", env_id), ("feature", &o.feature)],
                    json!(null),
                ),
                Expect::NothingListed,
            ),
            expecting(
                op(
                    M::POST,
                    "/api/v1/features/feature-segments/",
                    &[],
                    json!({"feature": o.feature, "segment": o.segment, "environment": env_id}),
                ),
                Expect::Refused,
            ),
            expecting(
                op(
                    M::POST,
                    "/api/v1/features/feature-segments/update-priorities/",
                    &[],
                    json!([{"id": o.feature_segment, "priority": 0}]),
                ),
                Expect::Refused,
            ),
            op(
                M::GET,
                "/api/v1/features/featurestates/get-by-uuid/{uuid}/",
                &[("uuid", &o.segment_state_uuid)],
                json!(null),
            ),
            op(
                M::GET,
                "/api/v1/features/feature-segments/get-by-uuid/{uuid}/",
                &[("uuid", &o.feature_segment_uuid)],
                json!(null),
            ),
        ]);
        for method in [M::GET, M::DELETE] {
            ops.push(op(
                method,
                "/api/v1/features/feature-segments/{id}/",
                &[("id", &o.feature_segment)],
                json!(null),
            ));
        }
        for method in [M::GET, M::PUT, M::PATCH, M::DELETE] {
            ops.push(op(
                method,
                "/api/v1/environments/{api_key}/featurestates/{id}/",
                &[("api_key", env), ("id", &o.default_state)],
                raw_state.clone(),
            ));
        }
        for method in [M::PUT, M::PATCH] {
            ops.push(op(
                method,
                "/api/v1/features/featurestates/{id}/",
                &[("id", &o.segment_state)],
                json!({"enabled": false}),
            ));
        }
        // Identities, traits and identity overrides.
        ops.extend([
            op(M::GET, "/api/v1/environments/{api_key}/identities/", &[("api_key", env)], json!(null)),
            op(
                M::POST,
                "/api/v1/environments/{api_key}/identities/",
                &[("api_key", env)],
                json!({"identifier": "theirs"}),
            ),
            op(
                M::GET,
                "/api/v1/environments/{api_key}/identities/{id}/traits/",
                &[("api_key", env), ("id", &o.identity)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/environments/{api_key}/identities/{id}/traits/",
                &[("api_key", env), ("id", &o.identity)],
                json!({"trait_key": "theirs", "value_type": "unicode", "string_value": "x"}),
            ),
            op(
                M::GET,
                "/api/v1/environments/{api_key}/identities/{identity}/featurestates/",
                &[("api_key", env), ("identity", &o.identity)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/environments/{api_key}/identities/{identity}/featurestates/",
                &[("api_key", env), ("identity", &o.other_identity)],
                json!({"feature": o.feature, "enabled": true}),
            ),
            op(
                M::GET,
                "/api/v1/environments/{api_key}/identities/{identity}/featurestates/all/",
                &[("api_key", env), ("identity", &o.identity)],
                json!(null),
            ),
            op(
                M::POST,
                "/api/v1/environments/{api_key}/identities/{identity}/featurestates/clone-from-given-identity/",
                &[("api_key", env), ("identity", &o.other_identity)],
                json!({"source_identity_id": o.identity}),
            ),
        ]);
        for method in [M::GET, M::PUT, M::PATCH, M::DELETE] {
            ops.push(op(
                method.clone(),
                "/api/v1/environments/{api_key}/identities/{id}/",
                &[("api_key", env), ("id", &o.identity)],
                json!({"identifier": "theirs"}),
            ));
            ops.push(op(
                method.clone(),
                "/api/v1/environments/{api_key}/identities/{id}/traits/{trait_id}/",
                &[
                    ("api_key", env),
                    ("id", &o.identity),
                    ("trait_id", &o.trait_id),
                ],
                json!({"value_type": "unicode", "string_value": "theirs"}),
            ));
            ops.push(op(
                method,
                "/api/v1/environments/{api_key}/identities/{identity}/featurestates/{id}/",
                &[
                    ("api_key", env),
                    ("identity", &o.identity),
                    ("id", &o.identity_override),
                ],
                raw_state.clone(),
            ));
        }
        ops
    }
}

/// A template built at run time, kept for the test's life.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// `(METHOD, path template)` of an operation, without its query.
pub(super) fn key(method: &Method, template: &str) -> (String, String) {
    let path = template.split('?').next().unwrap_or(template);
    (method.as_str().to_string(), path.to_string())
}

/// Every operation the OpenAPI document describes.
pub(super) fn documented() -> BTreeSet<(String, String)> {
    let doc: Value = serde_json::from_str(&flagstaff::api::openapi_json()).unwrap();
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

/// What our admin sees through every read operation of the table.
pub(super) async fn fingerprint(app: &TestApp, ours: &Ours, ops: &[Op]) -> BTreeMap<String, Value> {
    let mut seen = BTreeMap::new();
    for op in ops.iter().filter(|o| o.method == Method::GET) {
        let resp = get(app, &op.path, &ours.w.admin).await;
        let status = resp.0.status();
        seen.insert(
            op.path.clone(),
            json!({"status": status.as_u16(), "body": json(resp).await}),
        );
    }
    seen
}

/// The items of a list answer (paginated or bare).
fn items(body: &Value) -> Vec<Value> {
    body.get("results")
        .unwrap_or(body)
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("not a list: {body}"))
}

async fn another_organisation_reaches_nothing_of_ours(app: TestApp) {
    let ours = Ours::new(&app).await;
    let theirs = World::other(&app).await;
    let ops = ours.operations();

    // The table covers every operation of the document that is not marked as unscoped.
    let mut covered: BTreeSet<_> = ops.iter().map(|o| key(&o.method, o.template)).collect();
    covered.extend(
        NOT_SCOPED
            .iter()
            .map(|(m, p, _)| (m.to_string(), p.to_string())),
    );
    let missing: Vec<_> = documented().difference(&covered).cloned().collect();
    assert!(
        missing.is_empty(),
        "operations without an isolation case: {missing:#?}"
    );
    let stale: Vec<_> = covered.difference(&documented()).cloned().collect();
    assert!(
        stale.is_empty(),
        "isolation cases for undocumented operations: {stale:#?}"
    );

    let before = fingerprint(&app, &ours, &ops).await;
    let markers = [
        ours.w.env_key.clone(),
        ours.project_uuid.clone(),
        ours.env_uuid.clone(),
        "Acme".to_string(),
    ];
    let mut failures = Vec::new();
    for auth in [&theirs.admin, &theirs.key] {
        for op in &ops {
            let resp = call(&app, op.method.clone(), &op.path, auth, op.body.clone()).await;
            let status = resp.0.status();
            let text = resp.0.into_body().into_string().await.unwrap_or_default();
            let denied = [StatusCode::NOT_FOUND, StatusCode::FORBIDDEN].contains(&status);
            let fine = match op.expect {
                Expect::Denied => denied,
                Expect::Refused => denied || status == StatusCode::BAD_REQUEST,
                Expect::NothingListed => {
                    denied
                        || status == StatusCode::BAD_REQUEST
                        || (status == StatusCode::OK
                            && items(&serde_json::from_str(&text).unwrap()).is_empty())
                }
                Expect::Excludes => {
                    status == StatusCode::OK && !markers.iter().any(|m| text.contains(m.as_str()))
                }
            };
            if !fine {
                failures.push(format!(
                    "{} {} as {}: {status} {text}",
                    op.method,
                    op.path,
                    auth.split(' ').next().unwrap()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "reached: {failures:#?}");
    let after = fingerprint(&app, &ours, &ops).await;
    for (path, seen) in &before {
        assert_eq!(seen["status"], 200, "our admin reads {path}: {seen}");
        assert_eq!(Some(seen), after.get(path), "{path} changed");
    }
}

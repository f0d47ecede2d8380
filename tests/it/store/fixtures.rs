//! Small builders shared by the store tests.

use flagstaff::domain::audit::{Audit, AuditEntry, AuditQuery, Author};
use flagstaff::domain::environment::Environment;
use flagstaff::domain::feature_state::FeatureSegment;
use flagstaff::domain::organisation::{NewOrganisation, Organisation, OrganisationSettings};
use flagstaff::domain::permission::NewGroup;
use flagstaff::domain::user::{NewUser, User};
use flagstaff::domain::{OrganisationId, PageRequest, SegmentId};

use crate::harness::Ctx;

pub fn audit(log: &str) -> Audit {
    Audit::new(Author::System, log)
}

pub fn new_user(email: &str) -> NewUser {
    NewUser {
        email: email.to_string(),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        is_superuser: false,
        sign_up_type: None,
        marketing_consent_given: false,
    }
}

pub async fn user(ctx: &Ctx, email: &str) -> User {
    ctx.store.create_user(&new_user(email)).await.unwrap()
}

pub async fn organisation(ctx: &Ctx, name: &str) -> Organisation {
    let org = NewOrganisation {
        name: name.to_string(),
        settings: OrganisationSettings::default(),
    };
    ctx.store
        .create_organisation(&org, None, &audit("org"))
        .await
        .unwrap()
}

pub async fn project(
    ctx: &Ctx,
    org: &Organisation,
    name: &str,
) -> flagstaff::domain::project::Project {
    let settings = flagstaff::domain::project::ProjectSettings::named(name);
    ctx.store
        .create_project(org.id, &settings, &audit("project"))
        .await
        .unwrap()
}

pub async fn environment(
    ctx: &Ctx,
    project: &flagstaff::domain::project::Project,
    name: &str,
) -> flagstaff::domain::environment::Environment {
    let new = flagstaff::domain::environment::NewEnvironment {
        project_id: project.id,
        api_key: format!("key-{}-{name}", project.id),
        settings: flagstaff::domain::environment::EnvironmentSettings::named(name),
    };
    ctx.store
        .create_environment(&new, &audit("environment"))
        .await
        .unwrap()
}

/// Where most store tests start: the organisation Acme, its project Web and Web's Development
/// environment.
pub struct Acme {
    pub org: Organisation,
    pub web: flagstaff::domain::project::Project,
    pub dev: Environment,
}

impl Acme {
    pub async fn new(ctx: &Ctx) -> Acme {
        let org = organisation(ctx, "Acme").await;
        let web = project(ctx, &org, "Web").await;
        let dev = environment(ctx, &web, "Development").await;
        Acme { org, web, dev }
    }
}

pub fn new_feature(
    project: &flagstaff::domain::project::Project,
    name: &str,
) -> flagstaff::domain::feature::NewFeature {
    flagstaff::domain::feature::NewFeature {
        project_id: project.id,
        name: name.to_string(),
        default_enabled: false,
        initial_value: None,
        settings: flagstaff::domain::feature::FeatureSettings::default(),
        tags: Vec::new(),
        owners: Default::default(),
        mv_options: Vec::new(),
    }
}

pub async fn feature(
    ctx: &Ctx,
    project: &flagstaff::domain::project::Project,
    name: &str,
) -> flagstaff::domain::feature::Feature {
    ctx.store
        .create_feature(&new_feature(project, name), &audit("feature"))
        .await
        .unwrap()
}

pub fn mv_option(
    key: &str,
    value: flagstaff::domain::FeatureValue,
    allocation: f64,
) -> flagstaff::domain::feature::NewMvOption {
    flagstaff::domain::feature::NewMvOption {
        key: Some(key.to_string()),
        value,
        default_percentage_allocation: allocation,
    }
}

pub fn new_tag(
    project: &flagstaff::domain::project::Project,
    label: &str,
) -> flagstaff::domain::feature::NewTag {
    flagstaff::domain::feature::NewTag {
        project_id: project.id,
        label: label.to_string(),
        color: "#6837FC".into(),
        description: None,
        is_permanent: false,
    }
}

pub async fn tag(
    ctx: &Ctx,
    project: &flagstaff::domain::project::Project,
    label: &str,
) -> flagstaff::domain::feature::Tag {
    ctx.store
        .create_tag(&new_tag(project, label))
        .await
        .unwrap()
}

pub fn condition(
    operator: flagstaff::domain::segment::Operator,
    property: &str,
    value: &str,
) -> flagstaff::domain::segment::Condition {
    flagstaff::domain::segment::Condition {
        id: None,
        operator,
        property: Some(property.to_string()),
        value: Some(value.to_string()),
        description: None,
    }
}

pub fn rule(
    rule_type: flagstaff::domain::segment::RuleType,
    rules: Vec<flagstaff::domain::segment::SegmentRule>,
    conditions: Vec<flagstaff::domain::segment::Condition>,
) -> flagstaff::domain::segment::SegmentRule {
    flagstaff::domain::segment::SegmentRule {
        id: None,
        rule_type,
        rules,
        conditions,
    }
}

pub fn new_segment(
    project: &flagstaff::domain::project::Project,
    name: &str,
) -> flagstaff::domain::segment::NewSegment {
    use flagstaff::domain::segment::{Operator, RuleType};
    flagstaff::domain::segment::NewSegment {
        project_id: project.id,
        name: name.to_string(),
        description: None,
        feature_id: None,
        rules: vec![rule(
            RuleType::All,
            vec![rule(
                RuleType::Any,
                vec![],
                vec![condition(Operator::Equal, "plan", "pro")],
            )],
            vec![],
        )],
    }
}

pub async fn segment(
    ctx: &Ctx,
    project: &flagstaff::domain::project::Project,
    name: &str,
) -> flagstaff::domain::segment::Segment {
    ctx.store
        .create_segment(&new_segment(project, name), &audit("segment"))
        .await
        .unwrap()
}

pub fn new_override(
    feature: &flagstaff::domain::feature::Feature,
    segment: &flagstaff::domain::segment::Segment,
    env: &flagstaff::domain::environment::Environment,
    priority: Option<i32>,
) -> flagstaff::domain::feature_state::NewSegmentOverride {
    flagstaff::domain::feature_state::NewSegmentOverride {
        feature_id: feature.id,
        segment_id: segment.id,
        environment_id: env.id,
        priority,
        enabled: true,
        value: flagstaff::domain::FeatureValue::String(format!("for {}", segment.name)),
        mv_values: Vec::new(),
    }
}

/// A segment override of `feature` by `segment` in `env`, returning its feature segment.
pub async fn segment_override(
    ctx: &Ctx,
    feature: &flagstaff::domain::feature::Feature,
    segment: &flagstaff::domain::segment::Segment,
    env: &flagstaff::domain::environment::Environment,
    priority: Option<i32>,
) -> flagstaff::domain::feature_state::FeatureSegment {
    ctx.store
        .create_segment_override(
            &new_override(feature, segment, env, priority),
            &audit("override"),
        )
        .await
        .unwrap()
        .0
}

/// The newest audit entry of the project.
pub async fn last_entry(
    ctx: &Ctx,
    project: &flagstaff::domain::project::Project,
) -> flagstaff::domain::audit::AuditEntry {
    let query = flagstaff::domain::audit::AuditQuery {
        project_id: Some(project.id),
        ..Default::default()
    };
    let page = flagstaff::domain::PageRequest {
        page: 1,
        page_size: 1,
    };
    let mut log = ctx.store.audit_entries(&query, page).await.unwrap();
    log.items.remove(0)
}

/// The fields an audit entry lists as changed.
pub fn changed_fields(entry: &flagstaff::domain::audit::AuditEntry) -> Vec<&str> {
    entry
        .change_details
        .iter()
        .map(|c| c.field.as_str())
        .collect()
}

/// A feature with a string option per (key, default allocation), and its options by id.
pub async fn mv_feature(
    ctx: &Ctx,
    project: &flagstaff::domain::project::Project,
    name: &str,
    options: &[(&str, f64)],
) -> (
    flagstaff::domain::feature::Feature,
    Vec<flagstaff::domain::feature::MvOption>,
) {
    let new = flagstaff::domain::feature::NewFeature {
        mv_options: options
            .iter()
            .map(|(key, share)| {
                mv_option(
                    key,
                    flagstaff::domain::FeatureValue::String(key.to_string()),
                    *share,
                )
            })
            .collect(),
        ..new_feature(project, name)
    };
    let created = ctx
        .store
        .create_feature(&new, &audit("feature"))
        .await
        .unwrap();
    let options = ctx.store.mv_options(created.id).await.unwrap();
    (created, options)
}

/// The newest audit entry of the environment.
pub async fn last_env_entry(ctx: &Ctx, env: &Environment) -> AuditEntry {
    let query = AuditQuery {
        environment_ids: vec![env.id],
        ..AuditQuery::default()
    };
    let page = PageRequest {
        page: 1,
        page_size: 1,
    };
    ctx.store
        .audit_entries(&query, page)
        .await
        .unwrap()
        .items
        .remove(0)
}

pub async fn updated_at(ctx: &Ctx, env: &Environment) -> flagstaff::domain::Timestamp {
    ctx.store.environment(env.id).await.unwrap().updated_at
}

pub fn order(list: &[FeatureSegment]) -> Vec<(SegmentId, i32)> {
    list.iter().map(|fs| (fs.segment_id, fs.priority)).collect()
}

pub fn new_group(org: OrganisationId, name: &str, is_default: bool) -> NewGroup {
    NewGroup {
        organisation_id: org,
        name: name.to_string(),
        is_default,
        external_id: None,
    }
}

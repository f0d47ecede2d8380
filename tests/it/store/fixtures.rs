//! Small builders shared by the store tests.

use flagstaff::domain::audit::{Audit, Author};
use flagstaff::domain::organisation::{NewOrganisation, Organisation, OrganisationSettings};
use flagstaff::domain::user::{NewUser, User};

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

//! `/api/v1/users/config/init/`: the first-run form, answered only while no user exists.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::payload::{Form, Html, Json};
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::api::State;
use crate::api::Tag;
use crate::api::error::Answers;
use crate::service::{ServiceError, hash_secret};

pub struct InstallApi;

#[derive(Debug, Object, Deserialize)]
pub struct InstallForm {
    email: String,
    password: String,
    #[serde(default)]
    #[oai(default)]
    site_name: String,
    #[serde(default)]
    #[oai(default)]
    site_domain: String,
    /// The form's anti-forgery token.
    #[serde(default)]
    #[oai(default)]
    token: String,
}

#[derive(Debug, Object)]
pub struct Installed {
    message: String,
}

#[derive(ApiResponse)]
pub enum InstallDone {
    #[oai(status = 201)]
    Created(Json<Installed>),
}

/// Ties the form to this installation, so another site cannot post it.
fn form_token(state: &State) -> String {
    hash_secret(&format!("{}:install-form", state.secret_key))
}

fn page(token: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Set up Flagstaff</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}}
label{{display:block;margin:.8rem 0 .2rem}}input{{width:100%;padding:.4rem;box-sizing:border-box}}
button{{margin-top:1.2rem;padding:.5rem 1rem}}</style></head>
<body><h1>Set up Flagstaff</h1>
<p>Create the first administrator. This page disappears once a user exists.</p>
<form method="post" action="/api/v1/users/config/init/">
<input type="hidden" name="token" value="{token}">
<label for="email">Email</label><input id="email" name="email" type="email" required>
<label for="password">Password</label><input id="password" name="password" type="password" minlength="8" required>
<label for="site_name">Site name</label><input id="site_name" name="site_name" value="Flagstaff">
<label for="site_domain">Site domain</label><input id="site_domain" name="site_domain" placeholder="flags.example.com">
<button type="submit">Create administrator</button>
</form></body></html>"#
    )
}

#[OpenApi(tag = "Tag::Accounts")]
impl InstallApi {
    /// The first-run form; 404 once a user exists.
    #[oai(path = "/api/v1/users/config/init/", method = "get")]
    async fn form(&self, state: Data<&Arc<State>>) -> Result<Html<String>, Answers<404>> {
        if !state.service.needs_installation().await? {
            return Err(ServiceError::not_found_with(
                "CAN NOT INIT CONFIGURATION. USER(S) ALREADY EXIST IN SYSTEM.",
            )
            .into());
        }
        Ok(Html(page(&form_token(&state))))
    }

    /// Create the first superuser and store the site's name and domain.
    #[oai(path = "/api/v1/users/config/init/", method = "post")]
    async fn install(
        &self,
        state: Data<&Arc<State>>,
        form: Form<InstallForm>,
    ) -> Result<InstallDone, Answers<403>> {
        let f = form.0;
        let expected = form_token(&state);
        if !bool::from(f.token.as_bytes().ct_eq(expected.as_bytes())) {
            return Err(ServiceError::forbidden_with(
                "The form has expired; reload it and try again.",
            )
            .into());
        }
        state
            .service
            .install(&f.email, &f.password, &f.site_name, &f.site_domain)
            .await?;
        Ok(InstallDone::Created(Json(Installed {
            message: "INSTALLATION CONFIGURED SUCCESSFULLY".into(),
        })))
    }
}

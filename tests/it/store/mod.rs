//! The store conformance suite: the sentences on each store trait, tested on both backends.

mod analytics;
mod environments;
mod feature_states;
mod features;
mod fixtures;
mod identities;
mod instance;
mod organisations;
mod permissions;
mod projects;
mod segments;
mod users;
mod webhooks;

/// A user to create, for tests outside the store suite.
pub fn fixtures_user(email: &str) -> flagstaff::domain::user::NewUser {
    fixtures::new_user(email)
}

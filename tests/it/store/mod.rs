//! The store conformance suite: the sentences on each store trait, tested on both backends.

mod analytics;
mod environment_defaults;
mod environments;
mod feature_states;
mod features;
mod fixtures;
mod grants;
mod groups;
mod identities;
mod identity_overrides;
mod instance;
mod invites;
mod mv_options;
mod organisations;
mod projects;
mod segment_overrides;
mod segments;
mod tags;
mod users;
mod webhooks;

/// A user to create, for tests outside the store suite.
pub fn fixtures_user(email: &str) -> flagstaff::domain::user::NewUser {
    fixtures::new_user(email)
}

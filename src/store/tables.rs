//! Every table of the schema, parents first: the order exports are written and imports read.

/// A table of the export, in an order that puts every referenced row before its references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    /// The primary key: rows are exported in its order, so parents come before children.
    pub order_by: &'static str,
    /// Columns that hold JSON (JSONB in PostgreSQL, text in SQLite).
    pub json: &'static [&'static str],
}

const fn table(name: &'static str, order_by: &'static str) -> Table {
    Table {
        name,
        order_by,
        json: &[],
    }
}

/// Every table of the schema but the migration history, parents first. A test checks this list
/// against the tables both backends have, so a migration that adds a table must add it here.
pub const TABLES: &[Table] = &[
    table("users", "id"),
    table("auth_tokens", "token_hash"),
    table("organisations", "id"),
    table("memberships", "user_id, organisation_id"),
    table("organisation_api_keys", "id"),
    table("projects", "id"),
    table("environments", "id"),
    table("server_keys", "id"),
    table("features", "id"),
    table("tags", "id"),
    table("feature_tags", "feature_id, tag_id"),
    table("mv_options", "id"),
    table("segments", "id"),
    table("segment_rules", "id"),
    table("segment_conditions", "id"),
    table("identities", "id"),
    table("traits", "id"),
    table("feature_segments", "id"),
    table("feature_states", "id"),
    table("mv_state_values", "id"),
    Table {
        name: "audit_log",
        order_by: "id",
        json: &["change_details"],
    },
    table("login_failures", "key"),
    table("instance_settings", "key"),
    table("user_groups", "id"),
    table("group_members", "group_id, user_id"),
    table("organisation_grants", "id"),
    table("project_grants", "id"),
    table("environment_grants", "id"),
    table("invites", "id"),
    table("invite_links", "id"),
    table("webhooks", "id"),
    table(
        "feature_evaluations",
        "environment_id, feature_id, day, labels",
    ),
    table("feature_owners", "feature_id, user_id"),
    table("feature_group_owners", "feature_id, group_id"),
    table("organisation_webhooks", "id"),
    table("webhook_deliveries", "id"),
];

/// Tables whose rows a fresh server writes by itself (at first start, or on a failed login):
/// a database holding rows only here still counts as empty, and an import replaces them.
pub const SELF_WRITTEN: &[&str] = &["instance_settings", "login_failures"];

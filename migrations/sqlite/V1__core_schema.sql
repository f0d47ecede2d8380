-- Flagstaff core schema (SQLite). Timestamps are RFC 3339 text in UTC with microseconds.
-- Kept in lockstep with migrations/postgres/V1__core_schema.sql.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    is_active INTEGER NOT NULL DEFAULT 1,
    is_superuser INTEGER NOT NULL DEFAULT 0,
    date_joined TEXT NOT NULL,
    last_login TEXT,
    sign_up_type TEXT,
    marketing_consent_given INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE auth_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created TEXT NOT NULL
);
CREATE INDEX ix_auth_tokens_user ON auth_tokens(user_id);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_date TEXT NOT NULL,
    webhook_notification_email TEXT,
    restrict_project_create_to_admin INTEGER NOT NULL DEFAULT 0,
    persist_trait_data INTEGER NOT NULL DEFAULT 1,
    stop_serving_flags INTEGER NOT NULL DEFAULT 0,
    force_2fa INTEGER NOT NULL DEFAULT 0,
    block_access_to_admin INTEGER NOT NULL DEFAULT 0,
    feature_analytics INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE memberships (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('ADMIN', 'USER')),
    date_joined TEXT NOT NULL,
    PRIMARY KEY (user_id, organisation_id)
);
CREATE INDEX ix_memberships_organisation ON memberships(organisation_id);

CREATE TABLE organisation_api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    prefix TEXT NOT NULL UNIQUE,
    hashed_key TEXT NOT NULL,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    expiry_date TEXT,
    is_admin INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX ix_organisation_api_keys_organisation ON organisation_api_keys(organisation_id);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_date TEXT NOT NULL,
    hide_disabled_flags INTEGER NOT NULL DEFAULT 0,
    prevent_flag_defaults INTEGER NOT NULL DEFAULT 0,
    enforce_feature_owners INTEGER NOT NULL DEFAULT 0,
    enable_realtime_updates INTEGER NOT NULL DEFAULT 0,
    only_allow_lower_case_feature_names INTEGER NOT NULL DEFAULT 1,
    feature_name_regex TEXT,
    stale_flags_limit_days INTEGER NOT NULL DEFAULT 30,
    minimum_change_request_approvals INTEGER,
    max_segments_allowed INTEGER NOT NULL DEFAULT 500,
    max_features_allowed INTEGER NOT NULL DEFAULT 1000,
    max_segment_overrides_allowed INTEGER NOT NULL DEFAULT 2000,
    UNIQUE (organisation_id, name)
);

CREATE TABLE environments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    api_key TEXT NOT NULL UNIQUE,
    created_date TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    allow_client_traits INTEGER NOT NULL DEFAULT 1,
    hide_disabled_flags INTEGER,
    hide_sensitive_data INTEGER NOT NULL DEFAULT 0,
    use_identity_composite_key_for_hashing INTEGER NOT NULL DEFAULT 1,
    use_identity_overrides_in_local_eval INTEGER NOT NULL DEFAULT 1,
    minimum_change_request_approvals INTEGER,
    banner_text TEXT,
    banner_colour TEXT,
    UNIQUE (project_id, name)
);

CREATE TABLE server_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    environment_id INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ix_server_keys_environment ON server_keys(environment_id);

CREATE TABLE features (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- The name lower-cased (Unicode rules, by the store): names are unique per project ignoring case.
    name_folded TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'STANDARD' CHECK (type IN ('STANDARD', 'MULTIVARIATE')),
    default_enabled INTEGER NOT NULL DEFAULT 0,
    initial_value TEXT,
    description TEXT,
    is_archived INTEGER NOT NULL DEFAULT 0,
    is_server_key_only INTEGER NOT NULL DEFAULT 0,
    created_date TEXT NOT NULL
);
CREATE UNIQUE INDEX uq_features_project_name ON features(project_id, name_folded);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    color TEXT NOT NULL DEFAULT '#6837FC',
    description TEXT,
    is_permanent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_tags_project ON tags(project_id);

CREATE TABLE feature_tags (
    feature_id INTEGER NOT NULL REFERENCES features(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (feature_id, tag_id)
);
CREATE INDEX ix_feature_tags_tag ON feature_tags(tag_id);

CREATE TABLE mv_options (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    feature_id INTEGER NOT NULL REFERENCES features(id) ON DELETE CASCADE,
    key TEXT,
    value_type TEXT NOT NULL CHECK (value_type IN ('unicode', 'int', 'bool')),
    string_value TEXT,
    integer_value INTEGER,
    boolean_value INTEGER,
    default_percentage_allocation REAL NOT NULL DEFAULT 100,
    UNIQUE (feature_id, key)
);

CREATE TABLE segments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    feature_id INTEGER REFERENCES features(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_segments_project ON segments(project_id);

CREATE TABLE segment_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    segment_id INTEGER REFERENCES segments(id) ON DELETE CASCADE,
    parent_rule_id INTEGER REFERENCES segment_rules(id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('ALL', 'ANY', 'NONE')),
    CHECK ((segment_id IS NULL) <> (parent_rule_id IS NULL))
);
CREATE INDEX ix_segment_rules_segment ON segment_rules(segment_id);
CREATE INDEX ix_segment_rules_parent ON segment_rules(parent_rule_id);

CREATE TABLE segment_conditions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id INTEGER NOT NULL REFERENCES segment_rules(id) ON DELETE CASCADE,
    operator TEXT NOT NULL,
    property TEXT,
    value TEXT,
    description TEXT
);
CREATE INDEX ix_segment_conditions_rule ON segment_conditions(rule_id);

CREATE TABLE identities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    environment_id INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    identifier TEXT NOT NULL,
    created_date TEXT NOT NULL,
    UNIQUE (environment_id, identifier)
);
CREATE INDEX ix_identities_environment_created ON identities(environment_id, created_date);

CREATE TABLE traits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
    trait_key TEXT NOT NULL,
    value_type TEXT NOT NULL CHECK (value_type IN ('int', 'unicode', 'bool', 'float')),
    string_value TEXT,
    integer_value INTEGER,
    boolean_value INTEGER,
    float_value REAL,
    created_date TEXT NOT NULL,
    UNIQUE (identity_id, trait_key)
);

CREATE TABLE feature_segments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    feature_id INTEGER NOT NULL REFERENCES features(id) ON DELETE CASCADE,
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    environment_id INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    priority INTEGER NOT NULL,
    UNIQUE (feature_id, environment_id, segment_id)
);
CREATE INDEX ix_feature_segments_environment ON feature_segments(environment_id);

CREATE TABLE feature_states (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    feature_id INTEGER NOT NULL REFERENCES features(id) ON DELETE CASCADE,
    environment_id INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    identity_id INTEGER REFERENCES identities(id) ON DELETE CASCADE,
    feature_segment_id INTEGER REFERENCES feature_segments(id) ON DELETE CASCADE,
    enabled INTEGER NOT NULL DEFAULT 0,
    value_type TEXT NOT NULL DEFAULT 'unicode' CHECK (value_type IN ('unicode', 'int', 'bool')),
    string_value TEXT,
    integer_value INTEGER,
    boolean_value INTEGER,
    mv_hashing_salt TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (identity_id IS NULL OR feature_segment_id IS NULL)
);
CREATE UNIQUE INDEX uq_feature_states_default ON feature_states(environment_id, feature_id)
    WHERE identity_id IS NULL AND feature_segment_id IS NULL;
CREATE UNIQUE INDEX uq_feature_states_identity ON feature_states(identity_id, feature_id)
    WHERE identity_id IS NOT NULL;
CREATE UNIQUE INDEX uq_feature_states_segment ON feature_states(feature_segment_id)
    WHERE feature_segment_id IS NOT NULL;
CREATE INDEX ix_feature_states_feature ON feature_states(feature_id);

CREATE TABLE mv_state_values (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    feature_state_id INTEGER NOT NULL REFERENCES feature_states(id) ON DELETE CASCADE,
    mv_option_id INTEGER NOT NULL REFERENCES mv_options(id) ON DELETE CASCADE,
    percentage_allocation REAL NOT NULL,
    UNIQUE (feature_state_id, mv_option_id)
);
CREATE INDEX ix_mv_state_values_option ON mv_state_values(mv_option_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_date TEXT NOT NULL,
    log TEXT NOT NULL,
    author_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    author_api_key_id INTEGER REFERENCES organisation_api_keys(id) ON DELETE SET NULL,
    organisation_id INTEGER REFERENCES organisations(id) ON DELETE CASCADE,
    project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL,
    environment_id INTEGER REFERENCES environments(id) ON DELETE SET NULL,
    related_object_type TEXT NOT NULL,
    related_object_id INTEGER,
    related_object_uuid TEXT,
    change_type TEXT NOT NULL CHECK (change_type IN ('CREATE', 'UPDATE', 'DELETE')),
    change_details TEXT NOT NULL DEFAULT '[]',
    is_system_event INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_audit_log_organisation ON audit_log(organisation_id, id);
CREATE INDEX ix_audit_log_project ON audit_log(project_id, id);
CREATE INDEX ix_audit_log_environment ON audit_log(environment_id, id);

-- Groups of users within an organisation.
CREATE TABLE user_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    external_id TEXT,
    UNIQUE (organisation_id, name)
);

CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    group_admin INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX ix_group_members_user ON group_members(user_id);

-- Permission grants on an organisation, a project or an environment, to a user or a group.
-- `permissions` holds the granted keys separated by commas; `admin` grants every key (unused
-- at organisation level, where membership roles decide).
CREATE TABLE organisation_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    group_id INTEGER REFERENCES user_groups(id) ON DELETE CASCADE,
    admin INTEGER NOT NULL DEFAULT 0,
    permissions TEXT NOT NULL DEFAULT '',
    CHECK ((user_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX uq_organisation_grants_user ON organisation_grants(organisation_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX uq_organisation_grants_group ON organisation_grants(organisation_id, group_id) WHERE group_id IS NOT NULL;

CREATE TABLE project_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    group_id INTEGER REFERENCES user_groups(id) ON DELETE CASCADE,
    admin INTEGER NOT NULL DEFAULT 0,
    permissions TEXT NOT NULL DEFAULT '',
    CHECK ((user_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX uq_project_grants_user ON project_grants(project_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX uq_project_grants_group ON project_grants(project_id, group_id) WHERE group_id IS NOT NULL;

CREATE TABLE environment_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    environment_id INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    group_id INTEGER REFERENCES user_groups(id) ON DELETE CASCADE,
    admin INTEGER NOT NULL DEFAULT 0,
    permissions TEXT NOT NULL DEFAULT '',
    CHECK ((user_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX uq_environment_grants_user ON environment_grants(environment_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX uq_environment_grants_group ON environment_grants(environment_id, group_id) WHERE group_id IS NOT NULL;

-- Invitations to an organisation: by email (an admin hands over the link without SMTP) or
-- by a reusable link.
CREATE TABLE invites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('ADMIN', 'USER')),
    hash TEXT NOT NULL UNIQUE,
    invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    date_created TEXT NOT NULL,
    UNIQUE (organisation_id, email)
);

CREATE TABLE invite_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('ADMIN', 'USER')),
    hash TEXT NOT NULL UNIQUE,
    date_created TEXT NOT NULL,
    expires_at TEXT
);

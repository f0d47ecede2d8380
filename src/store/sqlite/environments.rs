//! Environments of a project, cloned and deleted with their states, in SQLite.

use super::SqliteStore;
use super::Tx;
use super::audit::record;
use super::environment_defaults::{features_of, insert_default_state, prevents_flag_defaults};
use super::rows::{all, exactly_one, exec, one, opt, ts};
use crate::domain::audit::Audit;
use crate::domain::environment::{Environment, EnvironmentSettings, NewEnvironment};
use crate::domain::{EnvironmentId, ProjectId, Timestamp, new_uuid};
use crate::store::audit::{Change, Scope};
use crate::store::environments::{COLUMNS, environment};
use crate::store::{EnvironmentStore, Result};
use async_trait::async_trait;
use rusqlite::{Connection, params};

fn find(conn: &Connection, id: EnvironmentId) -> Result<Environment> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM environments WHERE id = ?"),
        [id.0],
        environment,
    )
}

fn insert(tx: &Tx<'_>, new: &NewEnvironment, now: Timestamp) -> Result<Environment> {
    let s = &new.settings;
    let id: i64 = one(
        tx,
        "INSERT INTO environments (uuid, project_id, api_key, created_date, updated_at, name,
                 description, allow_client_traits, hide_disabled_flags, hide_sensitive_data,
                 use_identity_composite_key_for_hashing, use_identity_overrides_in_local_eval,
                 minimum_change_request_approvals, banner_text, banner_colour)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            new_uuid(),
            new.project_id.0,
            new.api_key,
            ts(now),
            ts(now),
            s.name,
            s.description,
            s.allow_client_traits,
            s.hide_disabled_flags,
            s.hide_sensitive_data,
            s.use_identity_composite_key_for_hashing,
            s.use_identity_overrides_in_local_eval,
            s.minimum_change_request_approvals,
            s.banner_text,
            s.banner_colour,
        ],
        |r| r.get(0),
    )?;
    find(tx, EnvironmentId(id))
}

/// Copies a state (value, shares and salt) into another environment or feature segment.
fn copy_state(
    tx: &Tx<'_>,
    state: i64,
    env: EnvironmentId,
    feature_segment: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    let copy: i64 = one(tx, "INSERT INTO feature_states (uuid, feature_id, environment_id, feature_segment_id, enabled,
                 value_type, string_value, integer_value, boolean_value, mv_hashing_salt, created_at, updated_at)
             SELECT ?, feature_id, ?, ?, enabled, value_type, string_value, integer_value,
                 boolean_value, mv_hashing_salt, ?, ?
             FROM feature_states WHERE id = ? RETURNING id", params![new_uuid(), env.0, feature_segment, ts(now), ts(now), state], |r| r.get(0))?;
    exec(
        tx,
        "INSERT INTO mv_state_values (feature_state_id, mv_option_id, percentage_allocation)
         SELECT ?, mv_option_id, percentage_allocation FROM mv_state_values
         WHERE feature_state_id = ? ORDER BY id",
        [copy, state],
    )?;
    Ok(())
}

/// Copies the default states and segment overrides of `source` into `target`.
fn copy_states(
    tx: &Tx<'_>,
    source: EnvironmentId,
    target: EnvironmentId,
    now: Timestamp,
) -> Result<()> {
    let defaults = all(
        tx,
        "SELECT id FROM feature_states WHERE environment_id = ?
                 AND identity_id IS NULL AND feature_segment_id IS NULL ORDER BY id",
        [source.0],
        |r| r.get::<i64>(0),
    )?;
    for state in defaults {
        copy_state(tx, state, target, None, now)?;
    }
    let overrides = all(
        tx,
        "SELECT fs.id, fs.feature_id, fs.segment_id, fs.priority, s.id FROM feature_segments fs
             JOIN feature_states s ON s.feature_segment_id = fs.id
             WHERE fs.environment_id = ? ORDER BY fs.id",
        [source.0],
        |r| {
            Ok((
                r.get::<i64>(1)?,
                r.get::<i64>(2)?,
                r.get::<i32>(3)?,
                r.get::<i64>(4)?,
            ))
        },
    )?;
    for (feature, segment, priority, state) in overrides {
        let feature_segment: i64 = one(
            tx,
            "INSERT INTO feature_segments (uuid, feature_id, segment_id, environment_id, priority)
                 VALUES (?, ?, ?, ?, ?) RETURNING id",
            params![new_uuid(), feature, segment, target.0, priority],
            |r| r.get(0),
        )?;
        copy_state(tx, state, target, Some(feature_segment), now)?;
    }
    Ok(())
}

#[async_trait]
impl EnvironmentStore for SqliteStore {
    async fn create_environment(&self, env: &NewEnvironment, audit: &Audit) -> Result<Environment> {
        let (new, audit, now) = (env.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let created = insert(tx, &new, now)?;
            let prevent = prevents_flag_defaults(tx, new.project_id)?;
            for feature in features_of(tx, new.project_id)? {
                insert_default_state(tx, created.id, &feature, prevent, now)?;
            }
            let scope = Scope::Environment(created.id);
            record(
                tx,
                now,
                &Change::created(
                    &audit,
                    "Environment",
                    created.id.0,
                    Some(&created.uuid),
                    scope,
                ),
            )?;
            Ok(created)
        })
        .await
    }

    async fn environment(&self, id: EnvironmentId) -> Result<Environment> {
        self.read(move |c| find(c, id)).await
    }

    async fn environment_by_api_key(&self, api_key: &str) -> Result<Option<Environment>> {
        let key = api_key.to_string();
        self.read(move |c| {
            opt(
                c,
                &format!("SELECT {COLUMNS} FROM environments WHERE api_key = ?"),
                [key],
                environment,
            )
        })
        .await
    }

    async fn environment_versions(&self) -> Result<Vec<(EnvironmentId, Timestamp)>> {
        self.read(|c| {
            all(
                c,
                "SELECT id, updated_at FROM environments ORDER BY id",
                [],
                |r| Ok((EnvironmentId(r.get(0)?), r.get(1)?)),
            )
        })
        .await
    }

    async fn environments_of(&self, project: ProjectId) -> Result<Vec<Environment>> {
        self.read(move |c| {
            all(
                c,
                &format!("SELECT {COLUMNS} FROM environments WHERE project_id = ? ORDER BY id"),
                [project.0],
                environment,
            )
        })
        .await
    }

    async fn update_environment(
        &self,
        id: EnvironmentId,
        settings: &EnvironmentSettings,
        audit: &Audit,
    ) -> Result<Environment> {
        let (s, audit, now) = (settings.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let before = find(tx, id)?;
            exec(tx, "UPDATE environments SET name = ?, description = ?, allow_client_traits = ?,
                     hide_disabled_flags = ?, hide_sensitive_data = ?,
                     use_identity_composite_key_for_hashing = ?, use_identity_overrides_in_local_eval = ?,
                     minimum_change_request_approvals = ?, banner_text = ?, banner_colour = ?
                 WHERE id = ?", params![
                s.name,
                s.description,
                s.allow_client_traits,
                s.hide_disabled_flags,
                s.hide_sensitive_data,
                s.use_identity_composite_key_for_hashing,
                s.use_identity_overrides_in_local_eval,
                s.minimum_change_request_approvals,
                s.banner_text,
                s.banner_colour,
                id.0,
            ])?;
            let mut after = find(tx, id)?;
            after.updated_at = now;
            let change = Change::updated(&audit, "Environment", id.0, Some(&after.uuid), Scope::Environment(id), &before.settings, &after.settings);
            record(tx, now, &change)?;
            Ok(after)
        })
        .await
    }

    async fn delete_environment(&self, id: EnvironmentId, audit: &Audit) -> Result<()> {
        let (audit, now) = (audit.clone(), self.now());
        self.write(move |tx| {
            let env = find(tx, id)?;
            // Recorded against the project: the environment's own entries lose their link.
            let change = Change::deleted(
                &audit,
                "Environment",
                id.0,
                Some(&env.uuid),
                Scope::Project(env.project_id),
            );
            record(tx, now, &change)?;
            exactly_one(exec(tx, "DELETE FROM environments WHERE id = ?", [id.0])?)
        })
        .await
    }

    async fn clone_environment(
        &self,
        source: EnvironmentId,
        name: &str,
        api_key: &str,
        audit: &Audit,
    ) -> Result<Environment> {
        let (name, api_key, audit, now) = (
            name.to_string(),
            api_key.to_string(),
            audit.clone(),
            self.now(),
        );
        self.write(move |tx| {
            let original = find(tx, source)?;
            let new = NewEnvironment {
                project_id: original.project_id,
                api_key,
                settings: EnvironmentSettings {
                    name,
                    ..original.settings.clone()
                },
            };
            let created = insert(tx, &new, now)?;
            copy_states(tx, source, created.id, now)?;
            let scope = Scope::Environment(created.id);
            record(
                tx,
                now,
                &Change::created(
                    &audit,
                    "Environment",
                    created.id.0,
                    Some(&created.uuid),
                    scope,
                ),
            )?;
            Ok(created)
        })
        .await
    }
}

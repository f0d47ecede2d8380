//! Environments of a project, cloned and deleted with their states, in PostgreSQL.

use super::PostgresStore;
use super::Tx;
use super::audit::record;
use super::environment_defaults::{features_of, insert_default_state, prevents_flag_defaults};
use super::rows::{Conn, all, exactly_one, exec, one, opt};
use crate::domain::audit::Audit;
use crate::domain::environment::{Environment, EnvironmentSettings, NewEnvironment};
use crate::domain::{EnvironmentId, ProjectId, Timestamp, new_uuid};
use crate::store::audit::{Change, Scope};
use crate::store::environments::{COLUMNS, environment};
use crate::store::{EnvironmentStore, Result};
use async_trait::async_trait;

async fn find(client: &impl Conn, id: EnvironmentId) -> Result<Environment> {
    one(
        client,
        &format!("SELECT {COLUMNS} FROM environments WHERE id = $1"),
        &[&id.0],
        environment,
    )
    .await
}

async fn insert(tx: &Tx<'_>, new: &NewEnvironment, now: Timestamp) -> Result<Environment> {
    let s = &new.settings;
    let id: i64 = one(
        tx,
        "INSERT INTO environments (uuid, project_id, api_key, created_date, updated_at, name,
                 description, allow_client_traits, hide_disabled_flags, hide_sensitive_data,
                 use_identity_composite_key_for_hashing, use_identity_overrides_in_local_eval,
                 minimum_change_request_approvals, banner_text, banner_colour)
             VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        &[
            &new_uuid(),
            &new.project_id.0,
            &new.api_key,
            &now,
            &s.name,
            &s.description,
            &s.allow_client_traits,
            &s.hide_disabled_flags,
            &s.hide_sensitive_data,
            &s.use_identity_composite_key_for_hashing,
            &s.use_identity_overrides_in_local_eval,
            &s.minimum_change_request_approvals,
            &s.banner_text,
            &s.banner_colour,
        ],
        |r| r.get(0),
    )
    .await?;
    find(tx, EnvironmentId(id)).await
}

/// Copies a state (value, shares and salt) into another environment or feature segment.
async fn copy_state(
    tx: &Tx<'_>,
    state: i64,
    env: EnvironmentId,
    feature_segment: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    let copy: i64 = one(tx, "INSERT INTO feature_states (uuid, feature_id, environment_id, feature_segment_id, enabled,
                 value_type, string_value, integer_value, boolean_value, mv_hashing_salt, created_at, updated_at)
             SELECT $1, feature_id, $2, $3, enabled, value_type, string_value, integer_value,
                 boolean_value, mv_hashing_salt, $4, $4
             FROM feature_states WHERE id = $5 RETURNING id", &[&new_uuid(), &env.0, &feature_segment, &now, &state], |r| r.get(0)).await?;
    exec(
        tx,
        "INSERT INTO mv_state_values (feature_state_id, mv_option_id, percentage_allocation)
         SELECT $1, mv_option_id, percentage_allocation FROM mv_state_values
         WHERE feature_state_id = $2 ORDER BY id",
        &[&copy, &state],
    )
    .await?;
    Ok(())
}

/// Copies the default states and segment overrides of `source` into `target`.
async fn copy_states(
    tx: &Tx<'_>,
    source: EnvironmentId,
    target: EnvironmentId,
    now: Timestamp,
) -> Result<()> {
    let defaults = all(
        tx,
        "SELECT id FROM feature_states WHERE environment_id = $1
                 AND identity_id IS NULL AND feature_segment_id IS NULL ORDER BY id",
        &[&source.0],
        |r| r.get::<i64>(0),
    )
    .await?;
    for state in defaults {
        copy_state(tx, state, target, None, now).await?;
    }
    let overrides = all(
        tx,
        "SELECT fs.feature_id, fs.segment_id, fs.priority, s.id FROM feature_segments fs
             JOIN feature_states s ON s.feature_segment_id = fs.id
             WHERE fs.environment_id = $1 ORDER BY fs.id",
        &[&source.0],
        |r| {
            Ok((
                r.get::<i64>(0)?,
                r.get::<i64>(1)?,
                r.get::<i32>(2)?,
                r.get::<i64>(3)?,
            ))
        },
    )
    .await?;
    for (feature, segment, priority, state) in overrides {
        let feature_segment: i64 = one(
            tx,
            "INSERT INTO feature_segments (uuid, feature_id, segment_id, environment_id, priority)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&new_uuid(), &feature, &segment, &target.0, &priority],
            |r| r.get(0),
        )
        .await?;
        copy_state(tx, state, target, Some(feature_segment), now).await?;
    }
    Ok(())
}

#[async_trait]
impl EnvironmentStore for PostgresStore {
    async fn create_environment(&self, env: &NewEnvironment, audit: &Audit) -> Result<Environment> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let created = insert(&tx, env, now).await?;
        let prevent = prevents_flag_defaults(&tx, env.project_id).await?;
        for feature in features_of(&tx, env.project_id).await? {
            insert_default_state(&tx, created.id, &feature, prevent, now).await?;
        }
        let scope = Scope::Environment(created.id);
        record(
            &tx,
            now,
            &Change::created(
                audit,
                "Environment",
                created.id.0,
                Some(&created.uuid),
                scope,
            ),
        )
        .await?;
        self.commit(tx).await?;
        Ok(created)
    }

    async fn environment(&self, id: EnvironmentId) -> Result<Environment> {
        let client = self.client().await?;
        find(&client, id).await
    }

    async fn environment_by_api_key(&self, api_key: &str) -> Result<Option<Environment>> {
        let client = self.client().await?;
        opt(
            &client,
            &format!("SELECT {COLUMNS} FROM environments WHERE api_key = $1"),
            &[&api_key],
            environment,
        )
        .await
    }

    async fn environment_versions(&self) -> Result<Vec<(EnvironmentId, Timestamp)>> {
        let client = self.client().await?;
        all(
            &client,
            "SELECT id, updated_at FROM environments ORDER BY id",
            &[],
            |r| Ok((EnvironmentId(r.get(0)?), r.get(1)?)),
        )
        .await
    }

    async fn environments_of(&self, project: ProjectId) -> Result<Vec<Environment>> {
        let client = self.client().await?;
        all(
            &client,
            &format!("SELECT {COLUMNS} FROM environments WHERE project_id = $1 ORDER BY id"),
            &[&project.0],
            environment,
        )
        .await
    }

    async fn update_environment(
        &self,
        id: EnvironmentId,
        settings: &EnvironmentSettings,
        audit: &Audit,
    ) -> Result<Environment> {
        let (s, now) = (settings, self.now());
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let before = find(&tx, id).await?;
        exec(&tx, "UPDATE environments SET name = $1, description = $2, allow_client_traits = $3,
                     hide_disabled_flags = $4, hide_sensitive_data = $5,
                     use_identity_composite_key_for_hashing = $6, use_identity_overrides_in_local_eval = $7,
                     minimum_change_request_approvals = $8, banner_text = $9, banner_colour = $10
                 WHERE id = $11", &[
                &s.name,
                &s.description,
                &s.allow_client_traits,
                &s.hide_disabled_flags,
                &s.hide_sensitive_data,
                &s.use_identity_composite_key_for_hashing,
                &s.use_identity_overrides_in_local_eval,
                &s.minimum_change_request_approvals,
                &s.banner_text,
                &s.banner_colour,
                &id.0,
            ]).await?;
        let mut after = find(&tx, id).await?;
        after.updated_at = now;
        let change = Change::updated(
            audit,
            "Environment",
            id.0,
            Some(&after.uuid),
            Scope::Environment(id),
            &before.settings,
            &after.settings,
        );
        record(&tx, now, &change).await?;
        self.commit(tx).await?;
        Ok(after)
    }

    async fn delete_environment(&self, id: EnvironmentId, audit: &Audit) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let env = find(&tx, id).await?;
        // Recorded against the project: the environment's own entries lose their link.
        let change = Change::deleted(
            audit,
            "Environment",
            id.0,
            Some(&env.uuid),
            Scope::Project(env.project_id),
        );
        record(&tx, now, &change).await?;
        exactly_one(exec(&tx, "DELETE FROM environments WHERE id = $1", &[&id.0]).await?)?;
        self.commit(tx).await?;
        Ok(())
    }

    async fn clone_environment(
        &self,
        source: EnvironmentId,
        name: &str,
        api_key: &str,
        audit: &Audit,
    ) -> Result<Environment> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let original = find(&tx, source).await?;
        let new = NewEnvironment {
            project_id: original.project_id,
            api_key: api_key.to_string(),
            settings: EnvironmentSettings {
                name: name.to_string(),
                ..original.settings.clone()
            },
        };
        let created = insert(&tx, &new, now).await?;
        copy_states(&tx, source, created.id, now).await?;
        let scope = Scope::Environment(created.id);
        record(
            &tx,
            now,
            &Change::created(
                audit,
                "Environment",
                created.id.0,
                Some(&created.uuid),
                scope,
            ),
        )
        .await?;
        self.commit(tx).await?;
        Ok(created)
    }
}

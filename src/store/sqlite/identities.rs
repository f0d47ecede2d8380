//! Identities of an environment and their traits, in SQLite.

use super::SqliteStore;
use super::audit::{bump, record};
use super::feature_states::identity_overrides_of;
use super::listing::Listing;
use super::rows::{all, contains_pattern, exec, exists, one, opt, ts};
use crate::domain::audit::Audit;
use crate::domain::feature_state::FeatureState;
use crate::domain::identity::{Identity, IdentityQuery, Trait, TraitValue, TraitWrite};
use crate::domain::{EnvironmentId, IdentityId, Page, PageRequest, Timestamp, TraitId};
use crate::store::audit::Scope;
use crate::store::audited::renamed;
use crate::store::identities::{COLUMNS, TRAIT_COLUMNS, a_trait, identity};
use crate::store::{IdentityStore, Result};
use async_trait::async_trait;
use rusqlite::{Connection, params};

fn find(conn: &Connection, id: IdentityId) -> Result<Identity> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM identities WHERE id = ?"),
        [id.0],
        identity,
    )
}

fn find_by_identifier(
    conn: &Connection,
    env: EnvironmentId,
    identifier: &str,
) -> Result<Option<Identity>> {
    opt(
        conn,
        &format!("SELECT {COLUMNS} FROM identities WHERE environment_id = ? AND identifier = ?"),
        params![env.0, identifier],
        identity,
    )
}

fn traits_of(conn: &Connection, identity: IdentityId) -> Result<Vec<Trait>> {
    all(
        conn,
        &format!("SELECT {TRAIT_COLUMNS} FROM traits WHERE identity_id = ? ORDER BY id"),
        [identity.0],
        a_trait,
    )
}

/// Applies trait writes in order: a value upserts the trait, `None` deletes it.
fn apply(
    conn: &Connection,
    identity: IdentityId,
    writes: &[TraitWrite],
    now: Timestamp,
) -> Result<()> {
    for write in writes {
        match &write.value {
            None => {
                exec(
                    conn,
                    "DELETE FROM traits WHERE identity_id = ? AND trait_key = ?",
                    params![identity.0, write.key],
                )?;
            }
            Some(value) => {
                let (s, i, b, f) = (
                    value.string_column(),
                    value.integer_column(),
                    value.boolean_column(),
                    value.float_column(),
                );
                exec(conn, "INSERT INTO traits (identity_id, trait_key, value_type, string_value, integer_value,
                         boolean_value, float_value, created_date)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (identity_id, trait_key) DO UPDATE SET value_type = excluded.value_type,
                         string_value = excluded.string_value, integer_value = excluded.integer_value,
                         boolean_value = excluded.boolean_value, float_value = excluded.float_value", params![identity.0, write.key, value.type_name(), s, i, b, f, ts(now)])?;
            }
        }
    }
    Ok(())
}

fn insert(
    conn: &Connection,
    env: EnvironmentId,
    identifier: &str,
    now: Timestamp,
) -> Result<Identity> {
    let id: i64 = one(
        conn,
        "INSERT INTO identities (environment_id, identifier, created_date) VALUES (?, ?, ?) RETURNING id",
        params![env.0, identifier, ts(now)],
        |r| r.get(0),
    )?;
    find(conn, IdentityId(id))
}

const LIST: (&str, &str) = (COLUMNS, "identities");

/// The identities of the environment the query asks for.
fn list(env: EnvironmentId, query: &IdentityQuery) -> Listing {
    let mut list = Listing::default();
    let p = list.arg(env.0);
    list.filter(format!("environment_id = {p}"));
    match (&query.search, query.exact) {
        (None, _) => {}
        (Some(s), true) => {
            let p = list.arg(s.clone());
            list.filter(format!("identifier = {p}"));
        }
        (Some(s), false) => {
            let p = list.arg(contains_pattern(s));
            list.filter(format!("fold(identifier) LIKE fold({p}) ESCAPE '\\'"));
        }
    }
    list
}

#[async_trait]
impl IdentityStore for SqliteStore {
    async fn create_identity(&self, env: EnvironmentId, identifier: &str) -> Result<Identity> {
        let (identifier, now) = (identifier.to_string(), self.now());
        self.write(move |tx| insert(tx, env, &identifier, now))
            .await
    }

    async fn identity(&self, id: IdentityId) -> Result<Identity> {
        self.read(move |c| find(c, id)).await
    }

    async fn identity_state(
        &self,
        env: EnvironmentId,
        identifier: &str,
    ) -> Result<Option<(Identity, Vec<Trait>, Vec<FeatureState>)>> {
        let identifier = identifier.to_string();
        self.read_inline(move |c| {
            let tx = c.unchecked_transaction()?;
            let Some(identity) = find_by_identifier(&tx, env, &identifier)? else {
                return Ok(None);
            };
            let traits = traits_of(&tx, identity.id)?;
            let overrides = identity_overrides_of(&tx, identity.id)?;
            tx.commit()?;
            Ok(Some((identity, traits, overrides)))
        })
        .await
    }

    async fn identity_by_identifier(
        &self,
        env: EnvironmentId,
        identifier: &str,
    ) -> Result<Option<Identity>> {
        let identifier = identifier.to_string();
        self.read(move |c| find_by_identifier(c, env, &identifier))
            .await
    }

    async fn identities(
        &self,
        env: EnvironmentId,
        query: &IdentityQuery,
        page: PageRequest,
    ) -> Result<Page<Identity>> {
        let query = query.clone();
        self.read(move |c| list(env, &query).page(c, LIST, "created_date, id", page, identity))
            .await
    }

    async fn rename_identity(
        &self,
        id: IdentityId,
        identifier: &str,
        audit: &Audit,
    ) -> Result<Identity> {
        let (identifier, audit, now) = (identifier.to_string(), audit.clone(), self.now());
        self.write(move |tx| {
            let before = find(tx, id)?;
            exec(
                tx,
                "UPDATE identities SET identifier = ? WHERE id = ?",
                params![identifier, id.0],
            )?;
            let after = find(tx, id)?;
            record(tx, now, &renamed(&audit, &before, &after))?;
            Ok(after)
        })
        .await
    }

    async fn delete_identity(&self, id: IdentityId) -> Result<()> {
        let now = self.now();
        self.write(move |tx| {
            let overridden = exists(
                tx,
                "SELECT 1 FROM feature_states WHERE identity_id = ?",
                [id.0],
            )?;
            let env = one(
                tx,
                "DELETE FROM identities WHERE id = ? RETURNING environment_id",
                [id.0],
                |r| r.get(0),
            )?;
            if overridden {
                // The environment document carries identity overrides.
                bump(tx, now, Scope::Environment(EnvironmentId(env)))?;
            }
            tx.changed(Scope::Identity(id));
            Ok(())
        })
        .await
    }

    async fn traits(&self, identity: IdentityId) -> Result<Vec<Trait>> {
        self.read(move |c| traits_of(c, identity)).await
    }

    async fn identify(
        &self,
        env: EnvironmentId,
        identifier: &str,
        writes: &[TraitWrite],
    ) -> Result<(Identity, Vec<Trait>)> {
        let (identifier, writes, now) = (identifier.to_string(), writes.to_vec(), self.now());
        self.write(move |tx| {
            let identity = match find_by_identifier(tx, env, &identifier)? {
                Some(found) => found,
                None => insert(tx, env, &identifier, now)?,
            };
            apply(tx, identity.id, &writes, now)?;
            if !writes.is_empty() {
                tx.changed(Scope::Identity(identity.id));
            }
            let traits = traits_of(tx, identity.id)?;
            Ok((identity, traits))
        })
        .await
    }

    async fn increment_trait(
        &self,
        env: EnvironmentId,
        identifier: &str,
        key: &str,
        by: i64,
    ) -> Result<Option<i64>> {
        let (identifier, key, now) = (identifier.to_string(), key.to_string(), self.now());
        self.write(move |tx| {
            let identity = match find_by_identifier(tx, env, &identifier)? {
                Some(found) => found,
                None => insert(tx, env, &identifier, now)?,
            };
            let current = traits_of(tx, identity.id)?
                .into_iter()
                .find(|t| t.key == key);
            let value = match current.map(|t| t.value) {
                None => by,
                Some(TraitValue::Integer(i)) => i.saturating_add(by),
                Some(_) => return Ok(None),
            };
            let write = TraitWrite {
                key,
                value: Some(TraitValue::Integer(value)),
            };
            apply(tx, identity.id, &[write], now)?;
            tx.changed(Scope::Identity(identity.id));
            Ok(Some(value))
        })
        .await
    }

    async fn delete_trait(&self, id: TraitId) -> Result<()> {
        self.write(move |tx| {
            let identity: i64 = one(
                tx,
                "DELETE FROM traits WHERE id = ? RETURNING identity_id",
                [id.0],
                |r| r.get(0),
            )?;
            tx.changed(Scope::Identity(IdentityId(identity)));
            Ok(())
        })
        .await
    }
}

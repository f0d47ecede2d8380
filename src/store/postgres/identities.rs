//! Identities of an environment and their traits, in PostgreSQL.

use super::Tx;
use super::audit::{bump, record};
use super::feature_states::identity_overrides_of;
use super::listing::Listing;
use super::rows::{Conn, all, contains_pattern, exec, exists, one, opt};
use super::{PostgresStore, read_snapshot};
use crate::domain::audit::Audit;
use crate::domain::feature_state::FeatureState;
use crate::domain::identity::{Identity, IdentityQuery, Trait, TraitValue, TraitWrite};
use crate::domain::{EnvironmentId, IdentityId, Page, PageRequest, Timestamp, TraitId};
use crate::store::audit::Scope;
use crate::store::audited::renamed;
use crate::store::identities::{COLUMNS, TRAIT_COLUMNS, a_trait, identity};
use crate::store::{IdentityStore, Result, StoreError};
use async_trait::async_trait;

async fn find(client: &impl Conn, id: IdentityId) -> Result<Identity> {
    one(
        client,
        &format!("SELECT {COLUMNS} FROM identities WHERE id = $1"),
        &[&id.0],
        identity,
    )
    .await
}

async fn find_by_identifier(
    client: &impl Conn,
    env: EnvironmentId,
    identifier: &str,
) -> Result<Option<Identity>> {
    opt(
        client,
        &format!("SELECT {COLUMNS} FROM identities WHERE environment_id = $1 AND identifier = $2"),
        &[&env.0, &identifier],
        identity,
    )
    .await
}

async fn traits_of(client: &impl Conn, identity: IdentityId) -> Result<Vec<Trait>> {
    all(
        client,
        &format!("SELECT {TRAIT_COLUMNS} FROM traits WHERE identity_id = $1 ORDER BY id"),
        &[&identity.0],
        a_trait,
    )
    .await
}

/// Applies trait writes in order: a value upserts the trait, `None` deletes it.
async fn apply(
    client: &impl Conn,
    identity: IdentityId,
    writes: &[TraitWrite],
    now: Timestamp,
) -> Result<()> {
    for write in writes {
        match &write.value {
            None => {
                exec(
                    client,
                    "DELETE FROM traits WHERE identity_id = $1 AND trait_key = $2",
                    &[&identity.0, &write.key],
                )
                .await?;
            }
            Some(value) => {
                let (s, i, b, f) = (
                    value.string_column(),
                    value.integer_column(),
                    value.boolean_column(),
                    value.float_column(),
                );
                exec(client, "INSERT INTO traits (identity_id, trait_key, value_type, string_value, integer_value,
                         boolean_value, float_value, created_date)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (identity_id, trait_key) DO UPDATE SET value_type = excluded.value_type,
                         string_value = excluded.string_value, integer_value = excluded.integer_value,
                         boolean_value = excluded.boolean_value, float_value = excluded.float_value", &[&identity.0, &write.key, &value.type_name(), &s, &i, &b, &f, &now]).await?;
            }
        }
    }
    Ok(())
}

/// The identity with that identifier, created first if missing; concurrent first requests
/// for one identifier both land on the same row.
async fn find_or_insert(
    client: &impl Conn,
    env: EnvironmentId,
    identifier: &str,
    now: Timestamp,
) -> Result<Identity> {
    exec(
        client,
        "INSERT INTO identities (environment_id, identifier, created_date) VALUES ($1, $2, $3)
         ON CONFLICT (environment_id, identifier) DO NOTHING",
        &[&env.0, &identifier, &now],
    )
    .await?;
    find_by_identifier(client, env, identifier)
        .await?
        .ok_or(StoreError::NotFound)
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
            list.filter(format!("lower(identifier) LIKE lower({p}) ESCAPE '\\'"));
        }
    }
    list
}

#[async_trait]
impl IdentityStore for PostgresStore {
    async fn create_identity(&self, env: EnvironmentId, identifier: &str) -> Result<Identity> {
        let client = self.client().await?;
        one(&client, &format!(
                "INSERT INTO identities (environment_id, identifier, created_date) VALUES ($1, $2, $3)
                 RETURNING {COLUMNS}"
            ), &[&env.0, &identifier, &self.now()], identity).await
    }

    async fn identity(&self, id: IdentityId) -> Result<Identity> {
        let client = self.client().await?;
        find(&client, id).await
    }

    async fn identity_state(
        &self,
        env: EnvironmentId,
        identifier: &str,
    ) -> Result<Option<(Identity, Vec<Trait>, Vec<FeatureState>)>> {
        let mut client = self.client().await?;
        let tx = read_snapshot(&mut client).await?;
        let Some(identity) = find_by_identifier(&tx, env, identifier).await? else {
            return Ok(None);
        };
        // Sent together: the connection pipelines them.
        let (traits, overrides) = tokio::try_join!(
            traits_of(&tx, identity.id),
            identity_overrides_of(&tx, identity.id)
        )?;
        tx.commit().await?;
        Ok(Some((identity, traits, overrides)))
    }

    async fn identity_by_identifier(
        &self,
        env: EnvironmentId,
        identifier: &str,
    ) -> Result<Option<Identity>> {
        let client = self.client().await?;
        find_by_identifier(&client, env, identifier).await
    }

    async fn identities(
        &self,
        env: EnvironmentId,
        query: &IdentityQuery,
        page: PageRequest,
    ) -> Result<Page<Identity>> {
        let mut client = self.client().await?;
        let tx = read_snapshot(&mut client).await?;
        let found = list(env, query)
            .page(&tx, LIST, "created_date, id", page, identity)
            .await?;
        tx.commit().await?;
        Ok(found)
    }

    async fn rename_identity(
        &self,
        id: IdentityId,
        identifier: &str,
        audit: &Audit,
    ) -> Result<Identity> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let before = find(&tx, id).await?;
        exec(
            &tx,
            "UPDATE identities SET identifier = $1 WHERE id = $2",
            &[&identifier, &id.0],
        )
        .await?;
        let after = find(&tx, id).await?;
        record(&tx, now, &renamed(audit, &before, &after)).await?;
        self.commit(tx).await?;
        Ok(after)
    }

    async fn delete_identity(&self, id: IdentityId) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let overridden = exists(
            &tx,
            "SELECT 1 FROM feature_states WHERE identity_id = $1",
            &[&id.0],
        )
        .await?;
        let env = one(
            &tx,
            "DELETE FROM identities WHERE id = $1 RETURNING environment_id",
            &[&id.0],
            |r| r.get(0),
        )
        .await?;
        if overridden {
            // The environment document carries identity overrides.
            bump(&tx, now, Scope::Environment(EnvironmentId(env))).await?;
        }
        tx.changed(Scope::Identity(id));
        self.commit(tx).await
    }

    async fn traits(&self, identity: IdentityId) -> Result<Vec<Trait>> {
        let client = self.client().await?;
        traits_of(&client, identity).await
    }

    async fn identify(
        &self,
        env: EnvironmentId,
        identifier: &str,
        writes: &[TraitWrite],
    ) -> Result<(Identity, Vec<Trait>)> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let identity = find_or_insert(&tx, env, identifier, now).await?;
        apply(&tx, identity.id, writes, now).await?;
        if !writes.is_empty() {
            tx.changed(Scope::Identity(identity.id));
        }
        let traits = traits_of(&tx, identity.id).await?;
        self.commit(tx).await?;
        Ok((identity, traits))
    }

    async fn increment_trait(
        &self,
        env: EnvironmentId,
        identifier: &str,
        key: &str,
        by: i64,
    ) -> Result<Option<i64>> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let identity = find_or_insert(&tx, env, identifier, now).await?;
        // Lock the identity row: increments of one identity's traits queue here.
        exec(
            &tx,
            "SELECT id FROM identities WHERE id = $1 FOR UPDATE",
            &[&identity.id.0],
        )
        .await?;
        let current = traits_of(&tx, identity.id)
            .await?
            .into_iter()
            .find(|t| t.key == key);
        let value = match current.map(|t| t.value) {
            None => by,
            Some(TraitValue::Integer(i)) => i.saturating_add(by),
            Some(_) => return Ok(None),
        };
        let write = TraitWrite {
            key: key.to_string(),
            value: Some(TraitValue::Integer(value)),
        };
        apply(&tx, identity.id, &[write], now).await?;
        tx.changed(Scope::Identity(identity.id));
        self.commit(tx).await?;
        Ok(Some(value))
    }

    async fn delete_trait(&self, id: TraitId) -> Result<()> {
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let identity: i64 = one(
            &tx,
            "DELETE FROM traits WHERE id = $1 RETURNING identity_id",
            &[&id.0],
            |r| r.get(0),
        )
        .await?;
        tx.changed(Scope::Identity(IdentityId(identity)));
        self.commit(tx).await
    }
}

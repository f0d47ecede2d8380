//! The SDK side: environment keys, identities with their traits, and their flags.
//
// Flags come from the environment's snapshot; identities and traits are read from and written
// to the store.

use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use super::identities::IDENTIFIER_LIMIT;
use super::identity_cache::IdentityState;
use super::sdk_environment::{FEATURE_NOT_FOUND, SdkEnvironment};
use super::sdk_traits::{check_traits, evaluation_traits, trait_value};
use super::{Service, ServiceError, ServiceResult};
use crate::domain::feature_state::FeatureState;
use crate::domain::identity::{Trait, TraitWrite};
use crate::snapshot::{EnvSnapshot, IdentityFlags, Origin};
use crate::store::StoreError;
use std::sync::Arc;

/// A trait as an SDK sends it.
#[derive(Debug, Clone)]
pub struct TraitInput {
    pub key: String,
    /// `Null` deletes the stored trait.
    pub value: Value,
    pub transient: bool,
}

/// A trait as an identity response lists it.
#[derive(Debug, Clone)]
pub struct TraitOutput {
    pub id: Option<i64>,
    pub key: String,
    pub value: Value,
    pub transient: bool,
}

impl TraitOutput {
    /// A trait that is not stored (so has no id), its value as upstream would store it.
    pub fn unstored(key: &str, value: &Value, transient: bool) -> Self {
        TraitOutput {
            id: None,
            key: key.to_owned(),
            value: trait_value(value).map_or(Value::Null, |v| v.to_json()),
            transient,
        }
    }
}

/// The answer of the identities endpoints.
#[derive(Debug, Clone)]
pub struct IdentityAnswer {
    pub identifier: String,
    pub traits: Vec<TraitOutput>,
    /// Each flag object as JSON text.
    pub flags: Vec<(crate::domain::FeatureId, Box<RawValue>)>,
}

/// The identity body as the serializer writes it: keys in the order `Value` objects keep them.
#[derive(Serialize)]
struct IdentityBody<'a> {
    flags: Vec<&'a RawValue>,
    identifier: &'a str,
    traits: Vec<TraitBody<'a>>,
}

#[derive(Serialize)]
struct TraitBody<'a> {
    id: Option<i64>,
    trait_key: &'a str,
    trait_value: &'a Value,
    transient: bool,
}

impl IdentityAnswer {
    /// The flag of one feature, by name (`?feature=`), or upstream's 404.
    pub fn flag_named(self, name: &str) -> ServiceResult<Value> {
        self.flags
            .into_iter()
            .map(|(_, f)| serde_json::from_str::<Value>(f.get()).unwrap_or(Value::Null))
            .find(|f| f["feature"]["name"].as_str() == Some(name))
            .ok_or_else(|| ServiceError::not_found_with(FEATURE_NOT_FOUND))
    }

    /// The identities endpoints' body: `{identifier, traits, flags}`.
    pub fn into_json(self) -> Value {
        serde_json::from_slice(&self.to_bytes()).unwrap_or(Value::Null)
    }

    /// The body rendered, without a `Value` tree in between.
    pub fn to_bytes(&self) -> Vec<u8> {
        let body = IdentityBody {
            flags: self.flags.iter().map(|(_, f)| f.as_ref()).collect(),
            identifier: &self.identifier,
            traits: self
                .traits
                .iter()
                .map(|t| TraitBody {
                    id: t.id,
                    trait_key: &t.key,
                    trait_value: &t.value,
                    transient: t.transient,
                })
                .collect(),
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

pub(super) fn stored(t: &Trait) -> TraitOutput {
    TraitOutput {
        id: Some(t.id.0),
        key: t.key.clone(),
        value: t.value.to_json(),
        transient: false,
    }
}

/// The identifier upstream gives an identity sent without one.
fn anonymous_identifier(traits: &[TraitInput]) -> ServiceResult<String> {
    let mut present: Vec<&TraitInput> = traits.iter().filter(|t| !t.value.is_null()).collect();
    if present.is_empty() {
        return Ok(uuid::Uuid::new_v4().simple().to_string());
    }
    present.sort_by(|a, b| a.key.cmp(&b.key));
    let mut hasher = Sha256::new();
    for t in present {
        hasher.update(t.key.as_bytes());
        hasher.update(crate::engine::python_str(&t.value).as_bytes());
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

impl Service {
    fn answer(
        &self,
        snapshot: &EnvSnapshot,
        origin: Origin,
        identifier: String,
        identity_id: Option<i64>,
        traits: Vec<TraitOutput>,
        overrides: &[FeatureState],
    ) -> IdentityAnswer {
        let who = IdentityFlags {
            identifier: &identifier,
            identity_id,
            traits: evaluation_traits(&traits),
            overrides,
        };
        let flags = snapshot.identity_flags(origin, &who);
        let traits = if snapshot.environment.settings.hide_sensitive_data {
            Vec::new()
        } else {
            traits
        };
        IdentityAnswer {
            identifier,
            traits,
            flags,
        }
    }

    /// The stored state of an identity: from the identity cache, or read and kept there.
    async fn identity_state(
        &self,
        env: crate::domain::EnvironmentId,
        identifier: &str,
    ) -> Result<Option<Arc<IdentityState>>, StoreError> {
        match self.identities.get(env, identifier) {
            Ok(state) => Ok(Some(state)),
            Err(ticket) => {
                let Some(state) = self.store.identity_state(env, identifier).await? else {
                    return Ok(None);
                };
                let state = Arc::new(state);
                self.identities.keep(ticket, state.clone());
                Ok(Some(state))
            }
        }
    }

    /// The stored identity, for a request that writes nothing. While the database is down it
    /// is answered as an identity with nothing stored (its request's traits still count), so
    /// that transient and OFREP evaluations keep being served from the snapshot.
    pub(super) async fn stored_identity_if_reachable(
        &self,
        env: crate::domain::EnvironmentId,
        identifier: &str,
    ) -> ServiceResult<Option<Arc<IdentityState>>> {
        match self.identity_state(env, identifier).await {
            Ok(state) => Ok(state),
            Err(StoreError::Unavailable(_)) => {
                self.database_unavailable();
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn check_identifier(identifier: &str) -> ServiceResult<()> {
        if identifier.chars().count() > IDENTIFIER_LIMIT {
            return Err(ServiceError::invalid(
                "identifier",
                format!("Ensure this field has no more than {IDENTIFIER_LIMIT} characters."),
            ));
        }
        Ok(())
    }

    /// `GET /identities/`: the stored identity (created when missing) and its flags, or a
    /// transient one that nothing is written for.
    pub async fn sdk_identity(
        &self,
        sdk: &SdkEnvironment,
        identifier: &str,
        transient: bool,
    ) -> ServiceResult<IdentityAnswer> {
        metrics::counter!("flagstaff_sdk_evaluations_total", "kind" => "identity").increment(1);
        let (snapshot, origin) = (&*sdk.snapshot, sdk.origin);
        Self::check_identifier(identifier)?;
        if transient {
            return Ok(self.answer(
                snapshot,
                origin,
                identifier.to_string(),
                None,
                Vec::new(),
                &[],
            ));
        }
        let env = snapshot.environment.id;
        let (identity, traits, overrides) = match self.identity_state(env, identifier).await? {
            Some(found) => Arc::unwrap_or_clone(found),
            None => {
                // New: no traits yet, and no overrides can name it.
                let (identity, traits) = self.store.identify(env, identifier, &[]).await?;
                (identity, traits, Vec::new())
            }
        };
        let traits = traits.iter().map(stored).collect();
        Ok(self.answer(
            snapshot,
            origin,
            identity.identifier,
            Some(identity.id.0),
            traits,
            &overrides,
        ))
    }

    /// `POST /identities/`: identify with traits (stored unless transient), then the flags.
    pub async fn sdk_identify(
        &self,
        sdk: &SdkEnvironment,
        identifier: Option<&str>,
        traits: Vec<TraitInput>,
        transient: bool,
    ) -> ServiceResult<IdentityAnswer> {
        metrics::counter!("flagstaff_sdk_evaluations_total", "kind" => "identity").increment(1);
        let (snapshot, origin) = (&*sdk.snapshot, sdk.origin);
        if let Some(errors) = check_traits(&traits) {
            return Err(ServiceError::invalid_body(errors));
        }
        // A client key may not set traits where the environment forbids it: they are ignored.
        let traits =
            if origin == Origin::Client && !snapshot.environment.settings.allow_client_traits {
                Vec::new()
            } else {
                traits
            };
        let identifier = identifier.filter(|i| !i.is_empty());
        let Some(identifier) = identifier else {
            let identifier = anonymous_identifier(&traits)?;
            let outputs = overlay(Vec::new(), &traits, false);
            return Ok(self.answer(snapshot, origin, identifier, None, outputs, &[]));
        };
        Self::check_identifier(identifier)?;
        let env = snapshot.environment.id;
        if transient {
            let found = self.stored_identity_if_reachable(env, identifier).await?;
            let (stored_traits, overrides, id): (&[Trait], &[FeatureState], _) = match &found {
                Some(state) => (&state.1, &state.2, Some(state.0.id.0)),
                None => (&[], &[], None),
            };
            let keep_null = id.is_some();
            let outputs = overlay(
                stored_traits.iter().map(stored).collect(),
                &traits,
                keep_null,
            );
            return Ok(self.answer(
                snapshot,
                origin,
                identifier.to_string(),
                id,
                outputs,
                overrides,
            ));
        }
        let persist = snapshot.organisation.settings.persist_trait_data;
        let writes: Vec<TraitWrite> = if persist {
            traits
                .iter()
                .filter(|t| !t.transient)
                .map(|t| TraitWrite {
                    key: t.key.clone(),
                    value: trait_value(&t.value),
                })
                .collect()
        } else {
            Vec::new()
        };
        // Nothing to write for a known identity: one read.
        let known = if writes.is_empty() {
            self.identity_state(env, identifier).await?
        } else {
            None
        };
        let (identity, stored_traits, overrides) = match known {
            Some(found) => Arc::unwrap_or_clone(found),
            None => {
                let (identity, traits) = self.store.identify(env, identifier, &writes).await?;
                let overrides = self.store.identity_overrides(identity.id).await?;
                (identity, traits, overrides)
            }
        };
        let base: Vec<TraitOutput> = stored_traits.iter().map(stored).collect();
        // Stored traits already carry the persisted writes; what remains overlays them.
        let remaining: Vec<TraitInput> = traits
            .into_iter()
            .filter(|t| t.transient || !persist)
            .collect();
        let outputs = overlay(base, &remaining, false);
        Ok(self.answer(
            snapshot,
            origin,
            identity.identifier,
            Some(identity.id.0),
            outputs,
            &overrides,
        ))
    }
}

/// Lays incoming traits over stored ones: a key present wins; a null deletes unless `keep_null`
/// (transient requests keep the key with a null value).
pub fn overlay(
    mut base: Vec<TraitOutput>,
    incoming: &[TraitInput],
    keep_null: bool,
) -> Vec<TraitOutput> {
    for t in incoming {
        if t.value.is_null() && !keep_null {
            base.retain(|b| b.key != t.key);
            continue;
        }
        let output = TraitOutput::unstored(&t.key, &t.value, true);
        match base.iter_mut().find(|b| b.key == t.key) {
            Some(existing) => *existing = output,
            None => base.push(output),
        }
    }
    base
}

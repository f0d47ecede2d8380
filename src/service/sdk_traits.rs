//! The SDK's trait routes: set one, set many, increment.

use serde_json::{Value, json};

use super::identities::IDENTIFIER_LIMIT;
use super::identities::{TRAIT_KEY_LIMIT, TRAIT_STRING_LIMIT};
use super::sdk::{TraitInput, TraitOutput};
use super::sdk_environment::SdkEnvironment;
use super::{FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::identity::TraitValue;
use crate::domain::identity::TraitWrite;
use crate::snapshot::{EnvSnapshot, Origin};
use indexmap::IndexMap;

/// One item of `PUT /traits/bulk/` (and the body of `POST /traits/`).
#[derive(Debug, Clone)]
pub struct TraitItem {
    pub identifier: String,
    pub key: String,
    /// `Null` deletes (bulk only).
    pub value: Value,
}

fn check_identifier(errors: &mut FieldErrors, identifier: &str) {
    if identifier.is_empty() {
        errors.add("identity", "This field may not be blank.");
    } else if identifier.chars().count() > IDENTIFIER_LIMIT {
        errors.add(
            "identity",
            format!("Ensure this field has no more than {IDENTIFIER_LIMIT} characters."),
        );
    }
}

impl Service {
    /// Trait writes need an organisation that stores traits, and a server key unless the
    /// environment lets clients set traits.
    fn trait_writes_allowed(snapshot: &EnvSnapshot, origin: Origin) -> ServiceResult<()> {
        if !snapshot.organisation.settings.persist_trait_data {
            return Err(ServiceError::forbidden_with(
                "Organisation is not authorised to store traits.",
            ));
        }
        if origin == Origin::Client && !snapshot.environment.settings.allow_client_traits {
            return Err(ServiceError::invalid(
                "non_field_errors",
                "Setting traits not allowed with client key.",
            ));
        }
        Ok(())
    }

    /// `POST /traits/`: sets one trait of an identity (created when new); answers the value.
    pub async fn sdk_set_trait(
        &self,
        sdk: &SdkEnvironment,
        item: TraitItem,
    ) -> ServiceResult<Value> {
        let (snapshot, origin) = (&*sdk.snapshot, sdk.origin);
        Self::trait_writes_allowed(snapshot, origin)?;
        let mut errors = FieldErrors::default();
        check_identifier(&mut errors, &item.identifier);
        if item.value.is_null() {
            errors.add("trait_value", "This field may not be null.");
        }
        errors.into_result()?;
        self.checked_items(std::slice::from_ref(&item))?;
        let value = trait_value(&item.value);
        let written = value.as_ref().map_or(Value::Null, TraitValue::to_json);
        let write = TraitWrite {
            key: item.key,
            value,
        };
        self.store
            .identify(snapshot.environment.id, &item.identifier, &[write])
            .await?;
        Ok(written)
    }

    fn checked_items(&self, items: &[TraitItem]) -> ServiceResult<()> {
        let inputs: Vec<TraitInput> = items
            .iter()
            .map(|i| TraitInput {
                key: i.key.clone(),
                value: i.value.clone(),
                transient: false,
            })
            .collect();
        match check_traits(&inputs) {
            Some(errors) => Err(ServiceError::invalid_body(errors["traits"].clone())),
            None => Ok(()),
        }
    }

    /// `PUT /traits/bulk/`: every item is checked before any is written; then each
    /// identity's items are written together.
    pub async fn sdk_bulk_traits(
        &self,
        sdk: &SdkEnvironment,
        items: Vec<TraitItem>,
    ) -> ServiceResult<()> {
        let (snapshot, origin) = (&*sdk.snapshot, sdk.origin);
        Self::trait_writes_allowed(snapshot, origin)?;
        let mut errors = FieldErrors::default();
        for item in &items {
            check_identifier(&mut errors, &item.identifier);
        }
        errors.into_result()?;
        self.checked_items(&items)?;
        let mut by_identity: indexmap::IndexMap<&str, Vec<TraitWrite>> = indexmap::IndexMap::new();
        for item in &items {
            by_identity
                .entry(&item.identifier)
                .or_default()
                .push(TraitWrite {
                    key: item.key.clone(),
                    value: trait_value(&item.value),
                });
        }
        for (identifier, writes) in by_identity {
            self.store
                .identify(snapshot.environment.id, identifier, &writes)
                .await?;
        }
        Ok(())
    }

    /// `POST /traits/increment-value/`: answers the new value.
    pub async fn sdk_increment_trait(
        &self,
        sdk: &SdkEnvironment,
        identifier: &str,
        key: &str,
        by: i64,
    ) -> ServiceResult<Value> {
        let (snapshot, origin) = (&*sdk.snapshot, sdk.origin);
        Self::trait_writes_allowed(snapshot, origin)?;
        let mut errors = FieldErrors::default();
        check_identifier(&mut errors, identifier);
        if key.is_empty() {
            errors.add("trait_key", "This field may not be blank.");
        }
        errors.into_result()?;
        match self
            .store
            .increment_trait(snapshot.environment.id, identifier, key, by)
            .await?
        {
            Some(value) => Ok(json!(value)),
            None => Err(ServiceError::bad_request_list(vec![
                "Trait is not an integer.".into(),
            ])),
        }
    }
}

/// The traits an identity is evaluated with: the listed ones, by key.
pub fn evaluation_traits(traits: &[TraitOutput]) -> IndexMap<String, Value> {
    traits
        .iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

/// A JSON trait value as upstream stores it: objects and lists become their Python `str()`.
pub fn trait_value(value: &Value) -> Option<TraitValue> {
    match value {
        Value::Null => None,
        Value::Bool(b) => Some(TraitValue::Boolean(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Some(TraitValue::Integer(i)),
            None => Some(TraitValue::Float(n.as_f64().unwrap_or_default())),
        },
        Value::String(s) => Some(TraitValue::String(s.clone())),
        other => Some(TraitValue::String(crate::engine::python_str(other))),
    }
}

/// Upstream's per-trait validation, as a list of per-item error objects (`None` when fine).
pub fn check_traits(traits: &[TraitInput]) -> Option<Value> {
    let mut any = false;
    let errors: Vec<Value> = traits
        .iter()
        .map(|t| {
            let mut item = serde_json::Map::new();
            if t.key.is_empty() || t.key.chars().count() > TRAIT_KEY_LIMIT {
                item.insert("trait_key".into(), json!([format!("Ensure this field has no more than {TRAIT_KEY_LIMIT} characters and is not blank.")]));
            }
            if let Some(TraitValue::String(s)) = trait_value(&t.value)
                && s.chars().count() > TRAIT_STRING_LIMIT
            {
                item.insert(
                    "trait_value".into(),
                    json!([format!("Value string is too long. Must be less than {TRAIT_STRING_LIMIT} character")]),
                );
            }
            any |= !item.is_empty();
            Value::Object(item)
        })
        .collect();
    any.then(|| json!({ "traits": errors }))
}

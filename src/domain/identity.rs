//! Identities (the users of the customer's application) and their traits.

use serde::Serialize;

use super::{EnvironmentId, IdentityId, Timestamp, TraitId};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identity {
    pub id: IdentityId,
    pub environment_id: EnvironmentId,
    /// Unique within the environment.
    pub identifier: String,
    pub created_date: Timestamp,
}

/// A trait's typed value (`value_type` upstream: `int`, `unicode`, `bool`, `float`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum TraitValue {
    Integer(i64),
    String(String),
    Boolean(bool),
    Float(f64),
}

impl TraitValue {
    /// The value as JSON: a number, a string or a boolean (a float that is not finite: null).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            TraitValue::Integer(i) => serde_json::Value::from(*i),
            TraitValue::String(s) => serde_json::Value::String(s.clone()),
            TraitValue::Boolean(b) => serde_json::Value::Bool(*b),
            TraitValue::Float(f) => serde_json::Number::from_f64(*f)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            TraitValue::Integer(_) => "int",
            TraitValue::String(_) => "unicode",
            TraitValue::Boolean(_) => "bool",
            TraitValue::Float(_) => "float",
        }
    }

    pub fn string_column(&self) -> Option<&str> {
        match self {
            TraitValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn integer_column(&self) -> Option<i64> {
        match self {
            TraitValue::Integer(i) => Some(*i),
            _ => None,
        }
    }

    pub fn boolean_column(&self) -> Option<bool> {
        match self {
            TraitValue::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    pub fn float_column(&self) -> Option<f64> {
        match self {
            TraitValue::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Rebuilds a value from its stored columns; `None` if the columns do not match the tag.
    pub fn from_columns(
        type_name: &str,
        string: Option<String>,
        integer: Option<i64>,
        boolean: Option<bool>,
        float: Option<f64>,
    ) -> Option<Self> {
        match type_name {
            "int" => integer.map(TraitValue::Integer),
            "bool" => boolean.map(TraitValue::Boolean),
            "float" => float.map(TraitValue::Float),
            _ => string.map(TraitValue::String),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trait {
    pub id: TraitId,
    pub identity_id: IdentityId,
    /// Unique within the identity.
    pub key: String,
    pub value: TraitValue,
    pub created_date: Timestamp,
}

/// A trait write: a value sets the trait, `None` deletes it (as the SDKs send `null`).
#[derive(Debug, Clone, PartialEq)]
pub struct TraitWrite {
    pub key: String,
    pub value: Option<TraitValue>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct IdentityQuery {
    /// Case-insensitive substring of the identifier, or an exact identifier when `exact`.
    pub search: Option<String>,
    pub exact: bool,
}

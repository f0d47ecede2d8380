//! The typed value of a feature state or multivariate option (`FeatureStateValue` upstream).

use serde::{Deserialize, Serialize};

/// Stored as a type tag (`unicode`, `int`, `bool`) and one column per type; a `unicode` value
/// without a string is `Null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FeatureValue {
    Null,
    String(String),
    Integer(i64),
    Boolean(bool),
}

impl FeatureValue {
    /// The upstream type tag.
    pub fn type_name(&self) -> &'static str {
        match self {
            FeatureValue::Null | FeatureValue::String(_) => "unicode",
            FeatureValue::Integer(_) => "int",
            FeatureValue::Boolean(_) => "bool",
        }
    }

    /// Rebuilds a value from its stored columns. An unknown tag reads as a string, as upstream does.
    pub fn from_columns(
        type_name: &str,
        string: Option<String>,
        integer: Option<i64>,
        boolean: Option<bool>,
    ) -> Self {
        match (type_name, string, integer, boolean) {
            ("int", _, Some(i), _) => FeatureValue::Integer(i),
            ("bool", _, _, Some(b)) => FeatureValue::Boolean(b),
            (_, Some(s), _, _) => FeatureValue::String(s),
            _ => FeatureValue::Null,
        }
    }

    pub fn string_column(&self) -> Option<&str> {
        match self {
            FeatureValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn integer_column(&self) -> Option<i64> {
        match self {
            FeatureValue::Integer(i) => Some(*i),
            _ => None,
        }
    }

    pub fn boolean_column(&self) -> Option<bool> {
        match self {
            FeatureValue::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// A feature's `initial_value` typed as upstream types it for new environment defaults:
    /// 32-bit integers become `int`, `true`/`True`/`false`/`False` become `bool`, anything else stays a string.
    pub fn from_initial_value(initial: Option<&str>) -> Self {
        match initial {
            None => FeatureValue::Null,
            Some(s) => {
                if let Ok(i) = s.parse::<i32>()
                    && s.trim() == s
                {
                    FeatureValue::Integer(i64::from(i))
                } else if s == "true" || s == "True" {
                    FeatureValue::Boolean(true)
                } else if s == "false" || s == "False" {
                    FeatureValue::Boolean(false)
                } else {
                    FeatureValue::String(s.to_string())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FeatureValue;

    #[test]
    fn columns_round_trip_for_every_type() {
        for v in [
            FeatureValue::Null,
            FeatureValue::String("x".into()),
            FeatureValue::Integer(-3),
            FeatureValue::Boolean(true),
        ] {
            let back = FeatureValue::from_columns(
                v.type_name(),
                v.string_column().map(str::to_string),
                v.integer_column(),
                v.boolean_column(),
            );
            assert_eq!(back, v);
        }
    }

    #[test]
    fn initial_values_are_typed_like_upstream() {
        assert_eq!(
            FeatureValue::from_initial_value(Some("42")),
            FeatureValue::Integer(42)
        );
        assert_eq!(
            FeatureValue::from_initial_value(Some("True")),
            FeatureValue::Boolean(true)
        );
        assert_eq!(
            FeatureValue::from_initial_value(Some("4.2")),
            FeatureValue::String("4.2".into())
        );
        assert_eq!(FeatureValue::from_initial_value(None), FeatureValue::Null);
    }
}

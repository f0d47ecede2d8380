//! The value a condition tests, typed as Python types context values (`"2"` is `2`).

use std::borrow::Cow;

use serde_json::Value;

use super::number::{Number, PyInt};
use super::python::{float_repr, value_str};

/// A coerced context value: what the engine's operators see.
#[derive(Clone, Debug, PartialEq)]
pub enum ContextValue<'a> {
    Null,
    Bool(bool),
    Int(PyInt),
    Float(f64),
    Str(Cow<'a, str>),
}

impl<'a> ContextValue<'a> {
    /// Types a trait value (or a JSONPath result that is not an object or array).
    /// `"42"` and `"-007"` become ints, `"1.50"` a float; `"+5"`, `"1e3"`, `" 4"` and `"1."`
    /// stay strings. An object or array becomes Python's `str()` of it.
    pub fn coerce(value: &'a Value) -> ContextValue<'a> {
        match value {
            Value::Null => ContextValue::Null,
            Value::Bool(b) => ContextValue::Bool(*b),
            Value::Number(n) => match Number::from_json(n) {
                Number::Int(i) => ContextValue::Int(i),
                Number::Float(f) => ContextValue::Float(f),
            },
            Value::String(s) => ContextValue::coerce_str(s),
            compound => ContextValue::Str(Cow::Owned(value_str(compound))),
        }
    }

    pub fn coerce_str(s: &'a str) -> ContextValue<'a> {
        match number_like(s) {
            NumberLike::Int => ContextValue::Int(PyInt::from_decimal(s)),
            NumberLike::Float => match s.parse::<f64>() {
                Ok(f) => ContextValue::Float(f),
                Err(_) => ContextValue::Str(Cow::Borrowed(s)),
            },
            NumberLike::No => ContextValue::Str(Cow::Borrowed(s)),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, ContextValue::Null)
    }

    /// Python's `str()` of the value, as hashed by `PERCENTAGE_SPLIT` and matched by `REGEX`.
    pub fn py_str(&self) -> Cow<'_, str> {
        match self {
            ContextValue::Null => Cow::Borrowed("None"),
            ContextValue::Bool(true) => Cow::Borrowed("True"),
            ContextValue::Bool(false) => Cow::Borrowed("False"),
            ContextValue::Int(i) => Cow::Owned(i.to_string()),
            ContextValue::Float(f) => Cow::Owned(float_repr(*f)),
            ContextValue::Str(s) => Cow::Borrowed(s),
        }
    }
}

enum NumberLike {
    Int,
    Float,
    No,
}

/// Whether `s` fully matches `-?[0-9]+` (an int) or `-?[0-9]+\.[0-9]+` (a float).
fn number_like(s: &str) -> NumberLike {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    match fraction {
        _ if !digits(whole) => NumberLike::No,
        None => NumberLike::Int,
        Some(fraction) if digits(fraction) => NumberLike::Float,
        Some(_) => NumberLike::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn coerce(value: Value) -> ContextValue<'static> {
        match ContextValue::coerce(&value) {
            ContextValue::Str(s) => ContextValue::Str(Cow::Owned(s.into_owned())),
            ContextValue::Null => ContextValue::Null,
            ContextValue::Bool(b) => ContextValue::Bool(b),
            ContextValue::Int(i) => ContextValue::Int(i),
            ContextValue::Float(f) => ContextValue::Float(f),
        }
    }

    fn int(n: i128) -> ContextValue<'static> {
        ContextValue::Int(PyInt::Small(n))
    }

    fn string(s: &str) -> ContextValue<'static> {
        ContextValue::Str(Cow::Owned(s.to_owned()))
    }

    #[test]
    fn number_like_strings_become_numbers() {
        assert_eq!(coerce(json!("42")), int(42));
        assert_eq!(coerce(json!("-7")), int(-7));
        assert_eq!(coerce(json!("007")), int(7));
        assert_eq!(coerce(json!("1.50")), ContextValue::Float(1.5));
        assert_eq!(coerce(json!("-0.5")), ContextValue::Float(-0.5));
        for kept in [
            "+5", "1e3", " 4", "4 ", "1.", ".5", "-", "", "1.2.3", "1_0", "abc",
        ] {
            assert_eq!(coerce(json!(kept)), string(kept), "{kept:?}");
        }
    }

    #[test]
    fn typed_values_keep_their_type() {
        assert_eq!(coerce(json!(null)), ContextValue::Null);
        assert_eq!(coerce(json!(true)), ContextValue::Bool(true));
        assert_eq!(coerce(json!(3)), int(3));
        assert_eq!(coerce(json!(u64::MAX)), int(u64::MAX.into()));
        assert_eq!(coerce(json!(2.0)), ContextValue::Float(2.0));
        // A bool-looking string is not a bool.
        assert_eq!(coerce(json!("true")), string("true"));
    }

    #[test]
    fn compound_values_become_their_python_str() {
        assert_eq!(coerce(json!([1, "a"])), string("[1, 'a']"));
        assert_eq!(coerce(json!({"a": true})), string("{'a': True}"));
    }

    #[test]
    fn python_str_forms() {
        assert_eq!(int(5).py_str(), "5");
        assert_eq!(ContextValue::Bool(true).py_str(), "True");
        assert_eq!(ContextValue::Float(1.5).py_str(), "1.5");
        assert_eq!(coerce(json!("1.50")).py_str(), "1.5");
        assert_eq!(coerce(json!("007")).py_str(), "7");
    }
}

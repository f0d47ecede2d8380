//! Operators and their typing rules, as Flagsmith's Python engine casts condition values.
//
// Operators and their typing rules: the condition value (a string) is cast to the type of the
// context value, as Flagsmith's Python engine does. Everything that can be parsed ahead of
// time (numbers, versions, regexes, `IN` lists) is parsed once, when the environment is
// prepared. Where Python would raise, the condition is simply false.

use std::cmp::Ordering;
use std::collections::HashSet;

use semver::Version;
use serde_json::Value;

use super::context::ConditionValue;
use super::number::{PyInt, parse_float, parse_int};
use super::pyregex::PythonRegex;
use super::python::value_str;
use super::value::ContextValue;

/// The operator of a condition with its operand prepared.
#[derive(Clone, Debug)]
pub enum Test {
    /// Threshold percentage; `None` when the value is not a float.
    PercentageSplit(Option<f64>),
    IsSet,
    IsNotSet,
    /// Members as strings; `None` when the value is null (Python raises).
    In(Option<HashSet<String>>),
    Compare(Comparison, Operand),
    Contains(Operand),
    NotContains(String),
    /// `None` when the pattern does not compile.
    Regex(Option<PythonRegex>),
    /// `(divisor, remainder)`; `None` unless the value is `"<float>|<float>"`.
    Modulo(Option<(f64, f64)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Equal,
    NotEqual,
    GreaterThan,
    GreaterThanInclusive,
    LessThan,
    LessThanInclusive,
}

impl Comparison {
    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Comparison::Equal => ordering == Ordering::Equal,
            Comparison::NotEqual => ordering != Ordering::Equal,
            Comparison::GreaterThan => ordering == Ordering::Greater,
            Comparison::GreaterThanInclusive => ordering != Ordering::Less,
            Comparison::LessThan => ordering == Ordering::Less,
            Comparison::LessThanInclusive => ordering != Ordering::Greater,
        }
    }

    /// IEEE comparison: every comparison with NaN is false, except `!=`.
    fn holds_partial(self, ordering: Option<Ordering>) -> bool {
        match ordering {
            Some(ordering) => self.holds(ordering),
            None => self == Comparison::NotEqual,
        }
    }
}

/// A condition value cast ahead of time to every type a context value can have.
#[derive(Clone, Debug)]
pub struct Operand {
    text: String,
    /// Set when the value ends with `:semver`: the version before it, if it parses.
    semver: Option<Option<Version>>,
    int: Option<PyInt>,
    float: Option<f64>,
    /// Python's bool cast: only `"False"` and `"false"` are false.
    boolean: bool,
}

impl Operand {
    pub fn new(text: String) -> Operand {
        Operand {
            semver: text
                .strip_suffix(":semver")
                .map(|version| Version::parse(version).ok()),
            int: parse_int(&text),
            float: parse_float(&text),
            boolean: text != "False" && text != "false",
            text,
        }
    }
}

impl Test {
    /// Prepares `operator` with its value; `None` for an operator Flagsmith does not have.
    pub fn new(operator: &str, value: &ConditionValue) -> Option<Test> {
        let text = || condition_text(value);
        Some(match operator {
            "PERCENTAGE_SPLIT" => Test::PercentageSplit(match value {
                ConditionValue::Other(Value::Null) => None,
                _ => parse_float(&text()),
            }),
            "IS_SET" => Test::IsSet,
            "IS_NOT_SET" => Test::IsNotSet,
            "IN" => Test::In(in_members(value)),
            "EQUAL" => Test::Compare(Comparison::Equal, Operand::new(text())),
            "NOT_EQUAL" => Test::Compare(Comparison::NotEqual, Operand::new(text())),
            "GREATER_THAN" => Test::Compare(Comparison::GreaterThan, Operand::new(text())),
            "GREATER_THAN_INCLUSIVE" => {
                Test::Compare(Comparison::GreaterThanInclusive, Operand::new(text()))
            }
            "LESS_THAN" => Test::Compare(Comparison::LessThan, Operand::new(text())),
            "LESS_THAN_INCLUSIVE" => {
                Test::Compare(Comparison::LessThanInclusive, Operand::new(text()))
            }
            "CONTAINS" => Test::Contains(Operand::new(text())),
            "NOT_CONTAINS" => Test::NotContains(text()),
            "REGEX" => Test::Regex(PythonRegex::compile(&text())),
            "MODULO" => Test::Modulo(modulo_operands(&text())),
            _ => return None,
        })
    }

    /// Whether the (coerced) context value passes. `PERCENTAGE_SPLIT` needs the segment and is
    /// decided by the caller; here it is false.
    pub fn matches(&self, value: &ContextValue<'_>) -> bool {
        match self {
            Test::IsSet => !value.is_null(),
            Test::IsNotSet => value.is_null(),
            _ if value.is_null() => false,
            Test::PercentageSplit(_) => false,
            Test::In(members) => members
                .as_ref()
                .is_some_and(|members| is_member(members, value)),
            Test::Compare(comparison, operand) => compare(*comparison, operand, value),
            Test::Contains(operand) => match value {
                ContextValue::Str(s) if operand.semver.is_none() => s.contains(&operand.text),
                _ => false,
            },
            Test::NotContains(text) => match value {
                ContextValue::Str(s) => !s.contains(text.as_str()),
                _ => false,
            },
            Test::Regex(regex) => regex
                .as_ref()
                .is_some_and(|regex| regex.matches_start(&value.py_str())),
            Test::Modulo(operands) => operands.is_some_and(|(divisor, remainder)| {
                number_as_f64(value).is_some_and(|v| python_mod(v, divisor) == Some(remainder))
            }),
        }
    }
}

/// The condition value as the string Python's casts start from.
fn condition_text(value: &ConditionValue) -> String {
    match value {
        ConditionValue::Text(text) => text.clone(),
        ConditionValue::List(items) => value_str(&Value::Array(items.clone())),
        ConditionValue::Other(other) => value_str(other),
    }
}

/// `IN` members: a list's elements by `str()`; a string that starts with `[` and parses as a
/// JSON array likewise; any other string split on `,` without trimming.
fn in_members(value: &ConditionValue) -> Option<HashSet<String>> {
    let members = match value {
        ConditionValue::List(items) => items.iter().map(value_str).collect(),
        ConditionValue::Text(text) => {
            let json_list = text
                .starts_with('[')
                .then(|| serde_json::from_str::<Vec<Value>>(text).ok())
                .flatten();
            match json_list {
                Some(items) => items.iter().map(value_str).collect(),
                None => text.split(',').map(str::to_owned).collect(),
            }
        }
        ConditionValue::Other(Value::Null) => return None,
        ConditionValue::Other(other) => value_str(other).split(',').map(str::to_owned).collect(),
    };
    Some(members)
}

/// Strings match by equality, non-bool ints by their decimal form; nothing else matches.
fn is_member(members: &HashSet<String>, value: &ContextValue<'_>) -> bool {
    match value {
        ContextValue::Str(s) => members.contains(s.as_ref()),
        ContextValue::Int(i) => members.contains(&i.to_string()),
        _ => false,
    }
}

fn compare(comparison: Comparison, operand: &Operand, value: &ContextValue<'_>) -> bool {
    match value {
        ContextValue::Str(s) => match &operand.semver {
            Some(version) => match (Version::parse(s), version) {
                (Ok(v), Some(x)) => comparison.holds(v.cmp_precedence(x)),
                _ => false,
            },
            None => comparison.holds(s.as_ref().cmp(operand.text.as_str())),
        },
        ContextValue::Bool(b) => comparison.holds(b.cmp(&operand.boolean)),
        ContextValue::Int(i) => operand
            .int
            .as_ref()
            .is_some_and(|x| comparison.holds(i.cmp(x))),
        ContextValue::Float(f) => operand
            .float
            .is_some_and(|x| comparison.holds_partial(f.partial_cmp(&x))),
        ContextValue::Null => false,
    }
}

/// `"<divisor>|<remainder>"`, both Python floats; anything else never matches.
fn modulo_operands(text: &str) -> Option<(f64, f64)> {
    let (divisor, remainder) = text.split_once('|')?;
    if remainder.contains('|') {
        return None;
    }
    Some((parse_float(divisor)?, parse_float(remainder)?))
}

/// Numbers for `MODULO`: ints, floats and bools (True is 1).
fn number_as_f64(value: &ContextValue<'_>) -> Option<f64> {
    match value {
        ContextValue::Int(i) => i.to_f64(),
        ContextValue::Float(f) => Some(*f),
        ContextValue::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        ContextValue::Null | ContextValue::Str(_) => None,
    }
}

/// Python's float `%`: floored, the result takes the divisor's sign; `None` for a zero divisor
/// (Python raises `ZeroDivisionError`).
pub fn python_mod(value: f64, divisor: f64) -> Option<f64> {
    if divisor == 0.0 {
        return None;
    }
    let remainder = value % divisor;
    Some(if remainder == 0.0 {
        0.0_f64.copysign(divisor)
    } else if (divisor < 0.0) != (remainder < 0.0) {
        remainder + divisor
    } else {
        remainder
    })
}

#[cfg(test)]
#[path = "conditions_tests.rs"]
mod tests;

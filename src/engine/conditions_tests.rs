//! Unit tests of condition evaluation, one operator at a time.

use serde_json::{Value, json};

use super::*;

/// Whether a trait with JSON value `trait_value` passes `operator` with `condition`.
fn passes(operator: &str, condition: impl Into<ConditionValue>, trait_value: Value) -> bool {
    let test = Test::new(operator, &condition.into()).expect("known operator");
    test.matches(&ContextValue::coerce(&trait_value))
}

fn list(items: Value) -> ConditionValue {
    match items {
        Value::Array(items) => ConditionValue::List(items),
        _ => unreachable!(),
    }
}

#[test]
fn unknown_operators_are_refused() {
    assert!(Test::new("EQUALS", &"x".into()).is_none());
    assert!(Test::new("equal", &"x".into()).is_none());
}

#[test]
fn equal_casts_the_condition_to_the_trait_type() {
    assert!(passes("EQUAL", "foo", json!("foo")));
    assert!(!passes("EQUAL", "Foo", json!("foo")));
    assert!(passes("EQUAL", "4", json!(4)));
    assert!(passes("EQUAL", " 4 ", json!(4)));
    assert!(passes("EQUAL", "1_0", json!(10)));
    assert!(!passes("EQUAL", "4.0", json!(4)), "int('4.0') raises");
    assert!(passes("EQUAL", "4", json!(4.0)));
    assert!(
        passes("EQUAL", "4", json!("4.0")),
        "the string trait is a float"
    );
    assert!(
        !passes("EQUAL", "4.0", json!("4")),
        "the string trait is an int"
    );
    assert!(passes("EQUAL", "7", json!("007")));
    assert!(
        !passes("EQUAL", "True", json!("true")),
        "a bool-looking string stays a string"
    );
    assert!(!passes("EQUAL", "abc", json!(1)));
    assert!(!passes("EQUAL", "x", json!(null)));
}

#[test]
fn booleans_only_read_false_from_false() {
    assert!(passes("EQUAL", "true", json!(true)));
    assert!(passes("EQUAL", "1", json!(true)));
    assert!(passes("EQUAL", "TRUE", json!(true)));
    assert!(passes("EQUAL", "FALSE", json!(true)));
    assert!(passes("EQUAL", "", json!(true)));
    assert!(!passes("EQUAL", "0", json!(false)));
    assert!(passes("EQUAL", "false", json!(false)));
    assert!(passes("EQUAL", "False", json!(false)));
    assert!(passes("GREATER_THAN", "false", json!(true)));
    assert!(passes("LESS_THAN", "true", json!(false)));
}

#[test]
fn not_equal_needs_a_value() {
    assert!(passes("NOT_EQUAL", "bar", json!("foo")));
    assert!(!passes("NOT_EQUAL", "foo", json!("foo")));
    assert!(
        !passes("NOT_EQUAL", "foo", json!(null)),
        "a missing trait never passes"
    );
    assert!(passes("NOT_EQUAL", "nan", json!(1.5)));
    assert!(!passes("NOT_EQUAL", "4.0", json!(4)), "the int cast fails");
}

#[test]
fn ordering_operators() {
    assert!(passes("GREATER_THAN", "3", json!(4)));
    assert!(!passes("GREATER_THAN", "4", json!(4)));
    assert!(
        !passes("GREATER_THAN", "3.5", json!(4)),
        "int('3.5') raises"
    );
    assert!(passes("GREATER_THAN", "3.5", json!(4.0)));
    assert!(passes("GREATER_THAN_INCLUSIVE", "4", json!(4)));
    assert!(passes("GREATER_THAN_INCLUSIVE", "4.5", json!("4.50")));
    assert!(passes("LESS_THAN", "5", json!(-3)));
    assert!(passes("LESS_THAN_INCLUSIVE", "-3", json!("-3")));
    assert!(!passes("LESS_THAN_INCLUSIVE", "-4", json!(-3)));
    assert!(!passes("LESS_THAN", "nan", json!(1.0)));
    assert!(passes("LESS_THAN", "inf", json!(1.0)));
    // Strings compare by code point.
    assert!(passes("GREATER_THAN", "a", json!("b")));
    assert!(passes("LESS_THAN", "a", json!("B")));
    assert!(passes("LESS_THAN", "9a", json!("10a")));
    assert!(passes(
        "GREATER_THAN",
        "123456789012345678901234567890123456789012",
        json!("123456789012345678901234567890123456789013")
    ));
}

#[test]
fn semver_comparisons_ignore_build_metadata() {
    assert!(passes("EQUAL", "1.2.3:semver", json!("1.2.3")));
    assert!(passes("EQUAL", "1.2.3+b:semver", json!("1.2.3+a")));
    assert!(passes("NOT_EQUAL", "1.2.4:semver", json!("1.2.3")));
    assert!(passes("GREATER_THAN", "1.0.0-rc.1:semver", json!("1.0.0")));
    assert!(passes("LESS_THAN", "1.0.0:semver", json!("1.0.0-alpha")));
    assert!(passes(
        "LESS_THAN",
        "1.0.0-alpha.beta:semver",
        json!("1.0.0-alpha.1")
    ));
    assert!(passes(
        "LESS_THAN",
        "1.0.0-alpha.10:semver",
        json!("1.0.0-alpha.2")
    ));
    assert!(passes(
        "GREATER_THAN_INCLUSIVE",
        "1.2.3:semver",
        json!("1.2.3+build.5")
    ));
    assert!(passes(
        "LESS_THAN_INCLUSIVE",
        "2.0.0:semver",
        json!("1.99.99")
    ));
    // Strict SemVer 2.0.0 on both sides.
    assert!(!passes("EQUAL", "1.2.3:semver", json!("v1.2.3")));
    assert!(!passes("EQUAL", "1.2:semver", json!("1.2")));
    assert!(!passes("EQUAL", "1.2.3:semver", json!("01.2.3")));
    assert!(!passes("EQUAL", "1.2.3:semver", json!("1.2.3-01")));
    assert!(!passes("EQUAL", "not-a-version:semver", json!("1.2.3")));
    // A number-like trait is not a string, so the int cast of the condition fails.
    assert!(!passes("EQUAL", "1.0.0:semver", json!("1")));
    assert!(!passes("CONTAINS", "1.2:semver", json!("1.2.3")));
    // Without the suffix, versions are plain strings.
    assert!(passes("GREATER_THAN", "1.10.0", json!("1.9.0")));
}

#[test]
fn contains_and_not_contains_need_strings() {
    assert!(passes("CONTAINS", "ell", json!("hello")));
    assert!(!passes("CONTAINS", "xyz", json!("hello")));
    assert!(!passes("CONTAINS", "1", json!(12)));
    assert!(!passes("CONTAINS", "T", json!(true)));
    assert!(passes("NOT_CONTAINS", "xyz", json!("hello")));
    assert!(!passes("NOT_CONTAINS", "ell", json!("hello")));
    assert!(!passes("NOT_CONTAINS", "x", json!(5)));
    assert!(!passes("NOT_CONTAINS", "x", json!(null)));
}

#[test]
fn regex_is_python_match_on_the_python_str() {
    assert!(passes("REGEX", "[a-z]+", json!("abc1")));
    assert!(!passes("REGEX", "[a-z]+", json!("1abc")));
    assert!(passes("REGEX", r"\d*[13579]$", json!(12345)));
    assert!(passes("REGEX", "Tr", json!(true)));
    assert!(
        passes("REGEX", r"1\.5$", json!("1.50")),
        "the subject is str(1.5)"
    );
    assert!(passes("REGEX", "7$", json!("007")));
    assert!(
        !passes("REGEX", "(", json!("(")),
        "an invalid pattern never matches"
    );
    assert!(!passes("REGEX", ".*", json!(null)));
}

#[test]
fn modulo_is_floored_with_exact_equality() {
    assert!(passes("MODULO", "2|0", json!(4)));
    assert!(passes("MODULO", "2|1", json!(3)));
    assert!(passes("MODULO", "2.5|0.5", json!(3)));
    assert!(passes("MODULO", "3|2", json!(-1)), "Python's -1 % 3 is 2");
    assert!(passes("MODULO", "-3|-1", json!(2)), "Python's 2 % -3 is -1");
    assert!(passes("MODULO", "2|1", json!(true)), "bools count as ints");
    assert!(passes("MODULO", "2|0", json!("4")));
    assert!(passes("MODULO", "0.1|0.09999999999999998", json!(0.3)));
    assert!(
        !passes("MODULO", "0|0", json!(4)),
        "a zero divisor never matches"
    );
    assert!(!passes("MODULO", "2", json!(4)));
    assert!(!passes("MODULO", "", json!(4)));
    assert!(!passes("MODULO", "2|0|1", json!(4)));
    assert!(!passes("MODULO", "a|0", json!(4)));
    assert!(!passes("MODULO", "2|0", json!("four")));
    assert!(!passes("MODULO", "2|0", json!("1.0.0")));
}

#[test]
fn python_mod_follows_the_divisor_sign() {
    assert_eq!(python_mod(-7.0, 3.0), Some(2.0));
    assert_eq!(python_mod(7.0, -3.0), Some(-2.0));
    assert_eq!(python_mod(-6.0, 3.0), Some(0.0));
    assert!(python_mod(-6.0, -3.0).is_some_and(|r| r == 0.0 && r.is_sign_negative()));
    assert_eq!(python_mod(5.0, f64::INFINITY), Some(5.0));
    assert_eq!(python_mod(-5.0, f64::INFINITY), Some(f64::INFINITY));
    assert_eq!(python_mod(1.0, 0.0), None);
}

#[test]
fn in_matches_strings_and_ints_only() {
    assert!(passes("IN", "a,b,c", json!("b")));
    assert!(!passes("IN", "a, b", json!("b")), "no trimming");
    assert!(passes("IN", "a, b", json!(" b")));
    assert!(passes("IN", "1,2,3", json!(2)));
    assert!(passes("IN", "007,7", json!(7)));
    assert!(
        !passes("IN", "007,008", json!("007")),
        "the trait is the int 7"
    );
    assert!(!passes("IN", "1.5", json!("1.5")), "floats never match");
    assert!(
        !passes("IN", "True,true,1", json!(true)),
        "bools never match"
    );
    assert!(!passes("IN", "None,null", json!(null)));
    assert!(passes("IN", r#"["a","b"]"#, json!("b")));
    assert!(passes("IN", "[1, 2]", json!(2)));
    assert!(
        passes("IN", "[a,b]", json!("[a")),
        "invalid JSON falls back to CSV"
    );
    assert!(passes("IN", "\"lit\"", json!("\"lit\"")));
    assert!(passes("IN", list(json!(["x", "y"])), json!("y")));
    assert!(passes("IN", list(json!([1, 2])), json!("2")));
    assert!(passes("IN", list(json!([true])), json!("True")));
    assert!(!passes(
        "IN",
        ConditionValue::Other(Value::Null),
        json!("None")
    ));
}

#[test]
fn is_set_and_is_not_set() {
    assert!(passes("IS_SET", "", json!("x")));
    assert!(passes("IS_SET", "", json!(false)));
    assert!(passes("IS_SET", "", json!(0)));
    assert!(!passes("IS_SET", "", json!(null)));
    assert!(passes("IS_NOT_SET", "", json!(null)));
    assert!(!passes("IS_NOT_SET", "", json!("")));
}

#[test]
fn percentage_split_thresholds_are_prepared_as_floats() {
    let threshold = |value: &str| match Test::new("PERCENTAGE_SPLIT", &value.into()) {
        Some(Test::PercentageSplit(threshold)) => threshold,
        _ => unreachable!(),
    };
    assert_eq!(threshold("10"), Some(10.0));
    assert_eq!(threshold(" 0.1 "), Some(0.1));
    assert_eq!(threshold("ten"), None);
    let null = Test::new("PERCENTAGE_SPLIT", &ConditionValue::Other(Value::Null));
    assert!(matches!(null, Some(Test::PercentageSplit(None))));
}

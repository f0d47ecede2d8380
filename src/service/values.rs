//! Limits on the values features serve, with upstream's messages.

use super::FieldErrors;
use crate::domain::FeatureValue;

/// Upstream's `FEATURE_VALUE_LIMIT`: the longest string value.
pub const VALUE_LIMIT: usize = 20_000;

/// Upstream stores integer values in a 32-bit column.
pub(crate) fn check_integer(errors: &mut FieldErrors, field: &str, value: i64) {
    if value > i64::from(i32::MAX) {
        errors.add(
            field,
            format!("Ensure this value is less than or equal to {}.", i32::MAX),
        );
    } else if value < i64::from(i32::MIN) {
        errors.add(
            field,
            format!(
                "Ensure this value is greater than or equal to {}.",
                i32::MIN
            ),
        );
    }
}

pub(crate) fn check_string_value(errors: &mut FieldErrors, field: &str, value: &str) {
    if value.chars().count() > VALUE_LIMIT {
        errors.add(
            field,
            format!("Ensure this field has no more than {VALUE_LIMIT} characters."),
        );
    }
}

/// A typed value's columns, named under `prefix` (e.g. `feature_state_value.`).
pub(crate) fn check_value(errors: &mut FieldErrors, prefix: &str, value: &FeatureValue) {
    match value {
        FeatureValue::Integer(i) => check_integer(errors, &format!("{prefix}integer_value"), *i),
        FeatureValue::String(s) => check_string_value(errors, &format!("{prefix}string_value"), s),
        FeatureValue::Null | FeatureValue::Boolean(_) => {}
    }
}

/// A percentage: 0 to 100.
pub(crate) fn check_allocation(errors: &mut FieldErrors, field: &str, value: f64) {
    if value.is_nan() || value < 0.0 {
        errors.add(field, "Ensure this value is greater than or equal to 0.");
    } else if value > 100.0 {
        errors.add(field, "Ensure this value is less than or equal to 100.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_must_fit_32_bits() {
        let mut errors = FieldErrors::default();
        check_integer(&mut errors, "a", i64::from(i32::MAX));
        check_integer(&mut errors, "b", i64::from(i32::MAX) + 1);
        check_integer(&mut errors, "c", i64::from(i32::MIN) - 1);
        assert!(!errors.0.contains_key("a"));
        assert_eq!(
            errors.0["b"],
            ["Ensure this value is less than or equal to 2147483647."]
        );
        assert_eq!(
            errors.0["c"],
            ["Ensure this value is greater than or equal to -2147483648."]
        );
    }

    #[test]
    fn allocations_are_percentages() {
        let mut errors = FieldErrors::default();
        for (field, value) in [("ok", 100.0), ("low", -0.5), ("high", 100.5)] {
            check_allocation(&mut errors, field, value);
        }
        assert!(!errors.0.contains_key("ok"));
        assert!(errors.0["low"][0].contains("greater than or equal to 0"));
        assert!(errors.0["high"][0].contains("less than or equal to 100"));
    }
}

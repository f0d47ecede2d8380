//! Query parameters read as DRF's query serializers read them, with their messages.

use crate::service::{FieldErrors, ServiceError};

/// A boolean as DRF's `BooleanField` reads it.
pub fn drf_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" | "t" | "T" | "yes" | "Yes" | "YES" | "y" | "Y" | "on" | "On"
        | "ON" | "1" => Some(true),
        "false" | "False" | "FALSE" | "f" | "F" | "no" | "No" | "NO" | "n" | "N" | "off"
        | "Off" | "OFF" | "0" => Some(false),
        _ => None,
    }
}

/// An optional integer; a value that is not one is named in `errors`.
pub fn integer_into(errors: &mut FieldErrors, field: &str, text: Option<String>) -> Option<i64> {
    match text.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => {
            let parsed = t.parse::<i64>().ok();
            if parsed.is_none() {
                errors.add(field, "A valid integer is required.");
            }
            parsed
        }
    }
}

/// An optional integer, or a 400 naming the parameter.
pub fn integer(field: &str, text: Option<String>) -> Result<Option<i64>, ServiceError> {
    let mut errors = FieldErrors::default();
    let value = integer_into(&mut errors, field, text);
    errors.into_result()?;
    Ok(value)
}

/// An optional boolean with its default, or a 400 naming the parameter.
pub fn boolean(field: &str, text: Option<String>, default: bool) -> Result<bool, ServiceError> {
    match text.as_deref() {
        None | Some("") => Ok(default),
        Some(t) => {
            drf_bool(t).ok_or_else(|| ServiceError::invalid(field, "Must be a valid boolean."))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Problem;

    #[test]
    fn parameters_read_like_drf() {
        assert_eq!(drf_bool("on"), Some(true));
        assert_eq!(drf_bool("F"), Some(false));
        assert_eq!(drf_bool("maybe"), None);
        assert_eq!(integer("page", Some(" 3 ".into())).unwrap(), Some(3));
        assert!(matches!(
            integer("page", Some("x".into())),
            Err(ServiceError::Invalid(Problem::Fields(_)))
        ));
        assert!(boolean("b", None, true).unwrap());
        assert!(matches!(
            boolean("b", Some("x".into()), true),
            Err(ServiceError::Invalid(Problem::Fields(_)))
        ));
    }
}

//! `Body<T>`: a JSON request body with `T`'s schema, parsed by serde so errors name the field.
//
// `Body<T>`: a JSON request body described by `T`'s OpenAPI schema but parsed with serde, so
// that a bad field is reported by name, as Django REST Framework does:
// `{"name": ["This field is required."]}`.

use poem::{FromRequest, Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde::de::DeserializeOwned;

use crate::service::{FieldErrors, Problem, ServiceError};

/// A JSON request body.
#[derive(Debug, Clone)]
pub struct Body<T>(pub T);

impl<T: Type> Payload for Body<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        matches!(content_type.parse::<mime::Mime>(), Ok(m) if m.type_() == "application"
            && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json")))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type + DeserializeOwned + Send> ParsePayload for Body<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let bytes = Vec::<u8>::from_request(request, body).await?;
        // A named schema is an object; serde would also read a struct from a JSON list.
        let expects_object = matches!(T::schema_ref(), MetaSchemaRef::Reference(_));
        if expects_object && bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            return Err(ServiceError::invalid(
                "non_field_errors",
                "Invalid data. Expected a dictionary, but got list.",
            )
            .into());
        }
        parse_described::<T>(&bytes, known_fields::<T>)
            .map(Body)
            .map_err(Into::into)
    }
}

/// The property names of `T`'s object schema (flattened parts included), and whether it takes
/// properties it does not name; `None` for anything but a named object.
fn known_fields<T: Type>() -> Option<KnownFields> {
    let MetaSchemaRef::Reference(name) = T::schema_ref() else {
        return None;
    };
    let mut registry = Registry::new();
    T::register(&mut registry);
    let schema = registry.schemas.get(&name)?;
    Some(KnownFields {
        names: schema
            .properties
            .iter()
            .map(|(n, _)| n.to_string())
            .collect(),
        open: schema.additional_properties.is_some(),
    })
}

/// The fields a body type reads, so that keys it ignores are left out of error searches.
#[derive(Debug, Clone, Default)]
pub struct KnownFields {
    pub names: Vec<String>,
    /// Unnamed keys are read too (a map of extra properties).
    pub open: bool,
}

poem_openapi::impl_apirequest_for_payload!(Body<T>, T: Type + DeserializeOwned + Send);

/// Parses a body; an empty body reads as `{}` (a form with no fields, as DRF sees it).
#[cfg(test)]
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ServiceError> {
    parse_described::<T>(bytes, || None)
}

/// `parse`, told (only when an error needs it) which fields `T` reads.
fn parse_described<T: DeserializeOwned>(
    bytes: &[u8],
    known: impl FnOnce() -> Option<KnownFields>,
) -> Result<T, ServiceError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    refuse_null_characters(bytes)?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => value,
        Err(e) => {
            let mut error = describe(e);
            if let ServiceError::Invalid(Problem::Fields(errors)) = &error
                && let Some(message) = errors.message_of("non_field_errors")
                && let Some(field) = culprit::<T>(bytes, known())
            {
                error = ServiceError::invalid_fields(FieldErrors::one(field, message));
            }
            return Err(error);
        }
    };
    de.end()
        .map_err(|e| ServiceError::bad_request(format!("JSON parse error - {e}")))?;
    Ok(value)
}

/// At most this many keys are tried one by one when no schema says which fields count.
const CULPRIT_CANDIDATES: usize = 64;

/// The top-level field to blame for an error serde reports without a path (it loses the path
/// inside `#[serde(flatten)]`, whose fields are optional here): the field whose removal makes
/// the body parse. Keys the type ignores cannot be to blame, so they are dropped first and only
/// the type's own fields are tried; the work stays linear in the size of the body.
fn culprit<T: DeserializeOwned>(bytes: &[u8], known: Option<KnownFields>) -> Option<String> {
    let serde_json::Value::Object(mut fields) = serde_json::from_slice(bytes).ok()? else {
        return None;
    };
    let candidates: Vec<String> = match &known {
        Some(known) => {
            if !known.open {
                fields.retain(|key, _| known.names.contains(key));
            }
            fields
                .keys()
                .filter(|key| known.names.contains(key))
                .cloned()
                .collect()
        }
        None if fields.len() <= CULPRIT_CANDIDATES => fields.keys().cloned().collect(),
        None => return None,
    };
    candidates.into_iter().find(|key| {
        let mut without = fields.clone();
        without.remove(key);
        serde_json::from_value::<T>(serde_json::Value::Object(without)).is_ok()
    })
}

/// DRF's answer to a NUL character in a string: PostgreSQL cannot store one, and SQLite would.
const NULL_CHARACTERS: &str = "Null characters are not allowed.";

/// Refuses a body with a NUL character in any string or key, naming where it is. Only a body
/// that spells `\u0000` is walked.
pub fn refuse_null_characters(bytes: &[u8]) -> Result<(), ServiceError> {
    if !bytes.windows(6).any(|w| w == b"\\u0000") {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Ok(()); // the parser reports the syntax
    };
    match null_character_at(&value, String::new()) {
        Some(path) => Err(ServiceError::invalid(
            if path.is_empty() {
                "non_field_errors".to_string()
            } else {
                path
            },
            NULL_CHARACTERS,
        )),
        None => Ok(()),
    }
}

/// The path (`traits[0].trait_value`) of the first string or key holding a NUL.
pub fn null_character_at(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0').then_some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| null_character_at(item, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let at = join(&path, key);
            if key.contains('\0') {
                Some(at)
            } else {
                null_character_at(item, at)
            }
        }),
        _ => None,
    }
}

fn describe(err: serde_path_to_error::Error<serde_json::Error>) -> ServiceError {
    let path = err.path().to_string();
    let inner = err.inner();
    if inner.is_syntax() || inner.is_eof() {
        return ServiceError::bad_request(format!("JSON parse error - {inner}"));
    }
    let text = inner.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text).to_string();
    let (field, message) = if let Some(missing) = between(&text, "missing field `", "`") {
        (join(&path, missing), "This field is required.".to_string())
    } else if let Some(variant) = between(&text, "unknown variant `", "`") {
        (path, format!("\"{variant}\" is not a valid choice."))
    } else if text.starts_with("invalid type: null") {
        (path, "This field may not be null.".to_string())
    } else if let Some(expected) = text.split(", expected ").nth(1) {
        (path, expected_message(expected))
    } else {
        (path, text)
    };
    let field = if field.is_empty() || field == "." {
        "non_field_errors".to_string()
    } else {
        field
    };
    ServiceError::invalid_fields(FieldErrors::one(field, message))
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = text.split_once(start)?.1;
    Some(rest.split_once(end)?.0)
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() || path == "." {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// DRF's wording for a value of the wrong type.
fn expected_message(expected: &str) -> String {
    if expected.contains("string") {
        "Not a valid string.".into()
    } else if expected.contains("bool") {
        "Must be a valid boolean.".into()
    } else if expected.contains("i32")
        || expected.contains("i64")
        || expected.contains("u32")
        || expected.contains("u64")
        || expected.contains("integer")
    {
        "A valid integer is required.".into()
    } else if expected.contains("f64") || expected.contains("f32") || expected.contains("number") {
        "A valid number is required.".into()
    } else if expected.contains("sequence") {
        "Expected a list of items.".into()
    } else if expected.contains("map") || expected.contains("struct") {
        "Invalid data. Expected a dictionary.".into()
    } else {
        format!("Invalid value: expected {expected}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        operator: Kind,
    }

    #[derive(Debug, Deserialize)]
    enum Kind {
        #[serde(rename = "EQUAL")]
        Equal,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        count: Option<i32>,
        #[serde(default)]
        rules: Vec<Inner>,
    }

    fn field_of(body: &str) -> (String, String) {
        match parse::<Outer>(body.as_bytes()) {
            Err(ServiceError::Invalid(Problem::Fields(errors))) => {
                let (field, messages) = errors.0.into_iter().next().unwrap();
                (field, messages[0].clone())
            }
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            field_of("{}"),
            ("name".into(), "This field is required.".into())
        );
        assert_eq!(
            field_of(""),
            ("name".into(), "This field is required.".into())
        );
        assert_eq!(
            field_of(r#"{"name": 5}"#),
            ("name".into(), "Not a valid string.".into())
        );
        assert_eq!(
            field_of(r#"{"name": null}"#),
            ("name".into(), "This field may not be null.".into())
        );
        assert_eq!(
            field_of(r#"{"name": "x", "count": "many"}"#),
            ("count".into(), "A valid integer is required.".into())
        );
        assert_eq!(
            field_of(r#"{"name": "x", "rules": [{"operator": "NOPE"}]}"#),
            (
                "rules[0].operator".into(),
                "\"NOPE\" is not a valid choice.".into()
            )
        );
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Settings {
        hidden: Option<bool>,
        limit: Option<i32>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct WithFlatten {
        name: String,
        #[serde(flatten)]
        settings: Settings,
    }

    #[test]
    fn errors_inside_a_flattened_struct_name_the_field() {
        let error = parse::<WithFlatten>(br#"{"name": "x", "hidden": true, "limit": "no"}"#);
        match error {
            Err(ServiceError::Invalid(Problem::Fields(errors))) => {
                assert_eq!(
                    errors.message_of("limit").as_deref(),
                    Some("A valid integer is required.")
                );
                assert_eq!(errors.message_of("non_field_errors"), None);
            }
            other => panic!("{other:?}"),
        }
        // Two bad fields: no single one to blame.
        let error = parse::<WithFlatten>(br#"{"name": "x", "hidden": 3, "limit": "no"}"#);
        assert!(
            matches!(&error, Err(ServiceError::Invalid(Problem::Fields(e))) if e.message_of("non_field_errors").is_some()),
            "{error:?}"
        );
    }

    #[test]
    fn malformed_json_is_a_parse_error() {
        match parse::<Outer>(b"{\"name\": ") {
            Err(ServiceError::Invalid(Problem::Detail(text))) => {
                assert!(text.starts_with("JSON parse error"), "{text}")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse::<Outer>(b"{\"name\": \"a\"} trailing"),
            Err(ServiceError::Invalid(Problem::Detail(_)))
        ));
    }
}

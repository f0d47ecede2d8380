//! An email address in a request body: the document states the server's rule once, here.
//
// The text is held as sent: the service checks it (`valid_email`) and names the field with DRF's
// message, so the pattern below only tells clients what that check accepts.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde::Deserialize;
use serde_json::Value;

/// What `valid_email` accepts: one `@`, a dot inside the domain, no space or control character.
const PATTERN: &str = r"^[^\s\x00-\x1f\x7f-\x9f]+@[^\s@\x00-\x1f\x7f-\x9f.][^\s@\x00-\x1f\x7f-\x9f]*\.[^\s@\x00-\x1f\x7f-\x9f]*[^\s@\x00-\x1f\x7f-\x9f.]$";

/// An email address, as the client sent it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Email(pub String);

impl Type for Email {
    const IS_REQUIRED: bool = true;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        "email".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            max_length: Some(254),
            pattern: Some(PATTERN.to_string()),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for Email {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(text)) => Ok(Email(text)),
            other => Err(ParseError::expected_type(other.unwrap_or_default())),
        }
    }
}

impl ToJSON for Email {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::valid_email;

    #[test]
    fn the_pattern_accepts_what_the_service_accepts() {
        let pattern = regex::Regex::new(PATTERN).unwrap();
        for email in [
            "ada@example.com",
            "a.b+c@mail.example.org",
            "ada@example",
            "ada@.example.com",
            "ada@example.com.",
            "@example.com",
            "ada example@example.com",
            "ada@exa\u{7}mple.com",
            "ada@@example.com",
            "",
        ] {
            assert_eq!(pattern.is_match(email), valid_email(email), "{email:?}");
        }
    }
}

//! Query parameters read as DRF's query serializers read them, with their messages.
//
// `Param<K>` declares a parameter in the document as what it is (an integer, a boolean, ids,
// one of some words) while the handler still gets the text the client sent: the functions below
// read it and name the parameter in a 400, as DRF does, rather than poem's parse failure. A blank
// value means "no filter", as django-filter reads it.

use std::borrow::Cow;
use std::marker::PhantomData;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromParameter, ParseResult, ToJSON, Type};

use crate::api::values::{Choice, Choices};
use crate::service::{FieldErrors, ServiceError};

/// What a query parameter is, as the document declares it.
pub trait Kind: Send + Sync + 'static {
    const NAME: &'static str;
    fn schema_ref() -> MetaSchemaRef;
    fn register(_registry: &mut Registry) {}
}

fn inline(schema: MetaSchema) -> MetaSchemaRef {
    MetaSchemaRef::Inline(Box::new(schema))
}

/// A whole number (an id, a page).
pub struct Integer;

impl Kind for Integer {
    const NAME: &'static str = "integer";
    fn schema_ref() -> MetaSchemaRef {
        inline(MetaSchema {
            format: Some("int64"),
            ..MetaSchema::new("integer")
        })
    }
}

/// `true` or `false` (DRF also reads `1`, `yes`, `on` and their opposites).
pub struct Boolean;

impl Kind for Boolean {
    const NAME: &'static str = "boolean";
    fn schema_ref() -> MetaSchemaRef {
        inline(MetaSchema::new("boolean"))
    }
}

/// Ids separated by commas: `3,5,8`.
pub struct Ids;

impl Kind for Ids {
    const NAME: &'static str = "ids";
    fn schema_ref() -> MetaSchemaRef {
        inline(MetaSchema {
            description: Some("Ids separated by commas."),
            pattern: Some("^[0-9]{1,18}(,[0-9]{1,18})*$".to_string()),
            example: Some("3,5".into()),
            ..MetaSchema::new("string")
        })
    }
}

/// A period back from now: `24h`, `30d` (the server takes up to 3650 days).
pub struct Period;

impl Kind for Period {
    const NAME: &'static str = "period";
    fn schema_ref() -> MetaSchemaRef {
        inline(MetaSchema {
            description: Some("A period back from now: hours (`24h`) or days (`30d`)."),
            pattern: Some("^[1-9][0-9]{0,2}[dh]$".to_string()),
            example: Some("30d".into()),
            ..MetaSchema::new("string")
        })
    }
}

/// A whole number from `MIN` to `MAX` (a page's length).
pub struct Bounded<const MIN: i64, const MAX: i64>;

impl<const MIN: i64, const MAX: i64> Kind for Bounded<MIN, MAX> {
    const NAME: &'static str = "bounded_integer";
    fn schema_ref() -> MetaSchemaRef {
        inline(MetaSchema {
            format: Some("int64"),
            minimum: Some(MIN as f64),
            maximum: Some(MAX as f64),
            ..MetaSchema::new("integer")
        })
    }
}

/// Text that is not blank (DRF's `CharField`, which trims it first).
pub struct NonBlank;

impl Kind for NonBlank {
    const NAME: &'static str = "non_blank";
    fn schema_ref() -> MetaSchemaRef {
        inline(MetaSchema {
            min_length: Some(1),
            pattern: Some(r"\S".to_string()),
            ..MetaSchema::new("string")
        })
    }
}

impl<C: Choices> Kind for C {
    const NAME: &'static str = C::NAME;
    fn schema_ref() -> MetaSchemaRef {
        Choice::<C>::schema_ref()
    }
    fn register(registry: &mut Registry) {
        Choice::<C>::register(registry);
    }
}

/// A query parameter declared as `K`, held as the text sent (`None` when absent). `REQUIRED`
/// says so in the document; a required integer is read by `integer`, with DRF's messages.
pub struct Param<K: Kind, const REQUIRED: bool = false>(Option<String>, PhantomData<K>);

/// A parameter the document marks required.
pub type Required<K> = Param<K, true>;

impl<K: Kind, const REQUIRED: bool> Param<K, REQUIRED> {
    /// The text sent, if any.
    pub fn into_text(self) -> Option<String> {
        self.0
    }

    pub fn text(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<K: Kind, const REQUIRED: bool> Type for Param<K, REQUIRED> {
    const IS_REQUIRED: bool = REQUIRED;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        K::NAME.into()
    }

    fn schema_ref() -> MetaSchemaRef {
        K::schema_ref()
    }

    fn register(registry: &mut Registry) {
        K::register(registry);
    }

    fn as_raw_value(&self) -> Option<&String> {
        self.0.as_ref()
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl<K: Kind, const REQUIRED: bool> ToJSON for Param<K, REQUIRED> {
    fn to_json(&self) -> Option<serde_json::Value> {
        self.0.clone().map(serde_json::Value::String)
    }
}

impl<K: Kind, const REQUIRED: bool> ParseFromParameter for Param<K, REQUIRED> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Ok(Param(Some(value.to_string()), PhantomData))
    }

    fn parse_from_parameters<I: IntoIterator<Item = A>, A: AsRef<str>>(
        iter: I,
    ) -> ParseResult<Self> {
        let first = iter.into_iter().next().map(|v| v.as_ref().to_string());
        Ok(Param(first, PhantomData))
    }
}

impl Required<Integer> {
    /// The integer sent, or DRF's message for a missing or malformed one.
    fn read(&self) -> Result<i64, &'static str> {
        match self.text().map(str::trim) {
            None | Some("") => Err("This field is required."),
            Some(t) => t.parse().map_err(|_| "A valid integer is required."),
        }
    }

    /// The integer sent, or a 400 naming the parameter.
    pub fn integer(&self, field: &str) -> Result<i64, ServiceError> {
        self.read()
            .map_err(|message| ServiceError::invalid(field, message))
    }

    /// The integer sent; a missing or malformed one is named in `errors`.
    pub fn integer_into(&self, errors: &mut FieldErrors, field: &str) -> Option<i64> {
        self.read()
            .map_err(|message| errors.add(field, message))
            .ok()
    }
}

impl<const MIN: i64, const MAX: i64> Param<Bounded<MIN, MAX>> {
    /// The number sent (`default` when absent), or a 400 naming the parameter.
    pub fn bounded(&self, field: &str, default: i64) -> Result<i64, ServiceError> {
        let value = integer(field, self.0.clone())?.unwrap_or(default);
        if value < MIN {
            let message = format!("Ensure this value is greater than or equal to {MIN}.");
            return Err(ServiceError::invalid(field, message));
        }
        if value > MAX {
            let message = format!("Ensure this value is less than or equal to {MAX}.");
            return Err(ServiceError::invalid(field, message));
        }
        Ok(value)
    }
}

impl Param<NonBlank> {
    /// The text sent, trimmed, or a 400 naming the parameter when it is blank.
    pub fn non_blank(&self, field: &str) -> Result<Option<String>, ServiceError> {
        match self.text().map(str::trim) {
            None => Ok(None),
            Some("") => Err(ServiceError::invalid(field, "This field may not be blank.")),
            Some(text) => Ok(Some(text.to_string())),
        }
    }
}

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
        let limit =
            |text: &str| -> Param<Bounded<1, 200>> { Param(Some(text.to_string()), PhantomData) };
        assert_eq!(limit("200").bounded("limit", 100).unwrap(), 200);
        assert!(limit("0").bounded("limit", 100).is_err());
        assert!(limit("201").bounded("limit", 100).is_err());
        let q = |text: &str| -> Param<NonBlank> { Param(Some(text.to_string()), PhantomData) };
        assert_eq!(q(" a ").non_blank("q").unwrap().as_deref(), Some("a"));
        assert!(q(" ").non_blank("q").is_err());
        let required = |text: Option<&str>| -> Required<Integer> {
            Param(text.map(str::to_string), PhantomData)
        };
        assert_eq!(required(Some(" 7")).integer("project").unwrap(), 7);
        for text in [None, Some(" "), Some("x")] {
            assert!(matches!(
                required(text).integer("project"),
                Err(ServiceError::Invalid(Problem::Fields(_)))
            ));
        }
        assert!(matches!(
            boolean("b", Some("x".into()), true),
            Err(ServiceError::Invalid(Problem::Fields(_)))
        ));
    }
}

//! JSON values typed for the document: what a flag, trait or condition value may be.
//
// These fields hold any JSON the client sent (the service checks it and names the field when it
// is wrong), but the document says what the API accepts and returns: a `oneOf` of JSON types.
// `nullable` sits on the first branch, where OpenAPI 3.0 and the generators read it.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseFromJSON, ParseResult, ToJSON, Type};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::{feature, permission, segment};

/// A `oneOf` of plain JSON types, the first of them nullable when `nullable` (one type is
/// that type alone).
fn one_of(description: &'static str, types: &[&'static str], nullable: bool) -> MetaSchemaRef {
    if let [ty] = types {
        return MetaSchemaRef::Inline(Box::new(MetaSchema {
            description: Some(description),
            nullable,
            ..MetaSchema::new(ty)
        }));
    }
    let branches = types
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            MetaSchemaRef::Inline(Box::new(MetaSchema {
                nullable: nullable && i == 0,
                ..MetaSchema::new(ty)
            }))
        })
        .collect();
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        description: Some(description),
        one_of: branches,
        ..MetaSchema::ANY
    }))
}

macro_rules! typed_json {
    ($(#[$doc:meta])* $name:ident, $description:literal, [$($ty:literal),+], $nullable:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Value);

        impl Type for $name {
            const IS_REQUIRED: bool = true;
            type RawValueType = Value;
            type RawElementValueType = Value;

            fn name() -> Cow<'static, str> {
                stringify!($name).into()
            }

            fn schema_ref() -> MetaSchemaRef {
                one_of($description, &[$($ty),+], $nullable)
            }

            fn as_raw_value(&self) -> Option<&Value> {
                Some(&self.0)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Value> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }

        impl ParseFromJSON for $name {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                Ok($name(value.unwrap_or_default()))
            }
        }

        impl ToJSON for $name {
            fn to_json(&self) -> Option<Value> {
                Some(self.0.clone())
            }
        }

        impl std::ops::Deref for $name {
            type Target = Value;

            fn deref(&self) -> &Value {
                &self.0
            }
        }

        impl From<Value> for $name {
            fn from(value: Value) -> Self {
                $name(value)
            }
        }
    };
}

typed_json!(
    /// A flag's, trait's or condition's value: a string, a number, a boolean, or null.
    Scalar,
    "A string, a number, a boolean, or null.",
    ["string", "number", "boolean"],
    true
);

typed_json!(
    /// A whole number, checked by the service (a field error names it otherwise).
    WholeNumber,
    "A whole number.",
    ["integer"],
    false
);

typed_json!(
    /// An object's id, or an environment's API key.
    IdOrKey,
    "An id (a number) or an environment's API key (a string).",
    ["integer", "string"],
    false
);

/// A closed list of words, named in the document as an enum of its own.
pub trait Choices: Send + Sync + 'static {
    const NAME: &'static str;
    const DESCRIPTION: &'static str;
    fn values() -> Vec<&'static str>;
}

/// One of `C`'s words, kept as the text the client sent: the service checks it, so a wrong one
/// is a field error naming the field, not a parse failure.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Choice<C: Choices>(pub String, #[serde(skip)] std::marker::PhantomData<C>);

impl<C: Choices> Choice<C> {
    pub fn new(word: impl Into<String>) -> Self {
        Choice(word.into(), std::marker::PhantomData)
    }
}

impl<C: Choices> std::fmt::Display for Choice<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<C: Choices> std::ops::Deref for Choice<C> {
    type Target = String;

    fn deref(&self) -> &String {
        &self.0
    }
}

impl<C: Choices> Type for Choice<C> {
    const IS_REQUIRED: bool = true;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        C::NAME.into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference(C::NAME.into())
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        registry.create_schema::<Self, _>(C::NAME.into(), |_| MetaSchema {
            description: Some(C::DESCRIPTION),
            enum_items: C::values().into_iter().map(Value::from).collect(),
            ..MetaSchema::new("string")
        });
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl<C: Choices> ParseFromJSON for Choice<C> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(word)) => Ok(Choice::new(word)),
            other => Err(poem_openapi::types::ParseError::expected_type(
                other.unwrap_or_default(),
            )),
        }
    }
}

impl<C: Choices> ToJSON for Choice<C> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

macro_rules! choices {
    ($(#[$doc:meta])* $name:ident, $description:literal, $values:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name;

        impl Choices for $name {
            const NAME: &'static str = stringify!($name);
            const DESCRIPTION: &'static str = $description;
            fn values() -> Vec<&'static str> {
                $values
            }
        }
    };
}

choices!(
    /// A segment condition's operator.
    Operator,
    "How a condition compares the trait (or flag) it reads with its value.",
    segment::Operator::ALL.iter().map(|op| op.as_str()).collect()
);

choices!(
    /// A segment rule's type.
    RuleType,
    "`ALL` of a rule's conditions and rules must hold, `ANY` of them, or `NONE`.",
    [segment::RuleType::All, segment::RuleType::Any, segment::RuleType::None]
        .iter()
        .map(|t| t.as_str())
        .collect()
);

choices!(
    /// A feature's type.
    FeatureType,
    "`STANDARD` (one value) or `MULTIVARIATE` (weighted variants).",
    [feature::FeatureType::Standard, feature::FeatureType::Multivariate]
        .iter()
        .map(|t| t.as_str())
        .collect()
);

choices!(
    /// How a value is typed where the API names its type.
    ValueType,
    "A value's type: `unicode` (a string), `int`, `bool` or `float`.",
    vec!["unicode", "int", "bool", "float"]
);

choices!(
    /// A permission of an organisation, project or environment.
    PermissionKey,
    "A permission, as `GET /api/v1/{organisations,projects,environments}/permissions/` list them.",
    (permission::ORGANISATION_KEYS.iter())
        .chain(permission::PROJECT_KEYS)
        .chain(permission::ENVIRONMENT_KEYS)
        .map(|k| k.key)
        .collect()
);

choices!(
    /// How a feature state's value is typed.
    StateValueType,
    "A feature state value's type: `unicode` (a string), `int` or `bool`.",
    vec!["unicode", "int", "bool"]
);

choices!(
    /// What the features list is sorted by.
    FeatureSortField,
    "What the features list is sorted by: `created_date` (the default) or `name`.",
    vec!["created_date", "name"]
);

choices!(
    /// Which way a list is sorted.
    SortDirection,
    "`ASC` (the default) or `DESC`.",
    vec!["ASC", "DESC"]
);

choices!(
    /// How the features list reads several tags.
    TagStrategy,
    "`INTERSECTION` (the default): features with every tag given; `UNION`: with any of them.",
    vec!["INTERSECTION", "UNION"]
);

choices!(
    /// What a webhook test post is made from.
    WebhookScopeType,
    "`organisation` or `environment`.",
    vec!["organisation", "environment"]
);

/// Fields a body type leaves optional in general (a partial update reads them when sent) but
/// an operation that creates, or replaces the whole object, requires.
pub trait RequiredToCreate {
    const FIELDS: &'static [&'static str];
}

/// `T` as a create (or a whole replace) takes it: the same fields, with `T::FIELDS` required,
/// as the document's `{T}Create`. The handler still checks them (and names a missing one).
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Creating<T>(pub T);

impl<T: Type + RequiredToCreate> Type for Creating<T> {
    const IS_REQUIRED: bool = true;
    type RawValueType = T::RawValueType;
    type RawElementValueType = T::RawElementValueType;

    fn name() -> Cow<'static, str> {
        format!("{}Create", T::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference(Self::name().into_owned())
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        T::register(registry);
        let MetaSchemaRef::Reference(base) = T::schema_ref() else {
            return;
        };
        if let Some(mut schema) = registry.schemas.get(&base).cloned() {
            for field in T::FIELDS {
                if !schema.required.contains(field) {
                    schema.required.push(field);
                }
            }
            // Generators name a model by its title; the base's example may lack a field this
            // one requires.
            schema.title = Some(Self::name().into_owned());
            let complete = |example: &Value| T::FIELDS.iter().all(|f| !example[*f].is_null());
            schema.example = schema.example.filter(complete);
            registry.schemas.insert(Self::name().into_owned(), schema);
        }
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        self.0.as_raw_value()
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        self.0.raw_element_iter()
    }
}

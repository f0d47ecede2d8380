//! The shape notation of the upstream table, its parser, and the check of a JSON value by it.
//
// `{id: int, user: user, owners: [{id: int, email: str}], next?: str?}`: an object with exactly
// these keys (`...` allows others), `key?` a key that may be absent, `T?` a value that may be
// null, `[T]` a list, `page(T)` a DRF page, `map(T)` an object of T values. Scalars: `int`,
// `num`, `str`, `bool`, `time` (ISO-8601 with a zone), `date`, `any`. Other words name shapes
// defined in the table; `+key` marks a key upstream lacks and we keep on purpose.

use std::collections::BTreeMap;

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Int,
    Num,
    Str,
    Bool,
    Time,
    Date,
    Any,
    Named(String),
    Nullable(Box<Shape>),
    List(Box<Shape>),
    Page(Box<Shape>),
    Map(Box<Shape>),
    Object {
        fields: Vec<Field>,
        open: bool,
    },
    /// `base with {more: T}`: an object shape with more keys.
    With(Box<Shape>, Vec<Field>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub key: String,
    pub optional: bool,
    /// A key we send and upstream does not (listed in the note with its reason).
    pub ours: bool,
    pub shape: Shape,
}

/// Parses one shape; panics with the position on a malformed one (the table is ours).
pub fn parse(text: &str) -> Shape {
    let mut p = Parser { text, at: 0 };
    let shape = p.shape();
    p.skip_space();
    assert!(p.at == text.len(), "trailing text at {} in {text}", p.at);
    shape
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.rest().starts_with(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) {
        assert!(
            self.eat(token),
            "expected `{token}` at {} in {}",
            self.at,
            self.text
        );
    }

    fn word(&mut self) -> String {
        self.skip_space();
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(self.rest().len());
        assert!(len > 0, "expected a word at {} in {}", self.at, self.text);
        let word = self.rest()[..len].to_string();
        self.at += len;
        word
    }

    fn shape(&mut self) -> Shape {
        let base = if self.eat("{") {
            self.object()
        } else if self.eat("[") {
            let item = self.shape();
            self.expect("]");
            Shape::List(Box::new(item))
        } else {
            let word = self.word();
            match word.as_str() {
                "page" | "map" => {
                    self.expect("(");
                    let inner = Box::new(self.shape());
                    self.expect(")");
                    if word == "page" {
                        Shape::Page(inner)
                    } else {
                        Shape::Map(inner)
                    }
                }
                "int" => Shape::Int,
                "num" => Shape::Num,
                "str" => Shape::Str,
                "bool" => Shape::Bool,
                "time" => Shape::Time,
                "date" => Shape::Date,
                "any" => Shape::Any,
                _ => Shape::Named(word),
            }
        };
        let base = if self.eat("with") {
            self.expect("{");
            match self.object() {
                Shape::Object { fields, .. } => Shape::With(Box::new(base), fields),
                _ => unreachable!("object() answers an object"),
            }
        } else {
            base
        };
        if self.eat("?") {
            Shape::Nullable(Box::new(base))
        } else {
            base
        }
    }

    fn object(&mut self) -> Shape {
        let mut fields = Vec::new();
        let mut open = false;
        while !self.eat("}") {
            if self.eat("...") {
                open = true;
            } else {
                let ours = self.eat("+");
                let key = self.word();
                let optional = self.eat("?");
                self.expect(":");
                let shape = self.shape();
                fields.push(Field {
                    key,
                    optional,
                    ours,
                    shape,
                });
            }
            if !self.eat(",") {
                self.expect("}");
                break;
            }
        }
        Shape::Object { fields, open }
    }
}

/// What a check found: where the value is not of its shape.
#[derive(Debug, Default)]
pub struct Findings {
    pub mismatches: Vec<String>,
}

/// Checks `value` (at `at`) against `shape`, the named shapes resolved in `named`.
pub fn check(
    shape: &Shape,
    value: &Value,
    at: &str,
    named: &BTreeMap<String, Shape>,
    found: &mut Findings,
) {
    let mut wrong = |what: &str| found.mismatches.push(format!("{at}: {what}, got {value}"));
    match shape {
        Shape::Nullable(inner) => {
            if !value.is_null() {
                check(inner, value, at, named, found);
            }
        }
        Shape::Any => {}
        _ if value.is_null() => wrong("null where a value is expected"),
        Shape::Int if !(value.is_i64() || value.is_u64()) => wrong("expected an integer"),
        Shape::Num if !value.is_number() => wrong("expected a number"),
        Shape::Str if !value.is_string() => wrong("expected a string"),
        Shape::Bool if !value.is_boolean() => wrong("expected a boolean"),
        Shape::Time
            if value
                .as_str()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .is_none() =>
        {
            wrong("expected an ISO-8601 time")
        }
        Shape::Date
            if value
                .as_str()
                .and_then(|t| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
                .is_none() =>
        {
            wrong("expected a date")
        }
        Shape::Int | Shape::Num | Shape::Str | Shape::Bool | Shape::Time | Shape::Date => {}
        Shape::Named(name) => check(resolve(name, named), value, at, named, found),
        Shape::With(..) => {
            let (fields, open) = object_of(shape, named);
            check(&Shape::Object { fields, open }, value, at, named, found);
        }
        Shape::List(item) => match value.as_array() {
            None => wrong("expected a list"),
            Some(items) => {
                for (i, v) in items.iter().enumerate() {
                    check(item, v, &format!("{at}[{i}]"), named, found);
                }
            }
        },
        Shape::Page(item) => {
            let page = parse("{count: int, next: str?, previous: str?, results: any}");
            check(&page, value, at, named, found);
            if let Some(results) = value.get("results") {
                check(
                    &Shape::List(item.clone()),
                    results,
                    &format!("{at}.results"),
                    named,
                    found,
                );
            }
        }
        Shape::Map(item) => match value.as_object() {
            None => wrong("expected an object"),
            Some(map) => {
                for (k, v) in map {
                    check(item, v, &format!("{at}.{k}"), named, found);
                }
            }
        },
        Shape::Object { fields, open } => match value.as_object() {
            None => wrong("expected an object"),
            Some(map) => {
                for field in fields {
                    match map.get(&field.key) {
                        Some(v) => check(
                            &field.shape,
                            v,
                            &format!("{at}.{}", field.key),
                            named,
                            found,
                        ),
                        None if field.optional => {}
                        None => found
                            .mismatches
                            .push(format!("{at}: no key `{}`", field.key)),
                    }
                }
                if !open {
                    for key in map.keys() {
                        if !fields.iter().any(|f| &f.key == key) {
                            found
                                .mismatches
                                .push(format!("{at}: key `{key}` upstream does not send"));
                        }
                    }
                }
            }
        },
    }
}

/// The keys of an object shape, through names and `with`.
fn object_of(shape: &Shape, named: &BTreeMap<String, Shape>) -> (Vec<Field>, bool) {
    match shape {
        Shape::Object { fields, open } => (fields.clone(), *open),
        Shape::Named(name) => object_of(resolve(name, named), named),
        Shape::With(base, more) => {
            let (mut fields, open) = object_of(base, named);
            fields.extend(more.iter().cloned());
            (fields, open)
        }
        other => panic!("`with` extends an object shape, not {other:?}"),
    }
}

fn resolve<'a>(name: &str, named: &'a BTreeMap<String, Shape>) -> &'a Shape {
    named
        .get(name)
        .unwrap_or_else(|| panic!("no shape named {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn findings(shape: &str, value: Value) -> Findings {
        let named = BTreeMap::from([("user".to_string(), parse("{id: int, email: str}"))]);
        let mut found = Findings::default();
        check(&parse(shape), &value, "$", &named, &mut found);
        found
    }

    #[test]
    fn the_notation_checks_keys_nulls_and_nesting() {
        let shape = "{id: int, user: user, tags: [int], note?: str?, +uuid: str}";
        let good = json!({"id": 1, "user": {"id": 2, "email": "a@b.c"}, "tags": [3], "uuid": "u"});
        assert!(findings(shape, good.clone()).mismatches.is_empty());
        let bad = json!({"id": "1", "user": 2, "tags": [], "extra": true});
        let found = findings(shape, bad);
        assert_eq!(found.mismatches.len(), 4, "{:?}", found.mismatches);
        let page = json!({"count": 1, "next": null, "previous": null, "results": [good]});
        assert!(
            findings(&format!("page({shape})"), page)
                .mismatches
                .is_empty()
        );
        assert!(
            !findings("time", json!("2024-05-01 10:00:00"))
                .mismatches
                .is_empty()
        );
        assert!(findings("time?", json!(null)).mismatches.is_empty());
        assert!(findings("{...}", json!({"a": 1})).mismatches.is_empty());
        let more = "user with {admin: bool}";
        let admin = json!({"id": 1, "email": "a@b.c", "admin": true});
        assert!(findings(more, admin).mismatches.is_empty());
        assert_eq!(
            findings(more, json!({"id": 1, "email": "a@b.c"}))
                .mismatches
                .len(),
            1
        );
    }
}

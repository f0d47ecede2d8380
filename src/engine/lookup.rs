//! Finding a condition's context value for one identity: trait, hashing key or JSONPath.
//
// Finding a condition's context value for one identity: a trait by its slot, the identity's
// hashing key, or the first node of a JSONPath query over the (enriched) context, whose
// `$.flags` are resolved on demand (`dependencies.rs`).

use std::borrow::Cow;

use serde_json::Value;

use super::context::IdentityContext;
use super::dependencies;
use super::flags::Flag;
use super::jsonpath::{JsonPath, Selector, array_positions};
use super::model::{Environment, IdentityOverrides, Property};
use super::value::ContextValue;

/// What the conditions of one evaluation look at.
pub(crate) struct Subject<'e, 'i, 'o> {
    pub environment: &'e Environment,
    identity: Option<&'i IdentityContext>,
    /// The hashing key: the identity's `key` when non-empty, else `<env key>_<identifier>`.
    pub identity_key: Option<Cow<'i, str>>,
    /// The trait in each slot of `environment.trait_slots`.
    slots: Vec<Option<&'i Value>>,
    /// The flags conditions have read so far.
    pub dependencies: dependencies::Cell<'e>,
    /// The identity's own overrides, which win over every segment.
    pub identity_overrides: &'o IdentityOverrides,
}

impl<'e, 'i, 'o> Subject<'e, 'i, 'o> {
    pub fn new(
        environment: &'e Environment,
        identity: Option<&'i IdentityContext>,
        identity_overrides: &'o IdentityOverrides,
    ) -> Self {
        let mut slots = vec![None; environment.trait_slots.len()];
        if let Some(identity) = identity
            && !slots.is_empty()
        {
            for (name, value) in &identity.traits {
                if let Some(slot) = environment.trait_slots.get(name) {
                    slots[*slot] = Some(value);
                }
            }
        }
        let identity_key = identity.map(|identity| match identity.key.as_deref() {
            Some(key) if !key.is_empty() => Cow::Borrowed(key),
            _ => Cow::Owned(format!("{}_{}", environment.key, identity.identifier)),
        });
        Subject {
            environment,
            identity,
            identity_key,
            slots,
            dependencies: Default::default(),
            identity_overrides,
        }
    }

    /// The coerced value a condition on `property` tests.
    pub fn value(&self, property: &Property) -> ContextValue<'_> {
        match property {
            Property::IdentityKey => match &self.identity_key {
                Some(key) => ContextValue::Str(Cow::Borrowed(key)),
                None => ContextValue::Null,
            },
            Property::Trait(slot) => self.trait_value(*slot),
            Property::Path { slot, path } => match self.trait_value(*slot) {
                ContextValue::Null => path
                    .as_ref()
                    .map_or(ContextValue::Null, |path| self.query(path)),
                value => value,
            },
        }
    }

    fn trait_value(&self, slot: usize) -> ContextValue<'_> {
        match self.slots.get(slot).copied().flatten() {
            Some(value) => ContextValue::coerce(value),
            None => ContextValue::Null,
        }
    }

    /// The first node of `path`, coerced; objects, arrays and "nothing" are null.
    fn query(&self, path: &JsonPath) -> ContextValue<'_> {
        let first = match path.plain_names() {
            Some(names) => names
                .into_iter()
                .try_fold(Node::Root, |node, name| self.member(node, name)),
            None => self.select_all(path).into_iter().next(),
        };
        match first {
            Some(Node::Json(value)) if !value.is_object() && !value.is_array() => {
                ContextValue::coerce(value)
            }
            Some(Node::Text(text)) => ContextValue::coerce_str(text),
            _ => ContextValue::Null,
        }
    }

    fn select_all(&self, path: &JsonPath) -> Vec<Node<'_>> {
        let mut nodes = vec![Node::Root];
        for segment in &path.segments {
            let inputs = if segment.descendant {
                let mut all = Vec::new();
                for node in nodes {
                    self.self_and_descendants(node, &mut all);
                }
                all
            } else {
                nodes
            };
            nodes = Vec::new();
            for node in inputs {
                for selector in &segment.selectors {
                    self.select(node, selector, &mut nodes);
                }
            }
        }
        nodes
    }

    fn select<'s>(&'s self, node: Node<'s>, selector: &Selector, out: &mut Vec<Node<'s>>) {
        match selector {
            Selector::Name(name) => out.extend(self.member(node, name)),
            Selector::Wildcard => out.extend(self.children(node)),
            Selector::Index(_) | Selector::Slice { .. } => {
                if let Node::Json(Value::Array(items)) = node {
                    let positions = array_positions(selector, items.len());
                    out.extend(positions.into_iter().map(|i| Node::Json(&items[i])));
                }
            }
        }
    }

    fn self_and_descendants<'s>(&'s self, node: Node<'s>, out: &mut Vec<Node<'s>>) {
        out.push(node);
        for child in self.children(node) {
            self.self_and_descendants(child, out);
        }
    }

    /// The members of an object node, by name.
    fn member<'s>(&'s self, node: Node<'s>, name: &str) -> Option<Node<'s>> {
        let tree = &self.environment.tree;
        match node {
            Node::Root => match name {
                "environment" => Some(Node::Json(&tree.environment)),
                "identity" => self.identity.map(|_| Node::Identity),
                "features" => tree.features.as_ref().map(Node::Json),
                "segments" => tree.segments.as_ref().map(Node::Json),
                "flags" => Some(Node::Flags),
                _ => None,
            },
            Node::Flags => self.dependency(name).map(Node::Flag),
            Node::Flag(flag) => match name {
                "enabled" => Some(Node::Json(if flag.enabled { &TRUE } else { &FALSE })),
                "name" => Some(Node::Text(flag.name)),
                "reason" => Some(Node::Text(flag.reason.as_str())),
                "value" => Some(Node::Json(flag.value)),
                "variant" => Some(flag.variant.map_or(Node::Json(&Value::Null), Node::Text)),
                "metadata" => flag.metadata.map(Node::Object),
                _ => None,
            },
            Node::Object(map) => map.get(name).map(Node::Json),
            Node::Identity => {
                let identity = self.identity?;
                match name {
                    "identifier" => Some(Node::Text(&identity.identifier)),
                    "key" => self.identity_key.as_deref().map(Node::Text),
                    "traits" => Some(Node::Traits),
                    _ => None,
                }
            }
            Node::Traits => self.identity?.traits.get(name).map(Node::Json),
            Node::Json(Value::Object(map)) => map.get(name).map(Node::Json),
            Node::Json(_) | Node::Text(_) => None,
        }
    }

    /// Every child of a node, in order.
    fn children<'s>(&'s self, node: Node<'s>) -> Vec<Node<'s>> {
        match node {
            Node::Root => ["environment", "identity", "features", "segments", "flags"]
                .into_iter()
                .filter_map(|name| self.member(Node::Root, name))
                .collect(),
            Node::Identity => ["identifier", "key", "traits"]
                .into_iter()
                .filter_map(|name| self.member(Node::Identity, name))
                .collect(),
            Node::Traits => self
                .identity
                .map(|identity| identity.traits.values().map(Node::Json).collect())
                .unwrap_or_default(),
            Node::Flags => self.resolved_flags().into_iter().map(Node::Flag).collect(),
            Node::Flag(flag) => ["enabled", "name", "reason", "value", "variant", "metadata"]
                .into_iter()
                .filter_map(|name| self.member(Node::Flag(flag), name))
                .collect(),
            Node::Json(Value::Object(map)) | Node::Object(map) => {
                map.values().map(Node::Json).collect()
            }
            Node::Json(Value::Array(items)) => items.iter().map(Node::Json).collect(),
            Node::Json(_) | Node::Text(_) => Vec::new(),
        }
    }
}

/// A node of the enriched context. The root, the identity and the flags are not materialised
/// as JSON: their members are read from the prepared environment, the identity and the
/// resolved flags directly.
#[derive(Clone, Copy)]
enum Node<'a> {
    Root,
    Identity,
    Traits,
    Flags,
    Flag(Flag<'a>),
    Object(&'a serde_json::Map<String, Value>),
    Json(&'a Value),
    Text(&'a str),
}

static TRUE: Value = Value::Bool(true);
static FALSE: Value = Value::Bool(false);

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::engine::{Environment, EvaluationContext, IdentityContext};

    /// Whether `property` EQUAL `value` holds for an identity with `identity` in a small context.
    fn passes(property: &str, value: &str, identity: Value) -> bool {
        let context: EvaluationContext = serde_json::from_value(json!({
            "environment": {"key": "env", "name": "Production"},
            "features": {"f": {"key": "1", "name": "f", "enabled": true, "value": 42}},
            "segments": {"1": {"key": "1", "name": "s", "rules": [{"type": "ALL", "conditions": [
                {"property": property, "operator": "EQUAL", "value": value}
            ]}]}}
        }))
        .unwrap();
        let identity: Option<IdentityContext> = serde_json::from_value(identity).unwrap();
        let environment = Environment::prepare(&context).unwrap();
        !environment.evaluate(identity.as_ref()).segments.is_empty()
    }

    #[test]
    fn identity_and_environment_paths() {
        let user = json!({"identifier": "007", "traits": {"a b": "x"}});
        assert!(
            passes("$.identity.identifier", "7", user.clone()),
            "coerced like a trait"
        );
        assert!(
            passes("$.identity.key", "env_007", user.clone()),
            "the enriched key"
        );
        assert!(passes("$.environment.name", "Production", user.clone()));
        assert!(passes("$.environment.key", "env", json!(null)));
        assert!(passes("$.identity.traits['a b']", "x", user.clone()));
        assert!(!passes("$.identity.identifier", "007", json!(null)));
    }

    #[test]
    fn a_trait_named_like_the_path_wins_unless_it_is_null() {
        let shadowed = json!({"identifier": "u", "traits": {"$.identity.identifier": "trait"}});
        assert!(passes("$.identity.identifier", "trait", shadowed));
        let null = json!({"identifier": "u", "traits": {"$.identity.identifier": null}});
        assert!(passes("$.identity.identifier", "u", null));
    }

    #[test]
    fn objects_arrays_and_invalid_paths_read_as_null() {
        let user = json!({"identifier": "u", "traits": {"t": 1}});
        assert!(!passes("$.identity", "u", user.clone()));
        assert!(!passes("$.identity.traits", "{'t': 1}", user.clone()));
        assert!(!passes("$.nowhere.at.all", "None", user.clone()));
        assert!(!passes("$.[invalid", "None", user));
    }

    #[test]
    fn wildcards_descendants_and_the_rest_of_the_context() {
        let user = json!({"identifier": "u", "key": "k"});
        assert!(
            passes("$.identity.*", "u", user.clone()),
            "the first node is the identifier"
        );
        assert!(
            !passes("$.identity[1]", "k", user.clone()),
            "an object has no indices"
        );
        assert!(passes("$..identifier", "u", user.clone()));
        assert!(passes("$.features.f.value", "42", user.clone()));
        assert!(passes("$.segments['1'].name", "s", user.clone()));
        assert!(passes("$.features.*.key", "1", user));
    }
}

//! An environment document evaluated offline, answered as the SDK endpoints answer.
//
// The environment's flags as `GET /api/v1/flags/` lists them, or an identity's traits and flags
// as `GET /api/v1/identities/?identifier=` gives them (with a server-side key, and transiently:
// nothing is stored). The document is mapped to a context the way local-evaluation SDKs map it,
// so identity overrides in it apply to the identities it names.

use std::collections::HashMap;
use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{EvalError, Located, parse, read_json, top_level_keys};
use crate::domain::FeatureId;
use crate::engine::document::{
    EnvironmentDocument, FeatureDocument, FeatureStateDocument, IdentityDocument,
    context_from_document,
};
use crate::engine::{EvaluationContext, FeatureContext, IdentityContext};
use crate::service::{IdentityAnswer, TraitInput, TraitOutput, evaluation_traits, overlay};
use crate::snapshot::{EnvironmentView, FeatureView, Served, flag_json, identity_variant};

/// Who to evaluate the document for.
#[derive(Debug, Clone, Default)]
pub struct DocumentQuery {
    /// Without one, the environment's flags.
    pub identifier: Option<String>,
    /// The hashing key; without one, the engine's `<environment key>_<identifier>`.
    pub identity_key: Option<String>,
    /// Laid over the traits the document stores for the identity.
    pub traits: IndexMap<String, Value>,
}

/// The parts of a document that shape the answer but not the evaluation.
#[derive(Debug, Default, Deserialize)]
struct Settings {
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    hide_sensitive_data: Option<bool>,
    /// Null means the project's.
    #[serde(default)]
    hide_disabled_flags: Option<bool>,
    #[serde(default)]
    project: ProjectSettings,
}

#[derive(Debug, Default, Deserialize)]
struct ProjectSettings {
    #[serde(default)]
    hide_disabled_flags: Option<bool>,
}

/// The engine's test data wraps a document as `{"environment": {...}, ...}`.
#[derive(Deserialize)]
struct Wrapped<T> {
    environment: T,
}

struct Document {
    content: Located<EnvironmentDocument>,
    settings: Settings,
}

fn read_document(file: &Path) -> Result<Document, EvalError> {
    let text = read_json(file)?;
    let keys = top_level_keys(file, &text)?;
    if keys.contains("environment") && !keys.contains("api_key") {
        let content: Wrapped<EnvironmentDocument> = parse(file, &text)?;
        let settings: Wrapped<Settings> = parse(file, &text)?;
        return Ok(Document {
            content: Located {
                value: content.environment,
                at: "environment.",
            },
            settings: settings.environment,
        });
    }
    Ok(Document {
        content: Located {
            value: parse(file, &text)?,
            at: "",
        },
        settings: parse(file, &text)?,
    })
}

/// What the SDK endpoints would answer from the document in `file`.
pub fn evaluate_document(file: &Path, query: &DocumentQuery) -> Result<Value, EvalError> {
    let document = read_document(file)?;
    let environment = EnvironmentView {
        id: document.settings.id,
        hide_sensitive_data: document.settings.hide_sensitive_data.unwrap_or(false),
    };
    let hide_disabled = document
        .settings
        .hide_disabled_flags
        .or(document.settings.project.hide_disabled_flags)
        .unwrap_or(false);
    let Some(identifier) = &query.identifier else {
        let flags: Vec<Value> = document
            .content
            .value
            .feature_states
            .iter()
            .filter(|state| !hide_disabled || state.enabled)
            .map(|state| flag_json(environment, &feature_view(&state.feature), served(state)))
            .collect();
        return Ok(json!(flags));
    };
    let doc = &document.content.value;
    let mut context = context_from_document(doc)
        .map_err(|e| document.content.error(file, &e.path, &e.message))?;
    mark_state_ids(&mut context, doc);
    let model = crate::engine::Environment::prepare(&context).map_err(|e| {
        document
            .content
            .error(file, &path_in_document(&e.path, doc), &e.message)
    })?;

    let stored = doc
        .identity_overrides
        .iter()
        .find(|identity| &identity.identifier == identifier);
    let traits = identity_traits(stored, &query.traits);
    let identity = IdentityContext {
        identifier: identifier.clone(),
        key: query.identity_key.clone(),
        traits: evaluation_traits(&traits),
    };
    let states: HashMap<&str, &FeatureStateDocument> = doc
        .feature_states
        .iter()
        .map(|state| (state.feature.name.as_str(), state))
        .collect();
    let evaluation = model.evaluate(Some(&identity));
    let flags = evaluation
        .flags
        .iter()
        .filter(|flag| !hide_disabled || flag.enabled)
        .filter_map(|flag| {
            let default = states.get(flag.name)?;
            let own = stored.and_then(|identity| own_override(identity, flag.name));
            let served = Served {
                state_id: match own {
                    Some(state) => state.django_id,
                    None => flag
                        .metadata
                        .and_then(|m| m.get("state_id"))
                        .and_then(Value::as_i64),
                },
                enabled: flag.enabled,
                value: flag.value.clone(),
                identity: own.and(stored.and_then(|identity| identity.django_id)),
                // A document does not carry feature segment ids.
                feature_segment: None,
                variant: identity_variant(
                    is_multivariate(default),
                    matches!(flag.reason, crate::engine::Reason::Split { .. }),
                    flag.variant,
                ),
            };
            let feature = feature_view(&default.feature);
            let flag = flag_json(environment, &feature, served);
            let flag = serde_json::value::to_raw_value(&flag).ok()?;
            Some((FeatureId(default.feature.id), flag))
        })
        .collect();
    let answer = IdentityAnswer {
        identifier: identifier.clone(),
        traits: if environment.hide_sensitive_data {
            Vec::new()
        } else {
            traits
        },
        flags,
    };
    Ok(answer.into_json())
}

/// The document's traits of a known identity, overlaid by the given ones (which, like a
/// transient request's, are never stored).
fn identity_traits(
    stored: Option<&IdentityDocument>,
    given: &IndexMap<String, Value>,
) -> Vec<TraitOutput> {
    let base = stored
        .map(|identity| {
            identity
                .identity_traits
                .iter()
                .map(|t| TraitOutput::unstored(&t.trait_key, &t.trait_value, false))
                .collect()
        })
        .unwrap_or_default();
    let incoming: Vec<TraitInput> = given
        .iter()
        .map(|(key, value)| TraitInput {
            key: key.clone(),
            value: value.clone(),
            transient: true,
        })
        .collect();
    overlay(base, &incoming, stored.is_some())
}

fn own_override<'d>(
    identity: &'d IdentityDocument,
    name: &str,
) -> Option<&'d FeatureStateDocument> {
    identity
        .identity_features
        .iter()
        .find(|state| state.feature.name == name)
}

/// The environment default as a flag serves it.
fn served(state: &FeatureStateDocument) -> Served<'static> {
    Served {
        state_id: state.django_id,
        enabled: state.enabled,
        value: state.feature_state_value.clone(),
        identity: None,
        feature_segment: None,
        variant: None,
    }
}

fn is_multivariate(state: &FeatureStateDocument) -> bool {
    match state.feature.kind.as_deref() {
        Some(kind) => kind == "MULTIVARIATE",
        None => !state.multivariate_feature_state_values.is_empty(),
    }
}

fn feature_view(feature: &FeatureDocument) -> FeatureView<'_> {
    FeatureView {
        id: feature.id,
        name: &feature.name,
        kind: feature.kind.as_deref().unwrap_or("STANDARD"),
        ..FeatureView::default()
    }
}

/// A path in the context mapped from `document` (`segments["12"].rules[0].type`) as the path of
/// the same part in the document (`project.segments[3].rules[0].type`). Rules and conditions
/// keep their names; only the segment's place differs.
fn path_in_document(path: &str, document: &EnvironmentDocument) -> String {
    let segment = path
        .strip_prefix("segments[\"")
        .and_then(|rest| rest.split_once("\"]"));
    if let Some((key, rest)) = segment
        && let Some(i) = document
            .project
            .segments
            .iter()
            .position(|s| s.id.to_string() == key)
    {
        return format!("project.segments[{i}]{rest}");
    }
    path.to_owned()
}

/// Records each feature state's id (`django_id`) in its context's metadata, so a flag tells
/// which state it serves, as the server's snapshots do.
fn mark_state_ids(context: &mut EvaluationContext, document: &EnvironmentDocument) {
    fn mark(feature: &mut FeatureContext, state: &FeatureStateDocument) {
        if let Some(id) = state.django_id {
            feature
                .metadata
                .get_or_insert_default()
                .insert("state_id".into(), json!(id));
        }
    }
    for state in &document.feature_states {
        if let Some(feature) = context.features.get_mut(&state.feature.name) {
            mark(feature, state);
        }
    }
    for segment in &document.project.segments {
        let Some(context) = context.segments.get_mut(&segment.id.to_string()) else {
            continue;
        };
        for (feature, state) in context.overrides.iter_mut().zip(&segment.feature_states) {
            mark(feature, state);
        }
    }
}

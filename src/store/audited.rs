//! What an update's audit details compare, leaving out re-created ids and moving timestamps.

use super::audit::{Change, Scope};
use super::rule_tree::without_ids;
use crate::domain::FeatureValue;
use crate::domain::audit::Audit;
use crate::domain::feature_state::{FeatureState, MvStateValue};
use crate::domain::identity::Identity;
use crate::domain::segment::{Segment, SegmentRule};
use serde::Serialize;

/// A segment's name, description and rule tree, without row ids.
#[derive(Debug, Serialize)]
pub(crate) struct SegmentContent<'a> {
    name: &'a str,
    description: Option<&'a str>,
    rules: Vec<SegmentRule>,
}

impl<'a> From<&'a Segment> for SegmentContent<'a> {
    fn from(s: &'a Segment) -> Self {
        SegmentContent {
            name: &s.name,
            description: s.description.as_deref(),
            rules: without_ids(&s.rules),
        }
    }
}

/// What a feature state serves: enabled, value and multivariate shares.
#[derive(Debug, Serialize)]
pub(crate) struct StateContent<'a> {
    enabled: bool,
    value: &'a FeatureValue,
    mv_values: &'a [MvStateValue],
}

impl<'a> From<&'a FeatureState> for StateContent<'a> {
    fn from(s: &'a FeatureState) -> Self {
        StateContent {
            enabled: s.enabled,
            value: &s.value,
            mv_values: &s.mv_values,
        }
    }
}

/// An identity's rename: an update of its identifier, in its environment.
pub(crate) fn renamed<'a>(audit: &'a Audit, before: &Identity, after: &Identity) -> Change<'a> {
    let identifier = |i: &Identity| serde_json::json!({ "identifier": i.identifier });
    Change::updated(
        audit,
        "Identity",
        after.id.0,
        None,
        Scope::Environment(after.environment_id),
        &identifier(before),
        &identifier(after),
    )
}

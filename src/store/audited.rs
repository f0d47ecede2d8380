//! What an update's audit details compare, for objects whose rows carry more than their content
//! (ids that are re-created, timestamps that always move).

use serde::Serialize;

use crate::domain::FeatureValue;
use crate::domain::feature_state::{FeatureState, MvStateValue};

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

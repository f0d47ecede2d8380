//! Feature states: a feature's environment default, a segment override or an identity override.

use serde::Serialize;

use super::{
    EnvironmentId, FeatureId, FeatureSegmentId, FeatureStateId, FeatureValue, IdentityId,
    MvOptionId, SegmentId, Timestamp,
};

/// What a feature state applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The environment default (one per feature and environment).
    Environment,
    /// A segment override, through its feature segment.
    Segment(FeatureSegmentId),
    /// An identity override.
    Identity(IdentityId),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureState {
    pub id: FeatureStateId,
    pub uuid: String,
    pub feature_id: FeatureId,
    pub environment_id: EnvironmentId,
    pub scope: Scope,
    pub enabled: bool,
    pub value: FeatureValue,
    /// Overrides the state id as the multivariate hashing seed when set (kept across re-creation).
    pub mv_hashing_salt: Option<String>,
    /// Ordered by id, the order bucketing walks them in.
    pub mv_values: Vec<MvStateValue>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The share of identities a state gives one multivariate option.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MvStateValue {
    pub id: i64,
    pub mv_option_id: MvOptionId,
    pub percentage_allocation: f64,
}

/// A write to a state's enabled flag, value and multivariate shares.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeatureStatePatch {
    pub enabled: Option<bool>,
    pub value: Option<FeatureValue>,
    /// Replaces the shares of the options named; other options keep theirs.
    pub mv_values: Option<Vec<MvAllocation>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MvAllocation {
    pub mv_option_id: MvOptionId,
    pub percentage_allocation: f64,
}

impl From<&MvStateValue> for MvAllocation {
    fn from(v: &MvStateValue) -> Self {
        MvAllocation {
            mv_option_id: v.mv_option_id,
            percentage_allocation: v.percentage_allocation,
        }
    }
}

/// A segment override's container: binds a segment to a feature in an environment, with a priority.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureSegment {
    pub id: FeatureSegmentId,
    pub uuid: String,
    pub feature_id: FeatureId,
    pub segment_id: SegmentId,
    pub environment_id: EnvironmentId,
    /// 0 is the strongest; unique and dense within (feature, environment).
    pub priority: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSegmentOverride {
    pub feature_id: FeatureId,
    pub segment_id: SegmentId,
    pub environment_id: EnvironmentId,
    /// `None` puts the override last; a taken priority shifts the others down.
    pub priority: Option<i32>,
    pub enabled: bool,
    pub value: FeatureValue,
    pub mv_values: Vec<MvAllocation>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewIdentityOverride {
    pub feature_id: FeatureId,
    pub identity_id: IdentityId,
    pub enabled: bool,
    pub value: FeatureValue,
}

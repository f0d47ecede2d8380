//! Projects: the container of features, segments and environments.

use serde::Serialize;

use super::{OrganisationId, ProjectId, Timestamp};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    pub id: ProjectId,
    pub uuid: String,
    pub organisation_id: OrganisationId,
    pub created_date: Timestamp,
    #[serde(flatten)]
    pub settings: ProjectSettings,
}

/// The editable part of a project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectSettings {
    /// Unique within the organisation.
    pub name: String,
    pub hide_disabled_flags: bool,
    pub prevent_flag_defaults: bool,
    pub enforce_feature_owners: bool,
    pub enable_realtime_updates: bool,
    pub only_allow_lower_case_feature_names: bool,
    pub feature_name_regex: Option<String>,
    pub stale_flags_limit_days: i32,
    pub minimum_change_request_approvals: Option<i32>,
    pub max_segments_allowed: i32,
    pub max_features_allowed: i32,
    pub max_segment_overrides_allowed: i32,
}

impl ProjectSettings {
    /// Upstream's defaults for a new project.
    pub fn named(name: impl Into<String>) -> Self {
        ProjectSettings {
            name: name.into(),
            hide_disabled_flags: false,
            prevent_flag_defaults: false,
            enforce_feature_owners: false,
            enable_realtime_updates: false,
            only_allow_lower_case_feature_names: true,
            feature_name_regex: None,
            stale_flags_limit_days: 30,
            minimum_change_request_approvals: None,
            max_segments_allowed: 500,
            max_features_allowed: 1000,
            max_segment_overrides_allowed: 2000,
        }
    }
}

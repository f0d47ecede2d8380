//! Features, their multivariate options and tags.

use serde::{Deserialize, Serialize};

use super::permission::GroupId;
use super::{FeatureId, FeatureValue, MvOptionId, ProjectId, TagId, Timestamp, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum FeatureType {
    Standard,
    Multivariate,
}

impl FeatureType {
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureType::Standard => "STANDARD",
            FeatureType::Multivariate => "MULTIVARIATE",
        }
    }

    pub fn parse(s: &str) -> Option<FeatureType> {
        match s {
            "STANDARD" => Some(FeatureType::Standard),
            "MULTIVARIATE" => Some(FeatureType::Multivariate),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feature {
    pub id: FeatureId,
    pub uuid: String,
    pub project_id: ProjectId,
    /// Unique within the project, ignoring case.
    pub name: String,
    /// `MULTIVARIATE` exactly while the feature has options.
    #[serde(rename = "type")]
    pub feature_type: FeatureType,
    pub default_enabled: bool,
    /// The raw default value, always text as upstream serves it.
    pub initial_value: Option<String>,
    pub created_date: Timestamp,
    pub tags: Vec<TagId>,
    /// Ordered by id.
    #[serde(flatten)]
    pub owners: Owners,
    #[serde(flatten)]
    pub settings: FeatureSettings,
}

/// Who answers for a feature: users and groups of its organisation. Not audited, as upstream.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Owners {
    #[serde(rename = "owners")]
    pub users: Vec<UserId>,
    #[serde(rename = "group_owners")]
    pub groups: Vec<GroupId>,
}

impl Owners {
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.groups.is_empty()
    }
}

/// The part of a feature that can change after creation (name and defaults cannot, as upstream).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct FeatureSettings {
    pub description: Option<String>,
    pub is_archived: bool,
    pub is_server_key_only: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewFeature {
    pub project_id: ProjectId,
    pub name: String,
    pub default_enabled: bool,
    pub initial_value: Option<String>,
    pub settings: FeatureSettings,
    pub tags: Vec<TagId>,
    pub owners: Owners,
    pub mv_options: Vec<NewMvOption>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeaturePatch {
    pub description: Option<Option<String>>,
    pub is_archived: Option<bool>,
    pub is_server_key_only: Option<bool>,
    pub tags: Option<Vec<TagId>>,
}

/// How a project's features are listed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeatureQuery {
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
    pub is_archived: Option<bool>,
    /// `Some(vec![])` means untagged features only.
    pub tags: Option<Vec<TagId>>,
    /// `true`: a feature must carry any of `tags`; `false`: all of them.
    pub tags_union: bool,
    /// Features owned by any of these users (any of these groups).
    pub owners: Option<Vec<UserId>>,
    pub group_owners: Option<Vec<GroupId>>,
    pub sort: FeatureSort,
    pub descending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FeatureSort {
    #[default]
    CreatedDate,
    Name,
}

/// One value of a multivariate feature, with its default share of identities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MvOption {
    pub id: MvOptionId,
    pub uuid: String,
    pub feature_id: FeatureId,
    /// Unique within the feature when set; `control` is reserved.
    pub key: Option<String>,
    pub value: FeatureValue,
    /// 0–100; the options of a feature sum to at most 100.
    pub default_percentage_allocation: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewMvOption {
    pub key: Option<String>,
    pub value: FeatureValue,
    pub default_percentage_allocation: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tag {
    pub id: TagId,
    pub uuid: String,
    pub project_id: ProjectId,
    pub label: String,
    pub color: String,
    pub description: Option<String>,
    pub is_permanent: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewTag {
    pub project_id: ProjectId,
    pub label: String,
    pub color: String,
    pub description: Option<String>,
    pub is_permanent: bool,
}

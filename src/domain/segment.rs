//! Segments: named rule trees over identity traits.

use serde::{Deserialize, Serialize};

use super::{FeatureId, ProjectId, SegmentId, Timestamp};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    pub id: SegmentId,
    pub uuid: String,
    pub project_id: ProjectId,
    pub name: String,
    pub description: Option<String>,
    /// Set for a segment that belongs to one feature.
    pub feature_id: Option<FeatureId>,
    pub rules: Vec<SegmentRule>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RuleType {
    All,
    Any,
    None,
}

impl RuleType {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleType::All => "ALL",
            RuleType::Any => "ANY",
            RuleType::None => "NONE",
        }
    }

    pub fn parse(s: &str) -> Option<RuleType> {
        match s {
            "ALL" => Some(RuleType::All),
            "ANY" => Some(RuleType::Any),
            "NONE" => Some(RuleType::None),
            _ => None,
        }
    }
}

/// A rule: a type, nested rules and conditions. Ids are `None` until stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentRule {
    pub id: Option<i64>,
    pub rule_type: RuleType,
    pub rules: Vec<SegmentRule>,
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    pub id: Option<i64>,
    pub operator: Operator,
    pub property: Option<String>,
    pub value: Option<String>,
    pub description: Option<String>,
}

/// The condition operators upstream accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Operator {
    Equal,
    GreaterThan,
    LessThan,
    LessThanInclusive,
    Contains,
    GreaterThanInclusive,
    NotContains,
    NotEqual,
    Regex,
    PercentageSplit,
    Modulo,
    IsSet,
    IsNotSet,
    In,
}

impl Operator {
    pub const ALL: [Operator; 14] = [
        Operator::Equal,
        Operator::GreaterThan,
        Operator::LessThan,
        Operator::LessThanInclusive,
        Operator::Contains,
        Operator::GreaterThanInclusive,
        Operator::NotContains,
        Operator::NotEqual,
        Operator::Regex,
        Operator::PercentageSplit,
        Operator::Modulo,
        Operator::IsSet,
        Operator::IsNotSet,
        Operator::In,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equal => "EQUAL",
            Operator::GreaterThan => "GREATER_THAN",
            Operator::LessThan => "LESS_THAN",
            Operator::LessThanInclusive => "LESS_THAN_INCLUSIVE",
            Operator::Contains => "CONTAINS",
            Operator::GreaterThanInclusive => "GREATER_THAN_INCLUSIVE",
            Operator::NotContains => "NOT_CONTAINS",
            Operator::NotEqual => "NOT_EQUAL",
            Operator::Regex => "REGEX",
            Operator::PercentageSplit => "PERCENTAGE_SPLIT",
            Operator::Modulo => "MODULO",
            Operator::IsSet => "IS_SET",
            Operator::IsNotSet => "IS_NOT_SET",
            Operator::In => "IN",
        }
    }

    pub fn parse(s: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|op| op.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSegment {
    pub project_id: ProjectId,
    pub name: String,
    pub description: Option<String>,
    pub feature_id: Option<FeatureId>,
    pub rules: Vec<SegmentRule>,
}

/// A segment's new name, description and whole rule tree.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentUpdate {
    pub name: String,
    pub description: Option<String>,
    pub rules: Vec<SegmentRule>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SegmentQuery {
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
    pub include_feature_specific: bool,
}

#[cfg(test)]
mod tests {
    use super::Operator;

    #[test]
    fn every_operator_parses_back_from_its_name() {
        for op in Operator::ALL {
            assert_eq!(Operator::parse(op.as_str()), Some(op));
        }
        assert_eq!(Operator::parse("SOUNDS_LIKE"), None);
    }
}

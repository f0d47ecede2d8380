//! The JSON of segments and their rule trees, and how a request's tree becomes the domain's.
//
// The JSON of segments and their rule trees, and how a request's tree becomes the domain's:
// operators and rule types are checked by name, items marked `"delete": true` are left out,
// and condition values become text.

use poem_openapi::Object;
use serde::Deserialize;
use serde_json::Value;

use crate::api::datetime;
use crate::api::values::{self, Choice, RequiredToCreate, Scalar};
use crate::domain::FeatureId;
use crate::domain::segment::{Condition, Operator, RuleType, Segment, SegmentRule};
use crate::service::{FieldErrors, SegmentDraft, ServiceError};

#[derive(Debug, Object)]
pub struct SegmentOut {
    id: i64,
    uuid: String,
    created_at: String,
    updated_at: String,
    name: String,
    description: Option<String>,
    project: i64,
    /// Set for a segment that belongs to one feature.
    feature: Option<i64>,
    /// The segment's own id: Flagstaff keeps no revisions, so every segment is the live one
    /// (upstream's live segments point at themselves).
    version_of: Option<i64>,
    rules: Vec<RuleOut>,
    metadata: Vec<Value>,
    membership_counts: Vec<Value>,
    managed_by: String,
}

impl From<Segment> for SegmentOut {
    fn from(s: Segment) -> Self {
        SegmentOut {
            id: s.id.0,
            uuid: s.uuid,
            created_at: datetime(s.created_at),
            updated_at: datetime(s.updated_at),
            name: s.name,
            description: s.description,
            project: s.project_id.0,
            feature: s.feature_id.map(|f| f.0),
            version_of: Some(s.id.0),
            rules: s.rules.into_iter().map(Into::into).collect(),
            metadata: Vec::new(),
            membership_counts: Vec::new(),
            managed_by: String::new(),
        }
    }
}

/// A top-level rule. Ids are the stored rows' (a segment is answered as read back).
#[derive(Debug, Object)]
pub struct RuleOut {
    id: i64,
    #[oai(rename = "type")]
    rule_type: Choice<values::RuleType>,
    rules: Vec<NestedRuleOut>,
    conditions: Vec<ConditionOut>,
}

impl From<SegmentRule> for RuleOut {
    fn from(r: SegmentRule) -> Self {
        RuleOut {
            id: r.id.unwrap_or_default(),
            rule_type: Choice::new(r.rule_type.as_str()),
            rules: r.rules.into_iter().map(Into::into).collect(),
            conditions: r.conditions.into_iter().map(Into::into).collect(),
        }
    }
}

/// A rule inside a top-level one: rules nest two levels deep, so it holds conditions only.
#[derive(Debug, Object)]
pub struct NestedRuleOut {
    id: i64,
    #[oai(rename = "type")]
    rule_type: Choice<values::RuleType>,
    conditions: Vec<ConditionOut>,
}

impl From<SegmentRule> for NestedRuleOut {
    fn from(r: SegmentRule) -> Self {
        NestedRuleOut {
            id: r.id.unwrap_or_default(),
            rule_type: Choice::new(r.rule_type.as_str()),
            conditions: r.conditions.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Object)]
pub struct ConditionOut {
    id: i64,
    operator: Choice<values::Operator>,
    property: Option<String>,
    value: Option<String>,
    description: Option<String>,
}

impl From<Condition> for ConditionOut {
    fn from(c: Condition) -> Self {
        ConditionOut {
            id: c.id.unwrap_or_default(),
            operator: Choice::new(c.operator.as_str()),
            property: c.property,
            value: c.value,
            description: c.description,
        }
    }
}

/// A segment as written. On create and PUT, `name` and `rules` are required; `feature` is
/// read on create only; `project` comes from the path.
#[derive(Debug, Object, Deserialize)]
pub struct SegmentIn {
    #[oai(validator(min_length = 1, max_length = 2000, pattern = r"\S"))]
    name: Option<String>,
    #[serde(default, with = "super::double_option")]
    description: Option<Option<String>>,
    feature: Option<i64>,
    #[oai(validator(min_items = 1))]
    rules: Option<Vec<RuleIn>>,
}

impl RequiredToCreate for SegmentIn {
    const FIELDS: &'static [&'static str] = &["name", "rules"];
}

/// A rule: `ALL`, `ANY` or `NONE`, with nested rules and conditions. A read-only `id` may be
/// sent back and is ignored; `"delete": true` leaves the rule out.
#[derive(Debug, Object, Deserialize)]
pub struct RuleIn {
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    rule_type: Choice<values::RuleType>,
    rules: Option<Vec<RuleIn>>,
    conditions: Option<Vec<ConditionIn>>,
    delete: Option<bool>,
}

/// A condition; any JSON `value` is kept as text. `"delete": true` leaves it out.
#[derive(Debug, Object, Deserialize)]
pub struct ConditionIn {
    operator: Choice<values::Operator>,
    property: Option<String>,
    value: Option<Scalar>,
    description: Option<String>,
    delete: Option<bool>,
}

impl SegmentIn {
    /// The draft this body describes, or the names of its unknown operators and rule types.
    pub fn draft(self) -> Result<SegmentDraft, ServiceError> {
        let mut errors = FieldErrors::default();
        let rules = self.rules.map(|rules| tree(rules, "rules", &mut errors));
        errors.into_result()?;
        Ok(SegmentDraft {
            name: self.name,
            description: self.description,
            feature: self.feature.map(FeatureId),
            rules,
        })
    }
}

fn tree(rules: Vec<RuleIn>, path: &str, errors: &mut FieldErrors) -> Vec<SegmentRule> {
    let mut out = Vec::with_capacity(rules.len());
    for (i, rule) in rules.into_iter().enumerate() {
        if rule.delete == Some(true) {
            continue;
        }
        let at = format!("{path}[{i}]");
        let rule_type = RuleType::parse(&rule.rule_type).unwrap_or_else(|| {
            let choice = format!("\"{}\" is not a valid choice.", rule.rule_type);
            errors.add(format!("{at}.type"), choice);
            RuleType::All
        });
        let mut conditions = Vec::new();
        for (k, c) in rule.conditions.unwrap_or_default().into_iter().enumerate() {
            if c.delete == Some(true) {
                continue;
            }
            let operator = Operator::parse(&c.operator).unwrap_or_else(|| {
                let choice = format!("\"{}\" is not a valid choice.", c.operator);
                errors.add(format!("{at}.conditions[{k}].operator"), choice);
                Operator::Equal
            });
            conditions.push(Condition {
                id: None,
                operator,
                property: c.property,
                value: c.value.and_then(|v| text(v.0)),
                description: c.description,
            });
        }
        out.push(SegmentRule {
            id: None,
            rule_type,
            rules: tree(
                rule.rules.unwrap_or_default(),
                &format!("{at}.rules"),
                errors,
            ),
            conditions,
        });
    }
    out
}

/// A condition value as text, as upstream's `str()` makes it (`True`/`False` for booleans).
fn text(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s),
        Value::Bool(true) => Some("True".into()),
        Value::Bool(false) => Some("False".into()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Problem;
    use serde_json::json;

    fn draft(body: Value) -> Result<SegmentDraft, ServiceError> {
        serde_json::from_value::<SegmentIn>(body).unwrap().draft()
    }

    #[test]
    fn deleted_items_are_left_out_and_values_become_text() {
        let d = draft(json!({"name": "s", "rules": [{"type": "ALL", "rules": [
            {"type": "ANY", "conditions": [
                {"operator": "EQUAL", "property": "age", "value": 30},
                {"operator": "EQUAL", "property": "gone", "value": "x", "delete": true},
                {"operator": "IS_SET", "property": "beta", "value": true}
            ]},
            {"type": "ANY", "delete": true, "conditions": []}
        ]}]}))
        .unwrap();
        let rules = d.rules.unwrap();
        let nested = &rules[0].rules;
        assert_eq!(nested.len(), 1);
        let values: Vec<_> = nested[0]
            .conditions
            .iter()
            .map(|c| c.value.clone())
            .collect();
        assert_eq!(values, [Some("30".to_string()), Some("True".to_string())]);
    }

    #[test]
    fn unknown_names_are_refused_where_they_are() {
        let Err(ServiceError::Invalid(Problem::Fields(errors))) = draft(
            json!({"rules": [{"type": "SOME", "rules": [
                {"type": "ANY", "conditions": [{"operator": "SOUNDS_LIKE", "property": "p", "value": "x"}]}
            ]}]}),
        ) else {
            panic!("expected field errors");
        };
        assert_eq!(
            errors.0["rules[0].type"],
            ["\"SOME\" is not a valid choice."]
        );
        assert_eq!(
            errors.0["rules[0].rules[0].conditions[0].operator"],
            ["\"SOUNDS_LIKE\" is not a valid choice."]
        );
    }
}

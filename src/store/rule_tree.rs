//! A segment's rule tree as table rows: flattened for writing and rebuilt after reading.

use super::{Result, StoreError};
use crate::domain::SegmentId;
use crate::domain::segment::{Condition, Operator, RuleType, SegmentRule};
use std::collections::HashMap;

/// One rule to insert. Parents come before their children and siblings keep their order,
/// so ids given in this order read back in the order written.
#[derive(Debug)]
pub(crate) struct FlatRule<'a> {
    /// The position in the flat list of the parent rule; `None` for a top-level rule.
    pub parent: Option<usize>,
    pub rule: &'a SegmentRule,
}

/// The rules in pre-order: each rule, then its nested rules, then its next sibling.
pub(crate) fn flatten(rules: &[SegmentRule]) -> Vec<FlatRule<'_>> {
    fn push<'a>(rules: &'a [SegmentRule], parent: Option<usize>, out: &mut Vec<FlatRule<'a>>) {
        for rule in rules {
            let index = out.len();
            out.push(FlatRule { parent, rule });
            push(&rule.rules, Some(index), out);
        }
    }
    let mut out = Vec::new();
    push(rules, None, &mut out);
    out
}

/// A `segment_rules` row: a top-level rule has `segment_id`, a nested one `parent_rule_id`.
#[derive(Debug)]
pub(crate) struct RuleRow {
    pub id: i64,
    pub segment_id: Option<i64>,
    pub parent_rule_id: Option<i64>,
    pub rule_type: String,
}

/// A `segment_conditions` row.
#[derive(Debug)]
pub(crate) struct ConditionRow {
    pub id: i64,
    pub rule_id: i64,
    pub operator: String,
    pub property: Option<String>,
    pub value: Option<String>,
    pub description: Option<String>,
}

/// Each segment's rule tree, rules and conditions ordered by id at every level.
pub(crate) fn build(
    mut rules: Vec<RuleRow>,
    mut conditions: Vec<ConditionRow>,
) -> Result<HashMap<SegmentId, Vec<SegmentRule>>> {
    rules.sort_by_key(|r| r.id);
    conditions.sort_by_key(|c| c.id);
    let mut conditions_of: HashMap<i64, Vec<Condition>> = HashMap::new();
    for c in conditions {
        let operator = Operator::parse(&c.operator)
            .ok_or_else(|| StoreError::Other(format!("unknown operator {:?}", c.operator)))?;
        conditions_of.entry(c.rule_id).or_default().push(Condition {
            id: Some(c.id),
            operator,
            property: c.property,
            value: c.value,
            description: c.description,
        });
    }
    let mut children: HashMap<i64, Vec<(i64, RuleType)>> = HashMap::new();
    let mut roots: Vec<(SegmentId, i64, RuleType)> = Vec::new();
    for r in &rules {
        let rule_type = RuleType::parse(&r.rule_type)
            .ok_or_else(|| StoreError::Other(format!("unknown rule type {:?}", r.rule_type)))?;
        match (r.segment_id, r.parent_rule_id) {
            (Some(segment), _) => roots.push((SegmentId(segment), r.id, rule_type)),
            (None, Some(parent)) => children.entry(parent).or_default().push((r.id, rule_type)),
            (None, None) => {}
        }
    }
    // Each rule has one parent, so walking down from the roots meets every rule once.
    fn tree(
        id: i64,
        rule_type: RuleType,
        children: &HashMap<i64, Vec<(i64, RuleType)>>,
        conditions_of: &mut HashMap<i64, Vec<Condition>>,
    ) -> SegmentRule {
        let rules = children
            .get(&id)
            .map(|kids| {
                kids.iter()
                    .map(|&(kid, t)| tree(kid, t, children, conditions_of))
                    .collect()
            })
            .unwrap_or_default();
        SegmentRule {
            id: Some(id),
            rule_type,
            rules,
            conditions: conditions_of.remove(&id).unwrap_or_default(),
        }
    }
    let mut trees: HashMap<SegmentId, Vec<SegmentRule>> = HashMap::new();
    for (segment, id, rule_type) in roots {
        let rule = tree(id, rule_type, &children, &mut conditions_of);
        trees.entry(segment).or_default().push(rule);
    }
    Ok(trees)
}

/// The rules with every id cleared: what a segment's content is, whatever rows hold it.
pub(crate) fn without_ids(rules: &[SegmentRule]) -> Vec<SegmentRule> {
    rules
        .iter()
        .map(|r| SegmentRule {
            id: None,
            rule_type: r.rule_type,
            rules: without_ids(&r.rules),
            conditions: r
                .conditions
                .iter()
                .map(|c| Condition {
                    id: None,
                    ..c.clone()
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(rule_type: RuleType, rules: Vec<SegmentRule>) -> SegmentRule {
        SegmentRule {
            id: None,
            rule_type,
            rules,
            conditions: Vec::new(),
        }
    }

    #[test]
    fn flattening_puts_parents_first_and_keeps_sibling_order() {
        let rules = vec![
            rule(
                RuleType::All,
                vec![rule(RuleType::Any, vec![]), rule(RuleType::None, vec![])],
            ),
            rule(RuleType::Any, vec![]),
        ];
        let flat: Vec<_> = flatten(&rules)
            .iter()
            .map(|f| (f.parent, f.rule.rule_type))
            .collect();
        assert_eq!(
            flat,
            [
                (None, RuleType::All),
                (Some(0), RuleType::Any),
                (Some(0), RuleType::None),
                (None, RuleType::Any),
            ]
        );
    }

    #[test]
    fn rows_build_back_into_trees_per_segment() {
        let row = |id, segment_id, parent_rule_id, t: &str| RuleRow {
            id,
            segment_id,
            parent_rule_id,
            rule_type: t.into(),
        };
        let rules = vec![
            row(3, None, Some(1), "NONE"),
            row(1, Some(7), None, "ALL"),
            row(2, None, Some(1), "ANY"),
            row(4, Some(8), None, "ANY"),
        ];
        let conditions = vec![ConditionRow {
            id: 9,
            rule_id: 2,
            operator: "EQUAL".into(),
            property: Some("plan".into()),
            value: Some("pro".into()),
            description: None,
        }];
        let trees = build(rules, conditions).unwrap();
        let seven = &trees[&SegmentId(7)];
        assert_eq!(seven.len(), 1);
        let kids: Vec<_> = seven[0].rules.iter().map(|r| r.id).collect();
        assert_eq!(kids, [Some(2), Some(3)]);
        assert_eq!(seven[0].rules[0].conditions[0].id, Some(9));
        assert_eq!(trees[&SegmentId(8)][0].rule_type, RuleType::Any);
        let bad = build(vec![row(1, Some(1), None, "SOME")], vec![]);
        assert!(matches!(bad, Err(StoreError::Other(_))));
    }
}

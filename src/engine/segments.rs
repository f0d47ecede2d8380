//! Segment membership: rules combine conditions and sub-rules by their type (ALL, ANY, NONE).
//
// Segment membership: a segment matches when it has rules and every top-level rule matches.
// A rule combines its conditions with its type (ALL/ANY/NONE), separately combines its
// sub-rules with the same type, and AND-s the two; an empty list counts as true.

use super::conditions::Test;
use super::hashing::hashed_percentage;
use super::lookup::Subject;
use super::model::{PreparedCondition, Rule, RuleKind, Segment};

impl Subject<'_, '_, '_> {
    pub fn is_in(&self, segment: &Segment) -> bool {
        !segment.rules.is_empty()
            && segment
                .rules
                .iter()
                .all(|rule| self.rule_matches(rule, segment))
    }

    fn rule_matches(&self, rule: &Rule, segment: &Segment) -> bool {
        let conditions = rule.conditions.is_empty()
            || combine(rule.kind, &rule.conditions, |c| {
                self.condition_matches(c, segment)
            });
        // Flagsmith tests the sub-rules even when the conditions failed; that only shows when
        // they read flags, whose resolution order decides what a cycle cuts.
        if !conditions && !self.environment.reads_flags {
            return false;
        }
        let rules = rule.rules.is_empty()
            || combine(rule.kind, &rule.rules, |r| self.rule_matches(r, segment));
        conditions && rules
    }

    fn condition_matches(&self, condition: &PreparedCondition, segment: &Segment) -> bool {
        let value = self.value(&condition.property);
        match &condition.test {
            Test::PercentageSplit(threshold) => match threshold {
                Some(threshold) if !value.is_null() => {
                    hashed_percentage(&[&segment.key, &value.py_str()]) <= *threshold
                }
                _ => false,
            },
            test => test.matches(&value),
        }
    }
}

fn combine<T>(kind: RuleKind, items: &[T], mut matches: impl FnMut(&T) -> bool) -> bool {
    match kind {
        RuleKind::All => items.iter().all(matches),
        RuleKind::Any => items.iter().any(matches),
        RuleKind::None => !items.iter().any(&mut matches),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::engine::{Environment, EvaluationContext, IdentityContext};

    /// Whether an identity with `traits` (hashing key "b") is in a segment (key "a") with `rules`.
    fn in_segment(rules: Value, traits: Value) -> bool {
        let context: EvaluationContext = serde_json::from_value(json!({
            "environment": {"key": "env", "name": "Test"},
            "segments": {"a": {"key": "a", "name": "segment", "rules": rules}}
        }))
        .unwrap();
        let identity: IdentityContext =
            serde_json::from_value(json!({"identifier": "user", "key": "b", "traits": traits}))
                .unwrap();
        let environment = Environment::prepare(&context).unwrap();
        !environment.evaluate(Some(&identity)).segments.is_empty()
    }

    fn rule(kind: &str, conditions: Vec<bool>, rules: Vec<Value>) -> Value {
        let conditions: Vec<Value> = conditions
            .into_iter()
            .map(|pass| json!({"property": "t", "operator": "EQUAL", "value": pass.to_string()}))
            .collect();
        json!({"type": kind, "conditions": conditions, "rules": rules})
    }

    fn split(threshold: &str) -> Value {
        json!([{"type": "ALL", "conditions": [
            {"property": "", "operator": "PERCENTAGE_SPLIT", "value": threshold}
        ]}])
    }

    #[test]
    fn a_segment_without_rules_never_matches() {
        assert!(!in_segment(json!([]), json!({})));
    }

    #[test]
    fn top_level_rules_are_and_ed() {
        let traits = json!({"t": "true"});
        assert!(in_segment(
            json!([rule("ALL", vec![true], vec![])]),
            traits.clone()
        ));
        assert!(!in_segment(
            json!([
                rule("ANY", vec![true], vec![]),
                rule("ANY", vec![false], vec![])
            ]),
            traits
        ));
    }

    #[test]
    fn a_rule_type_combines_conditions_and_sub_rules_separately_then_ands_them() {
        let traits = json!({"t": "true"});
        let yes = rule("ALL", vec![true], vec![]);
        let no = rule("ALL", vec![false], vec![]);
        let check = |kind: &str, conditions: Vec<bool>, rules: Vec<Value>| {
            in_segment(json!([rule(kind, conditions, rules)]), traits.clone())
        };
        assert!(check(
            "ANY",
            vec![false, true],
            vec![no.clone(), yes.clone()]
        ));
        assert!(
            !check("ANY", vec![true], vec![no.clone()]),
            "ANY still ANDs the two halves"
        );
        assert!(
            check("ANY", vec![true], vec![]),
            "no sub-rules count as true"
        );
        assert!(check("ANY", vec![], vec![yes.clone(), no.clone()]));
        assert!(!check("ALL", vec![true], vec![yes.clone(), no.clone()]));
        assert!(check("NONE", vec![false, false], vec![no.clone()]));
        assert!(!check("NONE", vec![false, true], vec![]));
        assert!(!check("NONE", vec![false], vec![yes]));
        assert!(
            check("NONE", vec![], vec![]),
            "empty lists count as true, even for NONE"
        );
    }

    #[test]
    fn percentage_split_is_inclusive_of_its_threshold() {
        // hashed_percentage(["a", "b"]) is 56.72134426885377.
        assert!(in_segment(split("56.72134426885377"), json!({})));
        assert!(!in_segment(split("56.72134426885376"), json!({})));
        assert!(in_segment(split("100"), json!({})));
        assert!(!in_segment(split("0"), json!({})));
        assert!(!in_segment(split("not a number"), json!({})));
    }

    #[test]
    fn percentage_split_on_a_trait_hashes_its_python_str() {
        let on_trait = |threshold: &str| {
            json!([{"type": "ALL", "conditions": [
                {"property": "t", "operator": "PERCENTAGE_SPLIT", "value": threshold}
            ]}])
        };
        assert!(in_segment(on_trait("56.72134426885377"), json!({"t": "b"})));
        assert!(!in_segment(
            on_trait("56.72134426885376"),
            json!({"t": "b"})
        ));
        assert!(
            !in_segment(on_trait("100"), json!({})),
            "a missing trait never matches"
        );
    }
}

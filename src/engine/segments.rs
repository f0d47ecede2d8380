//! Segment membership: a segment matches when it has rules and every top-level rule matches.
//! A rule combines its conditions with its type (ALL/ANY/NONE), separately combines its
//! sub-rules with the same type, and AND-s the two; an empty list counts as true.

use super::conditions::Test;
use super::hashing::hashed_percentage;
use super::lookup::Subject;
use super::model::{PreparedCondition, Rule, RuleKind, Segment};

impl Subject<'_> {
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
        conditions
            && (rule.rules.is_empty()
                || combine(rule.kind, &rule.rules, |r| self.rule_matches(r, segment)))
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

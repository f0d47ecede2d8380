//! What a segment's rule tree must be: bounded in depth and size, every condition readable.
//
// What a segment's rule tree must be: not empty, at most two levels deep, at most 100
// conditions, every property starting `$.` a JSONPath the engine evaluates, and every
// condition's value readable by its operator.

use super::FieldErrors;
use crate::domain::segment::{Condition, Operator, SegmentRule};

/// Upstream's `SEGMENT_RULES_CONDITIONS_LIMIT`.
pub const CONDITIONS_LIMIT: usize = 100;
/// Upstream's `SEGMENT_CONDITION_VALUE_LIMIT`.
pub const CONDITION_VALUE_LIMIT: usize = 1000;
const MAX_DEPTH: usize = 2;
/// The suffix that makes a comparison semantic-version aware.
const SEMVER_SUFFIX: &str = ":semver";

/// Adds the tree's problems to `errors`. Too deep a tree is reported alone, as upstream
/// refuses it before reading anything else.
pub(crate) fn check_rules(errors: &mut FieldErrors, rules: &[SegmentRule]) {
    if rules.is_empty() {
        errors.add("rules", "This list may not be empty.");
        return;
    }
    if too_deep(rules, 1) {
        errors.add(
            "segment",
            format!("Rules must not be nested more than {MAX_DEPTH} levels deep."),
        );
        return;
    }
    let count = count_conditions(rules);
    if count > CONDITIONS_LIMIT {
        errors.add(
            "segment",
            format!(
                "The segment has {count} conditions, which exceeds the maximum condition \
                 count of {CONDITIONS_LIMIT}."
            ),
        );
    }
    check_level(errors, rules, "rules");
}

fn too_deep(rules: &[SegmentRule], depth: usize) -> bool {
    (!rules.is_empty() && depth > MAX_DEPTH) || rules.iter().any(|r| too_deep(&r.rules, depth + 1))
}

fn count_conditions(rules: &[SegmentRule]) -> usize {
    rules
        .iter()
        .map(|r| r.conditions.len() + count_conditions(&r.rules))
        .sum()
}

fn check_level(errors: &mut FieldErrors, rules: &[SegmentRule], path: &str) {
    for (i, rule) in rules.iter().enumerate() {
        for (k, condition) in rule.conditions.iter().enumerate() {
            check_condition(errors, condition, &format!("{path}[{i}].conditions[{k}]."));
        }
        check_level(errors, &rule.rules, &format!("{path}[{i}].rules"));
    }
}

fn check_condition(errors: &mut FieldErrors, condition: &Condition, prefix: &str) {
    let too_long =
        format!("Ensure this field has no more than {CONDITION_VALUE_LIMIT} characters.");
    if condition
        .property
        .as_ref()
        .is_some_and(|p| p.chars().count() > CONDITION_VALUE_LIMIT)
    {
        errors.add(format!("{prefix}property"), too_long.clone());
    } else if let Some(property) = &condition.property
        && property.starts_with("$.")
        && !crate::engine::is_jsonpath(property)
    {
        errors.add(
            format!("{prefix}property"),
            "Enter a valid JSONPath, such as $.flags.checkout.enabled or \
             $.identity.identifier (filter selectors are not supported).",
        );
    }
    let Some(value) = &condition.value else {
        return;
    };
    let field = format!("{prefix}value");
    if value.chars().count() > CONDITION_VALUE_LIMIT {
        errors.add(field, too_long);
        return;
    }
    if let Some(problem) = value_problem(condition.operator, value) {
        errors.add(field, problem);
    }
}

/// Why the operator cannot read the value, if it cannot.
fn value_problem(operator: Operator, value: &str) -> Option<&'static str> {
    match operator {
        Operator::Regex => regex::Regex::new(value)
            .is_err()
            .then_some("Enter a valid regular expression."),
        Operator::PercentageSplit => match value.trim().parse::<f64>() {
            Ok(p) if (0.0..=100.0).contains(&p) => None,
            _ => Some("Enter a number from 0 to 100."),
        },
        Operator::Modulo => {
            let numbers = value.split_once('|').is_some_and(|(divisor, remainder)| {
                divisor.trim().parse::<f64>().is_ok() && remainder.trim().parse::<f64>().is_ok()
            });
            (!numbers)
                .then_some("Enter the divisor and the remainder as numbers: divisor|remainder.")
        }
        _ => match value.strip_suffix(SEMVER_SUFFIX) {
            Some(version) if semver::Version::parse(version).is_err() => {
                Some("Enter a valid semantic version before \":semver\", such as 1.2.3:semver.")
            }
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::segment::RuleType;

    fn condition(operator: Operator, value: &str) -> Condition {
        Condition {
            id: None,
            operator,
            property: Some("p".into()),
            value: Some(value.into()),
            description: None,
        }
    }

    fn rule(rules: Vec<SegmentRule>, conditions: Vec<Condition>) -> SegmentRule {
        SegmentRule {
            id: None,
            rule_type: RuleType::All,
            rules,
            conditions,
        }
    }

    fn errors_of(rules: &[SegmentRule]) -> FieldErrors {
        let mut errors = FieldErrors::default();
        check_rules(&mut errors, rules);
        errors
    }

    #[test]
    fn each_operator_reads_its_values() {
        let cases = [
            (Operator::Regex, "^a+$", true),
            (Operator::Regex, "(", false),
            (Operator::PercentageSplit, "12.5", true),
            (Operator::PercentageSplit, "101", false),
            (Operator::PercentageSplit, "half", false),
            (Operator::Modulo, "2|0", true),
            (Operator::Modulo, "2.5|1", true),
            (Operator::Modulo, "2", false),
            (Operator::Modulo, "a|1", false),
            (Operator::Equal, "1.2.3:semver", true),
            (Operator::GreaterThan, "1.2:semver", false),
            (Operator::Equal, "anything", true),
        ];
        for (operator, value, ok) in cases {
            assert_eq!(
                value_problem(operator, value).is_none(),
                ok,
                "{operator:?} {value}"
            );
        }
    }

    #[test]
    fn trees_are_limited_in_depth_and_size() {
        let leaf = || rule(vec![], vec![condition(Operator::Equal, "x")]);
        assert!(errors_of(&[rule(vec![leaf()], vec![])]).is_empty());
        let deep = errors_of(&[rule(vec![rule(vec![leaf()], vec![])], vec![])]);
        assert_eq!(
            deep.0["segment"],
            ["Rules must not be nested more than 2 levels deep."]
        );
        let many = rule(
            vec![],
            (0..101).map(|_| condition(Operator::Equal, "x")).collect(),
        );
        assert_eq!(
            errors_of(&[many]).0["segment"],
            ["The segment has 101 conditions, which exceeds the maximum condition count of 100."]
        );
        assert_eq!(errors_of(&[]).0["rules"], ["This list may not be empty."]);
        let bad = errors_of(&[rule(
            vec![rule(vec![], vec![condition(Operator::Regex, "(")])],
            vec![],
        )]);
        assert!(bad.0.contains_key("rules[0].rules[0].conditions[0].value"));
    }
}

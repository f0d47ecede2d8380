//! Flag dependencies: conditions that read `$.flags.<feature>`, resolved as flag-engine 11 does.
//
// Flag dependencies: conditions that read `$.flags.<feature>`, each flag resolved on its first
// read with a guard against cycles, in the order and with the outcome flag-engine 11 gives.
//
// Reading a flag resolves it: the segments that override the feature are tested (each verdict
// remembered), the strongest matching override wins, and the flag is kept for later reads. A
// read that comes back to a flag still being resolved is a cycle: every flag from there up is
// marked cyclic and left unresolved (it reads as null), and any segment verdict reached through
// the cut counts as "no match" and is not remembered. After the segments, resolved flags replace
// the single-pass ones, and cyclic flags answer `ERROR; code=CIRCULAR_DEPENDENCY`.

use std::cell::RefCell;

use super::flags::{Flag, Reason, flag};
use super::lookup::Subject;
use super::model::{Environment, Override, Segment};

/// The lazily resolved `$.flags` of one evaluation.
#[derive(Default)]
pub(crate) struct Dependencies<'e> {
    /// Set by the first read of a flag; until then nothing below is allocated.
    pub used: bool,
    /// Each feature's flag, once resolved.
    pub resolved: Vec<Option<Flag<'e>>>,
    /// Features in the order they were resolved (the order `$.flags.*` lists them).
    pub order: Vec<usize>,
    /// Features found in a dependency cycle.
    pub cyclic: Vec<bool>,
    /// Features resolved to the identity's own override (built from it on each read).
    own: Vec<bool>,
    /// How many cycles have been cut so far: a segment whose test changed it is unsound.
    pub cycle_hits: u64,
    /// The features being resolved, outermost first.
    resolving: Vec<usize>,
    /// Segment verdicts reached without cutting a cycle.
    segment_matches: Vec<Option<bool>>,
}

impl<'e> Dependencies<'e> {
    fn start(&mut self, environment: &Environment) {
        if !self.used {
            self.used = true;
            self.resolved = vec![None; environment.features.len()];
            self.cyclic = vec![false; environment.features.len()];
            self.own = vec![false; environment.features.len()];
            self.segment_matches = vec![None; environment.segments.len()];
        }
    }
}

pub(crate) type Cell<'e> = RefCell<Dependencies<'e>>;

impl<'e> Subject<'e, '_, '_> {
    /// `$.flags.<name>`: the feature's flag, resolved on first read; `None` for a feature the
    /// context lacks or one in a cycle.
    pub fn dependency(&self, name: &str) -> Option<Flag<'_>> {
        let environment = self.environment;
        let index = environment.feature_indices.get(name).copied();
        {
            let mut dependencies = self.dependencies.borrow_mut();
            dependencies.start(environment);
            if let Some(index) = index
                && let Some(flag) = self.resolved_flag(&dependencies, index)
            {
                return Some(flag);
            }
        }
        let index = index?;
        self.resolve(index);
        self.resolved_flag(&self.dependencies.borrow(), index)
    }

    fn resolved_flag(&self, dependencies: &Dependencies<'e>, index: usize) -> Option<Flag<'_>> {
        if dependencies.own[index] {
            let own = self.identity_overrides.get(index)?;
            return Some(flag(
                own,
                Reason::identity_override(),
                self.identity_key.as_deref(),
            ));
        }
        dependencies.resolved[index]
    }

    /// The flags resolved so far, in resolution order.
    pub fn resolved_flags(&self) -> Vec<Flag<'_>> {
        let dependencies = self.dependencies.borrow();
        dependencies
            .order
            .iter()
            .filter_map(|&index| self.resolved_flag(&dependencies, index))
            .collect()
    }

    /// How many cycles have been cut so far.
    pub fn cycle_hits(&self) -> u64 {
        self.dependencies.borrow().cycle_hits
    }

    fn resolve(&self, index: usize) {
        {
            let mut dependencies = self.dependencies.borrow_mut();
            if let Some(start) = dependencies.resolving.iter().position(|&i| i == index) {
                let cycle = dependencies.resolving[start..].to_vec();
                for member in cycle {
                    dependencies.cyclic[member] = true;
                }
                dependencies.cycle_hits += 1;
                return;
            }
            dependencies.resolving.push(index);
        }
        let winner = self.strongest_override(index);
        let mut dependencies = self.dependencies.borrow_mut();
        dependencies.resolving.pop();
        if dependencies.cyclic[index] {
            return;
        }
        if self.identity_overrides.get(index).is_some() {
            dependencies.own[index] = true;
            dependencies.order.push(index);
            return;
        }
        let environment = self.environment;
        let identity_key = self.identity_key.as_deref();
        let resolved = match winner {
            Some((winner, segment)) => flag(
                &winner.feature,
                Reason::TargetingMatch {
                    segment: &segment.name,
                    text: &segment.reason,
                },
                identity_key,
            ),
            None => flag(
                &environment.features[index],
                environment.fallback_reason(index),
                identity_key,
            ),
        };
        dependencies.resolved[index] = Some(resolved);
        dependencies.order.push(index);
    }

    /// The override of feature `index` in the matching segment with the strongest priority.
    fn strongest_override(&self, index: usize) -> Option<(&'e Override, &'e Segment)> {
        let environment = self.environment;
        let mut winner: Option<(&Override, &Segment)> = None;
        for &segment_index in &environment.overriders[index] {
            if !self.matches_segment(segment_index) {
                continue;
            }
            let segment = &environment.segments[segment_index];
            for candidate in segment.overrides.iter().filter(|o| o.target == Some(index)) {
                if winner.is_none_or(|(current, _)| candidate.wins_over(current)) {
                    winner = Some((candidate, segment));
                }
            }
        }
        winner
    }

    fn matches_segment(&self, index: usize) -> bool {
        let before = {
            let dependencies = self.dependencies.borrow();
            if let Some(verdict) = dependencies.segment_matches[index] {
                return verdict;
            }
            dependencies.cycle_hits
        };
        let verdict = self.is_in(&self.environment.segments[index]);
        let mut dependencies = self.dependencies.borrow_mut();
        if dependencies.cycle_hits != before {
            return false;
        }
        dependencies.segment_matches[index] = Some(verdict);
        verdict
    }
}

impl<'e> Subject<'e, '_, '_> {
    /// After the segments: resolved flags replace the single-pass ones (not by identity
    /// overrides, which the caller serves), and flags in a cycle say so in their reason.
    pub fn settle(&self, flags: &mut [Flag<'e>]) {
        let dependencies = self.dependencies.borrow();
        if !dependencies.used {
            return;
        }
        for &index in &dependencies.order {
            if let Some(resolved) = dependencies.resolved[index] {
                flags[index] = resolved;
            }
        }
        for (flag, cyclic) in flags.iter_mut().zip(&dependencies.cyclic) {
            if *cyclic {
                flag.reason = Reason::CircularDependency;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Each expectation here is what flagsmith-flag-engine 11.1.1 answers for the same context.

    use serde_json::{Value, json};

    use crate::engine::{EvaluationContext, evaluate};

    fn feature(name: &str, enabled: bool, value: Value) -> Value {
        json!({"key": name, "name": name, "enabled": enabled, "value": value})
    }

    fn segment(key: &str, property: &str, operator: &str, value: &str, over: Value) -> Value {
        json!({"key": key, "name": key, "overrides": [over], "rules": [{"type": "ALL",
            "conditions": [{"property": property, "operator": operator, "value": value}]}]})
    }

    /// Each flag as `[enabled, value, reason]`, and the matched segments; `segments` in
    /// context order.
    fn evaluate_json(features: Value, segments: Vec<Value>) -> (Value, Vec<String>) {
        let mut context: EvaluationContext = serde_json::from_value(json!({
            "environment": {"key": "env", "name": "Test"},
            "identity": {"identifier": "ada", "traits": {"plan": "pro"}},
            "features": features,
        }))
        .unwrap();
        for segment in segments {
            let key = segment["key"].as_str().unwrap().to_owned();
            context
                .segments
                .insert(key, serde_json::from_value(segment).unwrap());
        }
        let result = evaluate(&context).unwrap();
        let flags = result
            .flags
            .iter()
            .map(|(name, f)| (name.clone(), json!([f.enabled, f.value, f.reason])))
            .collect();
        (flags, result.segments.into_iter().map(|s| s.name).collect())
    }

    #[test]
    fn a_dependency_sees_the_flag_its_own_segments_give_whatever_the_segment_order() {
        let features = json!({"a": feature("a", false, json!("off")),
                              "b": feature("b", false, json!("off"))});
        let pro = segment(
            "pro",
            "plan",
            "EQUAL",
            "pro",
            feature("a", true, json!("on")),
        );
        let dep = segment(
            "dep",
            "$.flags.a.enabled",
            "EQUAL",
            "true",
            feature("b", true, json!("because-a")),
        );
        for (segments, order) in [
            (vec![pro.clone(), dep.clone()], ["pro", "dep"]),
            (vec![dep.clone(), pro.clone()], ["dep", "pro"]),
        ] {
            let (flags, matched) = evaluate_json(features.clone(), segments);
            assert_eq!(
                flags["a"],
                json!([true, "on", "TARGETING_MATCH; segment=pro"])
            );
            assert_eq!(
                flags["b"],
                json!([true, "because-a", "TARGETING_MATCH; segment=dep"])
            );
            assert_eq!(matched, order);
        }
    }

    #[test]
    fn a_dependency_can_read_the_value() {
        let features = json!({"a": feature("a", true, json!("blue")),
                              "b": feature("b", false, json!(0))});
        let dep = segment(
            "dep",
            "$.flags.a.value",
            "EQUAL",
            "blue",
            feature("b", true, json!(1)),
        );
        let (flags, _) = evaluate_json(features, vec![dep]);
        assert_eq!(flags["a"], json!([true, "blue", "STATIC"]));
        assert_eq!(flags["b"], json!([true, 1, "TARGETING_MATCH; segment=dep"]));
    }

    #[test]
    fn flags_in_a_cycle_keep_their_default_and_say_so_and_their_segments_never_match() {
        let features = json!({"a": feature("a", false, json!("a0")),
                              "b": feature("b", false, json!("b0")),
                              "c": feature("c", true, json!("c0"))});
        let segments = vec![
            segment(
                "sa",
                "$.flags.b.enabled",
                "EQUAL",
                "true",
                feature("a", true, json!("a1")),
            ),
            segment(
                "sb",
                "$.flags.a.enabled",
                "EQUAL",
                "true",
                feature("b", true, json!("b1")),
            ),
            segment(
                "sc",
                "plan",
                "EQUAL",
                "pro",
                feature("c", false, json!("c1")),
            ),
        ];
        let (flags, matched) = evaluate_json(features, segments);
        let circular = "ERROR; code=CIRCULAR_DEPENDENCY";
        assert_eq!(flags["a"], json!([false, "a0", circular]));
        assert_eq!(flags["b"], json!([false, "b0", circular]));
        assert_eq!(
            flags["c"],
            json!([false, "c1", "TARGETING_MATCH; segment=sc"])
        );
        assert_eq!(matched, ["sc"]);
    }

    #[test]
    fn a_flag_that_reads_itself_is_a_cycle_even_when_the_read_would_not_match() {
        let features = json!({"a": feature("a", true, json!("off"))});
        let segments = vec![segment(
            "s",
            "$.flags.a.enabled",
            "EQUAL",
            "false",
            feature("a", true, json!("on")),
        )];
        let (flags, matched) = evaluate_json(features, segments);
        assert_eq!(
            flags["a"],
            json!([true, "off", "ERROR; code=CIRCULAR_DEPENDENCY"])
        );
        assert!(matched.is_empty());
    }

    #[test]
    fn a_flag_the_context_lacks_reads_as_not_set() {
        let features = json!({"a": feature("a", false, json!("off"))});
        let segments = vec![segment(
            "s",
            "$.flags.nope.enabled",
            "IS_NOT_SET",
            "",
            feature("a", true, json!("on")),
        )];
        let (flags, _) = evaluate_json(features, segments);
        assert_eq!(
            flags["a"],
            json!([true, "on", "TARGETING_MATCH; segment=s"])
        );
    }
}

#[cfg(test)]
mod identity_override_tests {
    use serde_json::json;

    use crate::engine::{Environment, EvaluationContext, FeatureContext, IdentityContext};

    #[test]
    fn a_dependency_reads_the_identitys_own_override_but_the_result_leaves_it_to_the_caller() {
        let context: EvaluationContext = serde_json::from_value(json!({
            "environment": {"key": "env", "name": "Test"},
            "features": {
                "banner": {"key": "1", "name": "banner", "enabled": true, "value": "hello"},
                "welcome": {"key": "2", "name": "welcome", "enabled": true, "value": "hi"}
            },
            "segments": {"1": {"key": "1", "name": "greeted", "rules": [{"type": "ALL",
                "conditions": [{"property": "$.flags.banner.value", "operator": "EQUAL",
                                "value": "hello, Ada"}]}],
                "overrides": [{"key": "2", "name": "welcome", "enabled": true, "value": "hi, Ada"}]}}
        }))
        .unwrap();
        let environment = Environment::prepare(&context).unwrap();
        let ada = IdentityContext {
            identifier: "ada".into(),
            ..Default::default()
        };
        let own = environment.identity_overrides(&[FeatureContext {
            name: "banner".into(),
            enabled: true,
            value: json!("hello, Ada"),
            ..Default::default()
        }]);
        let evaluation = environment.evaluate_with(Some(&ada), &own);
        let value = |name: &str| {
            let flag = evaluation.flags.iter().find(|f| f.name == name).unwrap();
            flag.value.clone()
        };
        assert_eq!(value("welcome"), json!("hi, Ada"));
        assert_eq!(
            value("banner"),
            json!("hello"),
            "the caller serves the override"
        );
        let plain = environment.evaluate(Some(&ada));
        assert_eq!(plain.flags[1].value, &json!("hi"));
    }
}

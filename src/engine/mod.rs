//! Flag evaluation, exactly as Flagsmith's engine (flag-engine 11) does it: a pure function.
//
// A pure, synchronous, deterministic function of an `EvaluationContext`: an `Environment` is
// prepared once per change and evaluated for every request. `evaluate` does both steps at once
// and returns the JSON-shaped `EvaluationResult`, as the test vectors do. The engine reads no
// clock, does no IO and uses no randomness: bucketing is by md5 of ids. Nothing in it panics on
// any input; where Flagsmith's Python raises during evaluation (a bad regex, a zero divisor),
// the condition is false.

mod conditions;
mod context;
mod dependencies;
pub mod document;
mod flags;
mod hashing;
mod jsonpath;
mod lookup;
mod model;
mod number;
mod pyregex;
mod python;
mod segments;
mod value;

pub use context::{
    Condition, ConditionValue, EnvironmentContext, EvaluationContext, EvaluationResult,
    FeatureContext, FlagResult, IdentityContext, SegmentContext, SegmentResult, SegmentRule,
    VariantContext,
};
pub use flags::{Evaluation, Flag, MatchedSegment, Reason};
pub use hashing::hashed_percentage;
pub use model::{Environment, IdentityOverrides, PrepareError};
pub use number::{Number, PyInt};
pub use python::value_str as python_str;

/// Whether a condition property starting `$.` is a query the engine evaluates (RFC 9535 without
/// filter selectors), such as `$.flags.checkout.enabled`; otherwise it would read as null.
pub fn is_jsonpath(property: &str) -> bool {
    jsonpath::JsonPath::parse(property).is_some()
}

/// Prepares `context` and evaluates it for its own identity.
///
/// A server does the two steps apart: it prepares each environment once and evaluates it for
/// every request:
///
/// ```
/// use flagstaff::engine::{Environment, EvaluationContext, IdentityContext};
///
/// let context: EvaluationContext = serde_json::from_str(
///     r#"{"environment": {"key": "env-key", "name": "Production"},
///         "features": {"banner": {"key": "1", "name": "banner", "enabled": true, "value": "hi"}}}"#,
/// ).unwrap();
/// let environment = std::sync::Arc::new(Environment::prepare(&context).unwrap());
/// let identity = IdentityContext { identifier: "user-1".into(), ..Default::default() };
/// let evaluation = environment.evaluate(Some(&identity));
/// assert_eq!(evaluation.flags[0].value, "hi");
/// ```
pub fn evaluate(context: &EvaluationContext) -> Result<EvaluationResult, PrepareError> {
    let environment = Environment::prepare(context)?;
    let evaluation = environment.evaluate(context.identity.as_ref());
    Ok(EvaluationResult::from(&evaluation))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn a_prepared_environment_can_be_shared_between_threads() {
        assert_send_sync::<Environment>();
        assert_send_sync::<std::sync::Arc<Environment>>();
    }

    /// Python's `json.loads` keeps integers of any size; so does the engine (serde_json's
    /// `arbitrary_precision`), in values served and in traits compared.
    #[test]
    fn integers_beyond_64_bits_are_served_and_compared_exactly() {
        let context: EvaluationContext = serde_json::from_str(
            r#"{"environment": {"key": "env", "name": "Test"},
                "identity": {"identifier": "u", "traits": {"seats": 18446744073709551617}},
                "features": {"f": {"key": "1", "name": "f", "enabled": true,
                                   "value": 100000000000000000000}},
                "segments": {"1": {"key": "1", "name": "exact", "rules": [{"type": "ALL",
                    "conditions": [{"property": "seats", "operator": "EQUAL",
                                    "value": "18446744073709551617"}]}]},
                             "2": {"key": "2", "name": "rounded", "rules": [{"type": "ALL",
                    "conditions": [{"property": "seats", "operator": "EQUAL",
                                    "value": "18446744073709551616"}]}]}}}"#,
        )
        .unwrap();
        let result = evaluate(&context).unwrap();
        assert_eq!(
            serde_json::to_string(&result.flags["f"].value).unwrap(),
            "100000000000000000000"
        );
        let matched: Vec<&str> = result.segments.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            matched,
            ["exact"],
            "2^64+1 is not 2^64, as a float would say"
        );
    }

    #[test]
    fn an_evaluation_borrows_only_from_the_environment() {
        let context: EvaluationContext = serde_json::from_value(serde_json::json!({
            "environment": {"key": "env", "name": "Test"},
            "features": {"f": {"key": "1", "name": "f", "enabled": true, "value": null}}
        }))
        .unwrap();
        let environment = Environment::prepare(&context).unwrap();
        let evaluation = {
            let identity = IdentityContext {
                identifier: "short-lived".into(),
                ..Default::default()
            };
            environment.evaluate(Some(&identity))
        };
        assert_eq!(evaluation.flags[0].name, "f");
        assert_eq!(evaluation.flags[0].reason.as_str(), "STATIC");
    }
}

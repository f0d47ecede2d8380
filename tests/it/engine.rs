//! The engine against Flagsmith's public engine test vectors, read in place from `../shared`.
//
// The engine against Flagsmith's public engine test vectors, read in place from
// `../shared/engine-test-data` (they are not copied into the project): 199 evaluation-context
// cases and 101 identities of the legacy environment document.

use std::io::Write;
use std::path::{Path, PathBuf};

use flagstaff::engine::document::{
    EnvironmentDocument, IdentityDocument, context_from_document, identity_from_document,
};
use flagstaff::engine::{Environment, EvaluationContext, evaluate};
use serde_json::Value;

pub const CONTEXT_CASES: usize = 199;
pub const LEGACY_IDENTITIES: usize = 101;
/// The legacy environment document with its identities and the API's answers.
pub const LEGACY_FILE: &str = "legacy-v1.0.0/data/environment_n9fbf9h3v4fFgH3U3ngWhb.json";

/// The test data folder. Outside CI, `None` after saying so where the test output shows it;
/// under `CI=true` a missing folder fails the test, so that CI never passes without the vectors.
pub fn test_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/engine-test-data");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but the engine test vectors are not at {}",
        dir.display()
    );
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: engine test vectors not found at {}",
        dir.display()
    );
    None
}

/// A `.json` case as is; a `.jsonc` case without its `//` comment lines.
pub fn read_case(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let json: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The context case files, sorted.
pub fn context_cases(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("test_cases"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ext == "json" || ext == "jsonc")
        })
        .collect();
    files.sort();
    files
}

/// Fails the test with every failure listed, when there is any.
pub fn assert_none_failed(failures: &[String], total: usize, what: &str) {
    assert!(
        failures.is_empty(),
        "{} of {total} {what} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The vectors (v3.9.0) were written for flag-engine 10, which answers `DEFAULT` for every
/// flag left at its default. Flag-engine 11, the engine we match, answers `STATIC` when no
/// segment overrides the feature (`DEFAULT` when one does but did not match); the unit test
/// `a_feature_no_segment_overrides_answers_static` pins that. Here a `STATIC` is read back as
/// the vectors' `DEFAULT`, and only where no override of the feature exists.
pub fn engine_10_reasons(mut result: Value, context: &Value) -> Value {
    let targeted: std::collections::HashSet<&str> = context["segments"]
        .as_object()
        .into_iter()
        .flat_map(|segments| segments.values())
        .filter_map(|segment| segment["overrides"].as_array())
        .flatten()
        .filter_map(|o| o["name"].as_str())
        .collect();
    if let Some(flags) = result["flags"].as_object_mut() {
        for (name, flag) in flags {
            if flag["reason"] == "STATIC" && !targeted.contains(name.as_str()) {
                flag["reason"] = "DEFAULT".into();
            }
        }
    }
    result
}

#[test]
fn every_context_case_gives_the_expected_result() {
    let Some(dir) = test_data() else { return };
    let files = context_cases(&dir);
    let mut failures = Vec::new();
    for path in &files {
        let case = read_case(path);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let context: EvaluationContext = match serde_json::from_value(case["context"].clone()) {
            Ok(context) => context,
            Err(e) => {
                failures.push(format!("{name}: context does not parse: {e}"));
                continue;
            }
        };
        let actual = match evaluate(&context) {
            Ok(result) => {
                engine_10_reasons(serde_json::to_value(result).unwrap(), &case["context"])
            }
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        if actual != case["result"] {
            failures.push(format!(
                "{name}:\n  expected {}\n  actual   {}",
                case["result"], actual
            ));
        }
    }
    assert_none_failed(&failures, files.len(), "context cases");
    assert_eq!(files.len(), CONTEXT_CASES, "context cases found");
}

#[test]
fn every_legacy_identity_gets_the_flags_the_api_served() {
    let Some(dir) = test_data() else { return };
    let path = dir.join(LEGACY_FILE);
    let data: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let document: EnvironmentDocument =
        serde_json::from_value(data["environment"].clone()).unwrap();
    let environment = Environment::prepare(&context_from_document(&document).unwrap()).unwrap();
    let cases = data["identities_and_responses"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let identity: IdentityDocument = serde_json::from_value(case["identity"].clone()).unwrap();
        let context = identity_from_document(&identity);
        let evaluation = environment.evaluate(Some(&context));
        let actual: Vec<(&str, bool, &Value)> = evaluation
            .flags
            .iter()
            .map(|flag| (flag.name, flag.enabled, flag.value))
            .collect();
        let mut expected: Vec<(&str, bool, &Value)> = case["response"]["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|flag| {
                (
                    flag["feature"]["name"].as_str().unwrap(),
                    flag["enabled"].as_bool().unwrap(),
                    &flag["feature_state_value"],
                )
            })
            .collect();
        let mut actual = actual;
        actual.sort_by_key(|flag| flag.0);
        expected.sort_by_key(|flag| flag.0);
        if actual != expected {
            failures.push(format!(
                "{}:\n  expected {expected:?}\n  actual   {actual:?}",
                identity.identifier
            ));
        }
    }
    assert_none_failed(&failures, cases.len(), "legacy identities");
    assert_eq!(cases.len(), LEGACY_IDENTITIES, "legacy identities found");
}

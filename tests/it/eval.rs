//! `flagstaff eval` as a user runs it: the built binary over every engine test vector and more.
//
// `flagstaff eval` as a user runs it: the built binary over every engine test vector (the 199
// context cases in one `--batch` run, the 101 legacy identities through `--document`), and
// documents with segments, traits, identity overrides and bad input.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::engine::{
    CONTEXT_CASES, LEGACY_FILE, LEGACY_IDENTITIES, assert_none_failed, context_cases,
    engine_10_reasons, read_case, test_data,
};

const BIN: &str = env!("CARGO_BIN_EXE_flagstaff");

fn eval(args: &[&str]) -> Output {
    Command::new(BIN).arg("eval").args(args).output().unwrap()
}

/// The JSON the command printed; fails the test with its stderr when it did not succeed.
fn eval_json(args: &[&str]) -> Value {
    let output = eval(args);
    assert!(
        output.status.success(),
        "flagstaff eval {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The one line the command wrote to stderr when it failed.
fn eval_error(args: &[&str]) -> String {
    let output = eval(args);
    assert!(
        !output.status.success(),
        "flagstaff eval {args:?} succeeded"
    );
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn write(dir: &Path, name: &str, json: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(json).unwrap()).unwrap();
    path.display().to_string()
}

#[test]
fn every_context_case_evaluates_as_expected_in_one_batch() {
    let Some(dir) = test_data() else { return };
    let cases = dir.join("test_cases");
    let results = eval_json(&["--batch", cases.to_str().unwrap()]);
    let results = results.as_object().unwrap();
    let files = context_cases(&dir);
    assert_eq!(files.len(), CONTEXT_CASES, "context cases found");
    let mut names: Vec<&String> = results.keys().collect();
    names.sort();
    let expected_names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, expected_names.iter().collect::<Vec<_>>());
    let mut failures = Vec::new();
    for (path, name) in files.iter().zip(&expected_names) {
        let case = read_case(path);
        let expected = &case["result"];
        let actual = engine_10_reasons(results[name].clone(), &case["context"]);
        if &actual != expected {
            failures.push(format!(
                "{name}:\n  expected {expected}\n  actual   {actual}"
            ));
        }
    }
    assert_none_failed(&failures, files.len(), "context cases");
}

#[test]
fn one_context_file_prints_its_result_with_flags_in_context_order() {
    let Some(dir) = test_data() else { return };
    let path = context_cases(&dir)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "jsonc"))
        .unwrap();
    let output = eval(&["--context", path.to_str().unwrap()]);
    assert!(output.status.success());
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let case = read_case(&path);
    assert_eq!(engine_10_reasons(printed, &case["context"]), case["result"]);
    // Flags keep the context's order, not alphabetical order.
    let text = String::from_utf8(output.stdout).unwrap();
    let order: Vec<usize> = case["context"]["features"]
        .as_object()
        .map(|features| {
            features
                .keys()
                .map(|name| text.find(&format!("\"{name}\": {{")).unwrap())
                .collect()
        })
        .unwrap_or_default();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
}

#[test]
fn every_legacy_identity_gets_the_flags_and_traits_the_api_served() {
    let Some(dir) = test_data() else { return };
    let file = dir.join(LEGACY_FILE);
    let data: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let cases = data["identities_and_responses"].as_array().unwrap();
    assert_eq!(cases.len(), LEGACY_IDENTITIES);
    let mut failures = Vec::new();
    for case in cases {
        let identity = &case["identity"];
        let identifier = identity["identifier"].as_str().unwrap();
        // The API hashed on the identity's database id.
        let key = identity["django_id"].to_string();
        // Written by hand: a `serde_json::Map` would sort the keys.
        let traits: Vec<String> = identity["identity_traits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| format!("{}: {}", t["trait_key"], t["trait_value"]))
            .collect();
        let traits = format!("{{{}}}", traits.join(", "));
        let answer = eval_json(&[
            "--document",
            file.to_str().unwrap(),
            "--identifier",
            identifier,
            "--identity-key",
            &key,
            "--traits",
            &traits,
        ]);
        let flags = |flags: &Value| {
            let mut flags: Vec<(String, Value, Value, Value)> = flags
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["feature"]["name"].as_str().unwrap().to_owned(),
                        f["enabled"].clone(),
                        f["feature_state_value"].clone(),
                        f["id"].clone(),
                    )
                })
                .collect();
            flags.sort_by(|a, b| a.0.cmp(&b.0));
            flags
        };
        let traits = |traits: &Value| -> Vec<(Value, Value)> {
            traits
                .as_array()
                .unwrap()
                .iter()
                .map(|t| (t["trait_key"].clone(), t["trait_value"].clone()))
                .collect()
        };
        let (expected, actual) = (&case["response"], &answer);
        if actual["identifier"] != identifier
            || flags(&actual["flags"]) != flags(&expected["flags"])
            || traits(&actual["traits"]) != traits(&expected["traits"])
        {
            failures.push(format!(
                "{identifier}:\n  expected {expected}\n  actual   {actual}"
            ));
        }
    }
    assert_none_failed(&failures, cases.len(), "legacy identities");
}

/// Two features, a segment that overrides `colour` for `plan = pro`, and an identity `vip`
/// (a pro) with its own override of `banner`.
fn document() -> Value {
    let state = |feature: i64, name: &str, id: i64, enabled: bool, value: &str| {
        json!({
            "feature": {"id": feature, "name": name, "type": "STANDARD"},
            "enabled": enabled,
            "django_id": id,
            "featurestate_uuid": format!("00000000-0000-4000-8000-{id:012}"),
            "feature_state_value": value,
            "multivariate_feature_state_values": [],
        })
    };
    let mut segment_override = state(2, "colour", 21, true, "gold");
    segment_override["feature_segment"] = json!({"priority": 0});
    json!({
        "id": 7,
        "api_key": "env-key",
        "name": "Test",
        "hide_disabled_flags": null,
        "hide_sensitive_data": false,
        "project": {
            "id": 1,
            "name": "Project",
            "hide_disabled_flags": false,
            "segments": [{
                "id": 5,
                "name": "pro users",
                "rules": [{"type": "ALL", "rules": [], "conditions": [
                    {"operator": "EQUAL", "property_": "plan", "value": "pro"}
                ]}],
                "feature_states": [segment_override],
            }],
        },
        "feature_states": [
            state(1, "banner", 11, false, "off"),
            state(2, "colour", 12, true, "blue"),
        ],
        "identity_overrides": [{
            "identifier": "vip",
            "django_id": 99,
            "identity_traits": [{"trait_key": "plan", "trait_value": "pro"}],
            "identity_features": [state(1, "banner", 31, true, "on")],
        }],
    })
}

/// `(name, enabled, value, id)` of each flag, in the printed order.
fn summary(flags: &Value) -> Vec<(String, bool, Value, Value)> {
    flags
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["feature"]["name"].as_str().unwrap().to_owned(),
                f["enabled"].as_bool().unwrap(),
                f["feature_state_value"].clone(),
                f["id"].clone(),
            )
        })
        .collect()
}

#[test]
fn a_document_without_identifier_gives_the_environment_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "env.json", &document());
    let flags = eval_json(&["--document", &file]);
    assert_eq!(
        summary(&flags),
        vec![
            ("banner".into(), false, json!("off"), json!(11)),
            ("colour".into(), true, json!("blue"), json!(12)),
        ]
    );
    let banner = &flags[0];
    assert_eq!(banner["environment"], 7);
    assert_eq!(banner["feature"]["id"], 1);
    assert_eq!(banner["feature"]["type"], "STANDARD");
    assert_eq!(banner["identity"], Value::Null);
    assert_eq!(banner["feature_segment"], Value::Null);
    assert!(banner.get("variant").is_none(), "{banner}");

    // Disabled flags hidden by the project (the environment's null defers to it).
    let mut hidden = document();
    hidden["project"]["hide_disabled_flags"] = json!(true);
    let file = write(dir.path(), "hidden.json", &hidden);
    let flags = eval_json(&["--document", &file]);
    assert_eq!(summary(&flags).len(), 1);
    assert_eq!(flags[0]["feature"]["name"], "colour");
}

#[test]
fn an_identity_with_traits_gets_the_segment_override_and_its_traits_back() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "env.json", &document());
    let answer = eval_json(&[
        "--document",
        &file,
        "--identifier",
        "someone",
        "--traits",
        r#"{"plan": "pro", "age": 42}"#,
    ]);
    assert_eq!(answer["identifier"], "someone");
    assert_eq!(
        answer["traits"],
        json!([
            {"id": null, "trait_key": "plan", "trait_value": "pro", "transient": true},
            {"id": null, "trait_key": "age", "trait_value": 42, "transient": true},
        ])
    );
    assert_eq!(
        summary(&answer["flags"]),
        vec![
            ("banner".into(), false, json!("off"), json!(11)),
            ("colour".into(), true, json!("gold"), json!(21)),
        ]
    );
    assert_eq!(answer["flags"][1]["variant"], Value::Null);
    assert!(answer["flags"][1].get("variant").is_some());

    // Without the trait, the segment does not match.
    let answer = eval_json(&["--document", &file, "--identifier", "someone"]);
    assert_eq!(answer["traits"], json!([]));
    assert_eq!(answer["flags"][1]["feature_state_value"], "blue");
}

#[test]
fn an_identity_named_in_the_document_gets_its_override_and_stored_traits() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "env.json", &document());
    let answer = eval_json(&["--document", &file, "--identifier", "vip"]);
    assert_eq!(
        summary(&answer["flags"]),
        vec![
            ("banner".into(), true, json!("on"), json!(31)),
            ("colour".into(), true, json!("gold"), json!(21)),
        ]
    );
    assert_eq!(answer["flags"][0]["identity"], 99);
    assert_eq!(answer["flags"][1]["identity"], Value::Null);
    assert_eq!(
        answer["traits"],
        json!([{"id": null, "trait_key": "plan", "trait_value": "pro", "transient": false}])
    );

    // Given traits lay over the stored ones; the override still wins over the segment.
    let answer = eval_json(&[
        "--document",
        &file,
        "--identifier",
        "vip",
        "--traits",
        r#"{"plan": "free"}"#,
    ]);
    assert_eq!(
        summary(&answer["flags"]),
        vec![
            ("banner".into(), true, json!("on"), json!(31)),
            ("colour".into(), true, json!("blue"), json!(12)),
        ]
    );
    assert_eq!(answer["traits"][0]["transient"], true);
}

#[test]
fn the_identity_key_decides_the_multivariate_bucket() {
    let Some(dir) = test_data() else { return };
    let file = dir.join(LEGACY_FILE);
    let file = file.to_str().unwrap();
    let value = |key: Option<&str>| {
        let mut args = vec!["--document", file, "--identifier", "identity_1"];
        if let Some(key) = key {
            args.extend(["--identity-key", key]);
        }
        let answer = eval_json(&args);
        let flags = answer["flags"].as_array().unwrap().clone();
        let mv = flags
            .into_iter()
            .find(|f| f["feature"]["name"] == "mv_feature")
            .unwrap();
        assert_eq!(mv["feature"]["type"], "MULTIVARIATE");
        assert!(mv["variant"].is_string() || mv["variant"].is_null());
        mv["feature_state_value"].clone()
    };
    let composite = value(None);
    assert_eq!(composite, value(Some("n9fbf9h3v4fFgH3U3ngWhb_identity_1")));
    // Some key among a few must land in another bucket than the composite key.
    assert!(
        (1..50).any(|n| value(Some(&n.to_string())) != composite),
        "every key gave {composite}"
    );
}

#[test]
fn bad_document_input_names_the_json_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = document();
    bad["feature_states"][1]["feature"]["name"] = json!(3);
    // As the engine test data wraps a document.
    let file = write(dir.path(), "wrapped.json", &json!({"environment": bad}));
    let message = eval_error(&["--document", &file]);
    assert!(
        message.contains(
            "wrapped.json: environment.feature_states[1].feature.name: invalid type: integer `3`"
        ),
        "{message}"
    );

    let mut bad = document();
    bad["project"]["segments"][0]["rules"][0]["type"] = json!("SOME");
    let file = write(dir.path(), "rule.json", &bad);
    let message = eval_error(&["--document", &file, "--identifier", "x"]);
    assert!(
        message.contains("rule.json: project.segments[0].rules[0].type: unknown rule type"),
        "{message}"
    );

    let file = write(dir.path(), "env.json", &document());
    let message = eval_error(&["--document", &file, "--identifier", "x", "--traits", "[1]"]);
    assert!(message.contains("--traits"), "{message}");

    let missing = dir.path().join("absent.json");
    let message = eval_error(&["--document", missing.to_str().unwrap()]);
    assert!(message.contains("cannot read"), "{message}");
    assert!(message.contains("absent.json"), "{message}");

    std::fs::write(dir.path().join("broken.json"), "{\"api_key\": ").unwrap();
    let broken = dir.path().join("broken.json");
    let message = eval_error(&["--document", broken.to_str().unwrap()]);
    assert!(
        message.contains("broken.json: EOF while parsing"),
        "{message}"
    );
}

#[test]
fn bad_context_input_names_the_json_path() {
    let dir = tempfile::tempdir().unwrap();
    let vector = json!({
        "context": {
            "environment": {"key": "k", "name": "n"},
            "features": {"flag": {"key": "1", "name": "flag", "enabled": "yes", "value": 1}},
        },
        "result": {"flags": {}, "segments": []},
    });
    let file = write(dir.path(), "vector.json", &vector);
    let message = eval_error(&["--context", &file]);
    assert!(
        message
            .contains("vector.json: context.features.flag.enabled: invalid type: string \"yes\""),
        "{message}"
    );

    let mut unknown_operator = vector.clone();
    unknown_operator["context"]["features"]["flag"]["enabled"] = json!(true);
    unknown_operator["context"]["segments"] = json!({"s": {"key": "s", "name": "s", "rules": [
        {"type": "ALL", "conditions": [{"property": "p", "operator": "EQUAL", "value": "v"}]},
        {"type": "MOST"}
    ]}});
    let file = write(dir.path(), "prepare.json", &unknown_operator);
    let message = eval_error(&["--context", &file]);
    assert!(
        message.contains("prepare.json: context.segments[\"s\"].rules[1].type"),
        "{message}"
    );

    // A batch stops at the first bad file and names it.
    let message = eval_error(&["--batch", dir.path().to_str().unwrap()]);
    assert!(message.contains("prepare.json"), "{message}");
}

//! `flagstaff eval`: evaluation of files, with no server and no database.
//
// An evaluation context (a test-vector file, or a bare context) gives the engine's result; an
// environment document gives what the SDK endpoints would answer from it. Every error is one
// line that names the file and, for bad input, the JSON path of the offending part.

mod document;

use std::collections::BTreeMap;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgGroup, Args};

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use crate::engine::{EvaluationContext, EvaluationResult};
pub use document::{DocumentQuery, evaluate_document};

/// Why a file could not be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    /// `message` starts with the JSON path when there is one.
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

impl EvalError {
    fn invalid(file: &Path, message: impl std::fmt::Display) -> Self {
        EvalError::Invalid {
            file: file.display().to_string(),
            message: message.to_string(),
        }
    }

    fn read(file: &Path, source: std::io::Error) -> Self {
        EvalError::Read {
            file: file.display().to_string(),
            source,
        }
    }
}

/// A test vector: the context sits under `context`, next to the expected `result`.
#[derive(Deserialize)]
struct Vector<T> {
    context: T,
}

/// The text of a JSON file; `//` comment lines (the test vectors' `.jsonc` headers) become
/// blank, so line numbers in errors still match the file.
fn read_json(file: &Path) -> Result<String, EvalError> {
    let text = std::fs::read_to_string(file).map_err(|e| EvalError::read(file, e))?;
    Ok(text
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("//") {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The top-level keys of a JSON object.
fn top_level_keys(file: &Path, text: &str) -> Result<HashSet<String>, EvalError> {
    let keys: BTreeMap<String, IgnoredAny> =
        serde_json::from_str(text).map_err(|e| EvalError::invalid(file, e))?;
    Ok(keys.into_keys().collect())
}

/// `text` as a `T`; an error names the JSON path of the part that does not fit.
fn parse<T: DeserializeOwned>(file: &Path, text: &str) -> Result<T, EvalError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| EvalError::invalid(file, e))
}

/// A file's content and where in the file it sits (`"context."` in a test vector), so errors
/// found later can name the path in the file.
struct Located<T> {
    value: T,
    at: &'static str,
}

impl<T> Located<T> {
    fn error(&self, file: &Path, path: &str, message: &str) -> EvalError {
        EvalError::invalid(file, format!("{}{path}: {message}", self.at))
    }
}

/// The evaluation context of a file: a test vector's `context`, or the whole file.
fn read_context(file: &Path) -> Result<Located<EvaluationContext>, EvalError> {
    let text = read_json(file)?;
    if top_level_keys(file, &text)?.contains("context") {
        let vector: Vector<EvaluationContext> = parse(file, &text)?;
        Ok(Located {
            value: vector.context,
            at: "context.",
        })
    } else {
        Ok(Located {
            value: parse(file, &text)?,
            at: "",
        })
    }
}

/// The engine's result for the context in `file`.
pub fn evaluate_context(file: &Path) -> Result<EvaluationResult, EvalError> {
    let context = read_context(file)?;
    crate::engine::evaluate(&context.value).map_err(|e| context.error(file, &e.path, &e.message))
}

/// The results of every `.json` and `.jsonc` file in `dir`, keyed by file name.
pub fn evaluate_batch(dir: &Path) -> Result<BTreeMap<String, EvaluationResult>, EvalError> {
    let entries = std::fs::read_dir(dir).map_err(|e| EvalError::read(dir, e))?;
    let mut paths = entries
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| EvalError::read(dir, e))?;
    // In name order, so the first bad file reported is the same on every run.
    paths.sort();
    let mut results = BTreeMap::new();
    for path in paths {
        let is_json = path
            .extension()
            .is_some_and(|ext| ext == "json" || ext == "jsonc");
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if is_json && path.is_file() {
            results.insert(name.to_owned(), evaluate_context(&path)?);
        }
    }
    if results.is_empty() {
        return Err(EvalError::invalid(
            dir,
            "no .json or .jsonc files to evaluate",
        ));
    }
    Ok(results)
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("input").required(true).args(["context", "batch", "document"])))]
pub(super) struct EvalArgs {
    /// An evaluation context (a test-vector file, or a bare context): prints the engine's
    /// result, `{"flags": {...}, "segments": [...]}`.
    #[arg(long, value_name = "FILE")]
    context: Option<PathBuf>,
    /// Every .json and .jsonc context file in a folder: prints their results keyed by file name.
    #[arg(long, value_name = "DIR")]
    batch: Option<PathBuf>,
    /// An environment document (as GET /api/v1/environment-document/ serves it): prints the
    /// environment's flags as GET /api/v1/flags/ would, or with --identifier the identity's
    /// traits and flags as GET /api/v1/identities/ would.
    #[arg(long, value_name = "FILE")]
    document: Option<PathBuf>,
    /// The identity to evaluate the document for; identity overrides in the document apply.
    #[arg(long, requires = "document")]
    identifier: Option<String>,
    /// The identity's hashing key (an imported identity's id, say). Default: the composite key
    /// `<environment key>_<identifier>`.
    #[arg(long, value_name = "KEY", requires = "identifier")]
    identity_key: Option<String>,
    /// Traits as a JSON object, e.g. '{"plan": "pro", "age": 42}'; laid over the traits the
    /// document stores for the identity.
    #[arg(long, value_name = "JSON", requires = "identifier")]
    traits: Option<String>,
}

/// Runs `flagstaff eval`: prints the result, or the one-line reason there is none.
pub(super) fn run(args: EvalArgs) -> ExitCode {
    use std::io::Write;
    let printed = eval(args).and_then(|output| {
        match writeln!(std::io::stdout().lock(), "{output}") {
            // The reader has all it wanted (`| head`, say).
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            written => written.map_err(|e| format!("cannot write the result: {e}")),
        }
    });
    match printed {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The JSON `flagstaff eval` prints, or the one-line reason it cannot.
fn eval(args: EvalArgs) -> Result<String, String> {
    // Serialised from the typed results, which keep the context's feature order.
    let output = if let Some(file) = &args.context {
        serde_json::to_string_pretty(&evaluate_context(file).map_err(|e| e.to_string())?)
    } else if let Some(dir) = &args.batch {
        serde_json::to_string_pretty(&evaluate_batch(dir).map_err(|e| e.to_string())?)
    } else if let Some(file) = &args.document {
        let traits = match &args.traits {
            Some(text) => parse_traits(text)?,
            None => Default::default(),
        };
        let query = DocumentQuery {
            identifier: args.identifier,
            identity_key: args.identity_key,
            traits,
        };
        serde_json::to_string_pretty(&evaluate_document(file, &query).map_err(|e| e.to_string())?)
    } else {
        return Err("give --context, --batch or --document".into());
    };
    output.map_err(|e| e.to_string())
}

fn parse_traits(text: &str) -> Result<indexmap::IndexMap<String, serde_json::Value>, String> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| format!("--traits is not a JSON object of trait values: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_bare_context_and_a_test_vector_read_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let context = r#"{"environment": {"key": "k", "name": "n"},
            "features": {"f": {"key": "1", "name": "f", "enabled": true, "value": 3}}}"#;
        let bare = write(&dir, "bare.json", context);
        let vector = write(
            &dir,
            "vector.jsonc",
            &format!("// a comment\n{{\"context\": {context}, \"result\": {{}}}}"),
        );
        assert_eq!(
            read_context(&bare).unwrap().value,
            read_context(&vector).unwrap().value
        );
    }

    #[test]
    fn errors_name_the_file_and_the_json_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir,
            "bad.json",
            r#"{"context": {"environment": {"key": "k", "name": "n"},
                "features": {"f": {"key": "1", "name": 7, "enabled": true}}}}"#,
        );
        let message = evaluate_context(&path).unwrap_err().to_string();
        assert!(
            message.contains("bad.json: context.features.f.name: invalid type: integer `7`"),
            "{message}"
        );
        let missing = dir.path().join("missing.json");
        let message = evaluate_context(&missing).unwrap_err().to_string();
        assert!(message.starts_with("cannot read "), "{message}");
        assert!(message.contains("missing.json"), "{message}");
    }

    #[test]
    fn a_folder_without_context_files_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir, "notes.txt", "hello");
        let message = evaluate_batch(dir.path()).unwrap_err().to_string();
        assert!(message.contains("no .json or .jsonc files"), "{message}");
    }
}

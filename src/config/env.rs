//! The environment layer of the configuration: `FLAGSTAFF_*` names and Flagsmith's names.
//
// The environment layer: `FLAGSTAFF_*` names, Flagsmith's names, `NAME_FILE` secrets and the
// `DJANGO_DB_*` assembly, read from a snapshot of the environment so tests need not mutate it.

use std::collections::BTreeMap;
use std::path::Path;

use figment::value::{Dict, Map, Value};
use figment::{Error, Metadata, Profile, Provider};

use super::settings::{DJANGO_DB_VARS, Kind, SETTINGS, Setting};

/// The values the environment sets, keyed by setting, plus the problems met reading them.
#[derive(Debug, Default)]
pub struct EnvLayer {
    values: Dict,
    sources: BTreeMap<String, String>,
    pub problems: Vec<String>,
}

impl EnvLayer {
    pub fn from_vars(vars: &BTreeMap<String, String>) -> Self {
        let mut layer = EnvLayer::default();
        for setting in SETTINGS {
            if let Some((name, raw)) = layer.lookup(vars, setting) {
                layer.set(setting, &name, &raw);
            }
        }
        if !layer.values.contains_key("database_url") {
            layer.assemble_django_db(vars);
        }
        layer
    }

    /// Which variable set `key`, for `check-config`.
    pub fn source_of(&self, key: &str) -> Option<&str> {
        self.sources.get(key).map(String::as_str)
    }

    fn lookup(
        &mut self,
        vars: &BTreeMap<String, String>,
        setting: &Setting,
    ) -> Option<(String, String)> {
        for name in setting.env {
            if let Some(value) = vars.get(*name).filter(|v| !v.is_empty()) {
                return Some((name.to_string(), value.clone()));
            }
            if setting.secret {
                let file_var = format!("{name}_FILE");
                if let Some(path) = vars.get(&file_var).filter(|v| !v.is_empty()) {
                    return self
                        .read_secret_file(&file_var, path)
                        .map(|v| (file_var, v));
                }
            }
        }
        None
    }

    fn read_secret_file(&mut self, var: &str, path: &str) -> Option<String> {
        match std::fs::read_to_string(Path::new(path)) {
            Ok(text) => Some(text.trim_end_matches(['\n', '\r']).to_string()),
            Err(err) => {
                self.problems
                    .push(format!("{var}: cannot read the file {path}: {err}"));
                None
            }
        }
    }

    fn set(&mut self, setting: &Setting, source: &str, raw: &str) {
        let value = match setting.kind {
            Kind::Text => Value::from(raw.to_string()),
            Kind::Scalar => raw.parse::<Value>().unwrap_or_else(|never| match never {}),
            Kind::List => Value::from(
                raw.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::from(s.to_string()))
                    .collect::<Vec<_>>(),
            ),
            Kind::LogLevel => Value::from(flagsmith_log_level(raw)),
            Kind::LogFormat => Value::from(match raw.to_ascii_lowercase().as_str() {
                "generic" => "text".to_string(),
                other => other.to_string(),
            }),
        };
        self.values.insert(setting.key.to_string(), value);
        self.sources
            .insert(setting.key.to_string(), source.to_string());
    }

    /// Flagsmith's `DJANGO_DB_*` variables, as its settings module reads them.
    fn assemble_django_db(&mut self, vars: &BTreeMap<String, String>) {
        let get = |name: &str| vars.get(name).filter(|v| !v.is_empty()).cloned();
        if get("DJANGO_DB_HOST").is_none() && get("DJANGO_DB_NAME").is_none() {
            return;
        }
        let password = match get("DJANGO_DB_PASSWORD") {
            Some(p) => Some(p),
            None => match get("DJANGO_DB_PASSWORD_FILE") {
                Some(path) => self.read_secret_file("DJANGO_DB_PASSWORD_FILE", &path),
                None => None,
            },
        };
        let user = get("DJANGO_DB_USER").unwrap_or_else(|| "postgres".into());
        let host = get("DJANGO_DB_HOST").unwrap_or_else(|| "localhost".into());
        let port = get("DJANGO_DB_PORT").unwrap_or_else(|| "5432".into());
        let name = get("DJANGO_DB_NAME").unwrap_or_else(|| "flagsmith".into());
        let auth = match password {
            Some(p) => format!("{}:{}", percent_encode(&user), percent_encode(&p)),
            None => percent_encode(&user),
        };
        let url = format!("postgres://{auth}@{host}:{port}/{}", percent_encode(&name));
        self.values.insert("database_url".into(), Value::from(url));
        self.sources
            .insert("database_url".into(), DJANGO_DB_VARS.join(", "));
    }
}

impl Provider for EnvLayer {
    fn metadata(&self) -> Metadata {
        Metadata::named("environment")
    }

    fn data(&self) -> Result<Map<Profile, Dict>, Error> {
        Ok(Profile::Default.collect(self.values.clone()))
    }
}

/// Maps Flagsmith's Python level names onto tracing's; anything else is kept as a filter.
fn flagsmith_log_level(raw: &str) -> String {
    match raw.trim().to_ascii_uppercase().as_str() {
        "TRACE" => "trace".into(),
        "DEBUG" => "debug".into(),
        "INFO" => "info".into(),
        "WARNING" | "WARN" => "warn".into(),
        "ERROR" | "CRITICAL" | "FATAL" => "error".into(),
        _ => raw.trim().to_string(),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (for URL user info and paths).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(pairs: &[(&str, &str)]) -> EnvLayer {
        let vars = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        EnvLayer::from_vars(&vars)
    }

    fn text(layer: &EnvLayer, key: &str) -> Option<String> {
        layer
            .values
            .get(key)
            .and_then(|v| v.as_str().map(str::to_string))
    }

    #[test]
    fn flagstaff_names_win_over_flagsmith_names() {
        let l = layer(&[
            ("DATABASE_URL", "postgres://a/b"),
            ("FLAGSTAFF_DATABASE_URL", "sqlite://x.db"),
        ]);
        assert_eq!(text(&l, "database_url").as_deref(), Some("sqlite://x.db"));
        assert_eq!(l.source_of("database_url"), Some("FLAGSTAFF_DATABASE_URL"));
    }

    #[test]
    fn django_db_vars_assemble_a_url_with_encoded_password() {
        let l = layer(&[
            ("DJANGO_DB_HOST", "db.internal"),
            ("DJANGO_DB_NAME", "flags"),
            ("DJANGO_DB_USER", "app"),
            ("DJANGO_DB_PASSWORD", "p@ss:w/rd"),
            ("DJANGO_DB_PORT", "6432"),
        ]);
        assert_eq!(
            text(&l, "database_url").as_deref(),
            Some("postgres://app:p%40ss%3Aw%2Frd@db.internal:6432/flags")
        );
    }

    #[test]
    fn database_url_wins_over_django_db_vars() {
        let l = layer(&[
            ("DJANGO_DB_HOST", "db.internal"),
            ("DATABASE_URL", "postgres://u@h/d"),
        ]);
        assert_eq!(
            text(&l, "database_url").as_deref(),
            Some("postgres://u@h/d")
        );
    }

    #[test]
    fn secrets_come_from_name_file_without_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "s3cret\n").unwrap();
        let l = layer(&[("DJANGO_SECRET_KEY_FILE", path.to_str().unwrap())]);
        assert_eq!(text(&l, "secret_key").as_deref(), Some("s3cret"));
        assert_eq!(l.source_of("secret_key"), Some("DJANGO_SECRET_KEY_FILE"));
    }

    #[test]
    fn an_unreadable_secret_file_is_a_problem_naming_the_variable() {
        let l = layer(&[("FLAGSTAFF_SECRET_KEY_FILE", "/nonexistent/key")]);
        assert!(l.problems[0].starts_with("FLAGSTAFF_SECRET_KEY_FILE"));
        assert!(text(&l, "secret_key").is_none());
    }

    #[test]
    fn flagsmith_log_levels_map_onto_tracing_levels() {
        assert_eq!(flagsmith_log_level("WARNING"), "warn");
        assert_eq!(flagsmith_log_level("CRITICAL"), "error");
        assert_eq!(
            flagsmith_log_level("info,flagstaff=debug"),
            "info,flagstaff=debug"
        );
    }

    #[test]
    fn allowed_hosts_split_on_commas() {
        let l = layer(&[("DJANGO_ALLOWED_HOSTS", "a.com, .b.com,,")]);
        let hosts = l.values.get("allowed_hosts").unwrap().clone().into_array();
        assert_eq!(hosts.map(|h| h.len()), Some(2));
    }
}

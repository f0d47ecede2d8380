//! Every setting: key, environment names, secrecy; the env provider, check-config, README read it.

mod all;
pub use all::SETTINGS;

/// How a raw environment value is turned into a configuration value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Kept exactly as given (URLs, secrets, paths).
    Text,
    /// Parsed leniently (`true`, `1`, `yes`, numbers).
    Scalar,
    /// Comma-separated list.
    List,
    /// A Flagsmith log level (`DEBUG` … `CRITICAL`) or a tracing filter.
    LogLevel,
    /// Flagsmith's `generic`/`json`, our `text`/`json`.
    LogFormat,
}

/// One configurable setting.
#[derive(Debug)]
pub struct Setting {
    /// The key in the TOML file and in `check-config` output.
    pub key: &'static str,
    pub kind: Kind,
    /// Environment names in precedence order: the first one set wins.
    pub env: &'static [&'static str],
    /// Never printed; may also be read from `NAME_FILE`.
    pub secret: bool,
    pub default: &'static str,
    pub help: &'static str,
}

pub(super) const fn setting(
    key: &'static str,
    kind: Kind,
    env: &'static [&'static str],
    default: &'static str,
    help: &'static str,
) -> Setting {
    Setting {
        key,
        kind,
        env,
        secret: false,
        default,
        help,
    }
}

pub(super) const fn secret(
    key: &'static str,
    env: &'static [&'static str],
    default: &'static str,
    help: &'static str,
) -> Setting {
    Setting {
        secret: true,
        ..setting(key, Kind::Text, env, default, help)
    }
}

/// The environment variables that assemble a PostgreSQL URL when no `DATABASE_URL` is given.
pub const DJANGO_DB_VARS: &[&str] = &[
    "DJANGO_DB_HOST",
    "DJANGO_DB_NAME",
    "DJANGO_DB_USER",
    "DJANGO_DB_PASSWORD",
    "DJANGO_DB_PORT",
];

pub fn find(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}

/// The settings table as Markdown, for the README (a test keeps the README in step).
pub fn markdown_table() -> String {
    let mut out =
        String::from("| setting | environment | default | meaning |\n|---|---|---|---|\n");
    for s in SETTINGS {
        let env = s
            .env
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let file = if s.secret { " (or `NAME_FILE`)" } else { "" };
        let default = if s.default.contains('`') {
            s.default.to_string()
        } else {
            format!("`{}`", s.default)
        };
        out.push_str(&format!(
            "| `{}` | {env}{file} | {default} | {} |\n",
            s.key, s.help
        ));
    }
    out
}

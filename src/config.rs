//! Configuration, layered with figment: defaults, a TOML file, the environment, then flags.
//
// The environment means `FLAGSTAFF_*` and Flagsmith's names.

mod env;
mod fields;
mod report;
pub mod settings;
mod sizes;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use figment::value::Value;
use serde::Deserialize;

use crate::api::BodyLimits;
use crate::service::{Bootstrap, Policy};
use crate::store::DatabaseUrl;
pub use env::EnvLayer;
use fields::Fields;
use fields::source_name;
pub use sizes::{format_size, parse_size};

/// Where the configuration file is looked for when neither `--config` nor `FLAGSTAFF_CONFIG` is given.
pub const SYSTEM_CONFIG_FILE: &str = "/etc/flagstaff/flagstaff.toml";

/// The figment provider name of command-line flags.
const FLAGS: &str = "command line";

/// The validated configuration. Each part of the program receives the pieces it needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub database: DatabaseUrl,
    pub data_dir: PathBuf,
    pub secret_key: Option<String>,
    pub log_level: String,
    pub log_format: LogFormat,
    /// Log PostgreSQL statement texts (never their parameters) at debug.
    pub log_database_queries: bool,
    pub allowed_hosts: Vec<String>,
    pub enable_gzip_compression: bool,
    pub use_x_forwarded_host: bool,
    pub database_connect_timeout: Duration,
    pub database_pool_size: usize,
    /// CA certificates (PEM) trusted for PostgreSQL's TLS besides the system's.
    pub database_ca_file: Option<PathBuf>,
    pub shutdown_timeout: Duration,
    /// The largest request bodies read, per part of the API.
    pub body_limits: BodyLimits,
    /// Origins whose pages may call the management API, besides the server's own.
    pub trusted_origins: Vec<String>,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    /// Serve the web dashboard at `/` (off for API-only installs).
    pub dashboard: bool,
    /// The address users reach the server at, when a reverse proxy puts it elsewhere.
    pub public_url: Option<String>,
    pub policy: Policy,
    /// What to create at start, when admin initiation is on.
    pub bootstrap: Option<Bootstrap>,
    /// Where `self-update` reads the release manifest; unset, it never reaches out.
    pub update_manifest_url: Option<String>,
    /// A separate address for `GET /metrics`; unset, the main address answers it.
    pub metrics_bind: Option<std::net::SocketAddr>,
    /// The bearer token `GET /metrics` asks for, when set.
    pub metrics_token: Option<String>,
    /// Where metrics also go over UDP, when set.
    pub statsd: Option<crate::api::Statsd>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// What the configuration is read from. `from_process` reads the real process; tests build one by hand.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// `--config PATH`: must exist.
    pub explicit_file: Option<PathBuf>,
    /// Read only when it exists and no file was named.
    pub system_file: Option<PathBuf>,
    pub env: BTreeMap<String, String>,
    /// Command-line flags, keyed like the TOML file.
    pub flags: BTreeMap<String, String>,
}

impl Sources {
    pub fn from_process(config_flag: Option<PathBuf>, flags: BTreeMap<String, String>) -> Self {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        let explicit_file = config_flag.or_else(|| {
            env.get("FLAGSTAFF_CONFIG")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        Sources {
            explicit_file,
            system_file: Some(PathBuf::from(SYSTEM_CONFIG_FILE)),
            env,
            flags,
        }
    }

    fn file(&self) -> Option<&Path> {
        match &self.explicit_file {
            Some(path) => Some(path),
            None => self.system_file.as_deref().filter(|p| p.is_file()),
        }
    }

    fn default_data_dir(&self) -> PathBuf {
        // systemd may pass several folders separated by colons; the first is ours.
        match self
            .env
            .get("STATE_DIRECTORY")
            .and_then(|v| v.split(':').next())
        {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => PathBuf::from("./data"),
        }
    }
}

/// A loaded configuration and what it came from, for `check-config`.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub file: Option<PathBuf>,
    figment: Figment,
    env: EnvLayer,
}

impl Config {
    /// Reads and validates every setting, reporting all problems at once.
    pub fn load(sources: &Sources) -> Result<Loaded, Vec<String>> {
        let mut problems = Vec::new();
        let file = sources.file().map(Path::to_path_buf);
        let mut figment = Figment::from(Serialized::defaults(defaults(sources)));
        if let Some(path) = &file {
            match check_file(path) {
                Ok(()) => figment = figment.merge(Toml::file_exact(path)),
                Err(problem) => problems.push(problem),
            }
        }
        let env = EnvLayer::from_vars(&sources.env);
        problems.extend(env.problems.iter().cloned());
        figment = figment.merge(&env);
        figment = figment.merge(Flags(&sources.flags));
        let config = Fields::new(&figment, &env, &mut problems).build();
        match config {
            Some(config) if problems.is_empty() => Ok(Loaded {
                config,
                file,
                figment,
                env,
            }),
            _ => Err(problems),
        }
    }
}

fn defaults(sources: &Sources) -> BTreeMap<&'static str, Value> {
    let mut d = BTreeMap::new();
    d.insert("bind", Value::from("0.0.0.0:8000"));
    d.insert(
        "data_dir",
        Value::from(sources.default_data_dir().display().to_string()),
    );
    d.insert("log_level", Value::from("info"));
    d.insert("log_format", Value::from("text"));
    d.insert("allowed_hosts", Value::from(vec![Value::from("*")]));
    d.insert("enable_gzip_compression", Value::from(false));
    d.insert("use_x_forwarded_host", Value::from(false));
    d.insert("database_connect_timeout", Value::from(30u64));
    d.insert("database_pool_size", Value::from(8u64));
    d.insert("shutdown_timeout", Value::from(30u64));
    d.insert("max_body_size", Value::from("2MiB"));
    d.insert("max_sdk_body_size", Value::from("256KiB"));
    d.insert("max_sign_in_body_size", Value::from("16KiB"));
    d.insert("max_bulk_body_size", Value::from("16MiB"));
    d.insert("trusted_origins", Value::from(Vec::<Value>::new()));
    d.insert("header_read_timeout", Value::from(10u64));
    d.insert("idle_timeout", Value::from(60u64));
    d.insert("max_connections", Value::from(4096u64));
    d.insert("dashboard", Value::from(true));
    let policy = Policy::default();
    d.insert(
        "allow_registration_without_invite",
        Value::from(policy.allow_registration_without_invite),
    );
    d.insert("prevent_signup", Value::from(policy.prevent_signup));
    d.insert(
        "restrict_org_create_to_superusers",
        Value::from(policy.restrict_org_create_to_superusers),
    );
    d.insert(
        "default_org_store_traits",
        Value::from(policy.default_org_store_traits),
    );
    d.insert(
        "login_failure_limit",
        Value::from(u64::from(policy.login_failure_limit)),
    );
    d.insert(
        "login_only_user_failures",
        Value::from(policy.login_only_user_failures),
    );
    d.insert(
        "login_lockout_minutes",
        Value::from(policy.login_lockout.as_secs() / 60),
    );
    d.insert("login_throttle_rate", Value::from("20/min"));
    d.insert("admin_initiation", Value::from(false));
    d.insert("admin_email", Value::from("admin@example.com"));
    d.insert("organisation_name", Value::from("Default Organisation"));
    d.insert("project_name", Value::from("Default Project"));
    d.insert("log_database_queries", Value::from(false));
    d.insert("num_proxies", Value::from(policy.num_proxies as u64));
    d.insert("statsd_port", Value::from(8125u64));
    let sending = &policy.webhooks;
    d.insert(
        "webhook_private_networks",
        Value::from(sending.private_networks),
    );
    d.insert("webhook_timeout", Value::from(sending.timeout.as_secs()));
    d.insert(
        "webhook_retry_for",
        Value::from(sending.retry_for.as_secs()),
    );
    d.insert(
        "identity_cache_size",
        Value::from(policy.identity_cache_size as u64),
    );
    d
}

/// The file must exist, parse as TOML, and name only known settings.
fn check_file(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("config file {}: {e}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("config file {}: {e}", path.display()))?;
    let unknown: Vec<_> = table
        .keys()
        .filter(|k| settings::find(k).is_none())
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "config file {}: unknown setting(s) {}",
            path.display(),
            unknown.join(", ")
        ))
    }
}

/// Command-line flags as the last layer, named so `check-config` can say where a value came from.
struct Flags<'a>(&'a BTreeMap<String, String>);

impl figment::Provider for Flags<'_> {
    fn metadata(&self) -> figment::Metadata {
        figment::Metadata::named(FLAGS)
    }

    fn data(
        &self,
    ) -> Result<figment::value::Map<figment::Profile, figment::value::Dict>, figment::Error> {
        let dict = self
            .0
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.clone())))
            .collect();
        Ok(figment::Profile::Default.collect(dict))
    }
}

impl Config {
    /// The rules the use cases follow.
    pub fn policy(&self) -> Policy {
        self.policy.clone()
    }

    /// The path the dashboard is served under: `public_url`'s path, `/` when it has none.
    pub fn base_path(&self) -> String {
        let path = self
            .public_url
            .as_deref()
            .and_then(|url| url.split_once("://"))
            .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
            .unwrap_or("/");
        let trimmed = path.trim_matches('/');
        if trimmed.is_empty() {
            "/".into()
        } else {
            format!("/{trimmed}/")
        }
    }

    pub fn secret_key_file(&self) -> PathBuf {
        self.data_dir.join("secret_key")
    }

    /// The configured secret key, or the one kept in the data folder, created (mode 0600) on
    /// first start so that restarts keep sessions and links valid.
    pub fn load_or_create_secret_key(&self) -> anyhow::Result<String> {
        use anyhow::Context;
        if let Some(key) = &self.secret_key {
            return Ok(key.clone());
        }
        let path = self.secret_key_file();
        match std::fs::read_to_string(&path) {
            Ok(key) if !key.trim().is_empty() => return Ok(key.trim().to_string()),
            Ok(_) => anyhow::bail!("the secret key file {} is empty", path.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
        create_private_dir(&self.data_dir).with_context(|| {
            format!("cannot create the data folder {}", self.data_dir.display())
        })?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
        let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        write_private(&path, &key).with_context(|| format!("cannot write {}", path.display()))?;
        tracing::info!(path = %path.display(), "generated a new secret key");
        Ok(key)
    }
}

/// Creates `dir` and its missing parents open to their owner only (0700); an existing folder
/// keeps its mode.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Creates `path` readable by its owner only; refuses to overwrite an existing file.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

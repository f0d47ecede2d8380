//! Configuration, layered with figment: built-in defaults, then a TOML file, then the
//! environment (`FLAGSTAFF_*` and Flagsmith's names), then command-line flags.

mod env;
mod report;
pub mod settings;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use figment::value::Value;
use serde::Deserialize;

use crate::api::BodyLimits;
use crate::service::{Bootstrap, Policy, Rate};
use crate::store::DatabaseUrl;
pub use env::EnvLayer;

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

/// Extracts each setting on its own, so one bad value does not hide the others.
struct Fields<'a> {
    figment: &'a Figment,
    env: &'a EnvLayer,
    problems: &'a mut Vec<String>,
}

impl<'a> Fields<'a> {
    fn new(figment: &'a Figment, env: &'a EnvLayer, problems: &'a mut Vec<String>) -> Self {
        Fields {
            figment,
            env,
            problems,
        }
    }

    fn get<T: for<'de> Deserialize<'de>>(&mut self, key: &str) -> Option<T> {
        match self.figment.extract_inner_lossy::<T>(key) {
            Ok(v) => Some(v),
            Err(e) if e.missing() => None,
            Err(e) => {
                self.problem(key, &e.kind.to_string());
                None
            }
        }
    }

    fn problem(&mut self, key: &str, message: &str) {
        let source = source_name(self.figment, self.env, key);
        self.problems
            .push(format!("{key} (from {source}): {message}"));
    }

    fn build(mut self) -> Option<Config> {
        let bind = self
            .get::<String>("bind")
            .and_then(|raw| match raw.parse() {
                Ok(addr) => Some(addr),
                Err(_) => {
                    self.problem(
                        "bind",
                        &format!("{raw:?} is not an address:port such as 0.0.0.0:8000"),
                    );
                    None
                }
            });
        let data_dir = self.get::<PathBuf>("data_dir");
        if let Some(dir) = &data_dir
            && dir.exists()
            && !dir.is_dir()
        {
            self.problem(
                "data_dir",
                &format!("{} exists and is not a folder", dir.display()),
            );
        }
        let database_url = self.get::<String>("database_url");
        let database = data_dir.as_ref().and_then(|dir| {
            match DatabaseUrl::resolve(database_url.as_deref(), dir) {
                Ok(db) => Some(db),
                Err(e) => {
                    self.problem("database_url", &e.to_string());
                    None
                }
            }
        });
        let secret_key = self.get::<String>("secret_key");
        let log_level = self.get::<String>("log_level").and_then(|level| {
            match tracing_subscriber::EnvFilter::try_new(&level) {
                Ok(_) => Some(level),
                Err(e) => {
                    self.problem(
                        "log_level",
                        &format!("{level:?} is not a log level or filter: {e}"),
                    );
                    None
                }
            }
        });
        let log_format = self.get::<LogFormat>("log_format");
        let log_database_queries = self.get::<bool>("log_database_queries");
        let allowed_hosts = self.get::<Vec<String>>("allowed_hosts");
        let enable_gzip_compression = self.get::<bool>("enable_gzip_compression");
        let use_x_forwarded_host = self.get::<bool>("use_x_forwarded_host");
        let connect_timeout = self.get::<u64>("database_connect_timeout");
        let pool_size = self.get::<usize>("database_pool_size");
        if pool_size == Some(0) {
            self.problem("database_pool_size", "must be at least 1");
        }
        let database_ca_file = self.optional_path("database_ca_file");
        let shutdown_timeout = self.get::<u64>("shutdown_timeout");
        let body_limits = self.body_limits();
        let trusted_origins = self.get::<Vec<String>>("trusted_origins");
        let header_read_timeout = self.positive("header_read_timeout");
        let idle_timeout = self.positive("idle_timeout");
        let max_connections = self.positive("max_connections");
        let dashboard = self.get::<bool>("dashboard");
        let public_url = self.public_url();
        let policy = self.policy();
        let bootstrap = self.bootstrap();
        let update_manifest_url = self.update_manifest_url();
        Some(Config {
            bind: bind?,
            database: database?,
            data_dir: data_dir?,
            secret_key,
            log_level: log_level?,
            log_format: log_format?,
            log_database_queries: log_database_queries?,
            allowed_hosts: allowed_hosts?,
            enable_gzip_compression: enable_gzip_compression?,
            use_x_forwarded_host: use_x_forwarded_host?,
            database_connect_timeout: Duration::from_secs(connect_timeout?),
            database_pool_size: pool_size.filter(|n| *n > 0)?,
            database_ca_file: database_ca_file?,
            shutdown_timeout: Duration::from_secs(shutdown_timeout?),
            body_limits: body_limits?,
            trusted_origins: trusted_origins?,
            header_read_timeout: Duration::from_secs(header_read_timeout?),
            idle_timeout: Duration::from_secs(idle_timeout?),
            max_connections: usize::try_from(max_connections?).unwrap_or(usize::MAX),
            dashboard: dashboard?,
            public_url: public_url?,
            policy: policy?,
            bootstrap: bootstrap?,
            update_manifest_url: update_manifest_url?,
        })
    }

    /// `Some(None)` when unset; an absolute `http(s)` URL without query or fragment otherwise.
    fn public_url(&mut self) -> Option<Option<String>> {
        let text = match self.figment.extract_inner_lossy::<String>("public_url") {
            Ok(text) if !text.trim().is_empty() => text,
            Ok(_) => return Some(None),
            Err(e) if e.missing() => return Some(None),
            Err(e) => {
                self.problem("public_url", &e.kind.to_string());
                return None;
            }
        };
        let text = text.trim().to_string();
        let valid = ["http://", "https://"].iter().any(|scheme| {
            text.strip_prefix(scheme)
                .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
        }) && !text.contains(['?', '#', ' ', '"', '<', '>', '\\']);
        if !valid {
            self.problem(
                "public_url",
                &format!(
                    "{text:?} is not an absolute URL such as https://flags.example.com/flags/"
                ),
            );
            return None;
        }
        Some(Some(text))
    }

    /// `Some(None)` when unset; an absolute `http(s)` URL otherwise.
    fn update_manifest_url(&mut self) -> Option<Option<String>> {
        let text = match self
            .figment
            .extract_inner_lossy::<String>("update_manifest_url")
        {
            Ok(text) if !text.trim().is_empty() => text.trim().to_string(),
            Ok(_) => return Some(None),
            Err(e) if e.missing() => return Some(None),
            Err(e) => {
                self.problem("update_manifest_url", &e.kind.to_string());
                return None;
            }
        };
        let valid = ["http://", "https://"].iter().any(|scheme| {
            text.strip_prefix(scheme)
                .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
        }) && !text.contains([' ', '"', '<', '>', '\\']);
        if !valid {
            self.problem(
                "update_manifest_url",
                &format!(
                    "{text:?} is not an absolute URL such as https://downloads.example.com/flagstaff/manifest.json"
                ),
            );
            return None;
        }
        Some(Some(text))
    }

    /// `Some(None)` when unset; a path to a readable file otherwise.
    fn optional_path(&mut self, key: &str) -> Option<Option<PathBuf>> {
        let text = match self.figment.extract_inner_lossy::<String>(key) {
            Ok(text) if !text.trim().is_empty() => text,
            Ok(_) => return Some(None),
            Err(e) if e.missing() => return Some(None),
            Err(e) => {
                self.problem(key, &e.kind.to_string());
                return None;
            }
        };
        let path = PathBuf::from(text.trim());
        if let Err(e) = std::fs::File::open(&path) {
            self.problem(key, &format!("cannot read {}: {e}", path.display()));
            return None;
        }
        Some(Some(path))
    }

    /// A whole number of at least 1.
    fn positive(&mut self, key: &str) -> Option<u64> {
        let value = self.get::<u64>(key)?;
        if value == 0 {
            self.problem(key, "must be at least 1");
            return None;
        }
        Some(value)
    }

    fn size(&mut self, key: &str) -> Option<u64> {
        let text = self.get::<String>(key)?;
        match parse_size(&text) {
            Some(size) if size > 0 => Some(size),
            _ => {
                self.problem(
                    key,
                    &format!("{text:?} is not a size such as 256KiB or 2MiB"),
                );
                None
            }
        }
    }

    fn body_limits(&mut self) -> Option<BodyLimits> {
        let management = self.size("max_body_size");
        let sdk = self.size("max_sdk_body_size");
        let sign_in = self.size("max_sign_in_body_size");
        let bulk = self.size("max_bulk_body_size");
        Some(BodyLimits {
            management: management?,
            sdk: sdk?,
            sign_in: sign_in?,
            bulk: bulk?,
        })
    }

    /// `Some(None)` when admin initiation is off; `None` when a setting is wrong.
    fn bootstrap(&mut self) -> Option<Option<Bootstrap>> {
        let enabled = self.get::<bool>("admin_initiation")?;
        let email = self.get::<String>("admin_email");
        let password = self.get::<String>("admin_password");
        let organisation_name = self.get::<String>("organisation_name");
        let project_name = self.get::<String>("project_name");
        if !enabled {
            return Some(None);
        }
        if password.is_none() {
            self.problem("admin_password", "is required when admin_initiation is on");
        }
        Some(Some(Bootstrap {
            admin_email: email?,
            admin_password: password?,
            organisation_name: organisation_name?,
            project_name: project_name?,
        }))
    }

    fn policy(&mut self) -> Option<Policy> {
        let allow = self.get::<bool>("allow_registration_without_invite");
        let prevent = self.get::<bool>("prevent_signup");
        let restrict = self.get::<bool>("restrict_org_create_to_superusers");
        let store_traits = self.get::<bool>("default_org_store_traits");
        let limit = self.get::<u32>("login_failure_limit");
        if limit == Some(0) {
            self.problem("login_failure_limit", "must be at least 1");
        }
        let only_user = self.get::<bool>("login_only_user_failures");
        let lockout = self.get::<u64>("login_lockout_minutes");
        let rate =
            self.get::<String>("login_throttle_rate")
                .and_then(|text| match Rate::parse(&text) {
                    Some(rate) => Some(rate),
                    None => {
                        self.problem(
                            "login_throttle_rate",
                            &format!("{text:?} is not a rate such as 20/min"),
                        );
                        None
                    }
                });
        let num_proxies = self.get::<usize>("num_proxies");
        Some(Policy {
            allow_registration_without_invite: allow?,
            prevent_signup: prevent?,
            restrict_org_create_to_superusers: restrict?,
            default_org_store_traits: store_traits?,
            login_failure_limit: limit.filter(|n| *n > 0)?,
            login_only_user_failures: only_user?,
            login_lockout: Duration::from_secs(lockout? * 60),
            login_rate: rate?,
            num_proxies: num_proxies?,
        })
    }
}

/// A size in bytes: a number with an optional unit `B`, `KiB`, `MiB` or `GiB` (`K`/`KB`, `M`/`MB`,
/// `G`/`GB` mean the same: 1 KiB = 1024 bytes).
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return None,
    };
    number.checked_mul(1 << shift)
}

/// A size as `parse_size` reads it, in the largest whole unit.
pub fn format_size(bytes: u64) -> String {
    for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{}{unit}", bytes >> shift);
        }
    }
    bytes.to_string()
}

/// Names where a setting's effective value came from: a flag, a variable, the file or the default.
fn source_name(figment: &Figment, env: &EnvLayer, key: &str) -> String {
    let Some(meta) = figment.find_metadata(key) else {
        return "default".into();
    };
    if meta.name == FLAGS {
        return "command line".into();
    }
    if meta.name == "environment" {
        return env.source_of(key).unwrap_or("environment").to_string();
    }
    match &meta.source {
        Some(figment::Source::File(path)) => path.display().to_string(),
        _ => "default".into(),
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

//! Each setting read from the layered sources into a `Config`, one problem per bad value.

use std::path::PathBuf;
use std::time::Duration;

use figment::Figment;
use serde::Deserialize;

use super::{Config, EnvLayer, FLAGS, LogFormat, parse_size};
use crate::api::BodyLimits;
use crate::api::Statsd;
use crate::service::{Bootstrap, Policy, Rate, Sending};
use crate::store::DatabaseUrl;

/// Extracts each setting on its own, so one bad value does not hide the others.
pub(super) struct Fields<'a> {
    figment: &'a Figment,
    env: &'a EnvLayer,
    problems: &'a mut Vec<String>,
}

impl<'a> Fields<'a> {
    pub(super) fn new(
        figment: &'a Figment,
        env: &'a EnvLayer,
        problems: &'a mut Vec<String>,
    ) -> Self {
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

    pub(super) fn build(mut self) -> Option<Config> {
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
        let metrics_bind = match self.figment.extract_inner_lossy::<String>("metrics_bind") {
            Ok(raw) if raw.trim().is_empty() => Some(None),
            Ok(raw) => match raw.trim().parse() {
                Ok(addr) => Some(Some(addr)),
                Err(_) => {
                    self.problem(
                        "metrics_bind",
                        &format!("{raw:?} is not an address:port such as 127.0.0.1:9100"),
                    );
                    None
                }
            },
            Err(e) if e.missing() => Some(None),
            Err(e) => {
                self.problem("metrics_bind", &e.kind.to_string());
                None
            }
        };
        let metrics_token = self
            .get::<String>("metrics_token")
            .filter(|t| !t.trim().is_empty());
        let statsd = self.statsd();
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
            metrics_bind: metrics_bind?,
            metrics_token,
            statsd: statsd?,
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

    /// StatsD's address, `Some(None)` when `statsd_host` is unset, `None` on a bad value.
    fn statsd(&mut self) -> Option<Option<Statsd>> {
        let host = match self.figment.extract_inner_lossy::<String>("statsd_host") {
            Ok(host) => Some(host.trim().to_string()).filter(|h| !h.is_empty()),
            Err(e) if e.missing() => None,
            Err(e) => {
                self.problem("statsd_host", &e.kind.to_string());
                return None;
            }
        };
        let port = self.get::<u16>("statsd_port");
        if port == Some(0) {
            self.problem("statsd_port", "must be a port from 1 to 65535");
            return None;
        }
        let prefix = match self.figment.extract_inner_lossy::<String>("statsd_prefix") {
            Ok(prefix) => prefix.trim().trim_end_matches('.').to_string(),
            Err(e) if e.missing() => String::new(),
            Err(e) => {
                self.problem("statsd_prefix", &e.kind.to_string());
                return None;
            }
        };
        let port = port?;
        Some(host.map(|host| Statsd { host, port, prefix }))
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
        let private_networks = self.get::<bool>("webhook_private_networks");
        let timeout = self.positive("webhook_timeout");
        let retry_for = self.get::<u64>("webhook_retry_for");
        let identity_cache_size = self.get::<usize>("identity_cache_size");
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
            webhooks: Sending {
                private_networks: private_networks?,
                timeout: Duration::from_secs(timeout?),
                retry_for: Duration::from_secs(retry_for?),
            },
            identity_cache_size: identity_cache_size?,
        })
    }
}

/// Names where a setting's effective value came from: a flag, a variable, the file or the default.
pub(super) fn source_name(figment: &Figment, env: &EnvLayer, key: &str) -> String {
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

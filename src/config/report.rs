//! `check-config`: the effective configuration as TOML, each value with its source, secrets hidden.

use super::settings::SETTINGS;
use super::{Config, Loaded, LogFormat, format_size, source_name};
use crate::store::DatabaseUrl;

impl Loaded {
    pub fn report(&self) -> String {
        let mut out = String::from("# Effective Flagstaff configuration (secrets redacted)\n");
        match &self.file {
            Some(path) => out.push_str(&format!("# config file: {}\n", path.display())),
            None => out.push_str("# config file: none\n"),
        }
        for setting in SETTINGS {
            let value = display_value(&self.config, setting.key);
            let source = source_name(&self.figment, &self.env, setting.key);
            out.push_str(&format!("{} = {value}  # {source}\n", setting.key));
        }
        out
    }
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn display_value(c: &Config, key: &str) -> String {
    match key {
        "bind" => quoted(&c.bind.to_string()),
        "database_url" => quoted(&c.database.redacted()),
        "data_dir" => quoted(&c.data_dir.display().to_string()),
        "secret_key" => match &c.secret_key {
            Some(_) => quoted("<redacted>"),
            None => quoted(&format!(
                "<generated on first start in {}>",
                c.secret_key_file().display()
            )),
        },
        "log_level" => quoted(&c.log_level),
        "log_format" => quoted(match c.log_format {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        }),
        "log_database_queries" => c.log_database_queries.to_string(),
        "allowed_hosts" => format!(
            "[{}]",
            c.allowed_hosts
                .iter()
                .map(|h| quoted(h))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "enable_gzip_compression" => c.enable_gzip_compression.to_string(),
        "use_x_forwarded_host" => c.use_x_forwarded_host.to_string(),
        "database_connect_timeout" => c.database_connect_timeout.as_secs().to_string(),
        "database_pool_size" => c.database_pool_size.to_string(),
        "database_ca_file" => quoted(
            &c.database_ca_file
                .as_ref()
                .map_or("<not set>".into(), |p| p.display().to_string()),
        ),
        "shutdown_timeout" => c.shutdown_timeout.as_secs().to_string(),
        "max_body_size" => quoted(&format_size(c.body_limits.management)),
        "max_sdk_body_size" => quoted(&format_size(c.body_limits.sdk)),
        "max_sign_in_body_size" => quoted(&format_size(c.body_limits.sign_in)),
        "max_bulk_body_size" => quoted(&format_size(c.body_limits.bulk)),
        "trusted_origins" => format!(
            "[{}]",
            c.trusted_origins
                .iter()
                .map(|o| quoted(o))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "header_read_timeout" => c.header_read_timeout.as_secs().to_string(),
        "idle_timeout" => c.idle_timeout.as_secs().to_string(),
        "max_connections" => c.max_connections.to_string(),
        "dashboard" => c.dashboard.to_string(),
        "public_url" => quoted(c.public_url.as_deref().unwrap_or("<not set>")),
        "metrics_bind" => quoted(
            &c.metrics_bind
                .map_or("<not set>".to_string(), |a| a.to_string()),
        ),
        "statsd_host" => quoted(c.statsd.as_ref().map_or("<not set>", |s| s.host.as_str())),
        "statsd_port" => c.statsd.as_ref().map_or(8125, |s| s.port).to_string(),
        "statsd_prefix" => quoted(
            c.statsd
                .as_ref()
                .map(|s| s.prefix.as_str())
                .filter(|p| !p.is_empty())
                .unwrap_or("<not set>"),
        ),
        "metrics_token" => quoted(if c.metrics_token.is_some() {
            "<redacted>"
        } else {
            "<not set>"
        }),
        "update_manifest_url" => quoted(c.update_manifest_url.as_deref().unwrap_or("<not set>")),
        "allow_registration_without_invite" => {
            c.policy.allow_registration_without_invite.to_string()
        }
        "prevent_signup" => c.policy.prevent_signup.to_string(),
        "restrict_org_create_to_superusers" => {
            c.policy.restrict_org_create_to_superusers.to_string()
        }
        "default_org_store_traits" => c.policy.default_org_store_traits.to_string(),
        "login_failure_limit" => c.policy.login_failure_limit.to_string(),
        "login_only_user_failures" => c.policy.login_only_user_failures.to_string(),
        "login_lockout_minutes" => (c.policy.login_lockout.as_secs() / 60).to_string(),
        "num_proxies" => c.policy.num_proxies.to_string(),
        "webhook_private_networks" => c.policy.webhooks.private_networks.to_string(),
        "webhook_timeout" => c.policy.webhooks.timeout.as_secs().to_string(),
        "webhook_retry_for" => c.policy.webhooks.retry_for.as_secs().to_string(),
        "identity_cache_size" => c.policy.identity_cache_size.to_string(),
        "admin_initiation" => c.bootstrap.is_some().to_string(),
        "admin_email" => quoted(
            c.bootstrap
                .as_ref()
                .map_or("admin@example.com", |b| b.admin_email.as_str()),
        ),
        "admin_password" => quoted(if c.bootstrap.is_some() {
            "<redacted>"
        } else {
            "<not set>"
        }),
        "organisation_name" => quoted(
            c.bootstrap
                .as_ref()
                .map_or("Default Organisation", |b| b.organisation_name.as_str()),
        ),
        "project_name" => quoted(
            c.bootstrap
                .as_ref()
                .map_or("Default Project", |b| b.project_name.as_str()),
        ),
        "login_throttle_rate" => {
            let rate = c.policy.login_rate;
            let period = match rate.per.as_secs() {
                1 => "s",
                60 => "min",
                3600 => "hour",
                _ => "day",
            };
            quoted(&format!("{}/{period}", rate.count))
        }
        _ => String::from("\"?\""),
    }
}

impl DatabaseUrl {
    /// The URL with any password replaced, safe for logs and `check-config`.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => redact_password(url),
        }
    }
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let mut tail = tail.to_string();
    if let Some(q) = tail.find("password=") {
        let end = tail[q..].find('&').map(|i| q + i).unwrap_or(tail.len());
        tail.replace_range(q + "password=".len()..end, "***");
    }
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => format!("{scheme}://{userinfo}@{host}{tail}"),
        },
        None => format!("{scheme}://{authority}{tail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_password;

    #[test]
    fn passwords_are_redacted_wherever_the_url_carries_them() {
        assert_eq!(
            redact_password("postgres://app:s3cret@db:5432/flags"),
            "postgres://app:***@db:5432/flags"
        );
        assert_eq!(
            redact_password("postgres://app@db/flags?password=s3cret&sslmode=require"),
            "postgres://app@db/flags?password=***&sslmode=require"
        );
        assert_eq!(
            redact_password("postgres://db/flags"),
            "postgres://db/flags"
        );
    }
}

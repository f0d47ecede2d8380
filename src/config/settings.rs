//! Every setting: key, environment names, secrecy; the env provider, check-config, README read it.

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

const fn setting(
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

const fn secret(
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

/// Every setting Flagstaff reads. Flagsmith's own names come after ours, so an operator's
/// existing Flagsmith env file works and a `FLAGSTAFF_` name overrides it.
pub const SETTINGS: &[Setting] = &[
    setting(
        "bind",
        Kind::Text,
        &["FLAGSTAFF_BIND"],
        "0.0.0.0:8000",
        "Address and port the HTTP server listens on (`serve --bind`).",
    ),
    secret(
        "database_url",
        &["FLAGSTAFF_DATABASE_URL", "DATABASE_URL"],
        "SQLite at `<data_dir>/flagstaff.db`",
        "`postgres://…`, `postgresql://…` or `sqlite://PATH`. Without it, `DJANGO_DB_HOST`, `DJANGO_DB_NAME`, \
         `DJANGO_DB_USER`, `DJANGO_DB_PASSWORD` and `DJANGO_DB_PORT` are assembled into a PostgreSQL URL when \
         `DJANGO_DB_HOST` or `DJANGO_DB_NAME` is set.",
    ),
    setting(
        "data_dir",
        Kind::Text,
        &["FLAGSTAFF_DATA_DIR"],
        "`$STATE_DIRECTORY` when systemd sets it, else `./data`",
        "Folder for the SQLite database and the generated secret key (created when missing, mode 0700; the database file is created 0600).",
    ),
    secret(
        "secret_key",
        &["FLAGSTAFF_SECRET_KEY", "DJANGO_SECRET_KEY"],
        "generated on first start, kept in `<data_dir>/secret_key` (mode 0600)",
        "Key that signs sessions and links; changing it invalidates them.",
    ),
    setting(
        "log_level",
        Kind::LogLevel,
        &["FLAGSTAFF_LOG_LEVEL", "LOG_LEVEL"],
        "info",
        "`DEBUG`, `INFO`, `WARNING`, `ERROR`, `CRITICAL`, or a tracing filter such as `info,flagstaff=debug`.",
    ),
    setting(
        "log_format",
        Kind::LogFormat,
        &["FLAGSTAFF_LOG_FORMAT", "LOG_FORMAT"],
        "text",
        "`text` (Flagsmith's `generic`) or `json`: one JSON object per line.",
    ),
    setting(
        "allowed_hosts",
        Kind::List,
        &["FLAGSTAFF_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS"],
        "*",
        "Host names the server answers to (comma-separated; `.example.com` matches subdomains; `*` any). \
         Other hosts get 400. Health endpoints answer any host.",
    ),
    setting(
        "enable_gzip_compression",
        Kind::Scalar,
        &[
            "FLAGSTAFF_ENABLE_GZIP_COMPRESSION",
            "ENABLE_GZIP_COMPRESSION",
        ],
        "false",
        "Compress responses when the client accepts gzip.",
    ),
    setting(
        "use_x_forwarded_host",
        Kind::Scalar,
        &["FLAGSTAFF_USE_X_FORWARDED_HOST", "USE_X_FORWARDED_HOST"],
        "false",
        "Trust `X-Forwarded-Host` from a reverse proxy when checking and building host names.",
    ),
    setting(
        "database_connect_timeout",
        Kind::Scalar,
        &["FLAGSTAFF_DATABASE_CONNECT_TIMEOUT"],
        "30",
        "Seconds to keep retrying an unreachable PostgreSQL at start before giving up.",
    ),
    setting(
        "database_pool_size",
        Kind::Scalar,
        &["FLAGSTAFF_DATABASE_POOL_SIZE"],
        "8",
        "PostgreSQL connections, or SQLite reader connections (SQLite always has one writer).",
    ),
    setting(
        "database_ca_file",
        Kind::Text,
        &["FLAGSTAFF_DATABASE_CA_FILE"],
        "none",
        "A PEM file of CA certificates to trust for PostgreSQL's TLS, besides the system's, when `DATABASE_URL` names no `sslrootcert`.",
    ),
    setting(
        "shutdown_timeout",
        Kind::Scalar,
        &["FLAGSTAFF_SHUTDOWN_TIMEOUT"],
        "30",
        "Seconds in-flight requests get to finish after SIGTERM or SIGINT.",
    ),
    setting(
        "allow_registration_without_invite",
        Kind::Scalar,
        &[
            "FLAGSTAFF_ALLOW_REGISTRATION_WITHOUT_INVITE",
            "ALLOW_REGISTRATION_WITHOUT_INVITE",
        ],
        "true",
        "When false, sign-up needs an invite (the first superuser excepted).",
    ),
    setting(
        "prevent_signup",
        Kind::Scalar,
        &["FLAGSTAFF_PREVENT_SIGNUP", "PREVENT_SIGNUP"],
        "false",
        "Refuse every sign-up (create users with `flagstaff createsuperuser` and invites).",
    ),
    setting(
        "restrict_org_create_to_superusers",
        Kind::Scalar,
        &[
            "FLAGSTAFF_RESTRICT_ORG_CREATE_TO_SUPERUSERS",
            "RESTRICT_ORG_CREATE_TO_SUPERUSERS",
        ],
        "false",
        "Only superusers may create organisations.",
    ),
    setting(
        "default_org_store_traits",
        Kind::Scalar,
        &[
            "FLAGSTAFF_DEFAULT_ORG_STORE_TRAITS_VALUE",
            "DEFAULT_ORG_STORE_TRAITS_VALUE",
        ],
        "true",
        "Whether new organisations store the traits SDKs send.",
    ),
    setting(
        "login_failure_limit",
        Kind::Scalar,
        &["FLAGSTAFF_LOGIN_FAILURE_LIMIT", "AXES_FAILURE_LIMIT"],
        "10",
        "Failed logins (per lockout key, see `login_only_user_failures`) before the first lock.",
    ),
    setting(
        "login_only_user_failures",
        Kind::Scalar,
        &[
            "FLAGSTAFF_LOGIN_ONLY_USER_FAILURES",
            "AXES_ONLY_USER_FAILURES",
        ],
        "false",
        "`false`: failures count and lock per (account, client address) pair, so a stranger's failures never lock the owner out from another address. `true` (upstream's per-account lock): per account, whatever the address, so anyone can lock the account.",
    ),
    setting(
        "login_lockout_minutes",
        Kind::Scalar,
        &["FLAGSTAFF_LOGIN_LOCKOUT_MINUTES"],
        "60",
        "The longest lock: the first lasts a minute and each failure after a lock doubles it, up to this. A failure count is forgotten after a successful login, or this long after its lock ended. `0` never locks.",
    ),
    setting(
        "login_throttle_rate",
        Kind::Text,
        &["FLAGSTAFF_LOGIN_THROTTLE_RATE", "LOGIN_THROTTLE_RATE"],
        "20/min",
        "Login attempts per client address, as `N/s`, `N/min`, `N/hour` or `N/day`.",
    ),
    setting(
        "admin_initiation",
        Kind::Scalar,
        &[
            "FLAGSTAFF_ADMIN_INITIATION",
            "ALLOW_ADMIN_INITIATION_VIA_CLI",
        ],
        "false",
        "At start, create the superuser `admin_email` (while no user exists), an organisation and a project, each only when none exists.",
    ),
    setting(
        "admin_email",
        Kind::Text,
        &["FLAGSTAFF_ADMIN_EMAIL", "ADMIN_EMAIL"],
        "admin@example.com",
        "The bootstrap superuser's email.",
    ),
    secret(
        "admin_password",
        &["FLAGSTAFF_ADMIN_PASSWORD", "ADMIN_PASSWORD"],
        "none (required with `admin_initiation`)",
        "The bootstrap superuser's password.",
    ),
    setting(
        "organisation_name",
        Kind::Text,
        &["FLAGSTAFF_ORGANISATION_NAME", "ORGANISATION_NAME"],
        "Default Organisation",
        "The bootstrap organisation's name.",
    ),
    setting(
        "project_name",
        Kind::Text,
        &["FLAGSTAFF_PROJECT_NAME", "PROJECT_NAME"],
        "Default Project",
        "The bootstrap project's name.",
    ),
    setting(
        "max_body_size",
        Kind::Text,
        &["FLAGSTAFF_MAX_BODY_SIZE"],
        "2MiB",
        "Largest request body the management API reads (`256KiB`, `2MiB`; 1 KiB = 1024 bytes); larger ones get 413.",
    ),
    setting(
        "max_sdk_body_size",
        Kind::Text,
        &["FLAGSTAFF_MAX_SDK_BODY_SIZE"],
        "256KiB",
        "Largest request body of the SDK endpoints (identify with traits, analytics, OFREP).",
    ),
    setting(
        "max_sign_in_body_size",
        Kind::Text,
        &["FLAGSTAFF_MAX_SIGN_IN_BODY_SIZE"],
        "16KiB",
        "Largest request body of sign-up, login, password changes, invites and the first-run form, which anyone may send.",
    ),
    setting(
        "max_bulk_body_size",
        Kind::Text,
        &["FLAGSTAFF_MAX_BULK_BODY_SIZE"],
        "16MiB",
        "Largest request body of the bulk trait write (`PUT /api/v1/traits/bulk/`).",
    ),
    setting(
        "trusted_origins",
        Kind::List,
        &["FLAGSTAFF_TRUSTED_ORIGINS", "DJANGO_CSRF_TRUSTED_ORIGINS"],
        "none",
        "Origins (`https://admin.example.com`, comma-separated; `*` any) whose pages may call the management API \
         from a browser, besides the server's own. The SDK endpoints answer every origin.",
    ),
    setting(
        "header_read_timeout",
        Kind::Scalar,
        &["FLAGSTAFF_HEADER_READ_TIMEOUT"],
        "10",
        "Seconds a client gets to send a request's headers; also how long an idle keep-alive connection is kept. \
         Slower connections are closed.",
    ),
    setting(
        "idle_timeout",
        Kind::Scalar,
        &["FLAGSTAFF_IDLE_TIMEOUT"],
        "60",
        "Seconds a connection may pass with nothing read or written before it is closed.",
    ),
    setting(
        "max_connections",
        Kind::Scalar,
        &["FLAGSTAFF_MAX_CONNECTIONS"],
        "4096",
        "Open client connections at most; kept below the open-file limit (raised to its hard limit at start). \
         Further connections wait until one closes, and the log says so.",
    ),
    setting(
        "dashboard",
        Kind::Scalar,
        &["FLAGSTAFF_DASHBOARD"],
        "true",
        "Serve the web dashboard at `/` (and every path outside the API). `false` for an API-only install: those paths answer 404.",
    ),
    setting(
        "public_url",
        Kind::Text,
        &["FLAGSTAFF_PUBLIC_URL"],
        "none",
        "The address users open the dashboard at, when a reverse proxy serves it elsewhere, e.g. `https://example.com/flags/`. Its path is the sub-path the dashboard's links and API calls are made under; the proxy strips it before passing requests on.",
    ),
    setting(
        "update_manifest_url",
        Kind::Text,
        &["FLAGSTAFF_UPDATE_MANIFEST_URL"],
        "none",
        "Where `flagstaff self-update` reads the release manifest (`manifest.json`). Unset, self-update never reaches out; air-gapped sites use `self-update --from-file`.",
    ),
    setting(
        "metrics_bind",
        Kind::Text,
        &["FLAGSTAFF_METRICS_BIND"],
        "none",
        "An address:port of its own for `GET /metrics`, e.g. `127.0.0.1:9100`; the main address then answers it 404. Unset, `/metrics` is on the main address.",
    ),
    setting(
        "statsd_host",
        Kind::Text,
        &["FLAGSTAFF_STATSD_HOST", "STATSD_HOST"],
        "none",
        "When set, the metrics of `GET /metrics` are also sent to this StatsD host over UDP (labels as Datadog-style tags; gauges every 10 s).",
    ),
    setting(
        "statsd_port",
        Kind::Scalar,
        &["FLAGSTAFF_STATSD_PORT", "STATSD_PORT"],
        "8125",
        "The StatsD port.",
    ),
    setting(
        "statsd_prefix",
        Kind::Text,
        &["FLAGSTAFF_STATSD_PREFIX", "STATSD_PREFIX"],
        "none",
        "Put, with a dot, before each metric's name sent to StatsD.",
    ),
    secret(
        "metrics_token",
        &["FLAGSTAFF_METRICS_TOKEN"],
        "none",
        "When set, `GET /metrics` asks for `Authorization: Bearer <token>` and answers 401 without it.",
    ),
    setting(
        "log_database_queries",
        Kind::Scalar,
        &["FLAGSTAFF_LOG_DATABASE_QUERIES"],
        "false",
        "Log the text of each PostgreSQL statement at debug level, whatever `log_level` says, to diagnose queries. \
         Their parameters (keys, password hashes, identifiers, trait values) are never logged; while this is off, \
         no `log_level` filter shows the statements either.",
    ),
    setting(
        "num_proxies",
        Kind::Scalar,
        &["FLAGSTAFF_NUM_PROXIES", "NUM_PROXIES"],
        "0",
        "Reverse proxies in front of the server (DRF's `NUM_PROXIES`), for the login throttle and lockout: `0` takes the TCP peer as the client and ignores `X-Forwarded-For`; `N` takes the N-th address from the right of `X-Forwarded-For`, or the peer when the header is absent or shorter.",
    ),
    setting(
        "identity_cache_size",
        Kind::Scalar,
        &["FLAGSTAFF_IDENTITY_CACHE_SIZE"],
        "10000",
        "Identities whose state (traits and overrides) each server keeps in memory for SDK requests, the least recently read going first; changes on any node drop what they touch. `0` reads every identity from the database.",
    ),
    setting(
        "webhook_private_networks",
        Kind::Scalar,
        &["FLAGSTAFF_WEBHOOK_PRIVATE_NETWORKS"],
        "false",
        "Lets webhooks post to loopback, private, link-local and other internal addresses (cloud metadata services among them). Off, a webhook whose host resolves only to such addresses is not sent and its delivery fails.",
    ),
    setting(
        "webhook_timeout",
        Kind::Scalar,
        &["FLAGSTAFF_WEBHOOK_TIMEOUT"],
        "10",
        "Seconds one webhook attempt may take, connecting and answering included.",
    ),
    setting(
        "webhook_retry_for",
        Kind::Scalar,
        &["FLAGSTAFF_WEBHOOK_RETRY_FOR"],
        "3600",
        "Seconds a webhook delivery is retried for (after 1 s, 2 s, 4 s, … up to 5 minutes apart) before it is given up as failed; `0` tries once.",
    ),
];

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

//! Log output through tracing: plain text or one JSON object per line, on standard error.

use std::io::IsTerminal;

use tracing::{Metadata, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogFormat;

/// The PostgreSQL driver's target that logs each statement's bound parameters: server keys,
/// password hashes, identifiers, trait values. Never shown.
const PARAMETERS: &str = "tokio_postgres::query";

/// The driver's targets that log statement text (our SQL is parameterised, so no values);
/// shown at debug only when `log_database_queries` is on.
const STATEMENTS: &[&str] = &[
    "tokio_postgres::prepare",
    "tokio_postgres::simple_query",
    "tokio_postgres::copy_in",
    "tokio_postgres::copy_out",
];

/// Installs the global subscriber. `filter` was validated with the configuration.
pub fn init(filter: &str, format: LogFormat, database_queries: bool) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(env_filter(filter, database_queries))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let guard = DatabaseQueries {
        statements: database_queries,
    };
    let installed = match format {
        LogFormat::Text => builder.finish().with(guard).try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .finish()
            .with(guard)
            .try_init(),
    };
    // A second init (tests) keeps the first subscriber.
    drop(installed);
}

/// The operator's filter followed by the driver's directives. For one target EnvFilter keeps
/// the last directive given, and a longer target wins over its prefix, so these win over any
/// plain directive the operator wrote (`debug`, `tokio_postgres=trace`, …).
fn env_filter(filter: &str, database_queries: bool) -> EnvFilter {
    let ours = database_directives(database_queries);
    EnvFilter::try_new(format!("{},{ours}", with_quiet_dependencies(filter)))
        .unwrap_or_else(|_| EnvFilter::new(format!("info,{ours}")))
}

fn database_directives(database_queries: bool) -> String {
    let statements = if database_queries { "debug" } else { "off" };
    STATEMENTS
        .iter()
        .map(|target| format!("{target}={statements}"))
        .chain([format!("{PARAMETERS}=off")])
        .collect::<Vec<_>>()
        .join(",")
}

/// A plain level keeps chatty dependencies (migration progress, server NOTICEs) at warnings;
/// a full filter is taken as written. Either way the pool's warning per lost connection stays
/// out unless the filter names the pool: a database outage is reported once, by the service,
/// not once per pooled connection.
fn with_quiet_dependencies(filter: &str) -> String {
    let plain = ["trace", "debug", "info", "warn", "error", "off"].contains(&filter.trim());
    let mut out = if plain && !matches!(filter.trim(), "trace" | "debug") {
        format!("{filter},refinery_core=warn,tokio_postgres=warn,poem::server=warn")
    } else {
        filter.to_string()
    };
    if !filter.contains("deadpool") {
        out.push_str(",deadpool.postgres=error");
    }
    out
}

/// Keeps the driver's query logging out whatever the filter says: an EnvFilter span directive
/// (`[request]=trace`) enables every event inside the span, past any target directive.
struct DatabaseQueries {
    statements: bool,
}

impl DatabaseQueries {
    fn allows(&self, metadata: &Metadata<'_>) -> bool {
        let target = metadata.target();
        if target.starts_with(PARAMETERS) {
            return false;
        }
        self.statements || !STATEMENTS.iter().any(|t| target.starts_with(t))
    }
}

impl<S: Subscriber> Layer<S> for DatabaseQueries {
    fn register_callsite(
        &self,
        metadata: &'static Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        if self.allows(metadata) {
            tracing::subscriber::Interest::always()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    // `log` records (the driver logs through `log`) have no callsite and come here.
    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        self.allows(metadata)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    #[test]
    fn the_pools_per_connection_warnings_stay_out_unless_named() {
        for filter in ["info", "debug", "info,flagstaff::access=warn"] {
            assert!(
                with_quiet_dependencies(filter).ends_with(",deadpool.postgres=error"),
                "{filter}"
            );
        }
        assert_eq!(
            with_quiet_dependencies("info,deadpool=debug"),
            "info,deadpool=debug"
        );
    }

    /// Everything the subscriber writes, for one test.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    /// Emits one event on each driver target at debug (and a warning of ours, to show the
    /// capture works) inside a `request` span, through the subscriber `init` builds; returns the text written.
    fn logged(filter: &str, database_queries: bool, guard: bool) -> String {
        let out = Captured::default();
        let fmt = tracing_subscriber::fmt()
            .with_env_filter(env_filter(filter, database_queries))
            .with_writer(out.clone())
            .with_ansi(false)
            .finish();
        let emit = || {
            let span = tracing::info_span!("request");
            let _entered = span.enter();
            tracing::debug!(target: "tokio_postgres::query", "executing statement with parameters: [secret]");
            tracing::debug!(target: "tokio_postgres::prepare", "preparing query s1: SELECT 1");
            tracing::debug!(target: "tokio_postgres::simple_query", "executing simple query: SELECT 2");
            tracing::warn!(target: "flagstaff::probe", "ours");
        };
        if guard {
            let guard = DatabaseQueries {
                statements: database_queries,
            };
            tracing::subscriber::with_default(fmt.with(guard), emit);
        } else {
            tracing::subscriber::with_default(fmt, emit);
        }
        let bytes = out.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn an_operator_directive_for_the_same_target_loses_to_ours() {
        // EnvFilter's own rule, which `env_filter` relies on: the later directive wins.
        let filter = EnvFilter::new("tokio_postgres::query=debug,tokio_postgres::query=off");
        assert_eq!(filter.to_string(), "tokio_postgres::query=off");
        let text = logged("debug,tokio_postgres::query=trace", false, false);
        assert!(!text.contains("[secret]"), "{text}");
        let text = logged("info,tokio_postgres::prepare=warn", true, false);
        assert!(text.contains("SELECT 1"), "{text}");
    }

    #[test]
    fn no_filter_shows_parameters_or_statements_when_the_setting_is_off() {
        for filter in [
            "debug",
            "trace",
            "info,tokio_postgres=trace",
            "warn,tokio_postgres::query=trace,tokio_postgres::prepare=trace",
            "trace,[request]=trace",
        ] {
            let text = logged(filter, false, true);
            assert!(text.contains("ours"), "{filter}: {text}");
            assert!(!text.contains("[secret]"), "{filter}: {text}");
            assert!(!text.contains("SELECT"), "{filter}: {text}");
        }
    }

    #[test]
    fn a_span_directive_gets_past_env_filter_but_not_past_the_guard() {
        let unguarded = logged("info,[request]=trace", false, false);
        assert!(unguarded.contains("[secret]"), "{unguarded}");
        let guarded = logged("info,[request]=trace", false, true);
        assert!(!guarded.contains("[secret]"), "{guarded}");
    }

    #[test]
    fn the_setting_shows_statements_at_any_level_and_never_parameters() {
        for filter in ["warn", "info", "debug", "trace,[request]=trace"] {
            let text = logged(filter, true, true);
            assert!(
                text.contains("SELECT 1") && text.contains("SELECT 2"),
                "{filter}: {text}"
            );
            assert!(!text.contains("[secret]"), "{filter}: {text}");
        }
    }
}

//! Log output through tracing: plain text or one JSON object per line, on standard error.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. `filter` was validated with the configuration.
pub fn init(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(with_quiet_dependencies(filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
    };
    // A second init (tests) keeps the first subscriber.
    drop(installed);
}

/// A plain level keeps chatty dependencies (migration progress, server NOTICEs) at warnings;
/// a full filter is taken as written.
fn with_quiet_dependencies(filter: &str) -> String {
    let plain = ["trace", "debug", "info", "warn", "error", "off"].contains(&filter.trim());
    if plain && !matches!(filter.trim(), "trace" | "debug") {
        format!("{filter},refinery_core=warn,tokio_postgres=warn,poem::server=warn")
    } else {
        filter.to_string()
    }
}

//! Which database a URL names.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// The embedded database, at this file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL, as given.
    Postgres(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UrlError(String);

impl DatabaseUrl {
    /// The URL as configured, or SQLite in the data folder when none is.
    pub fn resolve(url: Option<&str>, data_dir: &Path) -> Result<Self, UrlError> {
        match url {
            None => Ok(DatabaseUrl::Sqlite(data_dir.join("flagstaff.db"))),
            Some(url) => Self::parse(url),
        }
    }

    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(UrlError(format!(
                "{:?} is not a database URL; {ACCEPTED}",
                first_chars(url)
            )));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Ok(DatabaseUrl::Postgres(url.to_string())),
            "sqlite" if rest.is_empty() => Err(UrlError(
                "sqlite:// needs a file path, e.g. sqlite:///var/lib/flagstaff/flagstaff.db".into(),
            )),
            "sqlite" => Ok(DatabaseUrl::Sqlite(PathBuf::from(rest))),
            other => Err(UrlError(format!(
                "the database URL scheme {other:?} is not supported; {ACCEPTED}"
            ))),
        }
    }
}

const ACCEPTED: &str =
    "use postgres://, postgresql:// or sqlite://PATH (or no URL for the embedded SQLite database)";

/// Enough of a malformed URL to recognise it, never a whole secret.
fn first_chars(s: &str) -> String {
    s.chars().take(12).collect::<String>() + if s.chars().count() > 12 { "…" } else { "" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_pick_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/d").unwrap(),
            DatabaseUrl::Postgres("postgresql://u@h/d".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/f.db").unwrap(),
            DatabaseUrl::Sqlite("/var/lib/f.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://rel/f.db").unwrap(),
            DatabaseUrl::Sqlite("rel/f.db".into())
        );
    }

    #[test]
    fn other_schemes_are_refused_naming_the_accepted_ones() {
        let err = DatabaseUrl::parse("mysql://x").unwrap_err().to_string();
        assert!(err.contains("\"mysql\""), "{err}");
        assert!(
            err.contains("postgres://") && err.contains("sqlite://"),
            "{err}"
        );
        assert!(DatabaseUrl::parse("not a url").is_err());
    }

    #[test]
    fn no_url_means_sqlite_in_the_data_folder() {
        assert_eq!(
            DatabaseUrl::resolve(None, Path::new("/srv/data")).unwrap(),
            DatabaseUrl::Sqlite("/srv/data/flagstaff.db".into())
        );
    }
}

//! Configuration layering, as an operator meets it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use flagstaff::config::{Config, LogFormat, Sources, settings};
use flagstaff::store::DatabaseUrl;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn write_toml(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("flagstaff.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn defaults_serve_sqlite_in_the_data_folder_on_port_8000() {
    let config = Config::load(&Sources::default()).unwrap().config;
    assert_eq!(config.bind.to_string(), "0.0.0.0:8000");
    assert_eq!(
        config.database,
        DatabaseUrl::Sqlite("./data/flagstaff.db".into())
    );
    assert_eq!(config.log_format, LogFormat::Text);
    assert_eq!(config.allowed_hosts, ["*"]);
}

#[test]
fn systemd_state_directory_moves_the_data_folder() {
    let sources = Sources {
        env: env(&[("STATE_DIRECTORY", "/var/lib/flagstaff")]),
        ..Sources::default()
    };
    let config = Config::load(&sources).unwrap().config;
    assert_eq!(config.data_dir, PathBuf::from("/var/lib/flagstaff"));
    assert_eq!(
        config.database,
        DatabaseUrl::Sqlite("/var/lib/flagstaff/flagstaff.db".into())
    );
}

#[test]
fn layers_apply_in_order_file_then_environment_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_toml(
        &dir,
        "bind = \"127.0.0.1:7000\"\nlog_level = \"debug\"\nshutdown_timeout = 5\ndatabase_pool_size = 3\n",
    );
    let sources = Sources {
        explicit_file: Some(file),
        env: env(&[
            ("LOG_LEVEL", "WARNING"),
            ("FLAGSTAFF_SHUTDOWN_TIMEOUT", "9"),
            ("FLAGSTAFF_BIND", "127.0.0.1:7001"),
        ]),
        flags: [("bind".to_string(), "127.0.0.1:7002".to_string())].into(),
        ..Sources::default()
    };
    let loaded = Config::load(&sources).unwrap();
    let c = &loaded.config;
    assert_eq!(
        c.bind.to_string(),
        "127.0.0.1:7002",
        "flags beat the environment"
    );
    assert_eq!(c.log_level, "warn", "the environment beats the file");
    assert_eq!(c.shutdown_timeout.as_secs(), 9);
    assert_eq!(c.database_pool_size, 3, "the file beats the defaults");
    let report = loaded.report();
    assert!(
        report.contains("bind = \"127.0.0.1:7002\"  # command line"),
        "{report}"
    );
    assert!(
        report.contains("log_level = \"warn\"  # LOG_LEVEL"),
        "{report}"
    );
    assert!(report.contains("database_pool_size = 3  # "), "{report}");
}

#[test]
fn the_system_file_is_read_only_when_it_exists() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_toml(&dir, "bind = \"127.0.0.1:7000\"\n");
    let sources = Sources {
        system_file: Some(file),
        ..Sources::default()
    };
    assert_eq!(
        Config::load(&sources).unwrap().config.bind.to_string(),
        "127.0.0.1:7000"
    );
    let absent = Sources {
        system_file: Some(dir.path().join("absent.toml")),
        ..Sources::default()
    };
    assert!(Config::load(&absent).is_ok());
}

#[test]
fn a_named_file_that_is_missing_is_a_problem() {
    let sources = Sources {
        explicit_file: Some("/nonexistent/flagstaff.toml".into()),
        ..Sources::default()
    };
    let problems = Config::load(&sources).unwrap_err();
    assert!(
        problems[0].contains("/nonexistent/flagstaff.toml"),
        "{problems:?}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_toml(&dir, "bnid = \"typo\"\n");
    let sources = Sources {
        explicit_file: Some(file),
        env: env(&[
            ("DATABASE_URL", "mysql://x"),
            ("FLAGSTAFF_DATABASE_POOL_SIZE", "lots"),
            ("FLAGSTAFF_LOG_FORMAT", "xml"),
            ("FLAGSTAFF_BIND", "nowhere"),
        ]),
        ..Sources::default()
    };
    let problems = Config::load(&sources).unwrap_err();
    let joined = problems.join("\n");
    for expected in ["bnid", "mysql", "database_pool_size", "log_format", "bind"] {
        assert!(
            joined.contains(expected),
            "missing {expected} in:\n{joined}"
        );
    }
    assert_eq!(problems.len(), 5, "{joined}");
}

#[test]
fn flagsmith_environment_names_are_understood() {
    let sources = Sources {
        env: env(&[
            ("DJANGO_DB_HOST", "db"),
            ("DJANGO_DB_NAME", "flagsmith"),
            ("DJANGO_DB_USER", "fs"),
            ("DJANGO_DB_PASSWORD", "pw"),
            ("DJANGO_SECRET_KEY", "not-so-secret-but-long-enough"),
            ("DJANGO_ALLOWED_HOSTS", "flags.example.com,.example.org"),
            ("ENABLE_GZIP_COMPRESSION", "True"),
            ("USE_X_FORWARDED_HOST", "true"),
            ("LOG_LEVEL", "CRITICAL"),
            ("LOG_FORMAT", "json"),
        ]),
        ..Sources::default()
    };
    let loaded = Config::load(&sources).unwrap();
    let c = &loaded.config;
    assert_eq!(
        c.database,
        DatabaseUrl::Postgres("postgres://fs:pw@db:5432/flagsmith".into())
    );
    assert_eq!(
        c.secret_key.as_deref(),
        Some("not-so-secret-but-long-enough")
    );
    assert_eq!(c.allowed_hosts, ["flags.example.com", ".example.org"]);
    assert!(c.enable_gzip_compression && c.use_x_forwarded_host);
    assert_eq!(c.log_level, "error");
    assert_eq!(c.log_format, LogFormat::Json);
    let report = loaded.report();
    assert!(
        !report.contains(":pw@") && !report.contains("not-so-secret"),
        "{report}"
    );
    assert!(
        report.contains("postgres://fs:***@db:5432/flagsmith"),
        "{report}"
    );
}

#[test]
fn a_secret_key_is_generated_once_and_kept_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let sources = Sources {
        env: env(&[(
            "FLAGSTAFF_DATA_DIR",
            dir.path().join("state").to_str().unwrap(),
        )]),
        ..Sources::default()
    };
    let config = Config::load(&sources).unwrap().config;
    let first = config.load_or_create_secret_key().unwrap();
    let second = config.load_or_create_secret_key().unwrap();
    assert_eq!(first, second);
    assert!(first.len() >= 64);
    let mode = std::fs::metadata(config.secret_key_file())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn the_packaged_config_file_parses_and_names_only_known_settings() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("packaging/flagstaff.toml");
    let sources = Sources {
        explicit_file: Some(path.clone()),
        ..Sources::default()
    };
    Config::load(&sources).unwrap_or_else(|p| panic!("{}: {p:?}", path.display()));
    let text = std::fs::read_to_string(&path).unwrap();
    for setting in settings::SETTINGS {
        assert!(
            text.contains(setting.key),
            "packaging/flagstaff.toml does not document {}",
            setting.key
        );
    }
}

#[test]
fn the_readme_lists_every_setting() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    assert!(
        readme.contains(&settings::markdown_table()),
        "README.md's configuration table is stale; replace it with:\n{}",
        settings::markdown_table()
    );
}

#[test]
fn the_public_url_gives_the_dashboard_its_sub_path() {
    let load = |value: &str| {
        Config::load(&Sources {
            env: env(&[("FLAGSTAFF_PUBLIC_URL", value)]),
            ..Sources::default()
        })
    };
    assert_eq!(
        Config::load(&Sources::default())
            .unwrap()
            .config
            .base_path(),
        "/"
    );
    for (url, path) in [
        ("https://flags.example.com", "/"),
        ("https://flags.example.com/", "/"),
        ("https://example.com/flags", "/flags/"),
        ("http://example.com:8080/tools/flags/", "/tools/flags/"),
    ] {
        assert_eq!(load(url).unwrap().config.base_path(), path, "{url}");
    }
    for wrong in ["/flags/", "example.com/flags", "https://", "https://x/?a=b"] {
        let problems = load(wrong).unwrap_err();
        assert!(
            problems.len() == 1
                && problems[0].starts_with("public_url (from FLAGSTAFF_PUBLIC_URL)"),
            "{wrong}: {problems:?}"
        );
    }
}

//! Build facts: the git commit, the build date (SOURCE_DATE_EPOCH when set) and the update signing key.

// A build script stops the build by panicking, with the reason.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rerun-if-env-changed=FLAGSTAFF_GIT_COMMIT");
    for path in [".git/HEAD", ".git/index"] {
        if std::path::Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    let commit = std::env::var("FLAGSTAFF_GIT_COMMIT")
        .ok()
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=FLAGSTAFF_GIT_COMMIT={commit}");
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    println!("cargo:rustc-env=FLAGSTAFF_BUILD_DATE={}", date(epoch));
    update_key();
}

/// The ed25519 public key `self-update` trusts, compiled in: the release key in release
/// builds, the test key (whose private half is committed for the tests) in debug builds, or
/// the file FLAGSTAFF_UPDATE_KEY_FILE names. Never chosen at run time.
fn update_key() {
    const RELEASE: &str = "packaging/update-key.pub";
    const TEST: &str = "tests/fixtures/update-test.pub";
    println!("cargo:rerun-if-env-changed=FLAGSTAFF_UPDATE_KEY_FILE");
    println!("cargo:rerun-if-changed={RELEASE}");
    println!("cargo:rerun-if-changed={TEST}");
    let debug = std::env::var("PROFILE").is_ok_and(|p| p == "debug");
    let (file, name) = match std::env::var("FLAGSTAFF_UPDATE_KEY_FILE") {
        Ok(file) if !file.is_empty() => (file.clone(), file),
        _ if debug => (
            TEST.to_string(),
            "the test key (a development build)".to_string(),
        ),
        _ => (RELEASE.to_string(), "the release key".to_string()),
    };
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("cannot read the update key {file}: {e}"));
    let hex = text.trim();
    assert!(
        hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
        "{file} must hold an ed25519 public key as 64 hex digits"
    );
    let bytes: Vec<String> = (0..32)
        .map(|i| format!("0x{}", &hex[2 * i..2 * i + 2]))
        .collect();
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("update_key.rs");
    std::fs::write(
        out,
        format!(
            "/// The ed25519 key update archives must be signed with.\npub const UPDATE_KEY: [u8; 32] = [{}];\n/// Which key that is, for `flagstaff version`.\npub const UPDATE_KEY_NAME: &str = {name:?};\n",
            bytes.join(", ")
        ),
    )
    .unwrap();
}

/// The short commit, with `-dirty` when the work tree has changes.
fn git_commit() -> Option<String> {
    let run = |args: &[&str]| {
        let out = Command::new("git").args(args).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let commit = run(&["rev-parse", "--short=12", "HEAD"])?;
    let dirty =
        run(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if dirty {
        format!("{commit}-dirty")
    } else {
        commit
    })
}

/// `YYYY-MM-DD` of a Unix time, in UTC (Howard Hinnant's civil-from-days).
fn date(epoch: u64) -> String {
    let days = (epoch / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

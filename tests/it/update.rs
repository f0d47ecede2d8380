//! `flagstaff self-update`: only an archive signed with the compiled-in key replaces the binary.
//
// `flagstaff self-update`: only an archive signed with the compiled-in key replaces the binary.
//
// The debug build trusts the test key (build.rs); its private half is
// tests/fixtures/update-test.key, so these tests sign archives the way a release is signed.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::Digest;
use zipsign_api::SigningKey;

fn test_key() -> SigningKey {
    let hex = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/update-test.key"),
    )
    .unwrap();
    let hex = hex.trim();
    let mut seed = [0u8; 32];
    for (i, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    SigningKey::from_bytes(&seed)
}

/// A folder holding a copy of this build's binary, as a user would install it.
struct Installed {
    dir: tempfile::TempDir,
}

impl Installed {
    fn new() -> Installed {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(
            env!("CARGO_BIN_EXE_flagstaff"),
            dir.path().join("flagstaff"),
        )
        .unwrap();
        Installed { dir }
    }

    fn binary(&self) -> PathBuf {
        self.dir.path().join("flagstaff")
    }

    fn bytes(&self) -> Vec<u8> {
        std::fs::read(self.binary()).unwrap()
    }

    fn self_update(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::new(self.binary())
            .arg("self-update")
            .args(args)
            .env("FLAGSTAFF_DATA_DIR", self.dir.path().join("data"))
            .env_remove("FLAGSTAFF_UPDATE_MANIFEST_URL")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    }
}

/// A stand-in for the next release: a script that answers `version` as flagstaff does. (A copy
/// of the debug binary would do as well, but hashing its hundreds of megabytes in a debug build
/// takes seconds per archive.)
fn new_binary() -> Vec<u8> {
    b"#!/bin/sh\necho 'flagstaff 99.0.0'\necho 'commit: test'\n".to_vec()
}

/// A .tar.gz at `dir/name` holding `binary` as `entry`, signed with `key` (or unsigned).
fn archive(
    dir: &Path,
    name: &str,
    entry: &str,
    binary: &[u8],
    key: Option<&SigningKey>,
) -> PathBuf {
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    let mut header = tar::Header::new_gnu();
    header.set_size(binary.len() as u64);
    header.set_mode(0o755);
    header.set_cksum();
    tar.append_data(&mut header, entry, binary).unwrap();
    let gz = tar.into_inner().unwrap().finish().unwrap();
    let path = dir.join(name);
    match key {
        None => std::fs::write(&path, gz).unwrap(),
        Some(key) => {
            let mut output = std::io::Cursor::new(Vec::new());
            zipsign_api::sign::copy_and_sign_tar(
                &mut std::io::Cursor::new(gz),
                &mut output,
                std::slice::from_ref(key),
                Some(name.as_bytes()),
            )
            .unwrap();
            std::fs::write(&path, output.into_inner()).unwrap();
        }
    }
    path
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn asset_name() -> String {
    format!("flagstaff-99.0.0-{}.tar.gz", self_update::get_target())
}

#[test]
fn a_signed_archive_replaces_the_binary_and_check_only_reports() {
    let installed = Installed::new();
    let before = installed.bytes();
    let new = new_binary();
    let work = tempfile::tempdir().unwrap();
    let signed = archive(
        work.path(),
        &asset_name(),
        "flagstaff",
        &new,
        Some(&test_key()),
    );

    let check = installed.self_update(&["--check", "--from-file", signed.to_str().unwrap()], &[]);
    assert!(check.status.success(), "{}", text(&check));
    assert!(
        text(&check).contains("is a good release archive"),
        "{}",
        text(&check)
    );
    assert_eq!(installed.bytes(), before, "--check replaced the binary");

    let update = installed.self_update(&["--from-file", signed.to_str().unwrap()], &[]);
    assert!(update.status.success(), "{}", text(&update));
    assert!(
        text(&update).contains("updated flagstaff"),
        "{}",
        text(&update)
    );
    assert_eq!(installed.bytes(), new, "the binary was not replaced");
    let version = Command::new(installed.binary())
        .arg("version")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&version.stdout).starts_with("flagstaff 99.0.0"),
        "the new binary does not run"
    );
}

#[test]
fn tampered_unsigned_wrongly_signed_or_renamed_archives_replace_nothing() {
    let installed = Installed::new();
    let before = installed.bytes();
    let new = new_binary();
    let work = tempfile::tempdir().unwrap();
    let name = asset_name();

    let signed = archive(work.path(), &name, "flagstaff", &new, Some(&test_key()));
    let mut bytes = std::fs::read(&signed).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    let tampered = work.path().join("tampered").join(&name);
    std::fs::create_dir(tampered.parent().unwrap()).unwrap();
    std::fs::write(&tampered, bytes).unwrap();

    let unsigned_dir = work.path().join("unsigned");
    std::fs::create_dir(&unsigned_dir).unwrap();
    let unsigned = archive(&unsigned_dir, &name, "flagstaff", &new, None);

    let other_dir = work.path().join("other");
    std::fs::create_dir(&other_dir).unwrap();
    let other_key = SigningKey::from_bytes(&[7u8; 32]);
    let other = archive(&other_dir, &name, "flagstaff", &new, Some(&other_key));

    let renamed = work.path().join("flagstaff-latest.tar.gz");
    std::fs::copy(&signed, &renamed).unwrap();

    for (what, path) in [
        ("tampered", &tampered),
        ("unsigned", &unsigned),
        ("signed with another key", &other),
        ("renamed", &renamed),
    ] {
        let out = installed.self_update(&["--from-file", path.to_str().unwrap()], &[]);
        assert!(!out.status.success(), "a {what} archive was accepted");
        assert!(
            text(&out).contains("does not carry a valid signature"),
            "{what}: {}",
            text(&out)
        );
        assert_eq!(
            installed.bytes(),
            before,
            "a {what} archive replaced the binary"
        );
    }

    let empty_dir = work.path().join("empty");
    std::fs::create_dir(&empty_dir).unwrap();
    let no_binary = archive(&empty_dir, &name, "README", b"hello", Some(&test_key()));
    let out = installed.self_update(&["--from-file", no_binary.to_str().unwrap()], &[]);
    assert!(
        text(&out).contains("holds no flagstaff binary"),
        "{}",
        text(&out)
    );
    assert_eq!(installed.bytes(), before);

    let broken_dir = work.path().join("broken");
    std::fs::create_dir(&broken_dir).unwrap();
    let broken = archive(
        &broken_dir,
        &name,
        "flagstaff",
        b"#!/bin/sh\nexit 3\n",
        Some(&test_key()),
    );
    let out = installed.self_update(&["--from-file", broken.to_str().unwrap()], &[]);
    assert!(
        text(&out).contains("does not run on this machine"),
        "{}",
        text(&out)
    );
    assert_eq!(installed.bytes(), before);
}

#[test]
fn without_a_manifest_url_self_update_says_what_to_set() {
    let installed = Installed::new();
    let out = installed.self_update(&[], &[]);
    assert!(!out.status.success());
    let said = text(&out);
    assert!(
        said.contains("update_manifest_url")
            && said.contains("FLAGSTAFF_UPDATE_MANIFEST_URL")
            && said.contains("--from-file"),
        "{said}"
    );
}

/// Serves the files of `dir` over HTTP on a loopback port until the test ends.
fn serve(dir: &Path) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let n = stream.read(&mut request).unwrap_or(0);
            let line = String::from_utf8_lossy(&request[..n]);
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let file = dir.join(path.trim_start_matches('/'));
            let reply = match std::fs::read(&file) {
                Ok(body) => {
                    let mut reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    reply.extend(body);
                    reply
                }
                Err(_) => {
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_vec()
                }
            };
            let _ = stream.write_all(&reply);
        }
    });
    format!("http://{address}/manifest.json")
}

fn manifest(dir: &Path, digest: Option<String>) {
    let mut asset = serde_json::json!({"name": asset_name(), "url": asset_name()});
    if let Some(digest) = digest {
        asset["digest"] = serde_json::Value::from(digest);
    }
    let manifest = serde_json::json!({
        "schema": 1,
        "releases": [
            {"version": "0.0.1", "assets": []},
            {"version": "99.0.0", "assets": [asset]},
        ]
    });
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
}

#[test]
fn a_release_from_the_manifest_is_checked_against_its_digest_and_signature() {
    let installed = Installed::new();
    let before = installed.bytes();
    let new = new_binary();
    let site = tempfile::tempdir().unwrap();
    let signed = archive(
        site.path(),
        &asset_name(),
        "flagstaff",
        &new,
        Some(&test_key()),
    );
    let digest = format!(
        "sha256:{:x}",
        sha2::Sha256::digest(std::fs::read(&signed).unwrap())
    );
    let url = serve(site.path());
    let env = [("FLAGSTAFF_UPDATE_MANIFEST_URL", url.as_str())];

    manifest(site.path(), None);
    let out = installed.self_update(&[], &env);
    assert!(text(&out).contains("no sha256 digest"), "{}", text(&out));
    assert_eq!(installed.bytes(), before);

    manifest(site.path(), Some(format!("sha256:{}", "0".repeat(64))));
    let out = installed.self_update(&[], &env);
    assert!(!out.status.success(), "a wrong digest was accepted");
    assert!(
        text(&out).contains("nothing was replaced"),
        "{}",
        text(&out)
    );
    assert_eq!(
        installed.bytes(),
        before,
        "a wrong digest replaced the binary"
    );

    manifest(site.path(), Some(digest));
    let check = installed.self_update(&["--check"], &env);
    assert!(
        text(&check).contains("flagstaff 99.0.0 is available"),
        "{}",
        text(&check)
    );
    assert_eq!(installed.bytes(), before);
    let update = installed.self_update(&[], &env);
    assert!(update.status.success(), "{}", text(&update));
    assert!(text(&update).contains("to 99.0.0"), "{}", text(&update));
    assert_eq!(installed.bytes(), new);
}

#[test]
fn a_folder_this_user_cannot_write_is_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let installed = Installed::new();
    let before = installed.bytes();
    let work = tempfile::tempdir().unwrap();
    let signed = archive(
        work.path(),
        &asset_name(),
        "flagstaff",
        &new_binary(),
        Some(&test_key()),
    );
    for path in [installed.dir.path(), work.path()] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(&signed, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut command = Command::new(installed.binary());
    command
        .args(["self-update", "--from-file", signed.to_str().unwrap()])
        .env("FLAGSTAFF_DATA_DIR", "/nonexistent/flagstaff");
    if rustix::process::geteuid().is_root() {
        // Root writes anywhere: run as nobody, for whom the folder is read-only.
        command.uid(65534).gid(65534);
    } else {
        std::fs::set_permissions(installed.dir.path(), std::fs::Permissions::from_mode(0o555))
            .unwrap();
    }
    let out = command.output().unwrap();
    std::fs::set_permissions(installed.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out).contains("is not writable by this user"),
        "{}",
        text(&out)
    );
    assert_eq!(installed.bytes(), before);
}

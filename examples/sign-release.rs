//! Signs a release archive for `flagstaff self-update`: `cargo run --example sign-release -- KEY ARCHIVE`.
//!
//! KEY holds the ed25519 private key (32 bytes as 64 hex digits); the signature is embedded in
//! the .tar.gz (zipsign's format) and covers the archive's file name, as self-update checks it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [key, archive] = args.as_slice() else {
        eprintln!("usage: sign-release KEY_FILE ARCHIVE.tar.gz");
        return ExitCode::from(2);
    };
    match sign(Path::new(key), Path::new(archive)) {
        Ok(()) => {
            println!("signed {archive}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sign-release: {e}");
            ExitCode::FAILURE
        }
    }
}

fn sign(key: &Path, archive: &Path) -> Result<(), String> {
    let hex = std::fs::read_to_string(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let hex = hex.trim();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("{} must hold 64 hex digits", key.display()));
    }
    let mut seed = [0u8; 32];
    for (i, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
    }
    let signing_key = zipsign_api::SigningKey::from_bytes(&seed);
    let name = archive
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or("the archive's name is not UTF-8")?;
    let unsigned = std::fs::read(archive).map_err(|e| format!("{}: {e}", archive.display()))?;
    let mut signed = std::io::Cursor::new(Vec::new());
    zipsign_api::sign::copy_and_sign_tar(
        &mut std::io::Cursor::new(unsigned),
        &mut signed,
        &[signing_key],
        Some(name.as_bytes()),
    )
    .map_err(|e| e.to_string())?;
    let partial = PathBuf::from(format!("{}.partial", archive.display()));
    std::fs::write(&partial, signed.into_inner()).map_err(|e| e.to_string())?;
    std::fs::rename(&partial, archive).map_err(|e| e.to_string())
}

//! `flagstaff self-update`: a signed release from the update manifest or from a file.
//
// `flagstaff self-update`: a signed release from the update manifest, or from a file on air-gapped sites.
//
// Nothing is replaced until the archive's ed25519 signature (zipsign) verifies against the key
// compiled into this binary, its SHA-256 matches the manifest (when it came from one) and the
// binary inside runs. The swap is one rename (self-replace). A binary that a package manager
// owns, or one in a folder this user cannot write, is left alone with a message that says why.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde::Deserialize;

include!(concat!(env!("OUT_DIR"), "/update_key.rs"));

/// What `self-update` was asked to do.
#[derive(Debug, Clone)]
pub struct Request {
    /// A release archive on disk instead of the manifest.
    pub from_file: Option<PathBuf>,
    /// Report only; replace nothing.
    pub check: bool,
    /// The `update_manifest_url` setting.
    pub manifest_url: Option<String>,
}

/// Runs `self-update` on the running binary; answers the line to print.
pub fn run(request: &Request) -> anyhow::Result<String> {
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .context("cannot tell where this binary is")?;
    refuse_if_packaged(&exe)?;
    let current = env!("CARGO_PKG_VERSION");
    match &request.from_file {
        Some(archive) => {
            let work = working_folder(&exe, request.check)?;
            let new = unpack(archive, work.path())?;
            let version = version_of(&new)?;
            if request.check {
                return Ok(format!(
                    "{} is a good release archive of flagstaff {version} (this is {current}); run without --check to install it",
                    archive.display()
                ));
            }
            self_replace::self_replace(&new)
                .with_context(|| format!("replacing {} failed", exe.display()))?;
            Ok(updated(current, &version, &exe))
        }
        None => {
            let Some(url) = request.manifest_url.as_deref() else {
                bail!(
                    "self-update needs the address of the release manifest: set update_manifest_url (FLAGSTAFF_UPDATE_MANIFEST_URL). \
                     Without a network, copy a release archive here and run `flagstaff self-update --from-file ARCHIVE`"
                );
            };
            from_manifest(url, &exe, current, request.check)
        }
    }
}

fn updated(from: &str, to: &str, exe: &Path) -> String {
    format!(
        "updated flagstaff {from} to {to} at {}; restart the server to run it (systemctl restart flagstaff)",
        exe.display()
    )
}

/// A temporary folder beside the binary (so the final rename stays on one file system); it
/// proves the folder writable before anything is downloaded. `--check` works anywhere.
fn working_folder(exe: &Path, check: bool) -> anyhow::Result<tempfile::TempDir> {
    let dir = exe.parent().unwrap_or(Path::new("/"));
    if check {
        return tempfile::tempdir().context("cannot make a temporary folder");
    }
    tempfile::Builder::new()
        .prefix(".flagstaff-update-")
        .tempdir_in(dir)
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot replace {}: its folder {} is not writable by this user ({e}); run self-update as the user who installed it",
                exe.display(),
                dir.display()
            )
        })
}

/// Verifies the signature, then takes `flagstaff` out of the archive into `into`.
fn unpack(archive: &Path, into: &Path) -> anyhow::Result<PathBuf> {
    if !archive.is_file() {
        bail!("there is no release archive at {}", archive.display());
    }
    self_update::verify_signature(archive, &[UPDATE_KEY]).map_err(|e| {
        anyhow::anyhow!(
            "{} does not carry a valid signature by {UPDATE_KEY_NAME} ({e}): it was altered, is unsigned, was signed with another key, or was renamed (the signature covers the file name). Nothing was replaced",
            archive.display()
        )
    })?;
    self_update::Extract::from_source(archive)
        .archive(self_update::ArchiveKind::Tar(Some(
            self_update::Compression::Gz,
        )))
        .extract_file(into, "flagstaff")
        .map_err(|e| {
            anyhow::anyhow!(
                "{} holds no flagstaff binary at its top ({e})",
                archive.display()
            )
        })?;
    Ok(into.join("flagstaff"))
}

/// The version the new binary reports; refuses one that does not run here.
fn version_of(binary: &Path) -> anyhow::Result<String> {
    let output = Command::new(binary).arg("version").output();
    let line = output.ok().filter(|o| o.status.success()).and_then(|o| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .map(str::to_string)
    });
    match line.as_deref().and_then(|l| l.strip_prefix("flagstaff ")) {
        Some(version) => Ok(version.trim().to_string()),
        None => {
            bail!("the flagstaff in the archive does not run on this machine; nothing was replaced")
        }
    }
}

/// The parts of the manifest read before the update, to require a digest and to report.
#[derive(Debug, Deserialize)]
struct Manifest {
    releases: Vec<Release>,
}

#[derive(Debug, Deserialize)]
struct Release {
    version: String,
    assets: Vec<Asset>,
}

#[derive(Debug, Deserialize)]
struct Asset {
    name: String,
    digest: Option<String>,
}

fn from_manifest(url: &str, exe: &Path, current: &str, check: bool) -> anyhow::Result<String> {
    let text = ureq::get(url)
        .call()
        .and_then(|mut r| r.body_mut().read_to_string())
        .with_context(|| format!("cannot read the release manifest at {url}"))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("the release manifest at {url} is not valid"))?;
    let ours = semver::Version::parse(current)?;
    let target = self_update::get_target();
    let newest = manifest
        .releases
        .iter()
        .filter_map(|r| Some((semver::Version::parse(&r.version).ok()?, r)))
        .filter(|(v, _)| *v > ours)
        .max_by(|a, b| a.0.cmp(&b.0));
    let Some((version, release)) = newest else {
        return Ok(format!("flagstaff {current} is up to date ({url})"));
    };
    let Some(asset) = release
        .assets
        .iter()
        .find(|a| a.name.contains(target) && a.name.ends_with(".tar.gz"))
    else {
        bail!("flagstaff {version} has no archive for {target} in the release manifest");
    };
    if !asset
        .digest
        .as_deref()
        .is_some_and(|d| d.starts_with("sha256:"))
    {
        bail!(
            "the release manifest gives no sha256 digest for {}; refusing to install it",
            asset.name
        );
    }
    if check {
        return Ok(format!(
            "flagstaff {version} is available (this is {current}); run `flagstaff self-update` to install it"
        ));
    }
    // Fails early, before the download, when the folder is not writable.
    drop(working_folder(exe, false)?);
    let status = self_update::backends::manifest::Update::configure()
        .manifest_url(url)
        .bin_name("flagstaff")
        .current_version(current)
        .target(target)
        .bin_install_path(exe)
        .verifying_keys([UPDATE_KEY])
        .verify_release_digest(true)
        .verify_binary(|new: &Path| {
            version_of(new)
                .map(|_| ())
                .map_err(|e| self_update::errors::Error::verification_rejected(e.to_string()))
        })
        .no_confirm(true)
        .show_output(false)
        .show_download_progress(false)
        .build()
        .and_then(|u| u.update())
        .map_err(|e| anyhow::anyhow!("the update failed, nothing was replaced: {e}"))?;
    Ok(updated(current, status.version(), exe))
}

/// Refuses a binary that dpkg or rpm installed: the package manager owns it.
fn refuse_if_packaged(exe: &Path) -> anyhow::Result<()> {
    if let Some(package) = dpkg_owner(exe) {
        bail!(
            "{} belongs to the Debian package {package}: update it with the package manager (apt-get install --only-upgrade {package}, or dpkg -i the new .deb)",
            exe.display()
        );
    }
    let rpm = Command::new("rpm")
        .args(["-qf", "--queryformat", "%{NAME}"])
        .arg(exe)
        .output();
    if let Ok(out) = rpm
        && out.status.success()
    {
        let package = String::from_utf8_lossy(&out.stdout).trim().to_string();
        bail!(
            "{} belongs to the RPM package {package}: update it with the package manager (dnf upgrade {package}, or rpm -U the new .rpm)",
            exe.display()
        );
    }
    Ok(())
}

/// The dpkg package listing `exe` among its files, if any (asked of dpkg-query; dpkg records
/// /bin paths for /usr/bin files on merged-/usr systems, so both spellings are asked).
fn dpkg_owner(exe: &Path) -> Option<String> {
    let wanted = exe.to_str()?;
    let alias = wanted
        .strip_prefix("/usr")
        .map(str::to_string)
        .unwrap_or_else(|| format!("/usr{wanted}"));
    [wanted, alias.as_str()].into_iter().find_map(|path| {
        let out = Command::new("dpkg-query")
            .args(["-S", path])
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        // "flagstaff: /usr/bin/flagstaff", or "name:arch: /path" for a multi-arch package.
        let text = String::from_utf8_lossy(&out.stdout);
        let package = text.lines().next()?.split(": ").next()?;
        Some(package.split(':').next().unwrap_or(package).to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpkg_names_the_package_that_owns_a_file() {
        if !Path::new("/usr/bin/dpkg-query").exists() {
            return; // not a Debian system: nothing owns anything
        }
        assert_eq!(
            dpkg_owner(Path::new("/usr/bin/dpkg")).as_deref(),
            Some("dpkg")
        );
        let stray = tempfile::NamedTempFile::new().unwrap();
        assert_eq!(dpkg_owner(stray.path()), None);
    }
}

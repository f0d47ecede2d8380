#!/usr/bin/env bash
# Builds what a release ships into target/dist/: the static Linux x86_64 binary (musl with
# mimalloc when the musl target and musl-gcc are installed, else glibc +crt-static), its man
# page and shell completions, and the .deb and .rpm that install them as a service.
# CI and a maintainer run this same command. PACKAGE_REVISION (default 1) is the packages'
# revision; cargo-deb and cargo-generate-rpm are installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# A reproducible build date: the commit's, unless the caller set one.
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
export SOURCE_DATE_EPOCH

# The packaging tools first (installed with the caller's RUSTFLAGS: +crt-static below is for
# our binary only and would break their proc macros).
for tool in cargo-deb cargo-generate-rpm; do
  if ! command -v "$tool" >/dev/null; then
    echo "installing $tool"
    cargo install --locked --quiet "$tool"
  fi
done

static_flags=
if rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl &&
  command -v musl-gcc >/dev/null; then
  target=x86_64-unknown-linux-musl
else
  target=x86_64-unknown-linux-gnu
  # An explicit --target keeps +crt-static away from build scripts and proc macros.
  static_flags="-C target-feature=+crt-static"
fi

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
echo "building flagstaff $version for $target (profile dist)"
RUSTFLAGS="${RUSTFLAGS:-} $static_flags" cargo build --locked --profile dist --target "$target"

dist=target/dist
mkdir -p "$dist"
binary="$dist/flagstaff"
cp "target/$target/dist/flagstaff" "$binary"

# A static binary or nothing: a dynamic one would not run on every distribution.
description=$(file -b "$binary")
case "$description" in
*"static-pie linked"* | *"statically linked"*) ;;
*)
  echo "not a static binary: $description" >&2
  exit 1
  ;;
esac
# glibc's ldd says "statically linked" for a static-pie, "not a dynamic executable" otherwise.
libraries=$(ldd "$binary" 2>&1 || true)
case "$libraries" in
*"statically linked"* | *"not a dynamic executable"*) ;;
*)
  echo "ldd sees shared libraries: $libraries" >&2
  exit 1
  ;;
esac
echo "$binary: $(stat -c %s "$binary") bytes; $description"
"$binary" version

# The man page and completions, from the binary's own command line.
"$binary" man | gzip -9n >"$dist/flagstaff.1.gz"
mkdir -p "$dist/completions"
"$binary" completions bash >"$dist/completions/flagstaff.bash"
"$binary" completions zsh >"$dist/completions/_flagstaff"
"$binary" completions fish >"$dist/completions/flagstaff.fish"

revision="${PACKAGE_REVISION:-1}"
rm -f "$dist"/*.deb "$dist"/*.rpm
cargo deb --no-build --no-strip --deb-revision "$revision" --output "$dist/"
cargo generate-rpm --set-metadata "release = \"$revision\"" --output "$dist/"
ls -l "$dist"/*.deb "$dist"/*.rpm

# The archive `flagstaff self-update` installs, and a manifest entry for it. Signed (zipsign,
# ed25519) when FLAGSTAFF_SIGNING_KEY names the release key's private half; self-update
# refuses an unsigned archive. The signature covers the file name: publish it unrenamed.
archive="flagstaff-$version-$target.tar.gz"
rm -f "$dist/$archive"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@${SOURCE_DATE_EPOCH:-0}" \
  -C "$dist" -cf - flagstaff | gzip -9n >"$dist/$archive"
if [ -n "${FLAGSTAFF_SIGNING_KEY:-}" ]; then
  cargo run --quiet --locked --example sign-release -- "$FLAGSTAFF_SIGNING_KEY" "$dist/$archive"
else
  echo "FLAGSTAFF_SIGNING_KEY is not set: $archive is unsigned (self-update will refuse it)"
fi
digest=$(sha256sum "$dist/$archive" | cut -d' ' -f1)
cat >"$dist/manifest.json" <<MANIFEST
{
  "schema": 1,
  "releases": [
    {
      "version": "$version",
      "assets": [{"name": "$archive", "url": "$archive", "digest": "sha256:$digest"}]
    }
  ]
}
MANIFEST
ls -l "$dist/$archive" "$dist/manifest.json"

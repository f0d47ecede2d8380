#!/usr/bin/env bash
# Checks what packaging/build.sh made: the unit passes systemd-analyze (no warning, exposure
# at most 2.0), lintian and rpmlint find no error in the packages, and the static binary's
# size is reported against its budget and it serves on SQLite and on PostgreSQL reached by a
# host name. Usage: packaging/check.sh [POSTGRES_URL]
set -euo pipefail
cd "$(dirname "$0")/.."

binary=target/dist/flagstaff
postgres="${1:-${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}}"
budget=$((15 * 1024 * 1024))
work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== the unit"
# verify looks for the ExecStart binary; the man page is checked where the package installs it.
sed "s|^ExecStart=/usr/bin/flagstaff|ExecStart=$PWD/$binary|" systemd/flagstaff.service >"$work/flagstaff.service"
systemd-analyze verify --man=no "$work/flagstaff.service" 2>"$work/verify.txt" || {
  cat "$work/verify.txt" >&2
  exit 1
}
if [ -s "$work/verify.txt" ]; then
  echo "systemd-analyze verify warns:" >&2
  cat "$work/verify.txt" >&2
  exit 1
fi
systemd-analyze security --offline=yes --threshold=20 "$work/flagstaff.service" | tail -n 1

echo "== the packages"
for tool in lintian:lintian rpmlint:rpmlint; do
  if ! command -v "${tool%%:*}" >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${tool#*:}" >/dev/null
  fi
done
# Errors fail; warnings are printed (the release note gives the reason for each).
lintian --fail-on error target/dist/*.deb
rpmlint -r packaging/rpm/flagstaff.rpmlintrc target/dist/*.rpm

echo "== the binary"
size=$(stat -c %s "$binary")
echo "$binary: $size bytes (budget $budget)"
if [ "$size" -gt "$budget" ]; then
  echo "WARNING: over the size budget of 15 MiB; see bench/README.md for what takes the space" >&2
fi

# Serves until /health/readiness/ and the dashboard answer; $1 names the database.
serve() {
  local name=$1 port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  env -i PATH="$PATH" FLAGSTAFF_BIND="127.0.0.1:$port" FLAGSTAFF_DATA_DIR="$work/data-$name" \
    ${DATABASE_URL:+DATABASE_URL="$DATABASE_URL"} "$PWD/$binary" serve >"$work/$name.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/health/readiness/" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$port/health/readiness/" >/dev/null || {
    cat "$work/$name.log" >&2
    exit 1
  }
  curl -fsS "http://127.0.0.1:$port/" | grep -q '<div id="app"' || {
    echo "$name: the dashboard did not answer" >&2
    exit 1
  }
  kill "$server"
  wait "$server" || true
  server=
  echo "$name: serves the API and the dashboard"
}

DATABASE_URL= serve sqlite
database="flagstaff_dist_check_$$"
psql "$postgres" -qc "CREATE DATABASE $database" >/dev/null
# A host name, not an address: the static binary resolves it without NSS modules.
url=$(printf '%s' "$postgres" | sed -E "s#@(127\.0\.0\.1|\[::1\])#@localhost#; s#/[^/?]*(\?|$)#/$database\1#")
DATABASE_URL="$url" serve postgres
psql "$postgres" -qc "DROP DATABASE $database WITH (FORCE)" >/dev/null

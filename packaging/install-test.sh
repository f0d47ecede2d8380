#!/usr/bin/env bash
# Installs the .deb from target/dist/ into a booted Debian under systemd-nspawn and checks the
# service as an administrator meets it: running as its own user, answering, keeping a flag
# over a restart and over an upgrade to the second package (with an edited config file kept),
# and gone after a purge. Usage: packaging/install-test.sh FIRST.deb SECOND.deb
set -euo pipefail
cd "$(dirname "$0")/.."

first=$1
second=$2
# One debootstrap per machine, rebuilt when absent; each run boots a throwaway copy (-x).
tree=/var/cache/flagstaff-ci/bookworm
started=$(date +%s)
step() { printf '[%3ss] %s\n' "$(($(date +%s) - started))" "$*"; }

for tool in debootstrap:debootstrap systemd-nspawn:systemd-container curl:curl; do
  if ! command -v "${tool%%:*}" >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${tool#*:}" >/dev/null
  fi
done

if ! [ -x "$tree/usr/bin/systemctl" ]; then
  step "debootstrap a minimal bookworm into $tree"
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
  mirror=${mirror:-http://deb.debian.org/debian}
  rm -rf "$tree.new"
  mkdir -p "$(dirname "$tree")"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,curl,ca-certificates,procps \
    bookworm "$tree.new" "$mirror" >/dev/null
  rm -rf "$tree"
  mv "$tree.new" "$tree"
fi

packages=$(mktemp -d)
log=$(mktemp)
cp "$first" "$packages/first.deb"
cp "$second" "$packages/second.deb"
nspawn=
cleanup() {
  if [ -n "$nspawn" ] && kill -0 "$nspawn" 2>/dev/null; then
    [ -n "${pid1:-}" ] && nsenter -t "$pid1" -a systemctl poweroff >/dev/null 2>&1 || kill "$nspawn"
    for _ in $(seq 1 100); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$packages" "$log"
}
trap cleanup EXIT

step "boot the container"
SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 setsid systemd-nspawn -q -x -D "$tree" -b --register=no \
  --keep-unit -M flagstaff-install-test --private-network --bind-ro="$packages:/packages" \
  </dev/null >"$log" 2>&1 &
nspawn=$!
pid1=
for _ in $(seq 1 300); do
  pid1=$(pgrep -P "$nspawn" | head -n 1 || true)
  if [ -n "$pid1" ] && nsenter -t "$pid1" -a systemctl is-system-running 2>/dev/null | grep -qE 'running|degraded'; then
    break
  fi
  sleep 0.1
done
[ -n "$pid1" ] || { cat "$log" >&2; exit 1; }
inside() { nsenter -t "$pid1" -a "$@"; }
fail() {
  echo "FAILED: $*" >&2
  inside systemctl status flagstaff --no-pager >&2 || true
  inside journalctl -u flagstaff --no-pager -n 50 >&2 || true
  exit 1
}
api() { # METHOD PATH [BODY]: the JSON answer; fails on an HTTP error
  inside curl -fsS -X "$1" "http://127.0.0.1:8000$2" -H 'Content-Type: application/json' \
    ${token:+-H "Authorization: Token $token"} ${3:+-d "$3"}
}
wait_ready() {
  for _ in $(seq 1 100); do
    inside curl -fsS http://127.0.0.1:8000/health/readiness/ >/dev/null 2>&1 && return
    sleep 0.2
  done
  fail "/health/readiness/ does not answer"
}
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

step "dpkg -i the first package"
inside env DEBIAN_FRONTEND=noninteractive dpkg -i /packages/first.deb >/dev/null
[ "$(inside systemctl is-active flagstaff)" = active ] || fail "the service is not active after install"
[ "$(inside systemctl is-enabled flagstaff)" = enabled ] || fail "the service is not enabled"
wait_ready
pid=$(inside systemctl show -p MainPID --value flagstaff)
user=$(inside ps -o user= -p "$pid" | tr -d ' ')
[ "$user" = flagstaff ] || fail "the service runs as $user, not flagstaff"
inside curl -fsS http://127.0.0.1:8000/ | grep -q '<div id="app"' || fail "the dashboard does not answer"
inside test -f /var/lib/flagstaff/flagstaff.db || fail "no database in /var/lib/flagstaff"
inside journalctl -u flagstaff --no-pager | grep -q 'flagstaff is serving' || fail "no startup line in the journal"
step "active as user flagstaff, ready, dashboard served, state in /var/lib/flagstaff, journal has the startup"

refusal=$(inside flagstaff self-update --check 2>&1) && fail "self-update ran on a packaged binary"
grep -q "belongs to the Debian package flagstaff" <<<"$refusal" || fail "self-update refused without naming dpkg: $refusal"
step "self-update refuses: the binary belongs to the package"

token=
token=$(api POST /api/v1/auth/users/ '{"email":"admin@example.com","password":"correct horse battery","superuser":true}' | json '["key"]')
org=$(api POST /api/v1/organisations/ '{"name":"Acme"}' | json '["id"]')
project=$(api POST /api/v1/projects/ "{\"name\":\"Shop\",\"organisation\":$org}" | json '["id"]')
api POST /api/v1/environments/ "{\"name\":\"Production\",\"project\":$project}" >/dev/null
feature=$(api POST "/api/v1/projects/$project/features/" '{"name":"checkout","initial_value":"blue"}' | json '["id"]')
kept() { [ "$(api GET "/api/v1/projects/$project/features/$feature/" | json '["name"]')" = checkout ] || fail "the flag is gone: $*"; }

inside systemctl restart flagstaff
wait_ready
kept "after a restart"
step "a flag made through the API survives systemctl restart"

echo '# edited by the administrator' | inside tee -a /etc/flagstaff/flagstaff.toml >/dev/null
inside env DEBIAN_FRONTEND=noninteractive dpkg -i --force-confold /packages/second.deb >/dev/null
expected=$(dpkg-deb -f "$second" Version)
[ "$(inside dpkg-query -W -f='${Version}' flagstaff)" = "$expected" ] || fail "the upgrade did not install $expected"
[ "$(inside systemctl is-active flagstaff)" = active ] || fail "the service is not active after the upgrade"
wait_ready
kept "after the upgrade"
inside grep -q 'edited by the administrator' /etc/flagstaff/flagstaff.toml || fail "the upgrade replaced the edited config"
step "the upgrade keeps the data and the edited config file"

inside env DEBIAN_FRONTEND=noninteractive dpkg --remove flagstaff >/dev/null
inside test -f /var/lib/flagstaff/flagstaff.db || fail "remove deleted the data"
inside env DEBIAN_FRONTEND=noninteractive dpkg --purge flagstaff >/dev/null
inside test ! -e /etc/flagstaff || fail "purge left /etc/flagstaff"
inside test ! -e /var/lib/flagstaff || fail "purge left /var/lib/flagstaff"
if inside systemctl cat flagstaff >/dev/null 2>&1; then fail "purge left the unit"; fi
step "remove keeps the data; purge removes the config, the state and the unit"

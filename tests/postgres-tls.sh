#!/usr/bin/env bash
# PostgreSQL over TLS: a PostgreSQL of its own (initdb in a temporary folder, TLS only) with a
# certificate from a CA made here, and Flagstaff connecting to it with each sslmode.
#   tests/postgres-tls.sh [BINARY]       (default target/debug/flagstaff; run as root or postgres)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-$PWD/target/debug/flagstaff}
[ -x "$binary" ] || { echo "no Flagstaff binary at $binary (run cargo build first)" >&2; exit 1; }
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "no initdb under /usr/lib/postgresql: install postgresql" >&2; exit 1; }

work=$(mktemp -d)
chmod 755 "$work"
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  as_postgres "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

pki="$work/pki"
mkdir -p "$pki"
cd "$pki"
quiet() { "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@"; exit 1; }; }
# A CA, and a server certificate it signs for the name localhost only (not 127.0.0.1).
quiet openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=Flagstaff test CA" -keyout ca.key -out ca.crt
quiet openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/CN=localhost" -keyout server.key -out server.csr
printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
quiet openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
  -extfile server.ext -out server.crt
# A client certificate for the role tlsuser.
quiet openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/CN=tlsuser" -keyout client.key -out client.csr
printf 'extendedKeyUsage=clientAuth\n' > client.ext
quiet openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
  -extfile client.ext -out client.crt
# Another CA, which signed nothing of this server's.
quiet openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=Some other CA" -keyout other-ca.key -out other-ca.crt
# A self-signed server certificate, for the second half.
quiet openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" -addext "basicConstraints=critical,CA:FALSE" \
  -keyout self.key -out self.crt
chmod 644 ./*.crt client.key
if [ "$(id -u)" = 0 ]; then chown postgres server.key self.key; fi
chmod 600 server.key self.key
cd - >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir "$work/data"
if [ "$(id -u)" = 0 ]; then chown postgres "$work/data" "$work"; fi
as_postgres "$bin/initdb" -D "$work/data" -A trust -U postgres >/dev/null
cat >> "$work/data/postgresql.conf" <<EOF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
ssl = on
ssl_cert_file = '$pki/server.crt'
ssl_key_file = '$pki/server.key'
ssl_ca_file = '$pki/ca.crt'
EOF
# TLS or nothing: a plain connection is turned away, so a success below was encrypted.
cat > "$work/data/pg_hba.conf" <<EOF
local all all trust
hostssl all tlsuser 127.0.0.1/32 cert
hostssl all postgres 127.0.0.1/32 trust
hostnossl all all 127.0.0.1/32 reject
EOF
as_postgres "$bin/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start >/dev/null
as_postgres "$bin/psql" -h "$work" -p "$port" -U postgres -qc "CREATE ROLE tlsuser LOGIN CREATEDB"

failures=0
# case NAME EXPECT(ok|fail) TEXT URL [VAR=VALUE ...]: runs `flagstaff migrate` against URL.
case_() {
  local name=$1 expect=$2 text=$3 url=$4
  shift 4
  local out status=0
  out=$(env FLAGSTAFF_DATA_DIR="$work/flagstaff" FLAGSTAFF_DATABASE_CONNECT_TIMEOUT=10 "$@" \
    "$binary" migrate --database-url "$url" 2>&1) || status=$?
  if { [ "$expect" = ok ] && [ $status -eq 0 ]; } ||
     { [ "$expect" = fail ] && [ $status -ne 0 ] && grep -qF -- "$text" <<<"$out"; }; then
    echo "ok    $name"
  else
    echo "FAIL  $name (exit $status, expected $expect${text:+ saying \"$text\"}):" >&2
    sed 's/^/      /' <<<"$out" >&2
    failures=$((failures + 1))
  fi
}

db=flagstaff
at_localhost="postgres://postgres@localhost:$port/$db"
at_ip="postgres://postgres@127.0.0.1:$port/$db"
case_ "verify-full with the CA connects (and migrates)" ok "" \
  "$at_localhost?sslmode=verify-full&sslrootcert=$pki/ca.crt"
case_ "verify-full refuses a host name the certificate lacks" fail "not made out to the host name \"127.0.0.1\"" \
  "$at_ip?sslmode=verify-full&sslrootcert=$pki/ca.crt"
case_ "verify-full refuses a CA it was not given" fail "not signed by a certificate authority this server trusts" \
  "$at_localhost?sslmode=verify-full&sslrootcert=$pki/other-ca.crt"
case_ "verify-full trusts only the system's CAs by default" fail "not signed by a certificate authority" \
  "$at_localhost?sslmode=verify-full"
case_ "verify-full with the CA from the database_ca_file setting" ok "" \
  "$at_localhost?sslmode=verify-full" FLAGSTAFF_DATABASE_CA_FILE="$pki/ca.crt"
case_ "verify-ca checks the CA, not the name" ok "" \
  "$at_ip?sslmode=verify-ca&sslrootcert=$pki/ca.crt"
case_ "verify-ca still refuses an unknown CA" fail "not signed by a certificate authority" \
  "$at_ip?sslmode=verify-ca&sslrootcert=$pki/other-ca.crt"
case_ "require encrypts without checking" ok "" "$at_ip?sslmode=require"
case_ "prefer (the default) takes TLS when offered" ok "" "$at_ip"
case_ "disable is turned away by a TLS-only server" fail "refused the connection" "$at_ip?sslmode=disable"
case_ "a missing CA file is named" fail "$pki/nope.crt" \
  "$at_localhost?sslmode=verify-full&sslrootcert=$pki/nope.crt"
case_ "a client certificate logs in as its role" ok "" \
  "postgres://tlsuser@localhost:$port/tlsdb?sslmode=verify-full&sslrootcert=$pki/ca.crt&sslcert=$pki/client.crt&sslkey=$pki/client.key"
case_ "without the client certificate that role is refused" fail "refused the connection" \
  "postgres://tlsuser@localhost:$port/tlsdb?sslmode=verify-full&sslrootcert=$pki/ca.crt"

# The server serves over TLS too: ready once migrated and the snapshots are loaded.
. tests/serve.sh
start_flagstaff "$binary" "$work/serve" "$at_localhost?sslmode=verify-full&sslrootcert=$pki/ca.crt"
curl -sf "$base/health/readiness/" >/dev/null && echo "ok    serve answers over verify-full"
stop_flagstaff

# The second half: the server's certificate is self-signed.
sed -i "s|^ssl_cert_file = .*|ssl_cert_file = '$pki/self.crt'|; s|^ssl_key_file = .*|ssl_key_file = '$pki/self.key'|" \
  "$work/data/postgresql.conf"
as_postgres "$bin/pg_ctl" -D "$work/data" -w reload >/dev/null
sleep 1
case_ "require works with a self-signed server certificate" ok "" "$at_ip?sslmode=require"
case_ "verify-full refuses the self-signed certificate" fail "the certificate of PostgreSQL at localhost:$port was refused" \
  "$at_localhost?sslmode=verify-full&sslrootcert=$pki/ca.crt"
case_ "verify-full accepts it when it is its own CA" ok "" \
  "$at_localhost?sslmode=verify-full&sslrootcert=$pki/self.crt"

if [ $failures -ne 0 ]; then
  echo "$failures TLS case(s) failed" >&2
  exit 1
fi
echo "all PostgreSQL TLS cases passed"

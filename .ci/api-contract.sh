#!/usr/bin/env bash
# The API contract, checked with tools we did not write: the committed OpenAPI document
# must be valid OpenAPI 3, and schemathesis, fuzzing a live server from that document on
# each backend, must find no 5xx, no response that breaks the schema, and no request the
# document calls valid refused with a 400 (but for the exceptions in
# tests/contract/schemathesis.toml, each with its reason). Generated text holds no NUL: the
# server refuses one everywhere (PostgreSQL cannot store it), which tests/it/api/bad_input.rs
# checks.
# Needs a built target/debug/flagstaff (cargo test builds it) and TEST_DATABASE_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check \
  'openapi-spec-validator==0.9.0' 'schemathesis==4.32.5'

"$work/venv/bin/openapi-spec-validator" openapi/openapi.json

. tests/serve.sh

fuzz() {
  local label=$1 database_url=$2
  start_flagstaff target/debug/flagstaff "$work/$label" "$database_url" \
    FLAGSTAFF_LOGIN_THROTTLE_RATE=100000/min
  local token
  token=$(curl -sf -X POST "$base/api/v1/auth/users/" -H 'content-type: application/json' \
    -d '{"email":"root@example.com","password":"correct horse battery","superuser":true}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  # Something to find: an organisation, a project and an environment with id 1.
  curl -sf -X POST "$base/api/v1/organisations/" -H "authorization: Token $token" \
    -H 'content-type: application/json' -d '{"name":"Acme"}' >/dev/null
  curl -sf -X POST "$base/api/v1/projects/" -H "authorization: Token $token" \
    -H 'content-type: application/json' -d '{"name":"Web","organisation":1}' >/dev/null
  curl -sf -X POST "$base/api/v1/environments/" -H "authorization: Token $token" \
    -H 'content-type: application/json' -d '{"name":"Production","project":1}' >/dev/null
  # Logging out or deleting the organisation would leave the rest of the run unauthorised
  # or empty; both are tested elsewhere.
  echo "schemathesis against $label"
  # Run from the scratch folder: schemathesis keeps a cache where it runs.
  (cd "$work" && "$work/venv/bin/schemathesis" \
    --config-file "$root/tests/contract/schemathesis.toml" \
    run "$root/openapi/openapi.json" --url "$base" \
    -H "Authorization: Token $token" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,positive_data_acceptance \
    --generation-allow-x00 false \
    --phases coverage,fuzzing --generation-with-security-parameters false \
    --max-examples 20 --seed 1 \
    --exclude-name 'DELETE /api/v1/auth/token/' \
    --exclude-name 'DELETE /api/v1/organisations/{id}/')
  stop_flagstaff
}

on_each_backend fuzz "$work"

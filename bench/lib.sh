# Shared by load.sh and soak.sh (sourced, not run): free ports, the management API as the admin,
# waiting for readiness, and the seeding of a realistic environment through the API.
# Expects BENCH_DIR and IDENTITIES; sets BASE (by the caller), TOKEN, ORG_ID, PROJECT_ID, ENV_KEY,
# SERVER_KEY and FEATURE_IDS.

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 1; }

free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 20000))
    if ! (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free port found"
}

# api METHOD PATH [BODY]: calls the management API as the admin, prints the answer, fails
# unless the status is 2xx.
api() {
  local method=$1 path=$2 body=${3:-} answer status auth=()
  if [[ -n $TOKEN ]]; then auth=(-H "Authorization: Token $TOKEN"); fi
  answer=$(curl -sS -X "$method" "$BASE$path" "${auth[@]}" \
    -H 'Content-Type: application/json' ${body:+--data "$body"} -w '\n%{http_code}')
  status=${answer##*$'\n'}
  answer=${answer%$'\n'*}
  [[ $status == 2?? ]] || die "$method $path answered $status: $answer"
  printf '%s' "$answer"
}

# wait_ready PID LOG: waits up to 30 s for the server at BASE to be ready.
wait_ready() {
  local pid=$1 server_log=$2
  for _ in $(seq 300); do
    if curl -sf "$BASE/health/readiness/" >/dev/null 2>&1; then return; fi
    kill -0 "$pid" 2>/dev/null || die "server exited; see $server_log"
    sleep 0.1
  done
  die "server not ready after 30 s; see $server_log"
}

# Features feature_00..49: every fifth multivariate (30/30/20, the rest control), the others
# flags or remote config of each type; 10 segments from segments.json, each overriding three
# features; a server-side key; IDENTITIES identities with 5 traits each.
seed() {
  TOKEN=""
  TOKEN=$(api POST /api/v1/auth/users/ \
    '{"email":"admin@example.com","password":"correct horse battery staple 42","first_name":"Bench","last_name":"Admin","superuser":true}' |
    jq -r .key)
  local env i body id
  ORG_ID=$(api POST /api/v1/organisations/ '{"name":"Bench"}' | jq .id)
  PROJECT_ID=$(api POST /api/v1/projects/ "{\"name\":\"Shop\",\"organisation\":$ORG_ID}" | jq .id)
  env=$(api POST /api/v1/environments/ "{\"name\":\"Production\",\"project\":$PROJECT_ID}")
  ENV_KEY=$(jq -r .api_key <<<"$env")
  SERVER_KEY=$(api POST "/api/v1/environments/$ENV_KEY/api-keys/" '{"name":"bench"}' | jq -r .key)

  FEATURE_IDS=()
  for i in $(seq 0 49); do
    body=$(jq -nc --argjson i "$i" '
      {name: ("feature_" + (if $i < 10 then "0" else "" end) + ($i | tostring)),
       default_enabled: ($i % 3 != 0)}
      + if $i % 5 == 0 then
          {type: "MULTIVARIATE", initial_value: "control-\($i)",
           multivariate_options: [["red", 30], ["green", 30], ["blue", 20]]
             | map({type: "unicode", key: .[0], string_value: "\(.[0])-\($i)",
                    default_percentage_allocation: .[1]})}
        elif $i % 4 == 1 then {initial_value: "value-\($i)"}
        elif $i % 4 == 2 then {initial_value: "\($i * 10)"}
        elif $i % 4 == 3 then {initial_value: (if $i % 8 == 3 then "true" else "false" end)}
        else {} end')
    FEATURE_IDS+=("$(api POST "/api/v1/projects/$PROJECT_ID/features/" "$body" | jq .id)")
  done

  local n=0 segment k f
  while read -r segment; do
    id=$(api POST "/api/v1/projects/$PROJECT_ID/segments/" "$segment" | jq .id)
    for k in 0 1 2; do
      f=$(((n * 4 + k * 7 + 1) % 50))
      if ((f % 5 == 0)); then f=$((f + 1)); fi
      body=$(jq -nc --argjson segment "$id" --arg value "override-$n-$f" \
        '{enabled: true, feature_state_value: {type: "unicode", string_value: $value},
          feature_segment: {segment: $segment}}')
      api POST "/api/v1/environments/$ENV_KEY/features/${FEATURE_IDS[$f]}/create-segment-override/" \
        "$body" >/dev/null
    done
    n=$((n + 1))
  done < <(jq -c '.[]' "$BENCH_DIR/segments.json")

  # Identities through the SDK's bulk trait write, 500 identities a request, 4 at a time.
  local from pids=()
  for from in $(seq 0 500 $((IDENTITIES - 1))); do
    identity_chunk "$from" &
    pids+=($!)
    if ((${#pids[@]} == 4)); then
      wait_all "${pids[@]}"
      pids=()
    fi
  done
  wait_all "${pids[@]}"

  # The last identity has its traits, and the seeded segments match someone.
  local last
  last=$(curl -sSf "$BASE/api/v1/identities/?identifier=user-$((IDENTITIES - 1))" \
    -H "X-Environment-Key: $SERVER_KEY")
  [[ $(jq '.traits | length' <<<"$last") == 5 ]] || die "identities were not seeded: $last"
  curl -sSf "$BASE/api/v1/identities/?identifier=user-1" -H "X-Environment-Key: $SERVER_KEY" |
    jq -r '"user-1 gets \(.flags | length) flags, \([.flags[] | select(.feature_segment)] | length)"
      + " from segment overrides, \([.flags[] | select(.feature.type == "MULTIVARIATE" and .variant != "control")] | length)"
      + " multivariate variants"' >&2
}

wait_all() {
  local pid
  for pid in "$@"; do wait "$pid" || die "seeding identities failed"; done
}

# identity_chunk FROM: identities user-FROM.. (500 of them) with their 5 traits.
identity_chunk() {
  jq -nc --argjson from "$1" --argjson to "$IDENTITIES" '
    [range($from; [$from + 500, $to] | min) as $i
     | {identity: {identifier: "user-\($i)"}} as $who
     | [["plan", (["free", "pro", "team", "enterprise"][$i % 4])],
        ["age", (18 + $i % 60)],
        ["country", (["de", "fr", "us", "ca", "gb", "nl", "br", "jp"][$i % 8])],
        ["app_version", (["1.4.0", "2.0.3", "2.4.1", "3.0.0-beta"][$i % 4])],
        ["beta", ($i % 3 == 0)]][]
     | $who + {trait_key: .[0], trait_value: .[1]}]' |
    curl -sSf -o /dev/null -X PUT "$BASE/api/v1/traits/bulk/" \
      -H "X-Environment-Key: $SERVER_KEY" -H 'Content-Type: application/json' --data-binary @-
}

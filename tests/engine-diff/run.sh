#!/usr/bin/env bash
# The differential test of the engine, in .ci/run. Flagsmith's engine, flagsmith-flag-engine
# 11.1.1 from PyPI with its dependencies pinned (requirements.txt), is the oracle: generate.py
# writes COUNT random contexts from SEED (a new seed each run unless given; printed, so a run
# can be replayed), oracle.py evaluates them with it, compare.py with `flagstaff eval --batch`;
# any difference fails the run, counted by family, with the first few shrunk to a minimal
# context that still differs.
#   tests/engine-diff/run.sh [COUNT] [SEED]          (needs target/debug/flagstaff and python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-10000}
seed=${2:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
binary=${FLAGSTAFF_BIN:-$PWD/target/debug/flagstaff}
[ -x "$binary" ] || { echo "no Flagstaff binary at $binary (run cargo build first)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check -r tests/engine-diff/requirements.txt
echo "seed $seed, $count contexts (replay: tests/engine-diff/run.sh $count $seed)"
"$work/venv/bin/python" tests/engine-diff/generate.py "$seed" "$count" "$work/contexts"
"$work/venv/bin/python" -W ignore tests/engine-diff/oracle.py "$work/contexts" >"$work/oracle.json"
"$work/venv/bin/python" tests/engine-diff/compare.py "$binary" "$work/contexts" "$work/oracle.json"

"""Evaluates a folder of contexts with `flagstaff eval --batch` and with the oracle's results
(oracle.py's output), and reports every difference in flags (enabled, value, reason, variant)
and matched segments, counted by family (the file name's prefix). Exits 1 on any difference.

    python compare.py FLAGSTAFF_BINARY DIR ORACLE_RESULTS.json

A context the oracle itself raises on (an invalid regular expression, say) has no answer to
compare and is counted apart. A context Flagstaff refuses is a difference ("refused").
"""

import collections
import json
import pathlib
import re
import shutil
import subprocess
import sys


def ours(binary: str, folder: pathlib.Path) -> dict:
    """Flagstaff's results; a file it refuses is moved aside and reported, and the rest retried."""
    refused = {}
    aside = folder / "refused"
    while True:
        run = subprocess.run([binary, "eval", "--batch", str(folder)],
                             capture_output=True, text=True)
        if run.returncode == 0:
            results = json.loads(run.stdout)
            results.update(refused)
            return results
        match = re.search(r"error: (\S+?\.json): (.*)", run.stderr)
        if not match:
            raise SystemExit(f"flagstaff eval failed: {run.stderr}")
        path = pathlib.Path(match.group(1))
        refused[path.name] = {"refused": match.group(2)}
        aside.mkdir(exist_ok=True)
        shutil.move(str(path), aside / path.name)


def flags_of(result: dict) -> dict:
    return {name: (f.get("enabled"), json.dumps(f.get("value"), sort_keys=True), f.get("reason"),
                   f.get("variant"))
            for name, f in result.get("flags", {}).items()}


def segments_of(result: dict) -> list:
    return [s.get("name") for s in result.get("segments", [])]


def main(binary: str, folder: str, oracle_file: str) -> None:
    oracle = json.loads(pathlib.Path(oracle_file).read_text())
    mine = ours(binary, pathlib.Path(folder))
    differences = collections.Counter()
    totals = collections.Counter()
    skipped = collections.Counter()
    shown = 0
    for name, expected in sorted(oracle.items()):
        family = name.split("-")[0]
        if "error" in expected:
            skipped[family] += 1
            continue
        totals[family] += 1
        got = mine.get(name, {"refused": "no result"})
        if "refused" in got:
            problem = f"refused: {got['refused']}"
        elif flags_of(got) != flags_of(expected):
            diff = {k: (flags_of(got).get(k), flags_of(expected).get(k))
                    for k in set(flags_of(got)) | set(flags_of(expected))
                    if flags_of(got).get(k) != flags_of(expected).get(k)}
            problem = f"flags (ours, oracle): {diff}"
        elif segments_of(got) != segments_of(expected):
            problem = f"segments: ours {segments_of(got)}, oracle {segments_of(expected)}"
        else:
            continue
        differences[family] += 1
        if shown < 15:
            print(f"DIFF {name}: {problem}")
            shown += 1
    print()
    print(f"{'family':<14}{'contexts':>10}{'differ':>10}{'oracle raised':>15}")
    for family in sorted(set(totals) | set(skipped)):
        print(f"{family:<14}{totals[family]:>10}{differences[family]:>10}{skipped[family]:>15}")
    print(f"{'all':<14}{sum(totals.values()):>10}{sum(differences.values()):>10}"
          f"{sum(skipped.values()):>15}")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main(*sys.argv[1:4])

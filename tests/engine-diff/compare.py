"""Evaluates a folder of contexts with `flagstaff eval --batch` and compares each result with the
oracle's (oracle.py's output): flags (enabled, value, reason, variant) and matched segments,
counted by family (the file name's prefix). Every family must have contexts to compare. On any
difference it shrinks the first few differing contexts to a minimal one that still differs,
prints them with both answers, and exits 1.

    python compare.py FLAGSTAFF_BINARY DIR ORACLE_RESULTS.json

Runs in the oracle's virtualenv: shrinking re-evaluates each smaller context with both engines.
A context the oracle itself raises on (an invalid regular expression, say) has no answer to
compare and is counted apart. A context Flagstaff refuses is a difference ("refused").
"""

import collections
import copy
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

from flag_engine.engine import get_evaluation_result

SHRINK_AT_MOST = 3
FAMILIES_FILE = pathlib.Path(__file__).with_name("generate.py")


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


def difference(got: dict, expected: dict):
    """What differs between our result and the oracle's, or None."""
    if "refused" in got:
        return f"refused: {got['refused']}"
    mine, theirs = flags_of(got), flags_of(expected)
    if mine != theirs:
        diff = {k: {"ours": mine.get(k), "oracle": theirs.get(k)}
                for k in sorted(set(mine) | set(theirs)) if mine.get(k) != theirs.get(k)}
        return f"flags (enabled, value, reason, variant): {json.dumps(diff, ensure_ascii=False)}"
    if segments_of(got) != segments_of(expected):
        return f"segments: ours {segments_of(got)}, oracle {segments_of(expected)}"
    return None


class Shrinker:
    """Greedy shrinking: remove one part of the context at a time (a segment, feature, override,
    rule, condition, trait, variant or optional field) and keep the removal while the two engines
    still disagree, until no single removal keeps a difference."""

    OPTIONAL = {"identity", "metadata", "variants", "overrides", "rules", "conditions", "traits"}

    def __init__(self, binary: str):
        self.binary = binary
        self.folder = pathlib.Path(tempfile.mkdtemp())
        self.runs = 0

    def check(self, context: dict):
        """The difference for `context`, or None (also when the oracle raises on it)."""
        try:
            expected = json.loads(json.dumps(get_evaluation_result(copy.deepcopy(context)),
                                             default=str))
        except Exception:
            return None
        path = self.folder / "context.json"
        path.write_text(json.dumps({"context": context}, ensure_ascii=False))
        self.runs += 1
        run = subprocess.run([self.binary, "eval", "--context", str(path)],
                             capture_output=True, text=True)
        got = json.loads(run.stdout) if run.returncode == 0 else {"refused": run.stderr.strip()}
        return difference(got, expected)

    def smaller(self, node):
        """Every context one removal smaller than `node`."""
        if isinstance(node, dict):
            for key in list(node):
                if key in self.OPTIONAL or self.keyed_by_name(node):
                    yield {k: v for k, v in node.items() if k != key}
            for key, child in node.items():
                for smaller in self.smaller(child):
                    yield {**node, key: smaller}
        elif isinstance(node, list):
            for i in range(len(node)):
                yield node[:i] + node[i + 1:]
            for i, child in enumerate(node):
                for smaller in self.smaller(child):
                    yield node[:i] + [smaller] + node[i + 1:]

    @staticmethod
    def keyed_by_name(node: dict) -> bool:
        """A map of features, segments or traits (whose entries may go), not a record."""
        return not ({"key", "name", "operator", "type", "identifier"} & set(node))

    def shrink(self, context: dict, refused: bool):
        found = self.check(context)
        if found is None:
            return context, "the difference does not reproduce on its own"
        progress = True
        while progress:
            progress = False
            for candidate in self.smaller(context):
                candidate_difference = self.check(candidate)
                if candidate_difference and refused == candidate_difference.startswith("refused"):
                    context, found, progress = candidate, candidate_difference, True
                    break
        return context, found


def families() -> list:
    text = FAMILIES_FILE.read_text()
    listed = re.search(r"FAMILIES = \[(.*?)\]", text, re.S).group(1)
    return re.findall(r'"(\w+)"', listed)


def main(binary: str, folder: str, oracle_file: str) -> None:
    oracle = json.loads(pathlib.Path(oracle_file).read_text())
    mine = ours(binary, pathlib.Path(folder))
    differences = collections.Counter()
    totals = collections.Counter()
    skipped = collections.Counter()
    differing = []
    for name, expected in sorted(oracle.items()):
        family = name.split("-")[0]
        if "error" in expected:
            skipped[family] += 1
            continue
        totals[family] += 1
        problem = difference(mine.get(name, {"refused": "no result"}), expected)
        if problem:
            differences[family] += 1
            differing.append((name, problem))
    for name, problem in differing[:15]:
        print(f"DIFF {name}: {problem}")
    print()
    print(f"{'family':<14}{'contexts':>10}{'differ':>10}{'oracle raised':>15}")
    for family in sorted(set(totals) | set(skipped)):
        print(f"{family:<14}{totals[family]:>10}{differences[family]:>10}{skipped[family]:>15}")
    print(f"{'all':<14}{sum(totals.values()):>10}{sum(differences.values()):>10}"
          f"{sum(skipped.values()):>15}")
    uncovered = [family for family in families() if totals[family] == 0]
    if uncovered:
        print(f"\nno context to compare in: {', '.join(uncovered)}")
    if differing:
        shrinker = Shrinker(binary)
        for name, problem in differing[:SHRINK_AT_MOST]:
            source = pathlib.Path(folder) / name
            if not source.exists():
                source = pathlib.Path(folder) / "refused" / name
            context = json.loads(source.read_text())["context"]
            small, found = shrinker.shrink(context, problem.startswith("refused"))
            print(f"\nMINIMAL {name}: {found}")
            print(json.dumps({"context": small}, ensure_ascii=False))
        print(f"\n({shrinker.runs} evaluations to shrink; a minimal context saved to a file replays "
              "with: flagstaff eval --context FILE)")
    sys.exit(1 if differing or uncovered else 0)


if __name__ == "__main__":
    main(*sys.argv[1:4])

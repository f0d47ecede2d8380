"""Evaluates every context file in a folder with Flagsmith's engine (flagsmith-flag-engine, the
oracle) and prints the results as one JSON object keyed by file name, as `flagstaff eval --batch`
does. A context the oracle raises on is reported as {"error": "..."}.

    python oracle.py DIR
"""

import json
import pathlib
import sys

from flag_engine.engine import get_evaluation_result


def main(folder: str) -> None:
    results = {}
    for path in sorted(pathlib.Path(folder).glob("*.json")):
        context = json.loads(path.read_text())["context"]
        try:
            results[path.name] = get_evaluation_result(context)
        except Exception as e:  # the oracle's own refusal is an answer to compare
            results[path.name] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(results, sys.stdout, default=str)


if __name__ == "__main__":
    main(sys.argv[1])

"""Writes random evaluation contexts, one file each, for the differential test against
Flagsmith's engine. Every context belongs to one family (its file name starts with it), so a
difference is counted where it comes from. The same seed always writes the same files.

    python generate.py SEED COUNT DIR

Runs in the oracle's virtualenv: exact-boundary weights are placed on the identity's bucket,
which Flagsmith's own hashing computes.
"""

import json
import pathlib
import random
import sys

from flag_engine.utils.hashing import get_hashed_percentage_for_object_ids

OPERATORS = [
    "EQUAL", "NOT_EQUAL", "GREATER_THAN", "GREATER_THAN_INCLUSIVE", "LESS_THAN",
    "LESS_THAN_INCLUSIVE", "CONTAINS", "NOT_CONTAINS", "REGEX", "IS_SET", "IS_NOT_SET",
    "MODULO", "IN", "PERCENTAGE_SPLIT",
]
WORDS = ["pro", "free", "Pro", "PRO", "beta", "", " ", "ß", "SS", "İ", "i̇", "é", "e\u0301",
         "日本", "🚀", "a,b", "[1,2]", "null", "None", "true", "True", "false", "1", "0"]
ODD_NUMBERS = ["1", "1.0", "1.", ".5", "-0", "+5", " 5", "5 ", "1e3", "1E3", "1_000", "0x10",
               "inf", "-inf", "Infinity", "nan", "NaN", "1e309", "007", "10", "2.5", "-3",
               "9007199254740993", "18446744073709551617", "1.0000000000000002", "0.1"]
REGEXES = [r"^pro", r"pro$", r"pro", r"(?i)PRO", r"\d+", r"^\d+$", r"[a-z]+\Z", r"(?P<n>p)ro",
           r"(?=p)pro", r"pr(o", r"^$", r".*", r"\w+", r"ß", r"(?s).", r"a{2,}", r"\bpro\b",
           r"[[:alpha:]]", r"\p{L}+", r"(?x) p r o", r"^(a|ab)(c|bcd)(d*)$"]
SEMVERS = ["1.2.3", "1.2.3-beta", "1.2", "v1.2.3", "2.0.0", "10.0.0", "1.2.3+build",
           "0.0.1", "1.2.3-alpha.1", "1.10.0", "garbage"]
JSONPATHS = ["$.identity.identifier", "$.identity.key", "$.environment.name",
             "$.environment.key", "$.identity.traits.plan", "$.identity.traits['plan']",
             "$.identity.traits.missing", "$.", "$..plan", "$[0]", "$.identity",
             "$.identity.traits", "$.environment"]
FAMILIES = ["operators", "rules", "overrides", "weights", "types", "unicode", "jsonpath",
            "dependencies", "semver", "bigints", "regex", "numbers", "percentage"]


class Gen:
    def __init__(self, rnd: random.Random):
        self.r = rnd

    def trait_value(self):
        r = self.r
        kind = r.choice(["str", "int", "float", "bool", "null", "num-str", "big"])
        if kind == "str":
            return r.choice(WORDS)
        if kind == "int":
            return r.randint(-100, 100)
        if kind == "float":
            return r.choice([0.1, 0.5, 1.0, 2.5, -3.75, 1e20, 1.0000000000000002, r.random() * 100])
        if kind == "bool":
            return r.choice([True, False])
        if kind == "null":
            return None
        if kind == "big":
            return r.choice([2**63, 2**64 + 1, -(2**63) - 1, 10**30, 9007199254740993])
        return r.choice(ODD_NUMBERS)

    def condition_value(self, operator):
        r = self.r
        if operator == "MODULO":
            return r.choice(["2|0", "2|1", "3|0", "2.5|0.5", "0|0", "a|b", "2", "2|", "|0",
                             "10|" + str(r.randint(0, 9)), "1e1|0", "18446744073709551617|1"])
        if operator == "PERCENTAGE_SPLIT":
            return r.choice(["0", "100", "50", "50.5", "33.333333333333336", "abc", "-1", "101",
                             str(round(r.random() * 100, r.randint(0, 6)))])
        if operator == "IN":
            return r.choice(["pro,free", "1,2,3", "[\"pro\",\"beta\"]", "[1,2]", "pro", "",
                             " pro , free ", "[broken", "true,false", "1.0,2"])
        if operator == "REGEX":
            return r.choice(REGEXES)
        choice = r.random()
        if choice < 0.25:
            return r.choice(SEMVERS) + ":semver"
        if choice < 0.6:
            return r.choice(ODD_NUMBERS)
        return r.choice(WORDS)

    def condition(self, traits, family):
        r = self.r
        operator = r.choice(OPERATORS)
        if family == "regex":
            operator = "REGEX"
        elif family == "semver":
            operator = r.choice(OPERATORS[:8] + ["IN", "REGEX"])
        elif family == "numbers":
            operator = r.choice(["MODULO", "GREATER_THAN", "LESS_THAN_INCLUSIVE", "EQUAL", "IN"])
        elif family == "percentage":
            operator = "PERCENTAGE_SPLIT"
        if family == "jsonpath" and r.random() < 0.7:
            prop = r.choice(JSONPATHS)
        elif traits and r.random() < 0.85:
            prop = r.choice(list(traits))
        else:
            prop = r.choice(["plan", "missing", "$.identity.identifier"])
        value = self.condition_value(operator)
        if family == "semver" and operator not in ("IN", "REGEX"):
            value = r.choice(SEMVERS) + ":semver"
        if family == "bigints" and operator not in ("REGEX", "PERCENTAGE_SPLIT"):
            value = r.choice(["18446744073709551617", "9223372036854775808", "-9223372036854775809",
                              "1" + "0" * 30, "9007199254740993"])
        if operator in ("IS_SET", "IS_NOT_SET"):
            value = ""
        condition = {"operator": operator, "property": prop, "value": value}
        if operator == "PERCENTAGE_SPLIT" and r.random() < 0.5:
            condition["property"] = ""
        return condition

    def rule(self, traits, family, depth=0):
        r = self.r
        rule = {"type": r.choice(["ALL", "ANY", "NONE"]),
                "conditions": [self.condition(traits, family) for _ in range(r.randint(0, 3))]}
        if depth < 2 and (family == "rules" or r.random() < 0.3):
            rule["rules"] = [self.rule(traits, family, depth + 1) for _ in range(r.randint(1, 3))]
        return rule

    def variants(self, family):
        r = self.r
        n = r.randint(1, 4)
        if family == "weights" and r.random() < 0.5:
            # Weights that sum to 100 in a way floats round: thirds, sevenths, tiny ones.
            base = r.choice([100 / 3, 100 / 7, 12.5, 0.1, 33.3, 66.7, 0.000001])
            weights = [base] * n
        else:
            weights = [round(r.random() * (100 / n), r.randint(0, 8)) for _ in range(n)]
        return [{"value": f"v{i}", "weight": w, "priority": r.choice([i, n - i, 0])}
                | ({"key": f"k{i}"} if r.random() < 0.5 else {})
                for i, w in enumerate(weights)]

    def feature(self, name, family):
        r = self.r
        value = r.choice([None, "on", 1, 2.5, True, "", "日本", 10**20 if family == "bigints" else 3])
        feature = {"key": str(r.randint(1, 10**6)), "name": name,
                   "enabled": r.random() < 0.6, "value": value}
        if family == "weights" or r.random() < 0.2:
            feature["variants"] = self.variants(family)
        if r.random() < 0.3:
            feature["priority"] = r.randint(-1, 3)
        return feature

    def context(self, family):
        r = self.r
        env_key = r.choice(["env", "n9fbf9h3v4fFgH3U3ngWhb", "日本", "key"])
        context = {"environment": {"key": env_key, "name": r.choice(["Production", "pro", "é"])}}
        traits = {}
        if r.random() < 0.85:
            keys = ["plan", "seats", "version", "age", "ß", "a b", "$.identity.identifier"]
            traits = {k: self.trait_value() for k in r.sample(keys, r.randint(0, 5))}
            if family == "semver":
                traits["version"] = r.choice(SEMVERS)
            if family == "bigints":
                traits["seats"] = r.choice([2**64 + 1, 10**25, -(2**70), 9007199254740993])
            identity = {"identifier": r.choice(["ada", "user-1", "日本", "", "a_b"]),
                        "traits": traits}
            if r.random() < 0.3:
                identity["key"] = r.choice(["ada", "env_ada", str(r.randint(0, 10**9))])
            context["identity"] = identity
        names = [f"f{i}" for i in range(r.randint(1, 5))]
        context["features"] = {n: self.feature(n, family) for n in names}
        segments = {}
        for s in range(r.randint(1, 4) if family != "operators" else r.randint(1, 2)):
            segment = {"key": str(s), "name": f"segment-{s}",
                       "rules": [self.rule(traits, family) for _ in range(r.randint(1, 2))]}
            if family == "dependencies":
                for _ in range(r.choice([1, 1, 1, 2, 3])):
                    self.dependency(segment, names)
            if r.random() < 0.7 or family in ("overrides", "dependencies"):
                overridden = r.sample(names, r.randint(1, len(names)))
                segment["overrides"] = []
                for name in overridden:
                    override = self.feature(name, family)
                    override["key"] = context["features"][name]["key"]
                    if family == "overrides" or r.random() < 0.5:
                        override["priority"] = r.choice([0, 1, 2, -1, 10**6, 0.5])
                    segment["overrides"].append(override)
            segments[str(s)] = segment
        if "identity" in context and (family == "overrides" or r.random() < 0.1):
            segments["identity-overrides"] = self.identity_overrides(context, names)
        context["segments"] = segments
        if family == "weights" and "identity" in context:
            self.boundaries(context)
        return context

    def dependency(self, segment, names):
        """A condition on another flag's state, anywhere in the segment's rules."""
        r = self.r
        other = r.choice(names + ["nope"])
        path = r.choice([f"$.flags.{other}.enabled", f"$.flags.{other}.value",
                         f"$.flags['{other}'].enabled", f"$.flags.{other}.variant",
                         f"$.flags.{other}.reason", f"$.flags.{other}.name", f"$.flags.{other}",
                         "$.flags.*.enabled", "$..enabled"])
        value = r.choice(["true", "false", "True", "on", "1", "v0", "v1", "k0", "control",
                          "STATIC", other])
        rule = segment["rules"][0]
        while rule.get("rules") and r.random() < 0.5:
            rule = r.choice(rule["rules"])
        rule.setdefault("conditions", []).insert(
            r.randint(0, len(rule["conditions"])),
            {"operator": r.choice(["EQUAL", "NOT_EQUAL", "IS_SET", "IS_NOT_SET", "IN", "CONTAINS"]),
             "property": path, "value": value})

    def identity_overrides(self, context, names):
        """An identity override as the SDKs put one in a context: a segment on the identifier
        whose overrides have the strongest priority (the SDKs use -inf, which JSON lacks)."""
        r = self.r
        identifier = context["identity"]["identifier"]
        overrides = []
        for name in r.sample(names, r.randint(1, len(names))):
            override = self.feature(name, "overrides")
            override.pop("variants", None)
            override["key"] = ""
            override["priority"] = -1e308
            overrides.append(override)
        return {"key": "identity-overrides", "name": "identity_overrides",
                "rules": [{"type": "ALL", "conditions": [
                    {"property": "$.identity.identifier", "operator": "IN",
                     "value": r.choice([[identifier, "someone"], [identifier], ["someone"]])}]}],
                "overrides": overrides, "metadata": {"source": "identity_overrides"}}

    def boundaries(self, context):
        """Puts the identity's bucket exactly on a variant boundary: a first weight equal to the
        bucket, or two weights whose float sum should land on it."""
        r = self.r
        identity = context["identity"]
        key = identity.get("key") or f"{context['environment']['key']}_{identity['identifier']}"
        holders = list(context["features"].values())
        for segment in context["segments"].values():
            holders += segment.get("overrides", [])
        for feature in holders:
            variants = sorted(feature.get("variants") or [], key=lambda v: v["priority"])
            if not variants or r.random() < 0.3:
                continue
            bucket = get_hashed_percentage_for_object_ids([feature["key"], key])
            if len(variants) > 1 and r.random() < 0.5:
                first = round(r.random() * bucket, r.randint(1, 8))
                variants[0]["weight"], variants[1]["weight"] = first, bucket - first
            else:
                variants[0]["weight"] = bucket


def main(seed: int, count: int, out: str) -> None:
    folder = pathlib.Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed)
    for i in range(count):
        family = FAMILIES[i % len(FAMILIES)]
        context = Gen(rnd).context(family)
        (folder / f"{family}-{i:06d}.json").write_text(
            json.dumps({"context": context}, ensure_ascii=False))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])

"""Sets up a fresh Flagstaff server through its management API for the SDK suite, and writes
what the tests need to know (keys, ids) as JSON to the path given.

    python3 seed.py http://127.0.0.1:8000 state.json

Standard library only: it runs before any virtualenv exists.
"""

import json
import sys
import urllib.request


class Api:
    def __init__(self, base):
        self.base = base
        self.token = None

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request) as response:
                text = response.read()
        except urllib.error.HTTPError as e:
            raise SystemExit(f"{method} {path}: {e.code} {e.read().decode()}") from None
        return json.loads(text) if text else None


def main(base, out):
    api = Api(base)
    api.token = api.call(
        "POST",
        "/api/v1/auth/users/",
        {"email": "sdk@example.com", "password": "correct horse battery", "superuser": True},
    )["key"]
    org = api.call("POST", "/api/v1/organisations/", {"name": "SDK suite"})["id"]
    project = api.call("POST", "/api/v1/projects/", {"name": "Shop", "organisation": org})["id"]
    env = api.call("POST", "/api/v1/environments/", {"name": "Production", "project": project})
    key = env["api_key"]

    features = {}
    for body in [
        {"name": "banner", "initial_value": "hello", "default_enabled": True},
        {"name": "max_items", "initial_value": "10", "default_enabled": True},
        {"name": "beta", "initial_value": "off"},
        {"name": "premium", "initial_value": "basic", "default_enabled": True},
        {"name": "experiment", "initial_value": "control", "default_enabled": True},
        {"name": "Dark Mode", "default_enabled": True},
        {"name": "new_checkout", "initial_value": "v1", "default_enabled": True},
        {"name": "welcome", "initial_value": "hi", "default_enabled": True},
        # Turned on and off by the realtime tests.
        {"name": "realtime", "default_enabled": False},
        {"name": "server_only", "initial_value": "secret", "default_enabled": True,
         "is_server_key_only": True},
        {
            "name": "colour",
            "type": "MULTIVARIATE",
            "initial_value": "grey",
            "default_enabled": True,
            "multivariate_options": [
                {"type": "unicode", "string_value": "green", "default_percentage_allocation": 30},
                {"type": "unicode", "string_value": "blue", "default_percentage_allocation": 20},
            ],
        },
    ]:
        features[body["name"]] = api.call("POST", f"/api/v1/projects/{project}/features/", body)["id"]

    def segment(name, rules):
        return api.call(
            "POST", f"/api/v1/projects/{project}/segments/", {"name": name, "rules": rules}
        )["id"]

    def segment_override(feature, segment_id, value, priority=None):
        feature_segment = {"segment": segment_id}
        if priority is not None:
            feature_segment["priority"] = priority
        api.call(
            "POST",
            f"/api/v1/environments/{key}/features/{features[feature]}/create-segment-override/",
            {
                "enabled": True,
                "feature_state_value": {"type": "unicode", "string_value": value},
                "feature_segment": feature_segment,
            },
        )

    # Pro users: plan is pro, or 50 seats or more; never the banned.
    pro = segment(
        "pro users",
        [
            {
                "type": "ALL",
                "conditions": [],
                "rules": [
                    {
                        "type": "ANY",
                        "conditions": [
                            {"operator": "EQUAL", "property": "plan", "value": "pro"},
                            {"operator": "GREATER_THAN_INCLUSIVE", "property": "seats",
                             "value": "50"},
                        ],
                    },
                    {"type": "NONE", "conditions": [{"operator": "IS_SET", "property": "banned"}]},
                ],
            }
        ],
    )
    segment_override("premium", pro, "gold")
    # Half of all identities, by hash.
    half = segment(
        "half",
        [{"type": "ALL", "conditions": [{"operator": "PERCENTAGE_SPLIT", "value": "50"}]}],
    )
    segment_override("experiment", half, "treatment")
    # Recent app versions.
    recent = segment(
        "recent app",
        [{"type": "ALL", "conditions": [
            {"operator": "GREATER_THAN_INCLUSIVE", "property": "app_version",
             "value": "2.0.0:semver"}]}],
    )
    segment_override("banner", recent, "hello, new app")
    # A flag dependency: whoever has the gold premium flag gets the new checkout.
    gold = segment(
        "gold premium",
        [{"type": "ALL", "conditions": [
            {"operator": "EQUAL", "property": "$.flags.premium.value", "value": "gold"}]}],
    )
    segment_override("new_checkout", gold, "v2")
    # A dependency on a flag that an identity override sets (Ada's banner, below).
    greeted = segment(
        "greeted",
        [{"type": "ALL", "conditions": [
            {"operator": "EQUAL", "property": "$.flags.banner.value", "value": "hello, Ada"}]}],
    )
    segment_override("welcome", greeted, "hi, Ada")

    # Ada has traits and her own banner.
    ada = api.call("POST", f"/api/v1/environments/{key}/identities/", {"identifier": "ada"})["id"]
    api.call(
        "POST",
        f"/api/v1/environments/{key}/identities/{ada}/traits/",
        {"trait_key": "plan", "value_type": "unicode", "string_value": "pro"},
    )
    api.call(
        "POST",
        f"/api/v1/environments/{key}/identities/{ada}/featurestates/",
        {"feature": features["banner"], "enabled": True, "feature_state_value": "hello, Ada"},
    )

    server_key = api.call("POST", f"/api/v1/environments/{key}/api-keys/", {"name": "backend"})[
        "key"
    ]
    state = {
        "base": base,
        "token": api.token,
        "project": project,
        "environment": env["id"],
        "client_key": key,
        "server_key": server_key,
        "features": features,
    }
    with open(out, "w") as f:
        json.dump(state, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

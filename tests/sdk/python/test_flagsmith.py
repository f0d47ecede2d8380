"""The official Python SDK (`flagsmith` on PyPI), unchanged, against a running Flagstaff."""

import pytest
from flagsmith import Flagsmith
from flagsmith.exceptions import FlagsmithAPIError

import time

from conftest import eventually, report

IDENTIFIERS = [f"user-{n}" for n in range(40)]


@pytest.fixture(scope="module")
def remote(state, api_url):
    return Flagsmith(environment_key=state["client_key"], api_url=api_url)


@pytest.fixture(scope="module")
def server_remote(state, api_url):
    return Flagsmith(environment_key=state["server_key"], api_url=api_url)


@pytest.fixture(scope="module")
def local(state, api_url):
    client = Flagsmith(
        environment_key=state["server_key"],
        api_url=api_url,
        enable_local_evaluation=True,
        environment_refresh_interval_seconds=3600,
    )
    yield client
    client.__del__()


def identities(admin, state, identifier):
    page = admin(
        f"/api/v1/environments/{state['client_key']}/identities/?q={identifier}"
    )
    return [i for i in page["results"] if i["identifier"] == identifier]


def test_environment_flags(remote):
    flags = remote.get_environment_flags()
    assert flags.get_flag("banner").enabled is True
    assert flags.get_feature_value("banner") == "hello"
    assert flags.get_feature_value("max_items") == 10
    assert flags.is_feature_enabled("beta") is False
    assert flags.get_feature_value("colour") == "grey"
    assert flags.is_feature_enabled("Dark Mode") is True


def test_server_key_only_features_need_a_server_key(remote, server_remote):
    names = {f.feature_name for f in remote.get_environment_flags().all_flags()}
    assert "server_only" not in names
    flags = server_remote.get_environment_flags()
    assert flags.get_feature_value("server_only") == "secret"


def test_identity_traits_put_it_in_a_segment(remote, admin, state):
    flags = remote.get_identity_flags("bea", traits={"plan": "pro", "seats": 3})
    assert flags.get_feature_value("premium") == "gold"
    # Stored: the identity exists with its traits, and a second call needs no traits.
    [bea] = identities(admin, state, "bea")
    traits = admin(
        f"/api/v1/environments/{state['client_key']}/identities/{bea['id']}/traits/"
    )["results"]
    assert {t["trait_key"]: t for t in traits}["seats"]["integer_value"] == 3
    assert remote.get_identity_flags("bea").get_feature_value("premium") == "gold"


def test_numeric_traits_and_the_none_rule(remote):
    assert remote.get_identity_flags("cy", traits={"seats": 50}).get_feature_value(
        "premium"
    ) == "gold"
    banned = remote.get_identity_flags("dee", traits={"seats": 80, "banned": True})
    assert banned.get_feature_value("premium") == "basic"
    assert remote.get_identity_flags("eve", traits={"seats": 49}).get_feature_value(
        "premium"
    ) == "basic"


def test_a_trait_of_none_deletes_it(remote):
    assert remote.get_identity_flags("fay", traits={"plan": "pro"}).get_feature_value(
        "premium"
    ) == "gold"
    assert remote.get_identity_flags("fay", traits={"plan": None}).get_feature_value(
        "premium"
    ) == "basic"


def test_identity_override(remote):
    flags = remote.get_identity_flags("ada")
    assert flags.get_feature_value("banner") == "hello, Ada"
    # Ada's stored plan trait still counts.
    assert flags.get_feature_value("premium") == "gold"


def test_transient_identity_is_not_stored(remote, admin, state):
    flags = remote.get_identity_flags("ghost", traits={"plan": "pro"}, transient=True)
    assert flags.get_feature_value("premium") == "gold"
    assert identities(admin, state, "ghost") == []


def test_transient_traits_count_but_are_not_stored(remote, admin, state):
    flags = remote.get_identity_flags(
        "gil", traits={"plan": {"value": "pro", "transient": True}, "seats": 2}
    )
    assert flags.get_feature_value("premium") == "gold"
    [gil] = identities(admin, state, "gil")
    traits = admin(
        f"/api/v1/environments/{state['client_key']}/identities/{gil['id']}/traits/"
    )["results"]
    assert sorted(t["trait_key"] for t in traits) == ["seats"]
    assert remote.get_identity_flags("gil").get_feature_value("premium") == "basic"


def test_semver_traits(remote):
    new = remote.get_identity_flags("hal", traits={"app_version": "2.1.0"})
    assert new.get_feature_value("banner") == "hello, new app"
    old = remote.get_identity_flags("ida", traits={"app_version": "1.9.9"})
    assert old.get_feature_value("banner") == "hello"


def test_splits_spread_identities(remote):
    values = [
        remote.get_identity_flags(i, transient=True).get_feature_value("colour")
        for i in IDENTIFIERS
    ]
    assert set(values) == {"grey", "green", "blue"}
    experiment = {
        remote.get_identity_flags(i, transient=True).get_feature_value("experiment")
        for i in IDENTIFIERS
    }
    assert experiment == {"control", "treatment"}


def test_a_flag_can_depend_on_another(remote):
    """The "gold premium" segment reads `$.flags.premium.value`, which the "pro users" segment
    sets to gold."""
    assert remote.get_identity_flags("dep-1", traits={"plan": "pro"}).get_feature_value(
        "new_checkout") == "v2"
    assert remote.get_identity_flags("dep-2", traits={"plan": "free"}).get_feature_value(
        "new_checkout") == "v1"
    # "greeted" reads `$.flags.banner.value`, which Ada's own override sets.
    assert remote.get_identity_flags("ada").get_feature_value("welcome") == "hi, Ada"
    assert remote.get_identity_flags("dep-1").get_feature_value("welcome") == "hi"


def test_local_evaluation_agrees_with_the_server(remote, server_remote, local):
    """The SDK's own engine (flagsmith-flag-engine), fed our environment document, gives
    every identity exactly the flags our server gives it."""
    local_env = {f.feature_name: (f.enabled, f.value) for f in local.get_environment_flags().all_flags()}
    server_env = {
        f.feature_name: (f.enabled, f.value)
        for f in server_remote.get_environment_flags().all_flags()
    }
    assert local_env == server_env
    cases = [(i, {}) for i in IDENTIFIERS] + [
        # Local evaluation knows identity overrides, not stored traits: Ada's plan is given.
        ("ada", {"plan": "pro"}),
        ("x1", {"plan": "pro"}),
        ("x2", {"seats": 50}),
        ("x3", {"seats": 80, "banned": "yes"}),
        ("x4", {"app_version": "2.0.0"}),
        ("x5", {"app_version": "10.0.0-rc.1"}),
    ]
    for identifier, traits in cases:
        ours = server_remote.get_identity_flags(identifier, traits=traits, transient=True)
        theirs = local.get_identity_flags(identifier, traits=traits)
        ours = {f.feature_name: (f.enabled, f.value) for f in ours.all_flags()}
        theirs = {f.feature_name: (f.enabled, f.value) for f in theirs.all_flags()}
        assert theirs == ours, identifier
    # The cases include pro identities, whose new_checkout depends on their premium flag. (Read
    # through all_flags(), which evaluates the whole context: the SDK's lazy single-flag lookup
    # trims the context to the one feature and so never sees the flag it depends on.)
    flags = local.get_identity_flags("x1", traits={"plan": "pro"}).all_flags()
    assert {f.feature_name: f.value for f in flags}["new_checkout"] == "v2"
    flags = local.get_identity_flags("ada").all_flags()
    assert {f.feature_name: f.value for f in flags}["welcome"] == "hi, Ada"
    # Ada's override travels in the document.
    assert local.get_identity_flags("ada").get_feature_value("banner") == "hello, Ada"
    segments = {s.name for s in local.get_identity_segments("x1", {"plan": "pro"})}
    assert segments - {"half"} == {"pro users", "gold premium"}


def test_analytics_are_counted(state, api_url, admin):
    client = Flagsmith(
        environment_key=state["client_key"], api_url=api_url, enable_analytics=True
    )
    flags = client.get_environment_flags()
    for _ in range(3):
        flags.is_feature_enabled("max_items")
    client._analytics_processor.flush()
    feature = state["features"]["max_items"]
    path = (
        f"/api/v1/projects/{state['project']}/features/{feature}/evaluation-data/"
        f"?environment_id={state['environment']}&period=1d"
    )
    counted = eventually(lambda: sum(d["count"] for d in admin(path)) >= 3)
    assert counted, admin(path)


def test_a_bad_key_is_an_api_error(api_url):
    client = Flagsmith(environment_key="not-a-key", api_url=api_url)
    with pytest.raises(FlagsmithAPIError):
        client.get_environment_flags()
    with pytest.raises(FlagsmithAPIError):
        client.get_identity_flags("anyone")


def test_realtime_updates_reach_local_evaluation(state, api_url, admin, admin_write):
    """Local evaluation with realtime updates: the SDK hears the change on Flagstaff's
    stream (its refresh interval is an hour) and fetches the document again."""
    client = Flagsmith(
        environment_key=state["server_key"],
        api_url=api_url,
        enable_local_evaluation=True,
        environment_refresh_interval_seconds=3600,
        enable_realtime_updates=True,
        realtime_api_url=state["base"] + "/",
    )
    try:
        enabled = client.get_environment_flags().is_feature_enabled("realtime")
        # The stream is open once its first event has been read.
        time.sleep(1)
        feature = state["features"]["realtime"]
        states = admin(f"/api/v1/environments/{state['client_key']}/featurestates/?feature={feature}")
        path = f"/api/v1/environments/{state['client_key']}/featurestates/{states['results'][0]['id']}/"
        changed = time.monotonic()
        admin_write("PATCH", path, {"enabled": not enabled})
        while client.get_environment_flags().is_feature_enabled("realtime") == enabled:
            assert time.monotonic() - changed < 10, "the SDK did not pick up the change"
            time.sleep(0.005)
        delay = time.monotonic() - changed
        report(f"flagsmith (Python) local evaluation, realtime: the change seen after {delay * 1000:.0f} ms")
    finally:
        client.__del__()

"""OpenFeature's Python SDK with the generic OFREP provider (`openfeature-provider-ofrep`)."""

import pytest
from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import Reason


@pytest.fixture(scope="module")
def client(state):
    key = state["client_key"]
    api.set_provider(
        OFREPProvider(state["base"], headers_factory=lambda: {"X-API-Key": key}),
        domain="flagstaff",
    )
    return api.get_client(domain="flagstaff")


def test_static_values(client):
    details = client.get_string_details("banner", "fallback")
    assert details.value == "hello"
    assert details.reason == Reason.STATIC
    assert details.error_code is None
    assert client.get_integer_value("max_items", 0) == 10
    assert client.get_boolean_value("Dark Mode", False) is True


def test_targeting_key_and_attributes(client):
    context = EvaluationContext(targeting_key="ofrep-1", attributes={"plan": "pro"})
    details = client.get_string_details("premium", "fallback", context)
    assert details.value == "gold"
    assert details.reason == Reason.TARGETING_MATCH
    without = client.get_string_value("premium", "fallback", EvaluationContext("ofrep-1"))
    # Attributes are transient: nothing of them was stored.
    assert without == "basic"


def test_stored_identity_override(client):
    assert client.get_string_value("banner", "x", EvaluationContext("ada")) == "hello, Ada"


def test_split_reason(client):
    reasons = {
        client.get_string_details("colour", "x", EvaluationContext(f"split-{n}")).reason
        for n in range(30)
    }
    assert Reason.SPLIT in reasons


def test_disabled_flag(client):
    details = client.get_string_details("beta", "fallback")
    assert details.reason == Reason.DISABLED


def test_unknown_flag(client):
    details = client.get_string_details("no_such_flag", "fallback")
    assert details.value == "fallback"
    assert details.error_code == ErrorCode.FLAG_NOT_FOUND


def test_type_mismatch(client):
    details = client.get_integer_details("banner", 7)
    assert details.value == 7
    assert details.error_code == ErrorCode.TYPE_MISMATCH


def test_a_bad_key(state):
    api.set_provider(
        OFREPProvider(state["base"], headers_factory=lambda: {"X-API-Key": "nope"}),
        domain="bad",
    )
    details = api.get_client(domain="bad").get_string_details("banner", "fallback")
    assert details.value == "fallback"
    assert details.error_code == ErrorCode.GENERAL

"""What seed.py set up, for every test: the server's address, its keys and its ids."""

import json
import os
import time
import urllib.request

import pytest


@pytest.fixture(scope="session")
def state():
    with open(os.environ["FLAGSTAFF_SDK_STATE"]) as f:
        return json.load(f)


@pytest.fixture(scope="session")
def api_url(state):
    return state["base"] + "/api/v1/"


@pytest.fixture(scope="session")
def admin(state):
    """GET a management API path as the seeding superuser; the parsed JSON body."""

    def get(path):
        request = urllib.request.Request(state["base"] + path)
        request.add_header("Authorization", f"Token {state['token']}")
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())

    return get


@pytest.fixture(scope="session")
def admin_write(state):
    """Sends a JSON body to a management API path as the seeding superuser; the parsed answer."""

    def call(method, path, body):
        request = urllib.request.Request(
            state["base"] + path, method=method, data=json.dumps(body).encode()
        )
        request.add_header("Authorization", f"Token {state['token']}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())

    return call


def report(line):
    """Adds a line to the suite's report of measured figures, printed at its end."""
    path = os.environ.get("FLAGSTAFF_SDK_REPORT")
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")


def eventually(check, timeout=10.0):
    """Retries `check` until it returns a truthy value or the time is up; returns that value."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)

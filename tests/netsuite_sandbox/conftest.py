"""Fixtures for the NetSuite sandbox tests: a sandbox on a temp DB and a signing client."""

from __future__ import annotations

import pytest
from ns_helpers import NsClient

from netsuite_sandbox import NetSuiteSandbox
from sandbox_kit import start_background


@pytest.fixture
def start_sandbox(tmp_path):
    """Start a sandbox (kwargs go to NetSuiteSandbox); every one started is stopped afterwards."""
    servers = []

    def start(db_name="ns.db", **kwargs):
        server = start_background(NetSuiteSandbox(tmp_path / db_name, **kwargs))
        servers.append(server)
        return server

    yield start
    for server in servers:
        try:
            server.stop()
        except Exception:
            pass


@pytest.fixture
def sandbox(start_sandbox):
    return start_sandbox()


@pytest.fixture
def client(sandbox):
    return NsClient(sandbox.url)

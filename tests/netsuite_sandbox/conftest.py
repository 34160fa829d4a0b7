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


@pytest.fixture(scope="session")
def wsdl_path():
    from ns_helpers import shared_dir

    return shared_dir("netsuite-wsdl", "2023_2", "netsuite.wsdl")


@pytest.fixture(scope="session")
def soap_schema(wsdl_path):
    from soap_helpers import load_schema

    return load_schema(wsdl_path)


@pytest.fixture(scope="session")
def zeep_client(wsdl_path, soap_schema):
    from soap_helpers import make_client

    return make_client(wsdl_path, soap_schema)


@pytest.fixture
def soap(sandbox, zeep_client):
    from soap_helpers import Soap

    return Soap(zeep_client[0], sandbox.url)

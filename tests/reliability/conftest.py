"""Every test here is a reliability case (marker ``reliability``, part of the default run and CI)."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/reliability/" in str(item.fspath):
            item.add_marker(pytest.mark.reliability)


from tests.reliability.stripe_tools import fast_sdk_retries  # noqa: E402,F401  (a fixture for this folder)

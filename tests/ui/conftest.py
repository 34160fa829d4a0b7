"""Browser tests: a finance user in the real Airflow UI (``./dev.sh ui``'s stack), driven by Playwright.

One ``LocalUiStack`` (both sandboxes, api-server, scheduler, dag-processor) and one Chromium for
the session, shared by the modules (a stack takes about 30 s to start); each test sets up what it
needs. Chromium is Debian's ``/usr/bin/chromium`` (``./dev.sh test`` installs it when missing);
Playwright's own browser download is never used. Screenshots of each step go to
``test-artifacts/ui/`` (gitignored), with the stack's logs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.ui import ui

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "ui"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _no_browser_reason() -> str | None:
    if not CHROMIUM.exists():
        return os.environ.get("STRIPE_NETSUITE_NO_BROWSER") or (
            f"{CHROMIUM} is absent: run the tests with ./dev.sh test (it installs Debian's chromium and "
            "chromium-driver with apt-get as root), or apt-get install chromium chromium-driver")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright is not installed ({exc}); ./dev.sh env installs the test extra"
    return None


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def stack(artifacts, tmp_path_factory):
    reason = _no_browser_reason()
    if reason:
        pytest.skip(reason)
    from stripe_netsuite_demo.local_ui import LocalUiStack

    stack = LocalUiStack(tmp_path_factory.mktemp("ui-home"), port=0)
    try:
        stack.start()
    except Exception:
        _keep_logs(stack, artifacts)
        raise
    yield stack
    try:
        stack.stop()
        left = stack.leftover_pids()
        assert not left, f"processes left behind by the UI stack: {left}"
    finally:
        _keep_logs(stack, artifacts)


def _keep_logs(stack, artifacts: Path) -> None:
    if stack.log_dir.exists():
        shutil.copytree(stack.log_dir, artifacts / "stack-logs", dirs_exist_ok=True)


@pytest.fixture(scope="session")
def browser_context(stack):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="ui-chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1400, "height": 900}, timezone_id="UTC", locale="en-US",
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def shots(request, artifacts):
    return ui.Shots(artifacts, request.node.name)


@pytest.fixture
def page(browser_context, stack, shots):
    """A new tab, logged in (through the login form when the session has no token yet)."""
    page = browser_context.new_page()
    try:
        ui.ensure_logged_in(page, stack)
        yield page
    finally:
        if not page.is_closed():
            shots(page, "end")
            page.close()


@pytest.fixture
def api(stack):
    with stack.api() as client:
        yield client


def pytest_terminal_summary(terminalreporter):
    if ARTIFACTS.exists() and any(ARTIFACTS.glob("*.png")):
        terminalreporter.write_line(f"UI test screenshots and stack logs: {ARTIFACTS}")

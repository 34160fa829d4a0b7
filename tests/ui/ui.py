"""Helpers for the browser tests: screenshots, the login form, and REST/sandbox set-up and checks.

Gestures go through the browser; the REST API (admin token) and the sandboxes are only used to
set up and to verify.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote

TERMINAL = {"success", "failed"}


class Shots:
    """Screenshots named ``<test>-<nn>-<step>.png`` in the artifacts folder."""

    def __init__(self, folder: Path, test_name: str) -> None:
        self.folder = folder
        self.prefix = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
        self.count = 0

    def __call__(self, page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.prefix}-{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


# ------------------------------------------------------------------------------------ browser


def login_form(page, stack) -> None:
    """SimpleAuthManager's login page: user name, password, Sign in; lands where the user was going."""
    page.get_by_label("Username").fill(stack.username)
    page.get_by_label("Password").fill(stack.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def ensure_logged_in(page, stack) -> None:
    page.goto(f"{stack.url}/")
    page.wait_for_load_state("networkidle")
    if "/auth/login" in page.url:
        login_form(page, stack)


def open_dag(page, stack, dag_id: str) -> None:
    page.goto(f"{stack.url}/dags/{dag_id}")
    page.get_by_role("button", name="Trigger Dag").wait_for()


def open_trigger_dialog(page):
    page.get_by_role("button", name="Trigger Dag").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Single Run", exact=True).wait_for()
    return dialog


def run_id_from_url(page, dag_id: str) -> str:
    """After a trigger the UI opens the new run's page: /dags/<dag>/runs/<run id>."""
    page.wait_for_url(re.compile(rf"/dags/{re.escape(dag_id)}/runs/[^/?]+"))
    return unquote(re.search(rf"/dags/{re.escape(dag_id)}/runs/([^/?]+)", page.url).group(1))


def run_page(page, stack, dag_id: str, run_id: str) -> None:
    page.goto(f"{stack.url}/dags/{dag_id}/runs/{quote(run_id, safe='')}")
    page.get_by_test_id("header-card").wait_for()


def header_state(page) -> str:
    """The state badge beside the run's (or task instance's) name in the page header."""
    badge = page.get_by_test_id("header-card").get_by_test_id("state-badge")
    badge.wait_for()
    return badge.inner_text().strip()


def wait_header_state(page, expected: str, timeout: float = 60) -> str:
    """Reload the page until the header badge shows ``expected`` (the UI refreshes it too)."""
    deadline = time.monotonic() + timeout
    while True:
        state = header_state(page)
        if state.lower() == expected.lower() or time.monotonic() > deadline:
            return state
        time.sleep(2)
        page.reload()


# ------------------------------------------------------------------------------------ REST


def wait_until(check: Callable[[], object], timeout: float, what: str, interval: float = 1.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def dag_runs(api, dag_id: str, **filters) -> list[dict]:
    response = api.get(f"/dags/{dag_id}/dagRuns", params={"limit": 100, "order_by": "run_after", **filters})
    response.raise_for_status()
    return response.json()["dag_runs"]


def dag_run(api, dag_id: str, run_id: str) -> dict:
    response = api.get(f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}")
    response.raise_for_status()
    return response.json()


def wait_run_done(api, dag_id: str, run_id: str, timeout: float = 180) -> dict:
    return wait_until(lambda: (run := dag_run(api, dag_id, run_id))["state"] in TERMINAL and run,
                      timeout, f"{dag_id} run {run_id} to finish")


def task_instances(api, dag_id: str, run_id: str) -> dict[str, dict]:
    response = api.get(f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances")
    response.raise_for_status()
    return {ti["task_id"]: ti for ti in response.json()["task_instances"]}


def task_states(api, dag_id: str, run_id: str) -> dict[str, str]:
    return {task: ti["state"] for task, ti in task_instances(api, dag_id, run_id).items()}


def variable(api, key: str):
    import json

    response = api.get(f"/variables/{key}")
    if response.status_code == 404:
        return None
    response.raise_for_status()
    value = response.json()["value"]
    try:
        return json.loads(value)
    except ValueError:
        return value


def set_paused(api, dag_id: str, paused: bool) -> None:
    api.patch(f"/dags/{dag_id}", json={"is_paused": paused}).raise_for_status()


# ------------------------------------------------------------------------------------ sandboxes


def stripe_invoices(stripe_url: str) -> list[dict]:
    from tests.flows.helpers import stripe_client

    client = stripe_client(stripe_url)
    return [i.to_dict() for i in client.v1.invoices.list(params={"limit": 100}).auto_paging_iter()]


def created_between(invoices: list[dict], start: dt.datetime, end: dt.datetime) -> set[str]:
    """The IDs of the finalized invoices created in [start, end)."""
    low, high = start.timestamp(), end.timestamp()
    return {i["id"] for i in invoices if i["status"] != "draft" and low <= i["created"] < high}


def netsuite_invoices(stack) -> set[str]:
    """External IDs of the invoices NetSuite holds (SuiteQL through the project's NetSuiteHook)."""
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    with stack.connections():
        rows = NetSuiteHook().suiteql("SELECT externalid FROM transaction WHERE recordtype = 'invoice'")
        return {row["externalid"] for row in rows}


def netsuite_customers(stack) -> set[str]:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    with stack.connections():
        return {row["externalid"] for row in NetSuiteHook().suiteql("SELECT externalid FROM customer")
                if (row.get("externalid") or "").startswith("cus_")}


def utc(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc)


def parse_utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def open_invoice(stripe_url: str, customer: str, currency: str, *amounts: int) -> str:
    """A finalized, unpaid invoice (sent, due in 30 days) of one-off lines, made through the Stripe SDK."""
    from tests.flows.helpers import open_invoice as open_invoice_with, stripe_client

    return open_invoice_with(stripe_client(stripe_url), customer, currency, *amounts)


def dag(api, dag_id: str) -> dict:
    response = api.get(f"/dags/{dag_id}")
    response.raise_for_status()
    return response.json()

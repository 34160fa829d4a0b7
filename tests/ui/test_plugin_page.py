"""The "Stripe ↔ NetSuite" page (plugins/stripe_netsuite/ui): the latest report, the retry queues, the failing runs.

Three layers:

- rendering, pure: every value escaped, empty states, one table per section, links (no Airflow, no browser);
- the page inside Airflow's own API app (``create_app``, SimpleAuthManager), over a real reconciliation run
  (``dag.test`` with a planted report) and a planted retry queue: no login -> 401, a bad token -> 403, a
  user without the permission -> 403, a viewer sees the report and runs but not the queue Variable, an op
  everything, through the UI's cookie as well as a bearer token;
- the browser (``./dev.sh ui``'s stack, shared with test_finance_user.py): log in, open the page from the
  navigation, see the sections, a real difference and a planted queued record, open a failing run from it;
  without a login the page URL is refused.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from stripe_netsuite.sync.retry_queue import retry_queue_key, what_to_do
from stripe_netsuite.ui import PAGE_NAME, URL_PREFIX, URL_ROUTE
from stripe_netsuite.ui.data import (
    DagStatus,
    PageData,
    ProjectDag,
    QueuedRecord,
    ReportInfo,
    RetryQueueInfo,
    RunInfo,
    parse_queue,
)
from stripe_netsuite.ui.render import Links, grouped_problems, render_page, section_of, split_problem, title_of

RECONCILIATION = "stripe_netsuite_reconciliation"
PAYMENTS = "stripe_payments_to_netsuite"
NOW = dt.datetime(2026, 12, 8, 9, 30, tzinfo=dt.timezone.utc)
XSS = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


class Tags(HTMLParser):
    """The start tags of a page and the attributes that could run script."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.hrefs: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.hrefs += [value for name, value in attrs if name == "href"]


def assert_inert(page: str) -> None:
    """Nothing but the page's own markup: one script (its own), no event handler, no javascript: link."""
    tags = Tags(page)
    assert tags.tags.count("script") == 1 and not {"img", "iframe", "object", "svg"} & set(tags.tags), tags.tags
    assert not tags.handlers
    assert not [href for href in tags.hrefs if href.lower().lstrip().startswith("javascript:")]
    assert XSS not in page and "<img" not in page


def planted_summary(problems: list[str] | None = None, **extra) -> dict:
    problems = [
        f"cus_{XSS}: missing in NetSuite -> fix: trigger stripe_customers_to_netsuite with stripe_ids "
        f"[cus_{XSS}] and force_rewrite on",
        "in_PLANTED1: total Stripe 150.00 USD, NetSuite 140.00 USD -> fix: trigger stripe_invoices_to_netsuite "
        "with stripe_ids [in_PLANTED1] and force_rewrite on",
        "ch_PLANTED2: missing in NetSuite -> fix: trigger stripe_payments_to_netsuite with stripe_ids [ch_PLANTED2]",
        f"a line of another shape {IMG}",
    ] if problems is None else problems
    return {
        "ok": False,
        "customers": {"stripe": 12, "netsuite": 11, "matched": 11},
        "invoices": {"stripe": 30, "netsuite": 30, "matched": 29, "credit_memos_expected": 4,
                     "credit_memos_matched": 4, "paid_outside_stripe": 0},
        "payments": None,
        "problem_count": len(problems) + 2,
        "problems": problems,
        "settling": 2,
        **extra,
    }


def queued(stripe_id: str = f"ch_{IMG}", code: str = "USER_ERROR", message: str = f"Invalid currency {XSS}") -> dict:
    return {"stripe_id": stripe_id, "code": code, "message": message, "attempts": 3,
            "first_failed_at": "2026-12-07T08:00:00+00:00", "last_failed_at": "2026-12-08T08:00:00+00:00",
            "last_run_id": "scheduled__2026-12-08T08:00:00+00:00"}


def full_page_data(**changes) -> PageData:
    run_id = f"manual__2026-12-08T09:00:00+00:00{XSS}"
    dags = [ProjectDag("stripe_customers_to_netsuite", "customers"), ProjectDag(PAYMENTS, "payments", True),
            ProjectDag(RECONCILIATION, "reconciliation")]
    failed = RunInfo(RECONCILIATION, run_id, "failed", NOW, ["check_report"])
    data = PageData(
        generated_at=NOW, user=f"finance{XSS}", dags=dags,
        report=ReportInfo(RECONCILIATION, run_id, NOW, "failed",
                          planted_summary(html_report=f"/opt/airflow/reports/{XSS}.html",
                                          csv_dir="https://reports.example.com/recon/2026-12-08/")),
        queues=[RetryQueueInfo("customers", retry_queue_key("customers"), "stripe_customers_to_netsuite"),
                RetryQueueInfo("payments", retry_queue_key("payments"), PAYMENTS,
                               records=parse_queue([queued()], "payments"))],
        statuses=[DagStatus(dags[0], RunInfo(dags[0].dag_id, "scheduled__x", "success", NOW)),
                  DagStatus(dags[1], None), DagStatus(dags[2], failed)],
        failed_runs=[failed],
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def text_of(page: str) -> str:
    """The page's text as a reader sees it: no style or script, tags dropped, entities decoded, spaces squeezed."""
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
    return re.sub(r" ([:.,;)])", r"\1", text.replace("( ", "("))


# ------------------------------------------------------------------------------------------ rendering


def test_every_value_is_escaped_and_shown_as_text():
    page = render_page(full_page_data(), Links(), nonce="n0nce")
    assert_inert(page)
    text = text_of(page)
    # What Stripe, NetSuite or a user wrote is there, as text.
    for shown in (f"cus_{XSS}", f"ch_{IMG}", f"Invalid currency {XSS}", f"finance{XSS}", IMG,
                  f"/opt/airflow/reports/{XSS}.html"):
        assert shown in text, shown
    assert html.escape(f"cus_{XSS}") in page
    # The run ID is quoted in the link and escaped in its text.
    run_id = f"manual__2026-12-08T09:00:00+00:00{XSS}"
    assert f'href="/dags/{RECONCILIATION}/runs/{quote(run_id, safe="")}"' in page
    assert f'href="/dags/{RECONCILIATION}/runs/{quote(run_id, safe="")}/tasks/check_report"' in page
    assert '<script nonce="n0nce">' in page


def test_summary_first_then_one_table_per_section():
    page = render_page(full_page_data(), Links("/airflow"), nonce="n")
    text = text_of(page)
    assert re.findall(r"<h2[^>]*>([^<]+)</h2>", page) == [
        "Summary", "Latest reconciliation", "Waiting to load (retry queues)", "Runs"]
    assert "Reconciliation: 6 differences between Stripe and NetSuite" in text
    assert "Waiting to load: 1 record (Payments 1)" in text
    assert f"1 DAG whose latest run failed: {RECONCILIATION}" in text
    # Counts per section; a switched-off flow said so; the files the summary names.
    assert "Customers 12 11 11" in text and "Invoices and credit memos 30 30 29 credit memos expected 4" in text
    assert "Not compared (flow switched off in the settings): Payments." in text
    assert "2 Stripe objects changed too recently" in text
    assert '<a href="https://reports.example.com/recon/2026-12-08/" target="_blank"' in page
    # Differences: one table per section, each line split into ID / what differs / what to do.
    for label in ("Differences: Customers", "Differences: Invoices and credit memos", "Differences: Payments",
                  "Differences: Other differences"):
        assert f'aria-label="{label}"' in page
    assert "… and 2 more in the reconcile task's log" in text
    assert "in_PLANTED1 total Stripe 150.00 USD, NetSuite 140.00 USD fix: trigger stripe_invoices_to_netsuite" in text
    # The queue: every column, and what to do for its code.
    assert f"ch_{IMG} USER_ERROR Invalid currency {XSS} 3 2026-12-07 08:00 UTC last 2026-12-08 08:00 UTC" in text
    assert what_to_do("USER_ERROR") in text
    assert "Nothing waiting." in text  # customers
    # Links under Airflow's base path.
    assert 'href="/airflow/dags/stripe_payments_to_netsuite"' in page


def test_empty_states():
    page = render_page(PageData(generated_at=NOW, user="admin"), Links(), nonce="n")
    assert_inert(page)
    text = text_of(page)
    assert "Reconciliation: No reconciliation report yet" in text
    assert "No reconciliation report yet: the reconciliation DAG has not finished a run" in text
    assert "No flow DAG and no retry queue found." in text
    assert "No failed run." in text

    agreeing = full_page_data(failed_runs=[], report=ReportInfo(RECONCILIATION, "r1", NOW, "success", {
        "ok": True, "customers": {"stripe": 3, "netsuite": 3, "matched": 3}, "problem_count": 0, "problems": [],
        "settling": 0}))
    text = text_of(render_page(agreeing, Links(), nonce="n"))
    assert "Reconciliation: Stripe and NetSuite agree" in text
    assert "Differences None: every compared record matches." in text
    assert "No failed run." in text

    unreadable = full_page_data(report=ReportInfo(RECONCILIATION, "r1", NOW, "success", ["not", "a", "summary"]))
    assert "The reconcile task returned a list, not a report summary" in text_of(render_page(unreadable, Links(),
                                                                                              nonce="n"))


def test_sections_the_user_may_not_read_say_so_and_show_nothing():
    data = full_page_data(report=None, report_allowed=False, statuses=[], failed_runs=[], runs_allowed=False,
                          queues=[RetryQueueInfo("payments", retry_queue_key("payments"), PAYMENTS, allowed=False)])
    text = text_of(render_page(data, Links(), nonce="n"))
    assert "may not read the reconciliation DAG's results" in text
    assert f"may not read the Variable {retry_queue_key('payments')}" in text
    assert "may not read the runs of these DAGs" in text
    assert "Waiting to load" not in text.split("Latest reconciliation")[0]  # no summary card for a hidden queue


def test_problem_lines_split_and_grouped_by_stripe_id():
    assert split_problem("in_1: total differs -> fix: trigger x") == ("in_1", "total differs", "fix: trigger x")
    assert split_problem("a note without an ID") == ("", "a note without an ID", "")
    groups = grouped_problems(["ch_1: a -> b", "cus_1: c -> d", "dp_1: e -> f", "re_1: e -> f", "in_2: g -> h",
                               "po_1: k -> l", "py_3: i -> j", "x"])
    assert list(groups) == ["customers", "invoices", "payments", "refunds", "disputes", "payouts", "other"]
    assert [p[0] for p in groups["payments"]] == ["ch_1", "py_3"]


def test_a_queue_variable_of_another_shape_is_reported_not_shown():
    with pytest.raises(ValueError):
        parse_queue({"stripe_id": "x"}, "payments")
    assert parse_queue("", "payments") == [] and parse_queue(None, "payments") == []
    assert parse_queue(json.dumps([queued("in_1", "DEPENDENCY", "m")]), "invoices")[0] == QueuedRecord(
        "in_1", "DEPENDENCY", "m", "3", "2026-12-07T08:00:00+00:00", "2026-12-08T08:00:00+00:00",
        "scheduled__2026-12-08T08:00:00+00:00", what_to_do("DEPENDENCY"))


# ------------------------------------------------------------------------------------------ inside Airflow


def test_the_distribution_registers_the_plugin_with_airflow():
    from importlib.metadata import entry_points

    from airflow import plugins_manager

    assert [ep.value for ep in entry_points(group="airflow.plugins") if ep.name == "stripe_netsuite_ui"] == [
        "stripe_netsuite.ui.plugin:StripeNetSuiteUiPlugin"], "reinstall the package (./dev.sh env) for the entry point"
    apps, _ = plugins_manager.get_fastapi_plugins()
    assert [(a["url_prefix"], a["name"]) for a in apps if a["name"] == PAGE_NAME] == [(URL_PREFIX, PAGE_NAME)]
    views = [v for p in plugins_manager._get_plugins()[0] for v in p.external_views if v.get("name") == PAGE_NAME]
    assert views == [{"name": PAGE_NAME, "href": f"{URL_ROUTE}/", "destination": "nav", "url_route": URL_ROUTE,
                      "nav_top_level": True}]


@pytest.fixture
def planted(airflow_db, clean_variables, dagbag, monkeypatch):
    """A real failed run of the reconciliation DAG whose report has differences, and a queued payment."""
    from stripe_netsuite.operators.reconcile import ReconciliationOperator
    from tests.fixtures.airflow import set_db_variable
    from tests.flows.helpers import task_states, xcom_return

    summary = planted_summary()
    monkeypatch.setattr(ReconciliationOperator, "report_summary", lambda self: summary)
    dag_run = dagbag.dags[RECONCILIATION].test()
    assert task_states(dag_run) == {"reconcile": "success", "check_report": "failed"}
    assert xcom_return(dag_run, "reconcile") == summary
    set_db_variable(retry_queue_key("payments"), [queued()])
    return dag_run


@pytest.fixture(scope="module")
def airflow_api():
    """Airflow's own API app (the UI's server) with the plugins it loads, and tokens for each role."""
    import warnings

    with warnings.catch_warnings():  # Starlette: "Using `httpx` with `starlette.testclient` is deprecated"
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from airflow.api_fastapi.app import create_app, get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    client = TestClient(create_app(apps="core"))

    def token(role: str | None) -> str:
        return get_auth_manager().generate_jwt(SimpleAuthManagerUser(username=f"u-{role}", role=role))

    return client, token


def test_the_page_needs_an_airflow_login_and_the_permission_to_read_the_runs(planted, airflow_api):
    client, token = airflow_api
    url = f"{URL_PREFIX}/"

    anonymous = client.get(url)
    assert (anonymous.status_code, anonymous.json()) == (401, {"detail": "Not authenticated"})
    browser = client.get(url, headers={"Accept": "text/html"})
    assert browser.status_code == 401 and "Sign in to Airflow first" in browser.text
    assert "PLANTED" not in browser.text and "retry" not in browser.text.lower()
    assert client.get(url, headers={"Authorization": "Bearer not-a-jwt"}).status_code == 403
    assert client.get(url, cookies={"_token": "not-a-jwt"}).status_code in (401, 403)
    no_role = client.get(url, headers={"Authorization": f"Bearer {token(None)}", "Accept": "text/html"})
    assert no_role.status_code == 403 and "Not allowed" in no_role.text and "PLANTED" not in no_role.text

    # A viewer reads the report and the runs; the retry queue is a Variable, which only op and admin may read.
    viewer = client.get(url, headers={"Authorization": f"Bearer {token('viewer')}"})
    assert viewer.status_code == 200, viewer.text
    assert viewer.headers["content-type"].startswith("text/html")
    assert "script-src 'nonce-" in viewer.headers["content-security-policy"]
    assert_inert(viewer.text)
    text = text_of(viewer.text)
    assert "in_PLANTED1 total Stripe 150.00 USD, NetSuite 140.00 USD" in text and f"cus_{XSS}" in text
    run_link = f'/dags/{RECONCILIATION}/runs/{quote(planted.run_id, safe="")}'
    assert f'href="{run_link}"' in viewer.text and f'href="{run_link}/tasks/check_report"' in viewer.text
    assert f"may not read the Variable {retry_queue_key('payments')}" in text
    assert "Invalid currency" not in text

    # An op (and the UI's own cookie, as its iframe sends it) reads the queue too.
    op = client.get(url, cookies={"_token": token("op")})
    assert op.status_code == 200, op.text
    assert_inert(op.text)
    text = text_of(op.text)
    assert f"ch_{IMG} USER_ERROR Invalid currency {XSS} 3" in text and what_to_do("USER_ERROR") in text
    assert "Waiting to load: 1 record (Payments 1)" in text


# ------------------------------------------------------------------------------------------ in the browser


def finished_reconciliation(api, stack) -> dict:
    """Set-up: a new, empty NetSuite, then a finished run of the reconciliation DAG over it: every demo record
    is older than the settle time, so it reports them missing and its check_report fails."""
    from tests.ui import ui

    stack.fresh_netsuite()
    before = {r["dag_run_id"] for r in ui.dag_runs(api, RECONCILIATION)}

    def new_runs():
        return [r for r in ui.dag_runs(api, RECONCILIATION) if r["dag_run_id"] not in before]

    if ui.dag(api, RECONCILIATION)["is_paused"]:
        ui.set_paused(api, RECONCILIATION, False)  # the scheduler makes its latest daily run
        try:
            ui.wait_until(new_runs, 20, "the scheduled reconciliation run")
        except AssertionError:
            pass  # that run was made earlier
    if not new_runs():
        api.post(f"/dags/{RECONCILIATION}/dagRuns", json={"logical_date": None}).raise_for_status()
    run_id = ui.wait_until(new_runs, 60, "a new reconciliation run")[-1]["dag_run_id"]
    return ui.wait_run_done(api, RECONCILIATION, run_id)


def test_a_the_page_from_the_navigation_shows_the_report_queues_and_failing_runs(page, stack, api, shots):
    from playwright.sync_api import expect

    from tests.ui import ui

    run = finished_reconciliation(api, stack)
    run_id = run["dag_run_id"]
    assert ui.task_states(api, RECONCILIATION, run_id) == {"reconcile": "success", "check_report": "failed"}
    summary = api.get(f"/dags/{RECONCILIATION}/dagRuns/{quote(run_id, safe='')}/taskInstances/reconcile/"
                      "xcomEntries/return_value").json()["value"]
    difference, what, todo = split_problem(summary["problems"][0])
    record = queued(stripe_id=f"ch_PLANTED{IMG}")
    key = retry_queue_key("payments")  # the payments DAG stays paused here: no run touches its queue
    api.post("/variables", json={"key": key, "value": json.dumps([record])}).raise_for_status()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.get_by_test_id("nav-sidebar").get_by_role("link", name=PAGE_NAME).click()
        page.wait_for_url(re.compile(rf"/plugin/{URL_ROUTE}"))
        frame = page.frame_locator(f"iframe[title='{PAGE_NAME}']")
        for heading in ("Summary", "Latest reconciliation", "Waiting to load (retry queues)", "Runs"):
            expect(frame.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        count = summary["problem_count"]
        expect(frame.locator(".status")).to_contain_text(f"{count} differences between Stripe and NetSuite")
        expect(frame.get_by_role("table", name="Counts per section")).to_contain_text("Customers")
        section = frame.get_by_role("table", name=f"Differences: {title_of(section_of(difference))}")
        row = section.get_by_role("row").filter(has_text=difference)
        expect(row).to_contain_text(what)
        expect(row).to_contain_text(todo)
        queue = frame.get_by_role("table", name="Retry queue: Payments")
        expect(queue).to_contain_text(record["stripe_id"])  # shown as text, not run
        expect(queue).to_contain_text(record["message"])
        expect(queue).to_contain_text(what_to_do(record["code"]))
        assert frame.locator("main img, main script").count() == 0 and not dialogs
        shots(page, "plugin-page")
        queue.scroll_into_view_if_needed()
        shots(page, "plugin-page-queue")

        # The failing run opens in Airflow's own run page, in the whole window.
        failed = frame.get_by_role("table", name="Failed runs").get_by_role("row").filter(has_text=run_id)
        expect(failed).to_contain_text("check_report")
        failed.get_by_role("link", name=run_id, exact=True).click()
        page.wait_for_url(re.compile(rf"/dags/{RECONCILIATION}/runs/{re.escape(quote(run_id, safe=''))}$"))
        assert ui.header_state(page) == "Failed"
        shots(page, "failing-run")
    finally:
        api.delete(f"/variables/{key}")


def test_b_without_a_login_the_page_is_refused(browser_context, stack, shots):
    import httpx
    from playwright.sync_api import expect

    browser_context.clear_cookies()
    page = browser_context.new_page()
    try:
        response = page.goto(f"{stack.url}{URL_PREFIX}/")
        assert response.status == 401
        expect(page.get_by_role("heading", name="Sign in to Airflow first")).to_be_visible()
        assert "differences" not in page.content() and "retry" not in page.content().lower()
        shots(page, "refused")
        page.goto(f"{stack.url}/plugin/{URL_ROUTE}")  # the UI's route of the page sends to the login first
        page.wait_for_url(re.compile(r"/auth/login"))
        shots(page, "login-first")
    finally:
        page.close()
    assert httpx.get(f"{stack.url}{URL_PREFIX}/", timeout=10).status_code == 401
    forged = httpx.get(f"{stack.url}{URL_PREFIX}/", headers={"Authorization": "Bearer e30.e30.x"}, timeout=10)
    assert forged.status_code == 403

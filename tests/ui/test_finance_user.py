"""A finance user in the real Airflow 3.3 UI: log in, read the docs, trigger, backfill, fix a red run.

The tests share one stack and run in file order, as a user's session would; each one sets up what
it needs through the REST API (unpausing a DAG, a new NetSuite account) so it also runs alone.
Every gesture goes through the browser; results are checked in the UI and in the sandboxes.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from stripe_netsuite.sync.cursor import cursor_key
from stripe_netsuite.sync.retry_queue import retry_queue_key
from tests.flows.helpers import stripe_client
from tests.ui import ui

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (./dev.sh env installs the test extra)")
from playwright.sync_api import expect  # noqa: E402

CUSTOMERS = "stripe_customers_to_netsuite"
INVOICES = "stripe_invoices_to_netsuite"
RECONCILIATION = "stripe_netsuite_reconciliation"
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def settle(api, dag_id: str) -> None:
    """Set-up: the DAG is live (unpaused), its scheduled run has been made, and no run is active."""
    ui.set_paused(api, dag_id, False)
    ui.wait_until(lambda: ui.dag_runs(api, dag_id, run_type="scheduled"), 60, f"a scheduled {dag_id} run")
    ui.wait_until(lambda: all(r["state"] in ui.TERMINAL for r in ui.dag_runs(api, dag_id)), 240,
                  f"every {dag_id} run to finish")


def trigger_single_run(page, dag_id: str, shots) -> str:
    """Trigger dialog, Single Run, as it comes; returns the new run's ID (the UI opens its page)."""
    dialog = ui.open_trigger_dialog(page)
    shots(page, "trigger-dialog")
    dialog.get_by_role("button", name="Trigger", exact=True).click()
    return ui.run_id_from_url(page, dag_id)


def test_a_login_through_the_login_page(browser_context, stack, shots):
    browser_context.clear_cookies()
    page = browser_context.new_page()
    try:
        page.goto(f"{stack.url}/auth/login")
        page.evaluate("window.localStorage.clear(); window.sessionStorage.clear()")
        page.goto(f"{stack.url}/dags")
        page.wait_for_url(re.compile(r"/auth/login"))
        expect(page.get_by_text("Sign into Airflow")).to_be_visible()
        shots(page, "login-page")

        page.get_by_label("Username").fill(stack.username)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("Invalid credentials")).to_be_visible()
        shots(page, "wrong-password-refused")

        ui.login_form(page, stack)
        page.wait_for_url(re.compile(r"/dags$"))  # where the user was going
        expect(page.get_by_role("button", name="Admin")).to_be_visible()
        shots(page, "logged-in")
    finally:
        page.close()


def test_b_every_dag_is_listed_and_its_docs_speak_to_finance(page, stack, shots):
    page.get_by_role("link", name="Dags", exact=True).click()
    page.wait_for_url(re.compile(r"/dags$"))
    from stripe_netsuite_demo.local_ui import ALL_DAGS

    for dag_id in ALL_DAGS:
        expect(page.get_by_role("link", name=dag_id, exact=True)).to_be_visible()
    expect(page.get_by_text(f"{len(ALL_DAGS)} Dags")).to_be_visible()
    shots(page, "dag-list")

    page.get_by_role("link", name=INVOICES, exact=True).click()
    page.get_by_role("button", name="Dag Docs").click()
    docs = page.get_by_role("dialog")
    expect(docs.get_by_text("Dag Documentation")).to_be_visible()
    shots(page, "docs")
    text = docs.inner_text()
    missing = [phrase for phrase in ("How to backfill", "What red means", "How to retry")
               if phrase.lower() not in text.lower()]
    assert not missing, f"the {INVOICES} docs lack {missing}; they read:\n{text}"


def test_c_trigger_a_customers_run_and_see_it_succeed(page, stack, api, shots):
    ui.open_dag(page, stack, CUSTOMERS)
    dialog = ui.open_trigger_dialog(page)
    if ui.dag(api, CUSTOMERS)["is_paused"]:
        # A new user's DAG is paused: the dialog offers to unpause it, ticked.
        expect(dialog.get_by_role("checkbox", name=f"Unpause {CUSTOMERS} on trigger")).to_be_checked()
    shots(page, "trigger-dialog")
    dialog.get_by_role("button", name="Trigger", exact=True).click()
    run_id = ui.run_id_from_url(page, CUSTOMERS)

    run = ui.wait_run_done(api, CUSTOMERS, run_id)
    state = ui.wait_header_state(page, "Success")
    shots(page, "run")
    assert (run["run_type"], run["state"], state) == ("manual", "success", "Success"), \
        ui.task_states(api, CUSTOMERS, run_id)
    live = {c.id for c in stripe_client(stack.stripe_url).v1.customers.list(params={"limit": 100}).auto_paging_iter()}
    assert ui.netsuite_customers(stack) == live


def set_bound(page, bound, moment: dt.datetime) -> None:
    """The backfill form's From/To: open its picker, type the UTC date and time, close it."""
    bound.click()
    page.get_by_placeholder("YYYY/MM/DD").fill(moment.strftime("%Y/%m/%d"))
    page.get_by_placeholder("HH:mm").fill(moment.strftime("%H:%M"))
    bound.click()
    expect(page.get_by_placeholder("YYYY/MM/DD")).to_have_count(0)
    expect(bound).to_contain_text(moment.strftime("%b %d, %Y"))


def test_d_backfill_option_loads_exactly_the_invoices_of_the_chosen_hours(page, stack, api, shots):
    # Set-up: the DAG is live and its scheduled run has synced everything; then a new, empty
    # NetSuite account, so what the backfill writes is all NetSuite holds.
    settle(api, INVOICES)
    stack.fresh_netsuite()
    assert ui.netsuite_invoices(stack) == set()
    cursor = ui.variable(api, cursor_key("invoices"))

    invoices = sorted(ui.stripe_invoices(stack.stripe_url), key=lambda i: i["created"])
    target = invoices[len(invoices) // 2]
    hour = ui.utc(target["created"]).replace(minute=0, second=0, microsecond=0)
    first, last = hour - HOUR, hour + HOUR  # Airflow backfills both bounds: runs for first, hour, last
    expected = ui.created_between(invoices, first, last + HOUR)
    assert target["id"] in expected and len(expected) < len(invoices), "the window must include and exclude some"

    ui.open_dag(page, stack, INVOICES)
    dialog = ui.open_trigger_dialog(page)
    dialog.get_by_text("Backfill", exact=True).click()
    bounds = dialog.get_by_test_id("datetime-input")
    set_bound(page, bounds.nth(0), first)
    set_bound(page, bounds.nth(1), last)
    expect(dialog.get_by_text("3 runs will be triggered.")).to_be_visible()
    shots(page, "backfill-form")
    dialog.get_by_role("button", name="Run Backfill").click()
    expect(page.get_by_text("Backfill generated")).to_be_visible()
    shots(page, "backfill-created")

    backfill = ui.wait_until(
        lambda: next((b for b in api.get("/backfills", params={"dag_id": INVOICES}).json()["backfills"]
                      if b["completed_at"] and ui.parse_utc(b["from_date"]) == first), None),
        300, "the backfill to complete")
    assert ui.parse_utc(backfill["to_date"]) == last
    runs = [r for r in ui.dag_runs(api, INVOICES, run_type="backfill")
            if first <= ui.parse_utc(r["logical_date"]) <= last]
    assert [(ui.parse_utc(r["data_interval_start"]), ui.parse_utc(r["data_interval_end"]), r["state"])
            for r in runs] == [(first + n * HOUR, first + (n + 1) * HOUR, "success") for n in range(3)], runs

    page.goto(f"{stack.url}/dags/{INVOICES}/backfills")
    row = page.get_by_role("row").filter(has_text=first.strftime("%Y-%m-%d %H:%M:%S"))
    expect(row).to_contain_text(last.strftime("%Y-%m-%d %H:%M:%S"))
    shots(page, "backfills-tab")
    assert ui.netsuite_invoices(stack) == expected
    assert ui.variable(api, cursor_key("invoices")) == cursor, "a backfill must not move the cursor"


def test_e_backfill_params_load_exactly_the_invoices_of_the_chosen_days(page, stack, api, shots):
    settle(api, INVOICES)
    stack.fresh_netsuite()
    cursor = ui.variable(api, cursor_key("invoices"))
    invoices = sorted(ui.stripe_invoices(stack.stripe_url), key=lambda i: i["created"])
    start = ui.utc(invoices[1]["created"]).date()
    end = start + 3 * DAY  # exclusive
    expected = ui.created_between(invoices, dt.datetime.combine(start, dt.time(), dt.timezone.utc),
                                  dt.datetime.combine(end, dt.time(), dt.timezone.utc))
    assert expected and len(expected) < len(invoices), "the window must include and exclude some"

    ui.open_dag(page, stack, INVOICES)
    dialog = ui.open_trigger_dialog(page)
    # The params are date-format strings, so the form shows date pickers (element_<param name>).
    start_input, end_input = dialog.locator("input[name='element_start']"), dialog.locator("input[name='element_end']")
    expect(start_input).to_have_attribute("type", "date")
    start_input.fill(start.isoformat())
    end_input.fill(end.isoformat())
    shots(page, "params")
    dialog.get_by_role("button", name="Trigger", exact=True).click()
    run_id = ui.run_id_from_url(page, INVOICES)

    run = ui.wait_run_done(api, INVOICES, run_id)
    state = ui.wait_header_state(page, "Success")
    shots(page, "run")
    assert (run["state"], state) == ("success", "Success"), ui.task_states(api, INVOICES, run_id)
    assert (run["conf"]["start"], run["conf"]["end"]) == (start.isoformat(), end.isoformat())
    assert ui.netsuite_invoices(stack) == expected
    assert ui.variable(api, cursor_key("invoices")) == cursor, "a backfill must not move the cursor"


def test_f_poison_record_turns_the_run_red_and_clearing_only_the_check_turns_it_green(page, stack, api, shots):
    settle(api, INVOICES)
    client = stripe_client(stack.stripe_url)
    customer = client.v1.customers.create(params={"name": "Sydney Surf Pty Ltd", "email": "ap@surf.example"})
    poison = ui.open_invoice(stack.stripe_url, customer.id, "aud", 8800)  # AUD is not enabled in NetSuite

    ui.open_dag(page, stack, INVOICES)
    run_id = trigger_single_run(page, INVOICES, shots)
    run = ui.wait_run_done(api, INVOICES, run_id)
    assert ui.task_states(api, INVOICES, run_id) == {
        "sync": "success", "commit_cursor": "success", "check_failed_records": "failed"}, run
    assert ui.wait_header_state(page, "Failed") == "Failed"
    shots(page, "run-red")

    # The red task's log says which invoice failed and why, in a line a finance user can read.
    page.get_by_test_id("table-list").get_by_role("link", name="check_failed_records").click()
    page.wait_for_url(re.compile(r"/tasks/check_failed_records"))
    expect(page.get_by_text(poison).first).to_be_visible()
    shots(page, "check-log")
    log = page.get_by_text(poison).first.inner_text()
    lines = [line for line in page.locator("body").inner_text().splitlines() if poison in line and "AUD" in line]
    assert lines, f"no log line names both {poison} and AUD; the line with the invoice reads: {log!r}"

    # An administrator enables AUD in NetSuite; the user clears only the red check task.
    stack.enable_netsuite_currency("AUD")
    page.get_by_role("button", name="Press shift+c to clear").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Clear Task Instance:")).to_be_visible()
    downstream, upstream = dialog.get_by_role("button", name="Downstream"), dialog.get_by_role("button", name="Upstream")
    if downstream.get_attribute("class") != upstream.get_attribute("class"):  # Airflow preselects Downstream
        downstream.click()
    expect(downstream).to_have_attribute("class", upstream.get_attribute("class"))
    expect(dialog.get_by_text("Affected Tasks: 1")).to_be_visible()
    shots(page, "clear-dialog")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/clearTaskInstances")
                              and (r.request.post_data_json or {}).get("dry_run") is False) as clear:
        dialog.get_by_role("button", name="Confirm").click()
    body = clear.value.request.post_data_json
    assert clear.value.status == 200, clear.value.text()
    assert (body["task_ids"], body["include_downstream"], body["include_upstream"]) == (
        [["check_failed_records", -1]], False, False), body

    def check_ran_again():
        check = ui.task_instances(api, INVOICES, run_id)["check_failed_records"]
        return (check["try_number"] >= 2 and check["state"] in ui.TERMINAL
                and ui.dag_run(api, INVOICES, run_id)["state"] in ui.TERMINAL)

    ui.wait_until(check_ran_again, 180, "the cleared check to run again")
    tis = ui.task_instances(api, INVOICES, run_id)
    assert {t: (ti["state"], ti["try_number"]) for t, ti in tis.items()} == {
        "sync": ("success", 1), "commit_cursor": ("success", 1), "check_failed_records": ("success", 2)}
    assert ui.wait_header_state(page, "Success") == "Success"
    shots(page, "check-green")
    ui.run_page(page, stack, INVOICES, run_id)
    assert ui.wait_header_state(page, "Success") == "Success"
    shots(page, "run-green")
    assert poison in ui.netsuite_invoices(stack)
    assert ui.variable(api, retry_queue_key("invoices")) in ([], None)


def set_configuration_json(page, dialog, conf: dict) -> None:
    """Replace the Trigger dialog's 'Configuration JSON' (a code editor) with ``conf``."""
    dialog.get_by_text("Advanced Options").click()
    editor = dialog.locator(".monaco-editor").first
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(json.dumps(conf))
    page.keyboard.press("Control+Shift+End")  # the editor may have closed a bracket by itself
    page.keyboard.press("Delete")


def test_g_a_date_in_the_wrong_format_is_refused_and_no_run_is_created(page, stack, api, shots):
    settle(api, INVOICES)
    before = {r["dag_run_id"] for r in ui.dag_runs(api, INVOICES, run_type="manual")}

    ui.open_dag(page, stack, INVOICES)
    dialog = ui.open_trigger_dialog(page)
    set_configuration_json(page, dialog, {"start": "18/11/2026", "end": None})
    shots(page, "bad-date")
    dialog.get_by_role("button", name="Trigger", exact=True).click()
    expect(dialog.get_by_text(re.compile(r"'18/11/2026' is not a 'date'"))).to_be_visible()
    expect(page.get_by_text("Failed to Trigger Dag")).to_be_visible()
    shots(page, "refused")
    assert "/runs/" not in page.url
    page.wait_for_timeout(2000)
    assert {r["dag_run_id"] for r in ui.dag_runs(api, INVOICES, run_type="manual")} == before

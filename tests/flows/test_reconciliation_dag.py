"""The reconciliation DAG end to end with dag.test(): agreeing ledgers pass; a difference fails
check_report naming the Stripe object, unless it changed within the settle time."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.fixtures.sandboxes import STRIPE_KEY, TBA, netsuite_conn, start_sandbox, stripe_conn, stripe_sandbox_cmd
from tests.flows.helpers import open_invoice, run_dag, stripe_client, task_states, xcom_return

DAG_ID = "stripe_netsuite_reconciliation"
FLOW_DAGS = ("stripe_customers_to_netsuite", "stripe_invoices_to_netsuite", "stripe_payments_to_netsuite",
             "stripe_refunds_disputes_to_netsuite", "stripe_payouts_to_netsuite")
PAYMENTS = "stripe_payments_to_netsuite"
REFUNDS = "stripe_refunds_disputes_to_netsuite"
PAYOUTS = "stripe_payouts_to_netsuite"
DAY = 86400
pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")


@pytest.fixture
def settle_minutes(monkeypatch, tmp_path):
    def use(minutes: int, extra: str = "") -> None:
        path = tmp_path / f"settings-{minutes}-{len(extra)}.yaml"
        path.write_text(f"reconciliation:\n  settle_minutes: {minutes}\n{extra}")
        monkeypatch.setenv("STRIPE_NETSUITE_SETTINGS", str(path))
    return use


def test_agreeing_ledgers_pass_and_a_difference_fails_naming_the_object(dagbag, connections, settle_minutes):
    stripe_sb, _ = connections
    settle_minutes(0)
    for flow_dag in FLOW_DAGS:
        assert run_dag(dagbag, flow_dag).state == "success"
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "reconcile")
    assert summary["ok"] and summary["problem_count"] == 0
    assert summary["customers"]["matched"] == summary["customers"]["stripe"] >= 10
    assert summary["invoices"]["matched"] == summary["invoices"]["stripe"] > 10
    assert summary["payments"]["matched"] == summary["payments"]["stripe"] >= 10
    assert summary["refunds"]["matched"] == summary["refunds"]["stripe"] >= 2  # the demo's partial and credit note
    assert summary["disputes"]["matched"] == summary["disputes"]["stripe"] >= 1  # won: the entries stand

    client = stripe_client(stripe_sb.url)
    customer = next(iter(client.v1.customers.list(params={"limit": 1}).data)).id
    unsynced = open_invoice(client, customer, "usd", 4200)  # finalized after the flows ran
    dag_run = run_dag(dagbag, DAG_ID)
    assert task_states(dag_run) == {"reconcile": "success", "check_report": "failed"}
    summary = xcom_return(dag_run, "reconcile")
    assert not summary["ok"] and summary["problem_count"] == 1
    assert summary["problems"][0].startswith(f"{unsynced}: missing in NetSuite")

    settle_minutes(90)  # the same invoice changed a moment ago: left for the next run, not a difference
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "reconcile")
    assert summary["ok"] and summary["settling"] >= 1

    settle_minutes(0)
    assert run_dag(dagbag, "stripe_invoices_to_netsuite").state == "success"
    assert run_dag(dagbag, DAG_ID).state == "success"


def test_a_switched_off_flow_is_not_reported_as_missing(dagbag, connections, settle_minutes):
    """Customers flow off: the invoices, payments and refunds flows create the customers they need, and only those
    are compared; invoices flow off too: invoices are not compared at all; payments flow off as well: neither are
    payments (refunds still are, against Stripe's charges); refunds flow off: neither are refunds and disputes."""
    settle_minutes(0, "customers:\n  enabled: false\n")
    for flow_dag in FLOW_DAGS[1:]:
        assert run_dag(dagbag, flow_dag).state == "success"
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "reconcile")
    assert summary["ok"] and 0 < summary["customers"]["matched"] == summary["customers"]["stripe"]
    assert summary["invoices"]["matched"] == summary["invoices"]["stripe"] > 10
    assert summary["payments"]["matched"] == summary["payments"]["stripe"] >= 10

    settle_minutes(0, "customers:\n  enabled: false\ninvoices:\n  enabled: false\n")
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "reconcile")
    assert summary["invoices"] is None and summary["payments"]["matched"] == summary["payments"]["stripe"]

    settle_minutes(0, "customers:\n  enabled: false\ninvoices:\n  enabled: false\npayments:\n  enabled: false\n")
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    summary = xcom_return(dag_run, "reconcile")
    assert summary["payments"] is None and summary["refunds"]["matched"] == summary["refunds"]["stripe"] >= 2

    settle_minutes(0, "customers:\n  enabled: false\ninvoices:\n  enabled: false\npayments:\n  enabled: false\n"
                      "refunds:\n  enabled: false\n")
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", task_states(dag_run)
    assert xcom_return(dag_run, "reconcile")["refunds"] is None


def test_with_only_customers_and_invoices_synced_a_payments_flow_left_on_reports_the_payments_missing(
        dagbag, connections, settle_minutes):
    """The settings say the payments and refunds flows are on: until they have run, NetSuite lacks every payment
    (and shows the invoices open), refund and dispute, and the report says so, naming each flow."""
    settle_minutes(0)
    for flow_dag in FLOW_DAGS[:2]:
        assert run_dag(dagbag, flow_dag).state == "success"
    summary = xcom_return(run_dag(dagbag, DAG_ID), "reconcile")
    assert not summary["ok"] and summary["payments"]["netsuite"] == 0 < summary["payments"]["stripe"]
    assert summary["refunds"]["netsuite"] == 0 < summary["refunds"]["stripe"]
    missing = [p for p in summary["problems"] if ": missing in NetSuite" in p]
    assert len([p for p in missing if PAYMENTS in p]) == summary["payments"]["stripe"]
    assert len([p for p in missing if REFUNDS in p]) == summary["refunds"]["stripe"] + summary["disputes"]["stripe"]
    assert len([p for p in missing if PAYOUTS in p]) == summary["payouts"]["stripe"] > 0
    assert all(PAYMENTS in p or REFUNDS in p or PAYOUTS in p for p in missing)


@pytest.fixture
def payments_scenario(monkeypatch, netsuite):
    """The Stripe sandbox's payments scenario: cards in three currencies, split payments, ACH settled, pending and
    failed, a declined card, an invoice paid outside Stripe, a standalone and a guest payment."""
    sandbox = start_sandbox(stripe_sandbox_cmd("--scenario", "payments", "--seed", "7"))
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(sandbox.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
    yield sandbox
    sandbox.stop()


def netsuite_payments() -> dict[str, dict]:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    rows = NetSuiteHook().suiteql("SELECT t.id, t.externalid, t.foreigntotal, t.memo, cur.symbol AS currency FROM "
                                  "transaction t JOIN currency cur ON cur.id = t.currency WHERE t.type = 'CustPymt'")
    return {row["externalid"]: row for row in rows}


def report_lines() -> list[str]:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook
    from stripe_netsuite.hooks.stripe import StripeHook
    from stripe_netsuite.reconcile.report import build_report
    from stripe_netsuite.settings import load_settings

    return build_report(StripeHook(), NetSuiteHook(), load_settings()).lines()


def test_payments_reconcile_and_a_payment_deleted_or_edited_in_netsuite_turns_the_check_red(
        dagbag, payments_scenario, settle_minutes):
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    settle_minutes(0, "payouts:\n  enabled: false\n")  # the cash side: test_the_cash_side_reconciles_...
    for flow_dag in FLOW_DAGS[:3]:
        assert run_dag(dagbag, flow_dag).state == "success"
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", (task_states(dag_run), xcom_return(dag_run, "reconcile"))
    summary = xcom_return(dag_run, "reconcile")
    assert summary["ok"] and summary["problem_count"] == 0
    assert summary["refunds"]["stripe"] == summary["disputes"]["stripe"] == 0  # the scenario has none
    assert summary["payments"] == {"stripe": 18, "netsuite": 18, "matched": 18, "failed_debits": 1,
                                   "refunds_matched": 1, "could_not_apply": 0}  # 19 charges: one declined
    assert summary["invoices"]["matched"] == summary["invoices"]["stripe"] == 15
    assert summary["invoices"]["paid_outside_stripe"] == 1

    lines = report_lines()
    assert lines[lines.index(next(x for x in lines if x.startswith("payments: "))):][:4] == [
        "payments: Stripe 18 that moved money, NetSuite 18, matched 18; failed debits 1, refunds matched 1 - OK",
        "  EUR paid: Stripe 349.00 EUR, NetSuite 349.00 EUR",
        "  JPY paid: Stripe 23000 JPY, NetSuite 23000 JPY",
        "  USD paid: Stripe 2680.00 USD, NetSuite 2680.00 USD",  # the failed ACH debit and its refund net to 0
    ]
    assert "  USD for information: 640.00 USD paid by bank debits Stripe has not settled yet: applied in NetSuite, " \
           "open in Stripe until they settle (not a difference)" in lines
    (outside,) = [x for x in lines if x.endswith(": paid outside Stripe: record the payment in NetSuite")]

    payments = netsuite_payments()
    card = sorted(x for x, r in payments.items()
                  if x.startswith("ch_") and r["currency"] == "USD" and " for invoice in_" in r.get("memo", ""))
    deleted, edited = card[0], card[1]
    hook = NetSuiteHook()
    hook.rest.request("DELETE", f"/record/v1/customerPayment/{payments[deleted]['id']}").raise_for_status()
    more = f"{float(payments[edited]['foreigntotal']) + 10:.2f}"  # paid more than Stripe took: 10.00 unapplied
    hook.rest.request("PATCH", f"/record/v1/customerPayment/{payments[edited]['id']}",
                      json={"payment": more}).raise_for_status()

    dag_run = run_dag(dagbag, DAG_ID)
    assert task_states(dag_run) == {"reconcile": "success", "check_report": "failed"}
    problems = xcom_return(dag_run, "reconcile")["problems"]
    named = {p.split(": ", 1)[0]: p for p in problems}
    assert named[deleted].startswith(f"{deleted}: missing in NetSuite (Stripe ")
    assert named[edited].startswith(f"{edited}: amount Stripe ") and f"NetSuite {more} " in named[edited]
    for charge_id in (deleted, edited):
        assert f"-> fix: trigger {PAYMENTS} with stripe_ids [{charge_id}] and force_rewrite on" in named[charge_id]
    # the invoice the deleted payment paid is open again in NetSuite: its line names that payment too
    reopened = [p for p in problems if p.startswith("in_")]
    assert len(reopened) == 1 and "-> check NetSuite for a payment or credit applied to it by hand" in reopened[0]
    assert f"trigger {PAYMENTS} with stripe_ids [" in reopened[0] and deleted in reopened[0]
    assert outside.split(":")[0] not in named  # still finance's, not a difference

    fix = run_dag(dagbag, PAYMENTS, {"stripe_ids": [deleted, edited], "force_rewrite": True})
    assert fix.state == "success", xcom_return(fix, "sync")
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", xcom_return(dag_run, "reconcile")["problems"]


def paid_by_card(client, customer: str, currency: str, *amounts: int, card: str = "pm_card_visa") -> str:
    """The charge paying a new invoice of ``amounts``."""
    invoice = open_invoice(client, customer, currency, *amounts)
    client.v1.invoices.pay(invoice, params={"payment_method": card})
    (payment,) = client.v1.invoice_payments.list(params={"invoice": invoice}).data
    return client.v1.payment_intents.retrieve(payment.payment.payment_intent).latest_charge


def a_customer(client, currency: str) -> str:
    return client.v1.customers.create(params={"name": f"Refund Reconciler {currency}",
                                              "email": f"ap-{currency}@reconcile.example"}).id


def dispute_of(client, charge_id: str) -> str:
    return next(d.id for d in client.v1.disputes.list(params={"limit": 100}).auto_paging_iter() if d.charge == charge_id)


def advance(url: str, seconds: int) -> None:
    httpx.post(f"{url}/_sandbox/clock", data={"advance": seconds}, auth=(STRIPE_KEY, "")).raise_for_status()


def refunds_and_disputes(url: str) -> dict[str, str]:
    """On the payments scenario, through the SDK: refunds full, partial of an invoice of several lines, through a
    credit note, of a payment without an invoice, in EUR at Stripe's rate, one that will fail (its card closed:
    Stripe gives the money back 5 business days later); disputes open and won. Case -> refund or dispute ID."""
    client = stripe_client(url)
    usd, eur = a_customer(client, "usd"), a_customer(client, "eur")
    cases = {
        "full": client.v1.refunds.create(params={"charge": paid_by_card(client, usd, "usd", 8000)}).id,
        "partial": client.v1.refunds.create(params={"charge": paid_by_card(client, usd, "usd", 5000, 3000),
                                                    "amount": 2000}).id,
        "fails": client.v1.refunds.create(params={"charge": paid_by_card(client, usd, "usd", 7500,
                                                                         card="pm_card_refundFail")}).id,
        "eur": client.v1.refunds.create(params={"charge": paid_by_card(client, eur, "eur", 19900), "amount": 9900}).id,
    }
    noted = open_invoice(client, usd, "usd", 6000)
    client.v1.invoices.pay(noted, params={"payment_method": "pm_card_visa"})
    note = client.v1.credit_notes.create(params={"invoice": noted, "amount": 2500, "refund_amount": 2500})
    cases["credit_note"] = note.to_dict()["refunds"][0]["refund"]
    direct = client.v1.payment_intents.create(params={"amount": 1500, "currency": "usd", "customer": usd,
                                                      "payment_method": "pm_card_visa", "confirm": True})
    cases["standalone"] = client.v1.refunds.create(params={"payment_intent": direct.id, "amount": 500}).id
    cases["dispute_open"] = dispute_of(client, paid_by_card(client, usd, "usd", 7000, card="pm_card_createDispute"))
    cases["dispute_won"] = dispute_of(client, paid_by_card(client, usd, "usd", 4000, card="pm_card_createDispute"))
    httpx.post(f"{url}/_sandbox/disputes/{cases['dispute_won']}/close", data={"status": "won"},
               auth=(STRIPE_KEY, "")).raise_for_status()
    return cases


def netsuite_refunds() -> dict[str, dict]:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    rows = NetSuiteHook().suiteql("SELECT id, externalid, foreigntotal, exchangerate FROM transaction "
                                  "WHERE type = 'CustRfnd'")
    return {row["externalid"]: row for row in rows}


def reconciled_green(dagbag) -> dict:
    for flow_dag in FLOW_DAGS:
        dag_run = run_dag(dagbag, flow_dag)
        assert dag_run.state == "success", (flow_dag, task_states(dag_run))
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", (task_states(dag_run), xcom_return(dag_run, "reconcile")["problems"])
    summary = xcom_return(dag_run, "reconcile")
    assert summary["ok"] and summary["problem_count"] == 0
    assert summary["invoices"]["matched"] == summary["invoices"]["stripe"]  # refunds leave what is open as it was
    return summary


def test_refunds_and_disputes_reconcile_and_a_customer_refund_deleted_or_edited_in_netsuite_turns_the_check_red(
        dagbag, payments_scenario, settle_minutes):
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    settle_minutes(0, "payouts:\n  enabled: false\n")  # a deposited refund is fixed in NetSuite: not edited here
    cases = refunds_and_disputes(payments_scenario.url)
    summary = reconciled_green(dagbag)
    assert summary["refunds"] == {"stripe": 6, "netsuite": 6, "matched": 6, "reversed": 0}
    assert summary["disputes"] == {"stripe": 2, "netsuite": 2, "matched": 2}

    advance(payments_scenario.url, 8 * DAY)  # the closed card: Stripe gives the refund's money back
    assert stripe_client(payments_scenario.url).v1.refunds.retrieve(cases["fails"]).status == "failed"
    summary = reconciled_green(dagbag)
    assert summary["refunds"] == {"stripe": 6, "netsuite": 6, "matched": 6, "reversed": 1}
    lines = report_lines()
    start = lines.index(next(x for x in lines if x.startswith("refunds: ")))
    assert lines[start:start + 4] == [
        "refunds: Stripe 6 booked (1 given back), NetSuite 6, matched 6; disputes: Stripe 2 that withdrew funds, "
        "NetSuite 2, matched 2 - OK",
        "  EUR refunded: Stripe 99.00 EUR, NetSuite 99.00 EUR",
        "  USD refunded: Stripe 130.00 USD, NetSuite 130.00 USD",  # 80 + 20 + 25 + 5; the 75 given back nets to 0
        "  USD disputed: Stripe 110.00 USD, NetSuite 110.00 USD",  # 70 open + 40 won: the entries stand
    ]

    ns = netsuite_refunds()
    deleted, edited = cases["full"], cases["partial"]
    charge_id = stripe_client(payments_scenario.url).v1.refunds.retrieve(deleted).charge
    hook = NetSuiteHook()
    hook.rest.request("DELETE", f"/record/v1/customerRefund/{ns[deleted]['id']}").raise_for_status()
    (memo,) = [row["id"] for row in hook.suiteql(f"SELECT id FROM transaction WHERE externalid = 'cm-{edited}'")]
    hook.rest.request("PATCH", f"/record/v1/customerRefund/{ns[edited]['id']}", json={  # refunded 15.00, not 20.00
        "apply": {"items": [{"doc": {"id": str(memo)}, "apply": True, "amount": 15.0}]}}).raise_for_status()

    dag_run = run_dag(dagbag, DAG_ID)
    assert task_states(dag_run) == {"reconcile": "success", "check_report": "failed"}
    problems = xcom_return(dag_run, "reconcile")["problems"]
    assert problems == [
        f"{deleted}: missing in NetSuite (Stripe 80.00 USD, refund of {charge_id}, applying cm-{deleted}) "
        f"-> fix: trigger {REFUNDS} with stripe_ids [{deleted}] and force_rewrite on (if its check_failed_records task "
        f"lists {deleted}, fix the cause it gives first)",
        f"{edited}: amount Stripe 20.00 USD, NetSuite 15.00 USD; applied in NetSuite 15.00 USD to cm-{edited}, Stripe "
        f"20.00 USD to cm-{edited} -> fix: trigger {REFUNDS} with stripe_ids [{edited}] and force_rewrite on",
    ]

    for problem in problems:  # rewrite as each line says
        dag, stripe_id = re.search(r"trigger (\S+) with stripe_ids \[(\S+)\] and force_rewrite on", problem).groups()
        fix = run_dag(dagbag, dag, {"stripe_ids": [stripe_id], "force_rewrite": True})
        assert fix.state == "success", xcom_return(fix, "sync")
    dag_run = run_dag(dagbag, DAG_ID)
    assert dag_run.state == "success", xcom_return(dag_run, "reconcile")["problems"]


def test_an_inquiry_leaves_the_refunds_flow_and_the_reconciliation_green(dagbag, payments_scenario, settle_minutes):
    settle_minutes(0)
    client = stripe_client(payments_scenario.url)
    dispute_of(client, paid_by_card(client, a_customer(client, "usd"), "usd", 5400, card="pm_card_createDisputeInquiry"))
    summary = reconciled_green(dagbag)
    assert summary["disputes"] == {"stripe": 0, "netsuite": 0, "matched": 0}


def test_a_refund_stripe_gave_back_before_the_first_sync_loads_and_reconciles(dagbag, payments_scenario,
                                                                               settle_minutes):
    settle_minutes(0)
    client = stripe_client(payments_scenario.url)
    charge_id = paid_by_card(client, a_customer(client, "usd"), "usd", 7500, card="pm_card_refundFail")
    refund_id = client.v1.refunds.create(params={"charge": charge_id}).id
    advance(payments_scenario.url, 8 * DAY)
    assert client.v1.refunds.retrieve(refund_id).status == "failed"
    summary = reconciled_green(dagbag)
    assert summary["refunds"] == {"stripe": 1, "netsuite": 1, "matched": 1, "reversed": 1}


def test_a_credit_note_made_later_through_a_synced_refund_leaves_it_credited_once(dagbag, payments_scenario,
                                                                                 settle_minutes):
    settle_minutes(0)
    client = stripe_client(payments_scenario.url)
    customer = a_customer(client, "usd")
    invoice = open_invoice(client, customer, "usd", 6000)
    client.v1.invoices.pay(invoice, params={"payment_method": "pm_card_visa"})
    (payment,) = client.v1.invoice_payments.list(params={"invoice": invoice}).data
    charge_id = client.v1.payment_intents.retrieve(payment.payment.payment_intent).latest_charge
    refund_id = client.v1.refunds.create(params={"charge": charge_id, "amount": 2500}).id
    reconciled_green(dagbag)
    client.v1.credit_notes.create(params={"invoice": invoice, "amount": 2500,
                                          "refunds": [{"refund": refund_id, "amount_refunded": 2500}]})
    reconciled_green(dagbag)


@pytest.fixture
def refunds_scenario(monkeypatch, netsuite):
    """The Stripe sandbox's refunds scenario: refunds full, partial, through a credit note, standalone, EUR, ACH, one
    pending, one failed later; disputes won, lost, open, a EUR one won, and an inquiry."""
    sandbox = start_sandbox(stripe_sandbox_cmd("--scenario", "refunds", "--seed", "7"))
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(sandbox.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
    yield sandbox
    sandbox.stop()


def test_the_refunds_scenario_reconciles_green(dagbag, refunds_scenario, settle_minutes):
    settle_minutes(0)
    summary = reconciled_green(dagbag)
    assert summary["refunds"]["matched"] == summary["refunds"]["stripe"] == 9  # refund_pending is booked already
    assert summary["disputes"]["matched"] == summary["disputes"]["stripe"] == 4


def test_the_cash_side_reconciles_and_each_discrepancy_planted_in_netsuite_is_reported(
        dagbag, payments_scenario, settle_minutes, monkeypatch, tmp_path):
    """All five flows on the payments scenario (its payouts, plus refunds and disputes): the report is clean. Then,
    planted straight in the NetSuite sandbox: a payment's amount changed, a payment deleted, a deposit made by hand,
    a customer refund booked twice, an invoice missing. Each is reported, naming the Stripe and NetSuite records."""
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    from tests.unit.test_report_files import parsed

    monkeypatch.setenv("STRIPE_NETSUITE_REPORTS_DIR", str(tmp_path))
    settle_minutes(0)
    cases = refunds_and_disputes(payments_scenario.url)
    client = stripe_client(payments_scenario.url)
    usd = a_customer(client, "usd")
    edited, deleted, by_hand = (paid_by_card(client, usd, "usd", amount) for amount in (3100, 3200, 3300))
    unpaid = open_invoice(client, usd, "usd", 3400)
    for flow_dag in FLOW_DAGS:
        dag_run = run_dag(dagbag, flow_dag)
        assert dag_run.state == "success", (flow_dag, task_states(dag_run))
    dag_run = run_dag(dagbag, DAG_ID)
    summary = xcom_return(dag_run, "reconcile")
    assert dag_run.state == "success", summary["problems"]
    assert summary["ok"] and summary["problem_count"] == 0
    assert summary["payouts"]["matched"] == summary["payouts"]["stripe"] == summary["payouts"]["netsuite"] > 0
    assert summary["html_report"] == str(tmp_path / dag_run.run_id.replace(":", "_") / "report.html")
    assert "Stripe and NetSuite agree." in parsed(open(summary["html_report"], encoding="utf-8").read()).text

    hook = NetSuiteHook()
    payments = netsuite_payments()
    more = f"{float(payments[edited]['foreigntotal']) + 10:.2f}"
    hook.rest.request("PATCH", f"/record/v1/customerPayment/{payments[edited]['id']}",
                      json={"payment": more}).raise_for_status()
    hook.rest.request("DELETE", f"/record/v1/customerPayment/{payments[deleted]['id']}").raise_for_status()
    deposit = hook.rest.request("POST", "/record/v1/deposit", json={
        "account": {"externalId": "acct-operating-bank"},
        "payment": {"items": [{"id": payments[by_hand]["id"], "deposit": True}]}})
    deposit.raise_for_status()
    deposit_id = deposit.headers["Location"].rsplit("/", 1)[-1]
    standalone = client.v1.refunds.retrieve(cases["standalone"]).charge  # its payment keeps 10.00 unapplied
    (entity,) = [r["entity"] for r in hook.suiteql(f"SELECT entity FROM transaction WHERE externalid = '{standalone}'")]
    twice = hook.rest.request("POST", "/record/v1/customerRefund", json={  # refunds.standalone's 5.00 once more
        "customer": {"id": str(entity)},
        "apply": {"items": [{"doc": {"id": str(payments[standalone]["id"])}, "apply": True, "amount": 5.0}]}})
    twice.raise_for_status()
    twice_id = twice.headers["Location"].rsplit("/", 1)[-1]
    (invoice_id,) = [r["id"] for r in hook.suiteql(f"SELECT id FROM transaction WHERE externalid = '{unpaid}'")]
    hook.rest.request("DELETE", f"/record/v1/invoice/{invoice_id}").raise_for_status()

    dag_run = run_dag(dagbag, DAG_ID)
    assert task_states(dag_run) == {"reconcile": "success", "check_report": "failed"}
    summary = xcom_return(dag_run, "reconcile")
    problems = summary["problems"]
    named: dict[str, list[str]] = {}
    for problem in problems:
        named.setdefault(problem.split(": ", 1)[0], []).append(problem)
    assert any(p.startswith(f"{edited}: amount Stripe 31.00 USD, NetSuite {more} ") for p in named[edited])
    assert any(p.startswith(f"{deleted}: missing in NetSuite") and PAYMENTS in p for p in named[deleted])
    assert any(f"is on NetSuite deposit internal ID {deposit_id}, made by hand" in p for p in named[by_hand])
    assert any(f"customer refund internal ID {twice_id}, made by hand" in p and standalone in p
               for p in named[standalone])
    assert any(p.startswith(f"{unpaid}: missing in NetSuite") for p in named[unpaid])
    (funds,) = named["Undeposited Funds USD"]  # 31.00 + 10.00 - 32.00 - 33.00 - 5.00 moved by hand
    assert "Stripe holds" in funds and "NetSuite's Undeposited Funds" in funds
    assert summary["payouts"]["matched"] == summary["payouts"]["stripe"]  # the payouts themselves still agree

    # the same differences in the HTML page (summary, then one table per section) and the CSV files, no secret
    page_text = open(summary["html_report"], encoding="utf-8").read()
    page = parsed(page_text)
    assert len(page.tables) == 1 + 5  # summary; customers, invoices, payments, refunds and disputes, payouts
    rows = {r[0]: r for table in page.tables[1:] for r in table[1:]}
    assert {edited, deleted, by_hand, standalone, unpaid, "Undeposited Funds USD"} <= set(rows)
    assert rows[by_hand][1] == f"internal ID {deposit_id}" and rows[standalone][1] == f"internal ID {twice_id}"
    csv_dir = tmp_path / dag_run.run_id.replace(":", "_") / "csv"
    assert summary["csv_dir"] == str(csv_dir)
    assert sorted(p.name for p in csv_dir.iterdir()) == ["customers.csv", "invoices.csv", "payments.csv",
                                                         "payouts.csv", "refunds.csv", "summary.csv"]
    secrets = [STRIPE_KEY, *TBA.values()]
    for text in [page_text] + [p.read_text(encoding="utf-8") for p in csv_dir.iterdir()]:
        assert not [x for x in secrets if x in text]

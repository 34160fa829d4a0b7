"""An invoice's lifecycle carried one change per run ends where one sync of the final Stripe state ends.

Each change to a synced invoice (written off, voided, paid, credited, a credit note voided) re-plans all
of the invoice's credit memos from its current Stripe state, and they load in an order NetSuite accepts
(an application may not exceed what is open on the invoice): the named sequences below, then a property
test of random lifecycles synced after every step and compared with one sync of the end state.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import strategies as st

from stripe_netsuite.sync.retry_queue import retry_queue_key
from tests.fixtures.airflow import db_variable
from tests.fixtures.sandboxes import netsuite_conn, netsuite_sandbox_cmd, start_sandbox, stripe_conn, stripe_sandbox_cmd
from tests.flows.helpers import run_dag, stripe_client, task_states, xcom_return
from tests.reliability.ledger import assert_ledger_clean, line_counts

DAG_ID = "stripe_invoices_to_netsuite"
pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")


@pytest.fixture
def stripe_sandbox(monkeypatch, netsuite):
    """An empty Stripe sandbox (the clean run the oracle makes then syncs only this test's objects)."""
    sandbox = start_sandbox(stripe_sandbox_cmd())
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", stripe_conn(sandbox.url))
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", netsuite_conn(netsuite.url))
    yield sandbox
    sandbox.stop()


class Lifecycle:
    """One Stripe customer's invoices and the changes a finance user makes to them, through the Stripe API."""

    def __init__(self, url: str, name: str = "Lifecycle Ltd", balance: int = 0) -> None:
        """``balance``: what the customer owes from before (> 0) or has in credit (< 0), used by its first invoices."""
        self.client = stripe_client(url)
        self.customer = self.client.v1.customers.create(
            params={"name": name, "email": "ap@lifecycle.example", "balance": balance}).id
        self.notes: dict[str, list[str]] = {}

    def invoice(self, *amounts: int) -> str:
        """A finalized, unpaid invoice (sent, due in 30 days) of one-off USD lines."""
        invoice = self.client.v1.invoices.create(params={
            "customer": self.customer, "currency": "usd", "collection_method": "send_invoice", "days_until_due": 30,
            "pending_invoice_items_behavior": "exclude"})
        for n, amount in enumerate(amounts, 1):
            self.client.v1.invoice_items.create(params={
                "customer": self.customer, "invoice": invoice.id, "amount": amount, "currency": "usd",
                "description": f"Service {n}"})
        self.notes[invoice.id] = []
        return self.client.v1.invoices.finalize_invoice(invoice.id).id

    def state(self, invoice_id: str) -> dict:
        return self.client.v1.invoices.retrieve(invoice_id).to_dict()

    def write_off(self, invoice_id: str) -> None:
        self.client.v1.invoices.mark_uncollectible(invoice_id)

    def void(self, invoice_id: str) -> None:
        self.client.v1.invoices.void_invoice(invoice_id)

    def pay(self, invoice_id: str) -> None:
        self.client.v1.invoices.pay(invoice_id, params={"paid_out_of_band": True})

    def credit(self, invoice_id: str, amount: int, **params) -> str:
        note = self.client.v1.credit_notes.create(params={"invoice": invoice_id, "amount": amount, **params}).id
        self.notes[invoice_id].append(note)
        return note

    def void_credit_note(self, invoice_id: str) -> None:
        self.client.v1.credit_notes.void_credit_note(self.notes[invoice_id][-1])


def sync(dagbag) -> dict:
    """One scheduled run: green, nothing in the retry queue."""
    dag_run = run_dag(dagbag, DAG_ID)
    summary = xcom_return(dag_run, "sync")
    assert dag_run.state == "success", (task_states(dag_run), summary and summary["failed"])
    assert summary["failed"] == [] and db_variable(retry_queue_key("invoices"), []) == []
    return summary


def memo_state(external_id: str) -> tuple[Decimal, Decimal]:
    """(total, amount remaining) of a NetSuite transaction by external ID."""
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    (row,) = NetSuiteHook().suiteql(
        f"SELECT foreigntotal, foreignamountremaining FROM transaction WHERE externalid = '{external_id}'")
    return Decimal(str(row["foreigntotal"])), Decimal(str(row["foreignamountremaining"]))


# --- the named sequences ----------------------------------------------------------------------
# Each: an invoice of 100.00 (60.00 + 40.00) synced open, then one change per run; the ledger must end
# as one clean sync of the same Stripe state leaves it. ``expect``: NetSuite's (total, amount remaining)
# per record at the end, by external ID (``{inv}`` is the invoice ID, ``{cn0}`` its first credit note).

Step = Callable[[Lifecycle, str], object]
SEQUENCES: dict[str, tuple[list[Step], dict[str, tuple[str, str]]]] = {
    "write_off_then_void": (
        [Lifecycle.write_off, Lifecycle.void],
        {"{inv}": ("100.00", "0"), "cm-unc-{inv}": ("0", "0"), "cm-void-{inv}": ("100.00", "0")}),
    "write_off_then_credit_note": (
        [Lifecycle.write_off, lambda lc, inv: lc.credit(inv, 3000)],
        {"{inv}": ("100.00", "0"), "{cn0}": ("30.00", "0"), "cm-unc-{inv}": ("70.00", "0")}),
    "write_off_then_credit_note_for_the_rest": (  # Stripe marks it paid: nothing is left to write off
        [Lifecycle.write_off, lambda lc, inv: lc.credit(inv, 10000)],
        {"{inv}": ("100.00", "0"), "{cn0}": ("100.00", "0"), "cm-unc-{inv}": ("0", "0")}),
    "write_off_then_paid": (  # the payments flow applies the payment: open until then
        [Lifecycle.write_off, Lifecycle.pay],
        {"{inv}": ("100.00", "100.00"), "cm-unc-{inv}": ("0", "0")}),
    "write_off_then_credit_note_then_void": (
        [Lifecycle.write_off, lambda lc, inv: lc.credit(inv, 2500), Lifecycle.void],
        {"{inv}": ("100.00", "0"), "{cn0}": ("25.00", "0"), "cm-unc-{inv}": ("0", "0"),
         "cm-void-{inv}": ("75.00", "0")}),
    "credit_note_then_write_off_then_void": (
        [lambda lc, inv: lc.credit(inv, 2500), Lifecycle.write_off, Lifecycle.void],
        {"{inv}": ("100.00", "0"), "{cn0}": ("25.00", "0"), "cm-unc-{inv}": ("0", "0"),
         "cm-void-{inv}": ("75.00", "0")}),
    "credit_note_then_void": (
        [lambda lc, inv: lc.credit(inv, 2500), Lifecycle.void],
        {"{inv}": ("100.00", "0"), "{cn0}": ("25.00", "0"), "cm-void-{inv}": ("75.00", "0")}),
    "voided_credit_note_then_write_off": (  # Stripe voids a credit note only while its invoice is open
        [lambda lc, inv: lc.credit(inv, 2500), Lifecycle.void_credit_note, Lifecycle.write_off],
        {"{inv}": ("100.00", "0"), "{cn0}": ("0", "0"), "cm-unc-{inv}": ("100.00", "0")}),
    "credit_note_voided_and_written_off_in_one_run": (  # the freed credit must be unapplied first
        [lambda lc, inv: lc.credit(inv, 2500),
         lambda lc, inv: (lc.void_credit_note(inv), lc.write_off(inv))],
        {"{inv}": ("100.00", "0"), "{cn0}": ("0", "0"), "cm-unc-{inv}": ("100.00", "0")}),
}


@pytest.mark.parametrize("name", list(SEQUENCES))
def test_one_change_per_run_ends_as_one_sync_of_the_end_state(name, dagbag, stripe_sandbox, tmp_path):
    steps, expect = SEQUENCES[name]
    lifecycle = Lifecycle(stripe_sandbox.url)
    invoice = lifecycle.invoice(6000, 4000)
    sync(dagbag)
    for step in steps:
        step(lifecycle, invoice)
        sync(dagbag)
    names = {"inv": invoice, **{f"cn{n}": note for n, note in enumerate(lifecycle.notes[invoice])}}
    got = {key.format(**names): memo_state(key.format(**names)) for key in expect}
    assert got == {key.format(**names): (Decimal(total), Decimal(remaining))
                   for key, (total, remaining) in expect.items()}
    assert {x for x in line_counts() if invoice in x or x in lifecycle.notes[invoice]} == set(got)
    assert_ledger_clean(dagbag, tmp_path)


# --- the property: random lifecycles, one change per run, against one sync of the end state ---------------

EXAMPLES = 10  # each INVOICES_PER_EXAMPLE invoices through up to STEPS runs: about a minute and a half in all
INVOICES_PER_EXAMPLE = 3
STEPS = 4


def possible_changes(lifecycle: Lifecycle, invoice_id: str) -> list[str]:
    """What Stripe lets a user do to the invoice now (the Stripe sandbox refuses the rest, as Stripe does)."""
    inv = lifecycle.state(invoice_id)
    status, notes = inv["status"], lifecycle.notes[invoice_id]
    changes = ["nothing"]
    if status == "open":
        changes.append("write_off")
    if status in ("open", "uncollectible"):
        changes.append("pay")
        if not inv["amount_paid"]:
            changes.append("void")
    if status != "void" and inv["total"] > inv["pre_payment_credit_notes_amount"] + inv["post_payment_credit_notes_amount"]:
        changes.append("credit")
    if notes:
        last = lifecycle.client.v1.credit_notes.retrieve(notes[-1]).to_dict()
        if last["status"] != "void" and (status == "open" or not last["pre_payment_amount"]):
            changes.append("void_credit_note")
    return changes


def make_change(lifecycle: Lifecycle, invoice_id: str, change: str, data) -> None:
    if change == "credit":  # by any amount left to credit: what is still due first, the rest to the balance
        inv = lifecycle.state(invoice_id)
        left = inv["total"] - inv["pre_payment_credit_notes_amount"] - inv["post_payment_credit_notes_amount"]
        lifecycle.credit(invoice_id, data.draw(st.integers(1, left), label=f"credit on {invoice_id}"))
    elif change != "nothing":
        getattr(lifecycle, change)(invoice_id)


def transactions_of(invoice_ids: list[str], notes: dict[str, list[str]]) -> dict[str, tuple]:
    """What NetSuite holds for these invoices and their memos: (record type, total, remaining, line count)."""
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    ours = set(invoice_ids) | {f"{prefix}-{i}" for i in invoice_ids for prefix in ("cm-unc", "cm-void", "cm-bal")}
    ours |= {note for i in invoice_ids for note in notes[i]}
    rows = NetSuiteHook().suiteql("SELECT externalid, recordtype, foreigntotal, foreignamountremaining FROM transaction")
    lines = line_counts()
    return {r["externalid"]: (r["recordtype"], Decimal(str(r["foreigntotal"])), Decimal(str(r["foreignamountremaining"])),
                              lines.get(r["externalid"]))
            for r in rows if r["externalid"] in ours}


def test_random_lifecycles_one_change_per_run_end_as_one_sync_of_the_end_state(
        dagbag, stripe_sandbox, netsuite, tmp_path, monkeypatch):
    """Random invoices (a customer owing, in credit or neither) each get a random change per run (written off, paid,
    voided, credited by any amount, the last credit note voided, or nothing) and a sync after every step; a second
    NetSuite account then syncs the same invoices once, as Stripe has them at the end: both hold the same records."""
    from hypothesis import HealthCheck, Phase, given, settings

    oneshot = start_sandbox(netsuite_sandbox_cmd(tmp_path / "oneshot.db"))
    stepwise_conn, oneshot_conn = netsuite_conn(netsuite.url), netsuite_conn(oneshot.url)
    examples = iter(range(10**6))

    # A fixed seed, and no shrinking: the sandboxes keep what every example did, so a failure is reported as
    # found, each draw labelled (the customer's balance, the invoices' lines, each run's change per invoice).
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=(Phase.explicit, Phase.generate),
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def lifecycles(data):
        n = next(examples)
        balance = data.draw(st.sampled_from([0, 0, 2500, -3000]), label="customer balance")
        lifecycle = Lifecycle(stripe_sandbox.url, name=f"Lifecycle {n}", balance=balance)
        invoices = [lifecycle.invoice(*data.draw(st.lists(st.integers(100, 20000), min_size=1, max_size=2),
                                                 label="invoice lines"))
                    for _ in range(INVOICES_PER_EXAMPLE)]
        monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", stepwise_conn)
        sync(dagbag)
        for _ in range(data.draw(st.integers(1, STEPS), label="runs")):
            for invoice_id in invoices:
                change = data.draw(st.sampled_from(possible_changes(lifecycle, invoice_id)), label=invoice_id)
                make_change(lifecycle, invoice_id, change, data)
            sync(dagbag)
        stepwise = transactions_of(invoices, lifecycle.notes)
        monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", oneshot_conn)
        try:
            dag_run = run_dag(dagbag, DAG_ID, {"stripe_ids": invoices})
            assert dag_run.state == "success", (task_states(dag_run), xcom_return(dag_run, "sync"))
            once = transactions_of(invoices, lifecycle.notes)
        finally:
            monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_DEFAULT", stepwise_conn)
        assert stepwise == once, {k: (stepwise.get(k), once.get(k)) for k in set(stepwise) | set(once)
                                  if stepwise.get(k) != once.get(k)}

    try:
        lifecycles()
    finally:
        oneshot.stop()
    assert_ledger_clean(dagbag, tmp_path / "clean")

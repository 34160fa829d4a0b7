"""Re-writing a credit memo or a customer payment never undoes an application it did not mean to touch.

On both transports, through ``NetSuiteHook`` against the NetSuite sandbox. The books: invoices in_1
(100), in_2 (80), in_3 (50); credit memo cn_1 (30) applies 15 to in_1; payment ch_1 (100) applies
60 to in_2; refund re_1 gives back 10 of cn_1 and refund rf-ch_1 20 of ch_1 (each refund's own
``apply`` sublist points at what it refunds, by internal ID, as the connector writes them); deposit
po_1 takes ch_1 and both refunds out of Undeposited Funds. Finance then applies what is left by hand
in NetSuite: 5 of cn_1 and 20 of ch_1 to in_3.

What NetSuite documents, and so what each side must leave alone on a re-write:

* An application *of* the memo or payment (a refund applying it, a deposit taking it) lives on
  the refund's ``apply`` sublist and the deposit's ``payment`` sublist, not on the memo's or
  payment's own: a re-write of the memo or payment does not send it and cannot remove it.
* The memo's and payment's *own* ``apply`` sublist is keyed by ``doc`` (Oracle, "Updating Sublists
  in SOAP Web Services", https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N3441570.html:
  applyList, key doc; REST "Updating a Sublist",
  https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html). The
  connector sends only its own line (the invoice), so the other lines (finance's in_3) survive only
  if the write merges by key: REST leaves ``apply`` out of ``?replace=``, SOAP sends
  ``applyList replaceAll="false"`` (with the default ``true`` NetSuite removes "Lines that do not
  match the newly submitted lines").
* A line ``{"doc": X, "apply": false}`` does unapply X (the connector relies on it), on both.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import requests
from lxml import etree

from stripe_netsuite.hooks.netsuite import NetSuiteHook
from stripe_netsuite.mapping.records import NeutralRecord
from tests.fixtures.sandboxes import netsuite_conn
from tests.fixtures.soap import validate_envelope

D = Decimal
DAY = "2026-03-02"
USD = {"id": "1"}
ITEM = {"externalId": "stripe-item-generic"}
UNDEPOSITED_FUNDS, BANK, AR = "1", "2", "3"


@pytest.fixture
def captured_soap(monkeypatch):
    """Every SOAP envelope the hook posts in the test."""
    sent: list[bytes] = []
    original = requests.Session.post

    def post(self, url, data=None, **kwargs):
        if "/services/NetSuitePort_" in url and data:
            sent.append(data if isinstance(data, bytes) else data.encode())
        return original(self, url, data=data, **kwargs)

    monkeypatch.setattr(requests.Session, "post", post)
    return sent


@pytest.fixture(params=["rest", "soap"])
def hook(request, monkeypatch, netsuite, wsdl_path, captured_soap) -> NetSuiteHook:
    extra = {"transport": "soap", "wsdl": str(wsdl_path)} if request.param == "soap" else {}
    monkeypatch.setenv("AIRFLOW_CONN_NS_APPLY", netsuite_conn(netsuite.url, **extra))
    return NetSuiteHook("ns_apply")


def write(hook: NetSuiteHook, *records: NeutralRecord) -> dict[str, str]:
    result = hook.upsert_records(list(records))
    assert result.errors == [], result.errors
    return result.id_map


def invoice(eid: str, amount: str) -> NeutralRecord:
    return NeutralRecord("invoice", eid, {
        "entity": {"externalId": "cus_A"}, "tranDate": DAY, "currency": USD, "memo": f"Stripe: {eid}",
        "item": {"items": [{"item": ITEM, "quantity": 1, "rate": amount, "amount": D(amount)}]},
    }, eid)


def credit_memo(ids: dict[str, str], memo: str = "Stripe: cn_1", apply: dict | None = None) -> NeutralRecord:
    """As the invoices flow writes an invoice's credit note: its lines and one apply line to its invoice."""
    line = apply or {"doc": {"id": ids["in_1"]}, "apply": True, "amount": D("15.00")}
    return NeutralRecord("creditMemo", "cn_1", {
        "entity": {"externalId": "cus_A"}, "tranDate": DAY, "currency": USD, "memo": memo,
        "item": {"items": [{"item": ITEM, "quantity": 1, "rate": "30.00", "amount": D("30.00")}]},
        "apply": {"items": [line]},
    }, "cn_1")


def payment(ids: dict[str, str], memo: str = "Stripe: ch_1 for invoice in_2", apply: dict | None = None) -> NeutralRecord:
    """As the payments flow writes a charge: in Undeposited Funds, one apply line to its invoice."""
    line = apply or {"doc": {"id": ids["in_2"]}, "apply": True, "amount": D("60.00")}
    return NeutralRecord("customerPayment", "ch_1", {
        "customer": {"externalId": "cus_A"}, "tranDate": DAY, "currency": USD, "memo": memo,
        "payment": D("100.00"), "undepFunds": True, "paymentMethod": {"id": "1"},
        "apply": {"items": [line]},
    }, "ch_1")


def refund(eid: str, doc_id: str, amount: str) -> NeutralRecord:
    """As the connector writes a refund (``mapping.payments.failure_refund``): it applies what it refunds."""
    return NeutralRecord("customerRefund", eid, {
        "customer": {"externalId": "cus_A"}, "tranDate": DAY, "currency": USD, "paymentMethod": {"id": "1"},
        "memo": f"Stripe: {eid}",
        "apply": {"items": [{"doc": {"id": doc_id}, "apply": True, "amount": D(amount)}]},
    }, eid)


def load_books(hook: NetSuiteHook) -> dict[str, str]:
    ids: dict[str, str] = {}
    ids |= write(hook, NeutralRecord("customer", "cus_A", {"companyName": "Applications Ltd",
                                                           "subsidiary": {"id": "1"}, "currency": USD}, "cus_A"))
    ids |= write(hook, invoice("in_1", "100.00"), invoice("in_2", "80.00"), invoice("in_3", "50.00"))
    ids |= write(hook, credit_memo(ids), payment(ids))
    ids |= write(hook, refund("re_1", ids["cn_1"], "10.00"), refund("rf-ch_1", ids["ch_1"], "20.00"))
    ids |= write(hook, NeutralRecord("deposit", "po_1", {
        "account": {"id": BANK}, "tranDate": DAY, "memo": "Stripe: po_1",
        "payment": {"items": [{"id": {"id": ids[eid]}, "deposit": True} for eid in ("ch_1", "rf-ch_1", "re_1")]},
    }, "po_1"))
    # Finance applies what is left by hand in NetSuite (not the connector): the apply lines merge by doc.
    for record_type, eid, amount in (("creditMemo", "cn_1", "5.00"), ("customerPayment", "ch_1", "20.00")):
        response = hook.rest.request("PATCH", f"/record/v1/{record_type}/{ids[eid]}", json={
            "apply": {"items": [{"doc": {"id": ids["in_3"]}, "apply": True, "amount": float(amount)}]}})
        assert response.status_code == 204, response.text
    return ids


def sublist(hook: NetSuiteHook, record_type: str, internal_id: str, name: str, key: str) -> list[tuple]:
    """The lines of a record's sublist that take effect: (doc's external ID, amount)."""
    response = hook.rest.request("GET", f"/record/v1/{record_type}/{internal_id}",
                                 params={"expandSubResources": "true"})
    assert response.status_code == 200, response.text
    external = {row["id"]: row["externalid"] for row in hook.suiteql("SELECT id, externalid FROM transaction")}
    flag = "deposit" if name == "payment" else "apply"
    lines = response.json()[name]["items"]
    return sorted((external[str(line[key]["id"])], D(str(line.get("paymentAmount", line.get("amount")))))
                  for line in lines if line.get(flag))


def state(hook: NetSuiteHook, ids: dict[str, str]) -> dict[str, Any]:
    """Every application (both directions), what each document has open or left, and the GL."""
    links = list(hook.suiteql(
        "SELECT p.externalid previous, n.externalid next, l.linktype, l.foreignamount FROM nexttransactionlinelink l "
        "JOIN transaction p ON p.id = l.previousdoc JOIN transaction n ON n.id = l.nextdoc "
        "ORDER BY n.externalid, p.externalid"))
    documents = list(hook.suiteql(
        "SELECT externalid, status, foreigntotal, foreignamountremaining, foreignamountunpaid, "
        "foreignpaymentamountused, foreignpaymentamountunused FROM transaction ORDER BY externalid"))
    gl = list(hook.suiteql(
        "SELECT t.externalid, a.account, a.debit, a.credit FROM transactionaccountingline a "
        "JOIN transaction t ON t.id = a.transaction ORDER BY t.externalid, a.account, a.debit, a.credit"))
    balances = {account: sum((D(row["amount"]) for row in hook.suiteql(
        f"SELECT amount FROM transactionaccountingline WHERE account = {account}")), D(0))
        for account in (AR, UNDEPOSITED_FUNDS, BANK)}
    own = {
        "cn_1": sublist(hook, "creditMemo", ids["cn_1"], "apply", "doc"),
        "ch_1": sublist(hook, "customerPayment", ids["ch_1"], "apply", "doc"),
        "re_1": sublist(hook, "customerRefund", ids["re_1"], "apply", "doc"),
        "rf-ch_1": sublist(hook, "customerRefund", ids["rf-ch_1"], "apply", "doc"),
        "po_1": sublist(hook, "deposit", ids["po_1"], "payment", "id"),
    }
    return {"links": links, "documents": documents, "gl": gl, "balances": balances, "own": own}


EXPECTED_OWN = {
    "cn_1": [("in_1", D("15")), ("in_3", D("5"))],
    "ch_1": [("in_2", D("60")), ("in_3", D("20"))],
    "re_1": [("cn_1", D("10"))],
    "rf-ch_1": [("ch_1", D("20"))],
    "po_1": [("ch_1", D("100")), ("re_1", D("-10")), ("rf-ch_1", D("-20"))],  # a refund takes money out
}
# Invoices: 100 - 15; 80 - 60; 50 - 5 - 20. A/R: 230 invoiced - 30 credited - 100 paid + 30 refunded.
# Undeposited Funds: 100 in - 30 refunded - 70 deposited. Bank: the deposit's 70.
EXPECTED_REMAINING = {"in_1": D("85"), "in_2": D("20"), "in_3": D("25")}
EXPECTED_BALANCES = {AR: D("130"), UNDEPOSITED_FUNDS: D("0"), BANK: D("70")}


def remaining(snapshot: dict[str, Any]) -> dict[str, Decimal]:
    return {row["externalid"]: D(row["foreignamountremaining"]) for row in snapshot["documents"]
            if row["externalid"].startswith("in_")}


def test_rewriting_a_credit_memo_or_payment_keeps_every_application(hook, captured_soap, soap_schema):
    ids = load_books(hook)
    before = state(hook, ids)
    assert before["own"] == EXPECTED_OWN
    assert remaining(before) == EXPECTED_REMAINING
    assert before["balances"] == EXPECTED_BALANCES

    rewrites = {
        "the same fields": (credit_memo(ids), payment(ids)),
        "a changed memo": (credit_memo(ids, memo="Stripe: cn_1 (metadata changed)"),
                           payment(ids, memo="Stripe: ch_1 for invoice in_2 (metadata changed)")),
        # force_rewrite sends the record again whatever NetSuite holds: the same apply line, applied again
        "the same apply line forced": (
            NeutralRecord("creditMemo", "cn_1", {"apply": credit_memo(ids).fields["apply"]}, "cn_1"),
            NeutralRecord("customerPayment", "ch_1", {"apply": payment(ids).fields["apply"]}, "ch_1")),
    }
    for what, records in rewrites.items():
        write(hook, *records)
        after = state(hook, ids)
        for part in ("own", "links", "documents", "gl", "balances"):
            assert after[part] == before[part], f"re-writing with {what} changed the {part}"
    memos = {row["externalid"]: row["memo"] for row in hook.suiteql(
        "SELECT externalid, memo FROM transaction WHERE externalid IN ('cn_1', 'ch_1')")}
    assert memos == {"cn_1": "Stripe: cn_1 (metadata changed)", "ch_1": "Stripe: ch_1 for invoice in_2 (metadata changed)"}

    if hook.transport_name == "soap":
        applies, items = set(), set()
        for envelope in captured_soap:
            validate_envelope(soap_schema, envelope)
            for node in etree.fromstring(envelope).iter():
                if isinstance(node.tag, str) and node.tag.endswith("}applyList"):
                    applies.add(node.get("replaceAll"))
                elif isinstance(node.tag, str) and node.tag.endswith("}itemList"):
                    items.add(node.get("replaceAll"))
        assert applies == {"false"} and items == {"true"}


def test_a_rewrite_that_says_apply_false_unapplies_that_document_only(hook):
    ids = load_books(hook)
    before = state(hook, ids)
    write(hook, credit_memo(ids, apply={"doc": {"id": ids["in_1"]}, "apply": False}),
          payment(ids, apply={"doc": {"id": ids["in_2"]}, "apply": False}))
    after = state(hook, ids)
    assert after["own"] == {**EXPECTED_OWN, "cn_1": [("in_3", D("5"))], "ch_1": [("in_3", D("20"))]}
    assert remaining(after) == {**EXPECTED_REMAINING, "in_1": D("100"), "in_2": D("80")}
    # The refunds and the deposit still apply the memo and the payment; the GL is what it was.
    kept = [link for link in before["links"] if (link["previous"], link["next"]) not in
            {("in_1", "cn_1"), ("in_2", "ch_1")}]
    assert after["links"] == kept
    assert after["gl"] == before["gl"] and after["balances"] == EXPECTED_BALANCES
    # And applying again restores the books.
    write(hook, credit_memo(ids), payment(ids))
    again = state(hook, ids)
    for part in ("own", "links", "gl", "balances"):
        assert again[part] == before[part]
    assert remaining(again) == EXPECTED_REMAINING

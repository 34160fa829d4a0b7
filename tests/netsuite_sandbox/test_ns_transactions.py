"""Transactions over REST: NetSuite's accounting rules, computed totals, money, derived state."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from ns_helpers import assert_error, get_expanded, put, written_id

ITEM = {"externalId": "stripe-item-generic"}
TAX = {"externalId": "stripe-item-tax"}
REFUND_ITEM = {"externalId": "stripe-item-refund"}


def _customer(client, eid="cus_1", **extra):
    return put(client, "customer", eid, {"companyName": f"Co {eid}", **extra})


def _invoice(client, eid, customer="cus_1", lines=((ITEM, "100.00"),), **extra):
    items = [{"item": item, "amount": D(amount)} for item, amount in lines]
    return put(client, "invoice", eid, {"entity": {"externalId": customer}, "tranDate": "2024-01-31",
                                        "item": {"items": items}, **extra})


def _payment(client, eid, amount, applies=(), customer="cus_1", **extra):
    body = {"customer": {"externalId": customer}, "payment": D(amount), "tranDate": "2024-02-01", **extra}
    if applies:
        body["apply"] = {"items": [{"doc": {"id": doc}, "apply": True, "amount": D(a)} for doc, a in applies]}
    return put(client, "customerPayment", eid, body)


def test_invoice_totals_come_from_the_lines_and_a_sent_total_is_ignored(client):
    _customer(client)
    body = {"entity": {"externalId": "cus_1"}, "tranDate": "2024-01-31", "total": 1, "amountRemaining": 5,
            "item": {"items": [{"item": ITEM, "quantity": 2, "rate": D("49.50"), "description": "Pro plan",
                                "revRecStartDate": "2024-01-01", "revRecEndDate": "2024-01-31"},
                               {"item": TAX, "amount": D("9.90")}]}}
    internal_id = put(client, "invoice", "in_1", body)
    record = get_expanded(client, "invoice", internal_id)
    assert record["total"] == D("108.90") and record["subTotal"] == D("108.90")
    assert record["amountRemaining"] == D("108.90") and record["amountPaid"] == 0
    assert record["status"] == {"id": "A", "refName": "Open"}
    assert record["tranId"].startswith("INV") and record["currency"]["id"] == "1"
    assert record["dueDate"] == "2024-01-31" and record["createdDate"]
    lines = record["item"]["items"]
    assert [(l["line"], l["amount"], l["item"]["refName"]) for l in lines] == [(1, 99, "Stripe Item"), (2, D("9.9"), "Stripe Tax")]
    assert lines[0]["revRecEndDate"] == "2024-01-31"
    # Amounts are written digit for digit (no float on the wire).
    raw = client.request("GET", f"/services/rest/record/v1/invoice/{internal_id}").text
    assert '"total":108.90' in raw


def test_amounts_are_rounded_half_up_to_the_currency_precision(client):
    _customer(client, currencyList={"items": [{"currency": {"id": "4"}}, {"currency": {"id": "6"}}]})
    usd = _invoice(client, "in_usd", lines=((ITEM, "10.005"), (ITEM, "0.004")))
    assert get_expanded(client, "invoice", usd)["total"] == D("10.01")  # 10.01 + 0.00
    jpy = put(client, "invoice", "in_jpy", {"entity": {"externalId": "cus_1"}, "currency": {"id": "4"},
                                             "item": {"items": [{"item": ITEM, "quantity": 3, "rate": D("33.5")}]}})
    assert get_expanded(client, "invoice", jpy)["total"] == 101  # 100.5 -> 101
    kwd = put(client, "invoice", "in_kwd", {"entity": {"externalId": "cus_1"}, "currency": {"id": "6"},
                                             "item": {"items": [{"item": ITEM, "amount": D("1.23456")}]}})
    assert client.suiteql(f"SELECT foreigntotal, exchangerate FROM transaction WHERE id = {kwd}").json()["items"][0] == {
        "links": [], "foreigntotal": "1.235", "exchangerate": "3.25"}
    # The base-currency ledger: 1.235 KWD x 3.25 = 4.01375 -> 4.01 USD, balanced.
    rows = client.suiteql(f"SELECT SUM(debit) d, SUM(credit) c FROM transactionaccountingline WHERE transaction = {kwd}").json()
    assert rows["items"][0] == {"links": [], "d": "4.01", "c": "4.01"}


def test_dangling_references_are_invalid_key_or_ref(client):
    _customer(client)
    assert_error(client.upsert("invoice", "in_x", {"entity": {"externalId": "cus_nobody"}, "item": {"items": [{"item": ITEM, "amount": 1}]}}),
                 400, "INVALID_KEY_OR_REF", path="entity")
    assert_error(client.upsert("invoice", "in_x", {"entity": {"externalId": "cus_1"}, "item": {"items": [{"item": {"externalId": "price_missing"}, "amount": 1}]}}),
                 400, "INVALID_KEY_OR_REF", path="item.items[0].item")
    assert_error(client.upsert("invoice", "in_x", {"entity": {"externalId": "cus_1"}, "account": {"id": "999"}, "item": {"items": [{"item": ITEM, "amount": 1}]}}),
                 400, "INVALID_KEY_OR_REF", path="account")
    assert_error(_pay_raw(client, "ch_x", [{"doc": {"id": "999999"}, "amount": 1}]), 400, "INVALID_KEY_OR_REF",
                 path="apply.items[0].doc")
    # An item of the wrong kind (a sales tax item as an invoice line) is no valid reference either.
    assert_error(client.upsert("invoice", "in_x", {"entity": {"externalId": "cus_1"}, "item": {"items": [{"item": {"externalId": "stripe-sales-tax"}, "amount": 1}]}}),
                 400, "INVALID_KEY_OR_REF", path="item.items[0].item")
    assert client.suiteql("SELECT COUNT(*) n FROM transaction").json()["items"][0]["n"] == "0"


def _pay_raw(client, eid, lines, **extra):
    return client.upsert("customerPayment", eid, {"customer": {"externalId": "cus_1"}, "apply": {"items": lines}, **extra})


def test_external_ids_are_unique_across_the_transaction_group(client):
    _customer(client)
    _invoice(client, "in_1")
    cm = {"entity": {"externalId": "cus_1"}, "item": {"items": [{"item": REFUND_ITEM, "amount": 5}]}}
    detail = assert_error(client.request("POST", "/services/rest/record/v1/creditMemo", json={**cm, "externalId": "in_1"}),
                          400, "DUP_RCRD", path="externalId")
    assert "in_1" in detail["detail"] and "transaction" in detail["detail"]
    assert_error(client.upsert("creditMemo", "in_1", cm), 400, "DUP_RCRD")
    # Items are another group: the same external ID is fine there.
    put(client, "serviceSaleItem", "in_1", {"itemId": "Item in_1", "incomeAccount": {"id": "4"}})
    assert client.suiteql("SELECT COUNT(*) n FROM transaction").json()["items"][0]["n"] == "1"


def test_over_application_is_refused(client):
    _customer(client)
    inv = _invoice(client, "in_1", lines=((ITEM, "100.00"),))
    detail = assert_error(_pay_raw(client, "ch_1", [{"doc": {"id": inv}, "amount": D("100.01")}], payment=D("200")),
                          400, "USER_ERROR", path="apply.items[0].amount")
    assert "amount remaining is 100.00" in detail["detail"]
    _payment(client, "ch_1", "60", [(inv, "60")])
    assert_error(_pay_raw(client, "ch_2", [{"doc": {"id": inv}, "amount": D("40.01")}]), 400, "USER_ERROR")
    # A credit memo may not apply more than the invoice still owes either.
    cm = {"entity": {"externalId": "cus_1"}, "item": {"items": [{"item": REFUND_ITEM, "amount": 50}]},
          "apply": {"items": [{"doc": inv, "amount": 45}]}}
    assert_error(client.upsert("creditMemo", "cm_1", cm), 400, "USER_ERROR")
    # Nor more than the payment itself.
    assert_error(_pay_raw(client, "ch_3", [{"doc": {"id": inv}, "amount": D("30")}], payment=D("20")), 400, "USER_ERROR",
                 path="apply")
    assert get_expanded(client, "invoice", inv)["amountRemaining"] == 40


def test_applications_need_the_same_customer_and_currency(client):
    _customer(client, "cus_1", currencyList={"items": [{"currency": {"id": "2"}}]})
    _customer(client, "cus_2")
    inv = _invoice(client, "in_1")
    detail = assert_error(_payment_raw_for(client, "cus_2", inv), 400, "USER_ERROR", path="apply.items[0].doc")
    assert "Unable to find a matching line for sublist apply" in detail["detail"]
    eur = {"customer": {"externalId": "cus_1"}, "currency": {"id": "2"}, "apply": {"items": [{"doc": inv, "amount": 10}]}}
    assert_error(client.upsert("customerPayment", "ch_eur", eur), 400, "USER_ERROR")


def _payment_raw_for(client, customer, doc):
    return client.upsert("customerPayment", "ch_other", {"customer": {"externalId": customer},
                                                          "apply": {"items": [{"doc": doc, "amount": 10}]}})


def test_currency_must_be_enabled_on_the_customer(client):
    _customer(client)  # USD only
    detail = assert_error(client.upsert("invoice", "in_eur", {"entity": {"externalId": "cus_1"}, "currency": {"id": "2"},
                                                              "item": {"items": [{"item": ITEM, "amount": 5}]}}),
                          400, "INVALID_KEY_OR_REF", path="currency")
    assert "Invalid currency reference key 2" in detail["detail"]
    put(client, "customer", "cus_1", {"currencyList": {"items": [{"currency": {"id": "2"}}]}})
    internal_id = put(client, "invoice", "in_eur", {"entity": {"externalId": "cus_1"}, "currency": {"id": "2"},
                                                    "item": {"items": [{"item": ITEM, "amount": 5}]}})
    record = get_expanded(client, "invoice", internal_id)
    assert record["currency"]["refName"] == "Euro" and record["exchangeRate"] == D("1.08")  # the currency's default rate


def test_negative_invoice_total_is_refused_and_zero_is_paid_in_full(client):
    _customer(client)
    assert_error(client.upsert("invoice", "in_neg", {"entity": {"externalId": "cus_1"},
                                                     "item": {"items": [{"item": ITEM, "amount": -5}]}}), 400, "USER_ERROR")
    zero = _invoice(client, "in_zero", lines=((ITEM, "10"), ({"externalId": "stripe-item-discount"}, "-10")))
    assert get_expanded(client, "invoice", zero)["status"]["refName"] == "Paid In Full"
    assert_error(client.upsert("invoice", "in_empty", {"entity": {"externalId": "cus_1"}, "item": {"items": []}}),
                 400, "USER_ERROR", path="item")


def test_double_deposit_is_refused(client):
    _customer(client)
    inv = _invoice(client, "in_1")
    pay = _payment(client, "ch_1", "100", [(inv, "100")])
    put(client, "deposit", "po_1", {"account": {"id": "2"}, "payment": {"items": [{"id": pay, "deposit": True}]}})
    # Oracle, "Common Errors With Deposit Records": "Invalid id reference key x" (status Deposited).
    detail = assert_error(client.upsert("deposit", "po_2", {"account": {"id": "2"}, "payment": {"items": [{"id": pay}]}}),
                          400, "INVALID_KEY_OR_REF", path="payment.items[0].id")
    assert f"Invalid id reference key {pay}." in detail["detail"] and "already been deposited" in detail["detail"]
    # Twice in one deposit is refused too, and so is a payment posted straight to a bank.
    other = _payment(client, "ch_2", "5")
    assert_error(client.upsert("deposit", "po_3", {"account": {"id": "2"}, "payment": {"items": [{"id": other}, {"id": other}]}}),
                 400, "USER_ERROR", path="payment.items[1].id")
    direct = _payment(client, "ch_3", "5", undepFunds=False, account={"id": "2"})
    detail = assert_error(client.upsert("deposit", "po_4", {"account": {"id": "2"}, "payment": {"items": [{"id": direct}]}}),
                          400, "INVALID_KEY_OR_REF", path="payment.items[0].id")
    assert f"Invalid id reference key {direct}." in detail["detail"] and "Undeposited Funds" in detail["detail"]
    # Re-saving the first deposit (an upsert retry) keeps its own payment.
    put(client, "deposit", "po_1", {"account": {"id": "2"}, "payment": {"items": [{"id": pay}]}, "memo": "again"})
    assert get_expanded(client, "customerPayment", pay)["status"] == {"id": "C", "refName": "Deposited"}


def test_deposit_rules_currency_bank_and_amounts(client):
    _customer(client, currencyList={"items": [{"currency": {"id": "2"}}]})
    eur = put(client, "customerPayment", "ch_eur", {"customer": {"externalId": "cus_1"}, "currency": {"id": "2"}, "payment": 10})
    # A EUR payment on a USD deposit needs the amount deposited in USD (test_ns_deposit_currencies.py).
    detail = assert_error(client.upsert("deposit", "po_1", {"account": {"id": "2"}, "payment": {"items": [{"id": eur}]}}),
                          400, "USER_ERROR", path="payment.items[0].paymentAmount")
    assert detail["detail"].endswith("Please enter value(s) for: Amount")
    assert_error(client.upsert("deposit", "po_1", {"account": {"id": "5"}, "payment": {"items": [{"id": eur}]}}), 400, "USER_ERROR",
                 path="account")
    assert_error(client.upsert("deposit", "po_1", {"account": {"id": "7"}, "payment": {"items": [{"id": eur, "paymentAmount": 9}]}}),
                 400, "USER_ERROR", path="payment.items[0].paymentAmount")
    assert_error(client.upsert("deposit", "po_1", {"account": {"id": "7"}, "payment": {"items": [{"id": eur}]},
                                                   "cashback": {"items": [{"account": {"id": "5"}, "amount": 11}]}}),
                 400, "USER_ERROR")
    dep = put(client, "deposit", "po_1", {"account": {"id": "7"}, "payment": {"items": [{"id": {"id": eur}, "paymentAmount": 10}]}})
    assert get_expanded(client, "deposit", dep)["currency"]["refName"] == "Euro"


def test_the_cash_back_sublist_is_cashback_and_camel_case_cash_back_is_an_unknown_field(client):
    """REST names the sublist after its SuiteScript ID, ``cashback`` (Oracle's REST "Deposit" page:
    ``"cashback": {"items": [...]}``; REST API Browser ``deposit-cashbackCollection``). ``cashBack`` is
    unknown: refused by default here; NetSuite's default ``X-NetSuite-PropertyNameValidation: Warning``
    drops it, so the fee lines would silently vanish from the deposit."""
    _customer(client)
    inv = _invoice(client, "in_1")
    pay = _payment(client, "ch_1", "100", [(inv, "100")])
    fee = {"items": [{"account": {"id": "5"}, "amount": D("2.40"), "memo": "Stripe fees"}]}
    body = {"account": {"id": "2"}, "payment": {"items": [{"id": pay, "deposit": True}]}}
    assert_error(client.upsert("deposit", "po_1", {**body, "cashBack": fee}), 400, "INVALID_FIELD", path="cashBack")
    relaxed = client.upsert("deposit", "po_1", {**body, "cashBack": fee},
                            headers={"X-NetSuite-PropertyNameValidation": "Warning"})
    dep = written_id(relaxed)
    record = get_expanded(client, "deposit", dep)
    assert record["total"] == 100 and "cashBack" not in record and not record.get("cashback", {}).get("items")
    put(client, "deposit", "po_1", {**body, "cashback": fee})
    record = get_expanded(client, "deposit", dep)
    assert record["total"] == D("97.60")
    assert [(line["account"]["id"], line["amount"]) for line in record["cashback"]["items"]] == [("5", D("2.40"))]


def test_journal_entries_must_balance(client):
    unbalanced = {"line": {"items": [{"account": {"id": "5"}, "debit": D("3.43")}, {"account": {"id": "1"}, "credit": D("3.42")}]}}
    assert_error(client.upsert("journalEntry", "je-txn_1", unbalanced), 400, "JE_AMOUNTS_MUST_BALANCE", path="line")
    assert_error(client.upsert("journalEntry", "je-txn_1", {"line": {"items": [{"account": {"id": "5"}, "debit": 1, "credit": 1},
                                                                                 {"account": {"id": "1"}, "credit": 1}]}}),
                 400, "INVALID_FLD_VALUE")
    je = put(client, "journalEntry", "je-txn_1", {"memo": "fee", "line": {"items": [
        {"account": {"id": "5"}, "debit": D("3.43"), "memo": "Stripe fee", "custcol_stripe_line_id": "txn_1"},
        {"account": {"id": "1"}, "credit": D("3.43")}]}})
    rows = client.suiteql(f"SELECT account, debit, credit FROM transactionaccountingline WHERE transaction = {je} ORDER BY account").json()["items"]
    assert [(r["account"], r.get("debit"), r.get("credit")) for r in rows] == [("1", None, "3.43"), ("5", "3.43", None)]
    line = client.suiteql(f"SELECT custcol_stripe_line_id FROM transactionline WHERE transaction = {je} AND account = 5").json()
    assert line["items"][0]["custcol_stripe_line_id"] == "txn_1"


def test_status_and_amount_remaining_follow_the_applications(client, sandbox):
    _customer(client)
    inv = _invoice(client, "in_1", custbody_stripe_id="in_1")
    pay = _payment(client, "ch_1", "100", [(inv, "100")])
    assert get_expanded(client, "invoice", inv)["status"]["refName"] == "Paid In Full"
    row = client.suiteql(f"SELECT status, BUILTIN.DF(status) s, foreignamountremaining r, custbody_stripe_id FROM transaction WHERE id = {inv}").json()["items"][0]
    assert (row["status"], row["s"], row["r"], row["custbody_stripe_id"]) == ("B", "Invoice : Paid In Full", "0", "in_1")
    links = client.suiteql("SELECT previousdoc, nextdoc, linktype, foreignamount FROM nexttransactionlinelink").json()["items"]
    assert links == [{"links": [], "previousdoc": inv, "nextdoc": pay, "linktype": "Payment", "foreignamount": "100"}]
    # A paid invoice cannot be deleted; deleting the payment reopens it.
    assert_error(client.request("DELETE", f"/services/rest/record/v1/invoice/{inv}"), 400, "USER_ERROR")
    assert client.request("DELETE", f"/services/rest/record/v1/customerPayment/{pay}").status_code == 204
    record = get_expanded(client, "invoice", inv)
    assert (record["status"]["refName"], record["amountRemaining"]) == ("Open", 100)
    # Unapplying (apply: false) keeps the line and frees the invoice.
    pay = _payment(client, "ch_2", "100", [(inv, "100")])
    put(client, "customerPayment", "ch_2", {"apply": {"items": [{"doc": inv, "apply": False}]}})
    assert get_expanded(client, "invoice", inv)["amountRemaining"] == 100
    assert get_expanded(client, "customerPayment", pay)["unapplied"] == 100
    # A customer with transactions cannot be deleted.
    assert_error(client.request("DELETE", "/services/rest/record/v1/customer/eid:cus_1"), 400, "USER_ERROR")


def test_a_deposited_payment_keeps_its_amount(client):
    _customer(client)
    pay = _payment(client, "ch_1", "30")
    put(client, "deposit", "po_1", {"account": {"id": "2"}, "payment": {"items": [{"id": pay}]}})
    assert_error(client.upsert("customerPayment", "ch_1", {"payment": 31}), 400, "USER_ERROR")
    put(client, "customerPayment", "ch_1", {"memo": "still fine"})


def test_gl_scenario_invoice_payments_credit_memo_deposit_refund(client, sandbox):
    """invoice -> partial payment -> credit memo -> payment -> deposit with a fee line -> refund."""
    _customer(client)
    inv = _invoice(client, "in_1", lines=((ITEM, "90.00"), (TAX, "10.00")))
    p1 = _payment(client, "ch_1", "30", [(inv, "30")])
    assert get_expanded(client, "invoice", inv)["amountRemaining"] == 70
    cm = put(client, "creditMemo", "cn_1", {"entity": {"externalId": "cus_1"}, "item": {"items": [{"item": REFUND_ITEM, "amount": 20}]},
                                            "apply": {"items": [{"doc": inv, "apply": True, "amount": 20}]}})
    p2 = _payment(client, "ch_2", "50", [(inv, "50")])
    invoice = get_expanded(client, "invoice", inv)
    assert (invoice["status"]["refName"], invoice["amountRemaining"], invoice["amountPaid"]) == ("Paid In Full", 0, 100)
    assert get_expanded(client, "creditMemo", cm)["status"]["refName"] == "Fully Applied"
    dep = put(client, "deposit", "po_1", {"account": {"id": "2"}, "tranDate": "2024-02-03",
                                          "payment": {"items": [{"id": p1, "deposit": True}, {"id": p2, "deposit": True}]},
                                          "cashback": {"items": [{"account": {"id": "5"}, "amount": D("2.40"), "memo": "Stripe fees"}]}})
    assert get_expanded(client, "deposit", dep)["total"] == D("77.60")
    assert get_expanded(client, "customerPayment", p1)["status"]["refName"] == "Deposited"
    # A refund of a new credit (credit memo for re_1) waits in Undeposited Funds.
    cm2 = put(client, "creditMemo", "cm-re_1", {"entity": {"externalId": "cus_1"}, "item": {"items": [{"item": REFUND_ITEM, "amount": 15}]}})
    put(client, "customerRefund", "re_1", {"customer": {"externalId": "cus_1"}, "apply": {"items": [{"doc": cm2, "amount": 15}]}})
    app = sandbox.app
    assert app.account_balance(3) == 0  # A/R: 100 - 30 - 20 - 50 - 15 + 15
    assert app.account_balance(1) == D("-15.00")  # Undeposited Funds: the refund not paid out yet
    assert app.account_balance(2) == D("77.60")  # bank
    assert app.account_balance(5) == D("2.40")  # fees
    assert app.account_balance(4) == D("-90.00") and app.account_balance(6) == D("-10.00")
    assert app.account_balance(14) == D("35.00")  # refunds (contra revenue)
    balance = app.trial_balance()
    assert sum(row["balance"] for row in balance) == 0
    assert sum(row["debit"] for row in balance) == sum(row["credit"] for row in balance)
    unbalanced = client.suiteql("SELECT transaction, SUM(debit) d, SUM(credit) c FROM transactionaccountingline "
                                "GROUP BY transaction HAVING SUM(debit) <> SUM(credit)").json()
    assert unbalanced["totalResults"] == 0
    assert client.suiteql("SELECT COUNT(DISTINCT transaction) n FROM transactionaccountingline").json()["items"][0]["n"] == "7"
    # The same figures over HTTP.
    tb = client.request("GET", "/_sandbox/ledger/trial-balance", sign=False).json()["items"]
    assert {row["account"]: row["balance"] for row in tb}[2] == 77.6  # JSON float from requests


def test_foreign_currency_posts_base_amounts_and_a_deposit_clears_undeposited_funds_exactly(client, sandbox):
    _customer(client, currencyList={"items": [{"currency": {"id": "2"}}]})
    inv = put(client, "invoice", "in_eur", {"entity": {"externalId": "cus_1"}, "currency": {"id": "2"}, "exchangeRate": D("1.08"),
                                            "item": {"items": [{"item": ITEM, "amount": 100}]}})
    pay = put(client, "customerPayment", "ch_eur", {"customer": {"externalId": "cus_1"}, "currency": {"id": "2"},
                                                    "exchangeRate": D("1.10"), "payment": 100,
                                                    "apply": {"items": [{"doc": inv, "amount": 100}]}})
    assert get_expanded(client, "invoice", inv)["status"]["refName"] == "Paid In Full"
    put(client, "deposit", "po_eur", {"account": {"id": "7"}, "exchangeRate": D("1.09"), "payment": {"items": [{"id": pay}]}})
    app = sandbox.app
    assert app.account_balance(1) == 0  # UF cleared at the payment's own base amount (110)
    assert app.account_balance(7) == D("109.00")  # EUR bank at the deposit's rate
    # The difference is the deposit's: Unrealized Matching Gain/Loss (Oracle, "Foreign Currency Revaluation").
    assert app.account_balance(20) == D("1.00") and app.account_balance(19) == 0
    assert app.account_balance(7, currency=2) == D("100")
    assert app.account_balance(4) == D("-108.00")


def test_items_rules(client):
    put(client, "serviceSaleItem", "price_1", {"itemId": "Pro plan (price_1)", "incomeAccount": {"id": "4"}, "rate": D("49.50")})
    assert_error(client.upsert("serviceSaleItem", "price_2", {"itemId": "Pro plan (price_1)", "incomeAccount": {"id": "4"}}),
                 400, "DUP_ITEM", path="itemId")
    assert_error(client.upsert("serviceSaleItem", "price_3", {"itemId": "No account"}), 400, "USER_ERROR", path="incomeAccount")
    put(client, "discountItem", "coupon-ABC", {"itemId": "Coupon ABC", "account": {"id": "12"}, "rate": "-25%", "nonPosting": True})
    assert_error(client.upsert("discountItem", "coupon-X", {"itemId": "X", "account": {"id": "12"}, "rate": "a lot"}),
                 400, "INVALID_FLD_VALUE", path="rate")
    _customer(client)
    inv = put(client, "invoice", "in_d", {"entity": {"externalId": "cus_1"}, "item": {"items": [
        {"item": {"externalId": "price_1"}, "quantity": 2},  # the item's rate
        {"item": {"externalId": "coupon-ABC"}}]}})  # -25% of the line above, posting to its income account
    record = get_expanded(client, "invoice", inv)
    assert record["total"] == D("74.25")
    rows = client.suiteql(f"SELECT account, SUM(amount) a FROM transactionaccountingline WHERE transaction = {inv} GROUP BY account ORDER BY account").json()["items"]
    assert [(r["account"], r["a"]) for r in rows] == [("3", "74.25"), ("4", "-74.25")]
    items = client.suiteql("SELECT externalid, itemtype FROM item WHERE externalid IN ('price_1', 'coupon-ABC') ORDER BY id").json()["items"]
    assert [(i["externalid"], i["itemtype"]) for i in items] == [("price_1", "Service"), ("coupon-ABC", "Discount")]


def test_header_discount_and_tax_item(client):
    _customer(client)
    inv = put(client, "invoice", "in_t", {"entity": {"externalId": "cus_1"},
                                          "discountItem": {"externalId": "stripe-item-discount"}, "discountRate": "-10%",
                                          "taxItem": {"externalId": "stripe-sales-tax"}, "taxRate": D("8.25"),
                                          "item": {"items": [{"item": ITEM, "amount": 100, "isTaxable": True},
                                                             {"item": ITEM, "amount": 50}]}})
    record = get_expanded(client, "invoice", inv)
    assert (record["subTotal"], record["discountTotal"], record["taxTotal"], record["total"]) == (150, -15, D("8.25"), D("143.25"))
    tax = client.suiteql(f"SELECT account, foreignamount FROM transactionline WHERE transaction = {inv} AND taxline = 'T'").json()["items"]
    assert tax == [{"links": [], "account": "6", "foreignamount": "-8.25"}]


@pytest.mark.parametrize("record_type", ["invoice", "creditMemo", "customerPayment", "customerRefund", "deposit", "journalEntry"])
def test_every_transaction_type_lists_and_reads(client, record_type):
    response = client.request("GET", f"/services/rest/record/v1/{record_type}")
    assert response.status_code == 200 and response.json()["totalResults"] == 0

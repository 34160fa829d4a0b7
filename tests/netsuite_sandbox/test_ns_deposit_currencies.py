"""A deposit takes payments and refunds in other currencies than its bank account's (REST and SOAP).

NetSuite's deposit payment line (REST ``deposit-paymentElement``, SOAP ``DepositPayment``):
``paymentAmount`` ("Amount") is the amount in the deposit's (bank's) currency, which the client
states for a payment in another currency; ``transactionAmount`` ("Payment Amount") and
``currency`` are the payment's own. Undeposited Funds is cleared at the payment's booked base
amount; the bank gets the deposit's amount at the deposit's rate; the difference posts to
Unrealized Matching Gain/Loss (account 20, ``MatchingUnrERV``). See ``records/deposit.py``.

The scenario, base USD (subsidiary 1), customer cus_1 (USD, also EUR and JPY):

* ch_eur 100 EUR at Stripe's rate 1.10 (Undeposited Funds +110.00 USD base), pays in_eur;
* ch_jpy 15000 JPY at 0.0068 (+102.00), pays in_jpy;
* re_eur refunds 20 EUR of credit memo cn_eur at 1.10 (Undeposited Funds -22.00);
* ch_usd 50 USD (a customer credit);
* ch_eur2 80 EUR at 1.10 (+88.00);
* po_usd: the USD bank (2) takes ch_eur as 108.50 USD, ch_jpy as 101.37, re_eur as 21.70 and
  ch_usd (its own 50), keeps 3.20 of fees: total 234.97; exchange loss 1.50 + 0.63 - 0.30 = 1.83;
* po_jpy: the JPY bank (9, rate 0.0067) takes ch_eur2 as 13000 JPY (sent 13000.4: JPY has no
  decimals): bank 87.10 USD base, exchange loss 0.90.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from ns_helpers import NsClient, assert_error, get_expanded, put, written_id
from soap_helpers import Soap
from zeep.helpers import serialize_object

USD, EUR, JPY = "1", "2", "4"
UF, BANK_USD, FEES, BANK_JPY, REALIZED, MATCHING = 1, 2, 5, 9, 19, 20
GENERIC = {"externalId": "stripe-item-generic"}
REFUND_ITEM = {"externalId": "stripe-item-refund"}

STEPS = [
    [("customer", "cus_1", {"companyName": "Multi Ltd", "currency": {"id": USD},
                            "currencyList": {"items": [{"currency": {"id": EUR}}, {"currency": {"id": JPY}}]}})],
    [("invoice", "in_eur", {"entity": {"externalId": "cus_1"}, "currency": {"id": EUR}, "tranDate": "2024-03-01",
                            "item": {"items": [{"item": GENERIC, "amount": D("100.00")}]}}),
     ("invoice", "in_jpy", {"entity": {"externalId": "cus_1"}, "currency": {"id": JPY}, "tranDate": "2024-03-01",
                            "item": {"items": [{"item": GENERIC, "amount": D("15000")}]}}),
     ("creditMemo", "cn_eur", {"entity": {"externalId": "cus_1"}, "currency": {"id": EUR}, "exchangeRate": D("1.10"),
                               "tranDate": "2024-03-02", "item": {"items": [{"item": REFUND_ITEM, "amount": D("20.00")}]}})],
    [("customerPayment", "ch_eur", {"customer": {"externalId": "cus_1"}, "currency": {"id": EUR}, "exchangeRate": D("1.10"),
                                    "tranDate": "2024-03-02", "payment": D("100.00"),
                                    "apply": {"items": [{"doc": {"ref": "in_eur"}, "apply": True, "amount": D("100.00")}]}}),
     ("customerPayment", "ch_jpy", {"customer": {"externalId": "cus_1"}, "currency": {"id": JPY}, "exchangeRate": D("0.0068"),
                                    "tranDate": "2024-03-02", "payment": D("15000"),
                                    "apply": {"items": [{"doc": {"ref": "in_jpy"}, "apply": True, "amount": D("15000")}]}}),
     ("customerPayment", "ch_usd", {"customer": {"externalId": "cus_1"}, "tranDate": "2024-03-02", "payment": D("50.00")}),
     ("customerPayment", "ch_eur2", {"customer": {"externalId": "cus_1"}, "currency": {"id": EUR}, "exchangeRate": D("1.10"),
                                     "tranDate": "2024-03-02", "payment": D("80.00")}),
     ("customerRefund", "re_eur", {"customer": {"externalId": "cus_1"}, "currency": {"id": EUR}, "exchangeRate": D("1.10"),
                                   "tranDate": "2024-03-03",
                                   "apply": {"items": [{"doc": {"ref": "cn_eur"}, "apply": True, "amount": D("20.00")}]}})],
    [("deposit", "po_usd", {"account": {"id": str(BANK_USD)}, "tranDate": "2024-03-05", "memo": "Stripe payout po_usd",
                            "payment": {"items": [
                                {"id": {"ref": "ch_eur"}, "deposit": True, "paymentAmount": D("108.50")},
                                {"id": {"ref": "ch_jpy"}, "deposit": True, "paymentAmount": D("101.37")},
                                {"id": {"ref": "re_eur"}, "deposit": True, "paymentAmount": D("21.70")},
                                {"id": {"ref": "ch_usd"}, "deposit": True}]},
                            "cashback": {"items": [{"account": {"id": str(FEES)}, "amount": D("3.20"), "memo": "Stripe fees"}]}}),
     ("deposit", "po_jpy", {"account": {"id": str(BANK_JPY)}, "tranDate": "2024-03-05",
                            "payment": {"items": [{"id": {"ref": "ch_eur2"}, "deposit": True, "paymentAmount": D("13000.4")}]}})],
]


def _resolve(value, ids):
    if isinstance(value, dict):
        if set(value) == {"ref"}:
            return {"id": ids[value["ref"]]}
        return {k: _resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, ids) for v in value]
    return value


def load_over_rest(client) -> dict[str, str]:
    ids: dict[str, str] = {}
    for step in STEPS:
        for record_type, external_id, fields in step:
            ids[external_id] = put(client, record_type, external_id, _resolve(fields, ids))
    return ids


def load_over_soap(soap) -> dict[str, str]:
    ids: dict[str, str] = {}
    for step in STEPS:
        records = [soap.record(t, eid, _resolve(f, ids)) for t, eid, f in step]
        for (_, external_id, _), write in zip(step, soap.call("upsertList", record=records).body.writeResponseList.writeResponse):
            assert write.status.isSuccess, (external_id, write.status.statusDetail)
            ids[external_id] = write.baseRef.internalId
    return ids


def rows(client, q) -> list[dict]:
    response = client.suiteql(q)
    assert response.status_code == 200, response.text
    return [{k: v for k, v in row.items() if k != "links"} for row in response.json()["items"]]


def undeposited_per_currency(client) -> dict[str, tuple[D, D]]:
    """Undeposited Funds per currency the money is held in: (amount in that currency, base)."""
    found = rows(client, "SELECT cur.symbol AS currency, SUM(l.foreignamount) AS fx, SUM(l.amount) AS base "
                         "FROM transactionaccountingline l JOIN account a ON a.id = l.account "
                         "JOIN currency cur ON cur.id = l.currency WHERE a.sspecacct = 'UndepFunds' GROUP BY cur.symbol")
    return {row["currency"]: (D(row["fx"]), D(row["base"])) for row in found}


@pytest.fixture
def loaded(client):
    return load_over_rest(client)


# --- REST ----------------------------------------------------------------------------------


def test_a_usd_deposit_takes_eur_and_jpy_payments_and_a_eur_refund(client, loaded):
    ids = loaded
    deposit = get_expanded(client, "deposit", ids["po_usd"])
    assert (deposit["currency"]["id"], deposit["exchangeRate"], deposit["total"]) == (USD, 1, D("234.97"))
    lines = {line["id"]["id"] if isinstance(line["id"], dict) else str(line["id"]): line
             for line in deposit["payment"]["items"]}
    shown = {eid: (lines[ids[eid]]["type"], lines[ids[eid]]["currency"]["refName"], lines[ids[eid]]["transactionAmount"],
                   lines[ids[eid]]["paymentAmount"], lines[ids[eid]]["pmtCurrencyPrecision"])
             for eid in ("ch_eur", "ch_jpy", "re_eur", "ch_usd")}
    # transactionAmount ("Payment Amount") in the payment's currency, paymentAmount ("Amount") in USD.
    assert shown == {"ch_eur": ("Payment", "Euro", D("100.00"), D("108.50"), "2"),
                     "ch_jpy": ("Payment", "Japanese Yen", 15000, D("101.37"), "0"),
                     "re_eur": ("Customer Refund", "Euro", D("-20.00"), D("-21.70"), "2"),
                     "ch_usd": ("Payment", "US Dollar", D("50.00"), D("50.00"), "2")}
    for eid in ("ch_eur", "ch_jpy", "ch_usd", "ch_eur2"):
        assert get_expanded(client, "customerPayment", ids[eid])["status"] == {"id": "C", "refName": "Deposited"}
    on_jpy_bank = get_expanded(client, "deposit", ids["po_jpy"])
    assert (on_jpy_bank["currency"]["refName"], on_jpy_bank["exchangeRate"], on_jpy_bank["total"]) == ("Japanese Yen", D("0.0067"), 13000)
    (line,) = on_jpy_bank["payment"]["items"]
    assert (line["currency"]["refName"], line["transactionAmount"], line["paymentAmount"]) == ("Euro", D("80.00"), 13000)


def test_gl_undeposited_funds_clears_per_currency_and_the_difference_is_an_unrealized_matching_loss(client, sandbox, loaded):
    app = sandbox.app
    assert app.account_balance(UF) == 0
    assert undeposited_per_currency(client) == {c: (D(0), D(0)) for c in ("EUR", "JPY", "USD")}
    for currency in (EUR, JPY, USD):
        assert app.account_balance(UF, currency=currency) == 0
    assert app.account_balance(BANK_USD) == D("234.97") and app.account_balance(BANK_USD, currency=USD) == D("234.97")
    assert app.account_balance(BANK_JPY) == D("87.10") and app.account_balance(BANK_JPY, currency=JPY) == 13000
    assert app.account_balance(MATCHING) == D("2.73")  # 1.83 on po_usd + 0.90 on po_jpy
    assert app.account_balance(REALIZED) == 0  # payments applied at their invoices' currency: no realized FX here...
    assert app.account_balance(FEES) == D("3.20")
    balance = app.trial_balance()
    assert sum(row["balance"] for row in balance) == 0
    assert rows(client, "SELECT transaction FROM transactionaccountingline GROUP BY transaction "
                        "HAVING SUM(debit) <> SUM(credit)") == []


def test_suiteql_shows_the_deposit_lines_in_base_and_its_links_to_the_payments(client, loaded):
    ids = loaded
    dep = ids["po_usd"]
    # NetSuite's columns (base currency): debit / credit per line; the bank line is the mainline.
    gl = rows(client, f"SELECT transactionline, account, debit, credit FROM transactionaccountingline "
                      f"WHERE transaction = {dep} ORDER BY transactionline")
    assert [(r["account"], r.get("debit"), r.get("credit")) for r in gl] == [
        ("2", "234.97", None),  # bank: the deposit's total (USD: rate 1)
        ("1", None, "110"),  # ch_eur: its own booked base (100 EUR x 1.10), not 108.50
        ("1", None, "102"),  # ch_jpy: 15000 JPY x 0.0068
        ("1", "22", None),  # re_eur: 20 EUR x 1.10
        ("1", None, "50"),  # ch_usd
        ("5", "3.2", None),  # fees kept back
        ("20", "1.83", None),  # Unrealized Matching Gain/Loss
    ]
    # Sandbox-only columns: each Undeposited Funds line in the currency its money is held in.
    held = rows(client, f"SELECT l.transactionline AS line, cur.symbol AS currency, l.foreignamount AS fx "
                        f"FROM transactionaccountingline l JOIN currency cur ON cur.id = l.currency "
                        f"WHERE l.transaction = {dep} AND l.account = 1 ORDER BY l.transactionline")
    assert [(r["currency"], r["fx"]) for r in held] == [("EUR", "-100"), ("JPY", "-15000"), ("EUR", "20"), ("USD", "-50")]
    # transactionline: the deposit's own lines in its currency (USD): what each line deposits.
    doc_lines = rows(client, f"SELECT account, foreignamount, netamount FROM transactionline "
                             f"WHERE transaction = {dep} AND account = 1 ORDER BY id")
    assert [(r["foreignamount"], r["netamount"]) for r in doc_lines] == [
        ("-108.5", "-110"), ("-101.37", "-102"), ("21.7", "22"), ("-50", "-50")]
    links = rows(client, f"SELECT previousdoc, previoustype, nextline, nexttype, linktype, foreignamount, amount "
                         f"FROM nexttransactionlinelink WHERE nextdoc = {dep} ORDER BY nextline")
    assert links == [
        {"previousdoc": ids["ch_eur"], "previoustype": "CustPymt", "nextline": "1", "nexttype": "Deposit",
         "linktype": "Deposit", "foreignamount": "100", "amount": "108.5"},
        {"previousdoc": ids["ch_jpy"], "previoustype": "CustPymt", "nextline": "2", "nexttype": "Deposit",
         "linktype": "Deposit", "foreignamount": "15000", "amount": "101.37"},
        {"previousdoc": ids["re_eur"], "previoustype": "CustRfnd", "nextline": "3", "nexttype": "Deposit",
         "linktype": "Deposit", "foreignamount": "-20", "amount": "-21.7"},
        {"previousdoc": ids["ch_usd"], "previoustype": "CustPymt", "nextline": "4", "nexttype": "Deposit",
         "linktype": "Deposit", "foreignamount": "50", "amount": "50"},
    ]
    # Which deposit took a payment, as a connector asks before depositing it.
    taken = rows(client, f"SELECT nextdoc FROM nexttransactionlinelink WHERE linktype = 'Deposit' AND previousdoc = {ids['ch_jpy']}")
    assert taken == [{"nextdoc": dep}]
    jpy_bank = rows(client, f"SELECT account, debit, credit FROM transactionaccountingline WHERE transaction = {ids['po_jpy']} "
                            f"ORDER BY transactionline")
    assert [(r["account"], r.get("debit"), r.get("credit")) for r in jpy_bank] == [
        ("9", "87.1", None), ("1", None, "88"), ("20", "0.9", None)]  # 13000 JPY x 0.0067; 80 EUR x 1.10


def test_refusals_in_netsuites_words(client, loaded):
    ids = loaded
    put(client, "customerPayment", "ch_eur3", {"customer": {"externalId": "cus_1"}, "currency": {"id": EUR}, "payment": D("10.00")})
    eur3 = client.get("customerPayment", "eid:ch_eur3").json()["id"]
    usd_bank = {"id": str(BANK_USD)}
    # The amount in the deposit's currency is needed for a payment in another currency...
    assert_error(client.upsert("deposit", "po_x", {"account": usd_bank, "payment": {"items": [{"id": eur3}]}}),
                 400, "USER_ERROR", path="payment.items[0].paymentAmount")
    # ...and may not be zero.
    assert_error(client.upsert("deposit", "po_x", {"account": usd_bank, "payment": {"items": [{"id": eur3, "paymentAmount": 0}]}}),
                 400, "USER_ERROR", path="payment.items[0].paymentAmount")
    # Oracle, "Common Errors With Deposit Records": "Invalid id reference key x" (already deposited, or
    # not posted to Undeposited Funds).
    detail = assert_error(client.upsert("deposit", "po_x", {"account": usd_bank, "payment": {"items": [
        {"id": eur3, "paymentAmount": D("10.80")}, {"id": ids["ch_eur"], "paymentAmount": D("108.50")}]}}),
        400, "INVALID_KEY_OR_REF", path="payment.items[1].id")
    assert detail["detail"] == (f"Error while accessing a resource. Invalid id reference key {ids['ch_eur']}. "
                                f"Payment PYMT00001 has already been deposited (deposit {ids['po_usd']}).")
    direct = put(client, "customerPayment", "ch_eur_bank", {"customer": {"externalId": "cus_1"}, "currency": {"id": EUR},
                                                            "payment": D("5.00"), "undepFunds": False, "account": {"id": "7"}})
    assert_error(client.upsert("deposit", "po_x", {"account": usd_bank, "payment": {"items": [{"id": direct, "paymentAmount": 5}]}}),
                 400, "INVALID_KEY_OR_REF", path="payment.items[0].id")
    # A refund alone would take money out: "The total can not be negative".
    put(client, "creditMemo", "cn_eur2", {"entity": {"externalId": "cus_1"}, "currency": {"id": EUR},
                                          "item": {"items": [{"item": REFUND_ITEM, "amount": D("5.00")}]}})
    memo = client.get("creditMemo", "eid:cn_eur2").json()["id"]
    refund = put(client, "customerRefund", "re_eur2", {"customer": {"externalId": "cus_1"}, "currency": {"id": EUR},
                                                       "apply": {"items": [{"doc": memo, "amount": D("5.00")}]}})
    detail = assert_error(client.upsert("deposit", "po_x", {"account": usd_bank, "payment": {"items": [
        {"id": refund, "paymentAmount": D("5.40")}]}}), 400, "USER_ERROR")
    assert "The total can not be negative" in detail["detail"]
    # What NetSuite derives from the payment is not taken from the client.
    dep = put(client, "deposit", "po_x", {"account": usd_bank, "payment": {"items": [
        {"id": eur3, "paymentAmount": D("10.80"), "transactionAmount": D("999"), "currency": {"id": USD}},
        {"id": refund, "paymentAmount": D("5.40")}]}})
    line = get_expanded(client, "deposit", dep)["payment"]["items"][0]
    assert (line["transactionAmount"], line["currency"]["id"], line["paymentAmount"]) == (D("10.00"), EUR, D("10.80"))
    # A deposited payment keeps its amount and currency.
    assert_error(client.upsert("customerPayment", "ch_eur3", {"payment": D("11.00")}), 400, "USER_ERROR")
    assert_error(client.upsert("customerPayment", "ch_eur3", {"currency": {"id": JPY}, "exchangeRate": D("0.0068")}),
                 400, "USER_ERROR")


def test_updating_the_deposit_merges_its_payment_lines_and_the_gl_follows(client, sandbox, loaded):
    ids = loaded
    app = sandbox.app
    # An upsert retry with the same body (naming its sublists: cashback is not keyed) changes nothing.
    before = app.suiteql(f"SELECT * FROM transactionaccountingline WHERE transaction = {ids['po_usd']} ORDER BY transactionline")
    written_id(client.upsert("deposit", "po_usd", _resolve(STEPS[-1][0][2], ids), params={"replace": "payment,cashback"}))
    after = app.suiteql(f"SELECT * FROM transactionaccountingline WHERE transaction = {ids['po_usd']} ORDER BY transactionline")
    assert [{k: v for k, v in r.items() if k != "lastmodifieddate"} for r in before] == \
           [{k: v for k, v in r.items() if k != "lastmodifieddate"} for r in after]
    # A keyed line sent alone updates that line (the others stay): the JPY payment now deposits 101.40.
    put(client, "deposit", "po_usd", {"payment": {"items": [{"id": ids["ch_jpy"], "paymentAmount": D("101.40")}]}})
    assert get_expanded(client, "deposit", ids["po_usd"])["total"] == D("235.00")
    assert app.account_balance(MATCHING) == D("2.70") and app.account_balance(UF) == 0
    # deposit: false takes it off the deposit: back in Undeposited Funds in JPY, not deposited.
    put(client, "deposit", "po_usd", {"payment": {"items": [{"id": ids["ch_jpy"], "deposit": False}]}})
    assert get_expanded(client, "customerPayment", ids["ch_jpy"])["status"]["refName"] == "Not Deposited"
    assert undeposited_per_currency(client)["JPY"] == (D(15000), D(102))
    assert get_expanded(client, "deposit", ids["po_usd"])["total"] == D("133.60")
    assert app.account_balance(MATCHING) == D("2.10")  # 1.50 - 0.30 + 0.90
    # Now a JPY deposit takes it in its own currency.
    put(client, "deposit", "po_jpy2", {"account": {"id": str(BANK_JPY)}, "exchangeRate": D("0.0068"),
                                       "payment": {"items": [{"id": ids["ch_jpy"]}]}})
    assert app.account_balance(UF, currency=JPY) == 0 and app.account_balance(UF) == 0


# --- SOAP ----------------------------------------------------------------------------------


def test_soap_loads_the_same_deposits_and_state_as_rest(start_sandbox, zeep_client):
    over_rest, over_soap = start_sandbox("rest.db"), start_sandbox("soap.db")
    rest_ids = load_over_rest(NsClient(over_rest.url))
    soap_ids = load_over_soap(Soap(zeep_client[0], over_soap.url))
    assert rest_ids == soap_ids
    for table, order in (("transaction", "id"), ("transactionline", "transaction, id"),
                         ("transactionaccountingline", "transaction, transactionline"),
                         ("nexttransactionlinelink", "nextdoc, nextline")):
        q = f"SELECT * FROM {table} ORDER BY {order}"
        strip = ("lastmodifieddate", "createddate")
        assert [{k: v for k, v in r.items() if k not in strip} for r in over_rest.app.suiteql(q)] == \
               [{k: v for k, v in r.items() if k not in strip} for r in over_soap.app.suiteql(q)], table
    assert over_soap.app.trial_balance() == over_rest.app.trial_balance()
    assert over_soap.app.account_balance(MATCHING) == D("2.73") and over_soap.app.account_balance(UF, currency=EUR) == 0


def test_soap_get_shows_each_payment_line_like_netsuite(start_sandbox, zeep_client):
    sandbox = start_sandbox()
    soap = Soap(zeep_client[0], sandbox.url)
    ids = load_over_soap(soap)
    (read,) = soap.call("getList", baseRef=[soap.ref(internal_id=ids["po_usd"], record_type="deposit")]).body.readResponseList.readResponse
    assert read.status.isSuccess
    deposit = serialize_object(read.record, dict)
    assert deposit["total"] == 234.97 and deposit["account"]["internalId"] == str(BANK_USD)
    shown = [(p["id"], p["type"], p["currency"]["internalId"], p["currency"]["name"], p["transactionAmount"], p["paymentAmount"])
             for p in deposit["paymentList"]["depositPayment"]]
    assert shown == [(int(ids["ch_eur"]), "Payment", EUR, "Euro", 100.0, 108.5),
                     (int(ids["ch_jpy"]), "Payment", JPY, "Japanese Yen", 15000.0, 101.37),
                     (int(ids["re_eur"]), "Customer Refund", EUR, "Euro", -20.0, -21.7),
                     (int(ids["ch_usd"]), "Payment", USD, "US Dollar", 50.0, 50.0)]


def test_soap_refusals(start_sandbox, zeep_client):
    sandbox = start_sandbox()
    soap = Soap(zeep_client[0], sandbox.url)
    ids = load_over_soap(soap)
    client = NsClient(sandbox.url)
    eur3 = written_id(client.upsert("customerPayment", "ch_eur3", {"customer": {"externalId": "cus_1"}, "currency": {"id": EUR},
                                                                   "payment": D("10.00")}))
    missing = soap.record("deposit", "po_x", {"account": {"id": str(BANK_USD)}, "payment": {"items": [{"id": {"id": eur3}, "deposit": True}]}})
    again = soap.record("deposit", "po_y", {"account": {"id": str(BANK_USD)}, "payment": {"items": [
        {"id": {"id": ids["ch_eur"]}, "deposit": True, "paymentAmount": D("108.50")}]}})
    first, second = soap.call("upsertList", record=[missing, again]).body.writeResponseList.writeResponse
    assert not first.status.isSuccess and first.status.statusDetail[0].code == "USER_ERROR"
    assert first.status.statusDetail[0].message.endswith("Please enter value(s) for: Amount")
    assert not second.status.isSuccess and second.status.statusDetail[0].code == "INVALID_KEY_OR_REF"
    assert f"Invalid id reference key {ids['ch_eur']}." in second.status.statusDetail[0].message
    # With the amount in the deposit's currency it is taken.
    fixed = soap.record("deposit", "po_x", {"account": {"id": str(BANK_USD)}, "payment": {"items": [
        {"id": {"id": eur3}, "deposit": True, "paymentAmount": D("10.79")}]}})
    (write,) = soap.call("upsertList", record=[fixed]).body.writeResponseList.writeResponse
    assert write.status.isSuccess
    assert get_expanded(client, "deposit", write.baseRef.internalId)["total"] == D("10.79")
    assert sandbox.app.account_balance(UF, currency=EUR) == 0 and sandbox.app.account_balance(UF) == 0

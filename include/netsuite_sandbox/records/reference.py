"""Reference lists the connector points at: subsidiary, currency, account, paymentMethod, term.

They are read-only over REST (``writable=False``) and come from the seed file; only the
control endpoint ``/_sandbox/reference`` (``reference_settings.py``) toggles a currency's or an
account's ``isInactive``. Each has its own record group, so their ids (1, 2, ...) do not
collide with entities or transactions.
SuiteQL tables: ``subsidiary``, ``currency``, ``account``, ``paymentmethod``, ``term``.
"""

from __future__ import annotations

from netsuite_sandbox.records.common import ref_id, tf
from netsuite_sandbox.records.registry import (
    BOOL, COUNTRY, DECIMAL, INTEGER, REF, STRING, Field, Projection, RecordType,
)

_EXTERNAL_ID = Field(STRING, "External ID", max_length=255)

SUBSIDIARY = RecordType(
    name="subsidiary",
    group="subsidiary",
    writable=False,
    fields={
        "externalId": _EXTERNAL_ID,
        "name": Field(STRING, "Name", max_length=83),
        "currency": Field(REF, "Currency", ref_type="currency"),
        "country": Field(COUNTRY, "Country"),
        "isInactive": Field(BOOL),
        "isElimination": Field(BOOL),
        "parent": Field(REF, "Parent", ref_type="subsidiary"),
    },
    display=lambda body: body.get("name", ""),
    projections=(
        Projection(
            "subsidiary",
            (("id", "INTEGER"), ("name", "TEXT"), ("fullname", "TEXT"), ("currency", "INTEGER"),
             ("country", "TEXT"), ("isinactive", "TEXT"), ("iselimination", "TEXT"),
             ("parent", "INTEGER"), ("externalid", "TEXT")),
            lambda r, ctx: [{
                "id": r.id, "name": r.body.get("name"), "fullname": r.body.get("name"),
                "currency": ref_id(r.body.get("currency")), "country": r.body.get("country"),
                "isinactive": tf(r.body.get("isInactive")), "iselimination": tf(r.body.get("isElimination")),
                "parent": ref_id(r.body.get("parent")), "externalid": r.external_id,
            }],
        ),
    ),
)

CURRENCY = RecordType(
    name="currency",
    group="currency",
    writable=False,
    fields={
        "externalId": _EXTERNAL_ID,
        "name": Field(STRING, "Name", max_length=32),
        "symbol": Field(STRING, "ISO Code", max_length=3),
        "displaySymbol": Field(STRING, "Symbol", max_length=8),
        "currencyPrecision": Field(INTEGER, "Currency Precision"),
        "exchangeRate": Field(DECIMAL, "Default Exchange Rate"),
        "isBaseCurrency": Field(BOOL),
        "isInactive": Field(BOOL),
    },
    display=lambda body: body.get("name", ""),
    projections=(
        Projection(
            "currency",
            (("id", "INTEGER"), ("name", "TEXT"), ("symbol", "TEXT"), ("displaysymbol", "TEXT"),
             ("currencyprecision", "INTEGER"), ("exchangerate", "TEXT"), ("isbasecurrency", "TEXT"),
             ("isinactive", "TEXT"), ("externalid", "TEXT")),
            lambda r, ctx: [{
                "id": r.id, "name": r.body.get("name"), "symbol": r.body.get("symbol"),
                "displaysymbol": r.body.get("displaySymbol"), "currencyprecision": r.body.get("currencyPrecision"),
                "exchangerate": r.body.get("exchangeRate"), "isbasecurrency": tf(r.body.get("isBaseCurrency")),
                "isinactive": tf(r.body.get("isInactive")), "externalid": r.external_id,
            }],
        ),
    ),
)

ACCOUNT = RecordType(
    name="account",
    group="account",
    writable=False,
    fields={
        "externalId": _EXTERNAL_ID,
        "acctNumber": Field(STRING, "Number", max_length=60),
        "acctName": Field(STRING, "Name", max_length=60),
        "acctType": Field(STRING, "Type"),  # Bank, AcctRec, OthCurrAsset, Income, Expense, OthCurrLiab, ...
        "description": Field(STRING, "Description", max_length=999),
        "currency": Field(REF, "Currency", ref_type="currency"),
        "isInactive": Field(BOOL),
        # NetSuite's system role of an account (SuiteQL ``sspecacct``): UndepFunds, AcctRec,
        # RealizedERV, MatchingUnrERV. The sandbox finds Undeposited Funds, default A/R and the
        # exchange gain/loss accounts by it.
        "specialAccount": Field(STRING, "Special Account Type", max_length=40),
    },
    display=lambda body: " ".join(p for p in (body.get("acctNumber"), body.get("acctName")) if p),
    projections=(
        Projection(
            "account",
            (("id", "INTEGER"), ("acctnumber", "TEXT"), ("acctname", "TEXT"), ("accttype", "TEXT"),
             ("fullname", "TEXT"), ("description", "TEXT"), ("currency", "INTEGER"),
             ("isinactive", "TEXT"), ("externalid", "TEXT"), ("sspecacct", "TEXT")),
            lambda r, ctx: [{
                "id": r.id, "acctnumber": r.body.get("acctNumber"), "acctname": r.body.get("acctName"),
                "accttype": r.body.get("acctType"), "fullname": r.body.get("acctName"),
                "description": r.body.get("description"), "currency": ref_id(r.body.get("currency")),
                "isinactive": tf(r.body.get("isInactive")), "externalid": r.external_id,
                "sspecacct": r.body.get("specialAccount"),
            }],
        ),
    ),
)

PAYMENT_METHOD = RecordType(
    name="paymentMethod",
    group="paymentMethod",
    writable=False,
    fields={
        "externalId": _EXTERNAL_ID,
        "name": Field(STRING, "Name", max_length=31),
        "account": Field(REF, "Account", ref_type="account"),
        "isInactive": Field(BOOL),
    },
    display=lambda body: body.get("name", ""),
    projections=(
        Projection(
            "paymentmethod",
            (("id", "INTEGER"), ("name", "TEXT"), ("account", "INTEGER"), ("isinactive", "TEXT"),
             ("externalid", "TEXT")),
            lambda r, ctx: [{
                "id": r.id, "name": r.body.get("name"), "account": ref_id(r.body.get("account")),
                "isinactive": tf(r.body.get("isInactive")), "externalid": r.external_id,
            }],
        ),
    ),
)

TERM = RecordType(
    name="term",
    group="term",
    writable=False,
    fields={
        "externalId": _EXTERNAL_ID,
        "name": Field(STRING, "Terms", max_length=50),
        "daysUntilNetDue": Field(INTEGER, "Days Till Net Due"),
        "isInactive": Field(BOOL),
    },
    display=lambda body: body.get("name", ""),
    projections=(
        Projection(
            "term",
            (("id", "INTEGER"), ("name", "TEXT"), ("daysuntilnetdue", "INTEGER"), ("isinactive", "TEXT"),
             ("externalid", "TEXT")),
            lambda r, ctx: [{
                "id": r.id, "name": r.body.get("name"), "daysuntilnetdue": r.body.get("daysUntilNetDue"),
                "isinactive": tf(r.body.get("isInactive")), "externalid": r.external_id,
            }],
        ),
    ),
)

REFERENCE_TYPES = (CURRENCY, SUBSIDIARY, ACCOUNT, PAYMENT_METHOD, TERM)

"""Compare Stripe payouts with NetSuite bank deposits, Undeposited Funds and fees (pure; the cash side).

What the payouts flow writes (``mapping/deposits.py``) is what must be there:

* each paid automatic payout is one deposit ``po_…`` (or parts ``po_…-2``, … of
  ``payouts.max_transactions_per_deposit`` transactions each), adding up to the payout amount, dated its arrival
  day (``invoices.timezone``), into the bank account the settings name for its currency
  (``payouts.bank_accounts``);
* its payment lines are exactly the documents its balance transactions carry (``document_of``): a document
  missing from the deposit, or one on it the payout does not carry, is a difference;
* a deposit NetSuite has under a ``po_`` ID Stripe does not pay (a payout not paid, failed, canceled, manual or
  unknown) is a difference, and so is a deposit made by hand (no external ID) taking a document a flow wrote;
* per currency, Undeposited Funds (the GL, each line's own currency) equal what Stripe holds but has not paid
  out (payments less refunds and disputes not yet on a paid payout, at their own amounts);
* per fee account and currency, what the deposits put there equals Stripe's fees of the paid-out transactions
  (and the adjustments the mapping books to that account).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stripe_netsuite.mapping import external_ids
from stripe_netsuite.mapping.deposits import carried, document_of, fee_account, writes_deposit
from stripe_netsuite.mapping.money import to_decimal
from stripe_netsuite.mapping.records import MappingError, expandable_id
from stripe_netsuite.reconcile.lines import difference, internal_ids, load, money, netsuite_amount, rewrite
from stripe_netsuite.settings import Settings

PAYOUTS_FLOW = "stripe_payouts_to_netsuite"

DEPOSIT_ROWS_QUERY = (  # each deposit with the bank account its debit line goes to
    "SELECT t.id, t.externalid, t.foreigntotal, t.trandate, cur.symbol AS currency, a.externalid AS bank "
    "FROM transaction t JOIN currency cur ON cur.id = t.currency "
    "JOIN transactionaccountingline l ON l.transaction = t.id AND l.debit > 0 JOIN account a ON a.id = l.account "
    "WHERE t.type = 'Deposit' AND a.accttype = 'Bank'"
)
DEPOSIT_LINKS_QUERY = (  # each document a deposit takes (its payment lines)
    "SELECT l.nextdoc AS deposit_id, d.externalid AS deposit, p.id AS document_id, p.externalid AS document "
    "FROM nexttransactionlinelink l JOIN transaction d ON d.id = l.nextdoc JOIN transaction p ON p.id = l.previousdoc "
    "WHERE l.linktype = 'Deposit'"
)
UNDEPOSITED_QUERY = (  # Undeposited Funds, each GL line in its own currency
    "SELECT t.id, t.type, t.externalid, cur.symbol AS currency, l.foreignamount AS amount FROM transactionaccountingline l "
    "JOIN transaction t ON t.id = l.transaction JOIN account a ON a.id = l.account "
    "JOIN currency cur ON cur.id = l.currency WHERE a.sspecacct = 'UndepFunds'"
)
DEPOSIT_ACCOUNT_LINES_QUERY = (  # what the deposits put on each account (fees, adjustments)
    "SELECT t.externalid, a.externalid AS account, cur.symbol AS currency, l.foreignamount AS amount "
    "FROM transactionaccountingline l JOIN transaction t ON t.id = l.transaction JOIN account a ON a.id = l.account "
    "JOIN currency cur ON cur.id = l.currency WHERE t.type = 'Deposit'"
)
APPLIED_QUERY = (  # what the given transactions apply to (a customer refund: the payment or credit memo it refunds)
    "SELECT l.nextdoc AS doc, p.externalid AS applied_to FROM nexttransactionlinelink l "
    "JOIN transaction p ON p.id = l.previousdoc WHERE l.nextdoc IN ({ids})"
)
TYPE_NAMES = {"CustPymt": "customer payment", "CustRfnd": "customer refund", "Deposit": "deposit",
              "Journal": "journal entry", "CashSale": "cash sale"}
_STRIPE_ID = re.compile(r"[a-z]+_[A-Za-z0-9]+")


def stripe_id_of(external_id: str) -> str:
    """The Stripe ID an external ID carries (``ret-re_X`` -> ``re_X``, ``po_X-2`` -> ``po_X``); '' for none."""
    found = _STRIPE_ID.search(external_id or "")
    return found.group(0) if found else ""


def payout_of(external_id: str) -> str:
    """``po_X`` and ``po_X-2`` -> ``po_X``; '' for a deposit not named after a payout."""
    return external_id.split("-")[0] if str(external_id or "").startswith("po_") else ""


def netsuite_date(value: Any) -> str:
    """A SuiteQL date ('2026-12-08', '12/8/2026', with a time or not) as ISO 'YYYY-MM-DD'; the text itself if
    unreadable."""
    text = str(value or "").strip().split(" ")[0].split("T")[0]
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return text


def source_amount(obj: Mapping[str, Any]) -> Decimal:
    return to_decimal(int(obj.get("amount") or 0), str(obj.get("currency") or ""))


@dataclass
class PayoutReconciliation:
    stripe_payouts: int = 0  # paid automatic payouts compared
    netsuite_deposits: int = 0  # NetSuite deposits under a po_ external ID compared
    matched: int = 0  # payouts whose deposits agree in every respect
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # informational, not differences
    undeposited: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)  # currency -> (Stripe, NetSuite)
    fees: dict[tuple[str, str], tuple[Decimal, Decimal]] = field(default_factory=dict)  # (account, cur) -> (S, NS)
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per payout compared, for the report files

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [f"payouts: Stripe {self.stripe_payouts} paid, NetSuite {self.netsuite_deposits} deposit(s), matched "
               f"{self.matched}" + (" - OK" if self.ok else " - MISMATCH")]
        for currency, (stripe_total, netsuite_total) in sorted(self.undeposited.items()):
            out.append(f"  {currency} in Undeposited Funds: Stripe not paid out {money(stripe_total, currency)}, "
                       f"NetSuite {money(netsuite_total, currency)}")
        for (account, currency), (stripe_total, netsuite_total) in sorted(self.fees.items()):
            out.append(f"  {currency} fees and adjustments on {account}: Stripe {money(stripe_total, currency)}, "
                       f"NetSuite {money(netsuite_total, currency)}")
        out += [f"  {note}" for note in self.notes]
        out += [f"  {problem}" for problem in self.problems]
        return out


@dataclass
class _Expected:
    payout: Mapping[str, Any]
    currency: str
    parts: list[str]  # external IDs of its deposits
    documents: set[str]
    fees: dict[tuple[str, str], Decimal]


def _expected(payout: Mapping[str, Any], txns: Sequence[Mapping[str, Any]], settings: Settings) -> _Expected:
    rows = carried(txns)
    currency = str(payout.get("currency") or "").upper()
    size = settings.payouts.max_transactions_per_deposit
    parts = [external_ids.deposit_part(payout["id"], n) for n in range(1, max(1, -(-len(rows) // size)) + 1)]
    documents: set[str] = set()
    fees: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for txn in rows:
        document = document_of(txn)
        category = txn.get("reporting_category")
        if document is not None:
            documents.add(document)
        elif int(txn.get("amount") or 0):
            account = (settings.refunds.dispute_reversals_account if category == "dispute_reversal"
                       else settings.payouts.fee_accounts.other)
            fees[(str(account), currency)] -= to_decimal(int(txn["amount"]), currency)
        listed = 0
        for detail in txn.get("fee_details") or []:
            amount = int(detail.get("amount") or 0)
            listed += amount
            if amount:
                fees[(str(fee_account(txn, detail, settings)), currency)] += to_decimal(amount, currency)
        rest = int(txn.get("fee") or 0) - listed
        if rest:
            fees[(str(settings.payouts.fee_accounts.other), currency)] += to_decimal(rest, currency)
    return _Expected(payout, currency, parts, documents, fees)


def _held(charges: Iterable[Mapping[str, Any]], refunds: Iterable[Mapping[str, Any]],
          disputes: Iterable[Mapping[str, Any]], paid_out: set[str]) -> dict[str, Decimal]:
    """Per currency of the money, what Stripe holds but has not paid out (what Undeposited Funds must hold): each
    payment, refund, dispute withdrawal, and each of them given back, whose balance transaction no paid payout
    carried (``paid_out``: those balance transactions' IDs, and their sources' for one Stripe has not booked yet)."""
    from stripe_netsuite.mapping.payments import moves_money, paid_amount
    from stripe_netsuite.mapping.refunds import refund_booked, refund_reversed, withdrawal

    def held_back(obj: Mapping[str, Any], key: str) -> bool:
        txn = expandable_id(obj.get(key))
        return txn not in paid_out if txn else obj["id"] not in paid_out

    held: dict[str, Decimal] = defaultdict(Decimal)
    for charge in charges:
        if not moves_money(charge):
            continue
        amount = to_decimal(paid_amount(charge), charge["currency"])
        currency = str(charge["currency"]).upper()
        if held_back(charge, "balance_transaction"):
            held[currency] += amount
        if charge.get("failure_balance_transaction") and held_back(charge, "failure_balance_transaction"):
            held[currency] -= amount  # the failed debit's refund (rf-)
    for refund in refunds:
        if refund_booked(refund) and held_back(refund, "balance_transaction"):
            held[str(refund["currency"]).upper()] -= source_amount(refund)
        if refund_reversed(refund) and held_back(refund, "failure_balance_transaction"):
            held[str(refund["currency"]).upper()] += source_amount(refund)  # the money back (ret-)
    for dispute in disputes:
        txn = withdrawal(dispute)
        if txn is not None and (txn.get("id") not in paid_out if txn.get("id") else dispute["id"] not in paid_out):
            held[str(dispute["currency"]).upper()] -= source_amount(dispute)
    return held


def reconcile_payouts(
    payouts: Iterable[Mapping[str, Any]],
    transactions: Mapping[str, Sequence[Mapping[str, Any]]],
    deposit_rows: Iterable[Mapping[str, Any]],
    links: Iterable[Mapping[str, Any]],
    settings: Settings,
    *,
    undeposited_rows: Iterable[Mapping[str, Any]] | None = None,
    account_rows: Iterable[Mapping[str, Any]] = (),
    charges: Iterable[Mapping[str, Any]] = (),
    refunds: Iterable[Mapping[str, Any]] = (),
    disputes: Iterable[Mapping[str, Any]] = (),
    settling: set[str] = frozenset(),  # type: ignore[assignment]
    applied_to: Mapping[str, Sequence[str]] | None = None,
) -> PayoutReconciliation:
    """``transactions``: payout ID -> its balance transactions (each paid automatic payout's); ``deposit_rows``:
    DEPOSIT_ROWS_QUERY's; ``links``: DEPOSIT_LINKS_QUERY's; ``undeposited_rows``: UNDEPOSITED_QUERY's (None: not
    compared); ``applied_to``: internal ID -> the external IDs a transaction in Undeposited Funds without a
    Stripe ID applies to (APPLIED_QUERY's); ``account_rows``: DEPOSIT_ACCOUNT_LINES_QUERY's; ``charges``/``refunds``/``disputes``: Stripe's, for
    what it holds; ``settling``: Stripe IDs left out (changed within the settle time)."""
    report = PayoutReconciliation()
    zone = zoneinfo.ZoneInfo(settings.invoices.timezone)
    payouts, deposit_rows = list(payouts), list(deposit_rows)
    deposits: dict[str, dict[str, Any]] = {str(r["externalid"]): dict(r) for r in deposit_rows if r.get("externalid")}
    hand_deposits = {str(r["id"]): dict(r) for r in deposit_rows if not r.get("externalid")}
    on_deposit: dict[str, dict[str, str]] = defaultdict(dict)  # deposit key -> document external ID -> deposit ID
    deposits_of_document: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for link in links:
        key = str(link.get("deposit") or f"#{link.get('deposit_id')}")
        document = str(link.get("document") or f"internal ID {link.get('document_id')}")
        on_deposit[key][document] = str(link.get("deposit_id"))
        deposits_of_document[document].append((key, str(link.get("deposit_id"))))

    expected: dict[str, _Expected] = {}
    paid_ids: set[str] = set()
    left_out: set[str] = set(settling)
    for payout in payouts:
        try:
            pays = writes_deposit(payout)
        except MappingError:
            pays = False
        if not pays:
            continue
        paid_ids.add(payout["id"])
        try:
            exp = _expected(payout, transactions.get(payout["id"], []), settings)
        except MappingError as exc:
            report.problems.append(difference(payout["id"], f"Stripe lists a transaction the connector does not "
                                              f"know ({exc})", "report this payout to the connector's maintainers"))
            continue
        if payout["id"] in settling:
            left_out |= {stripe_id_of(d) for d in exp.documents}
            continue
        expected[payout["id"]] = exp
    paid_out = {str(t.get("id")) for pid in paid_ids for t in carried(transactions.get(pid, []))}
    paid_out |= {expandable_id(t.get("source")) for pid in paid_ids for t in carried(transactions.get(pid, []))}

    fees_ns: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    fee_accounts = {str(a) for a in (*settings.payouts.fee_accounts.model_dump().values(),
                                     settings.refunds.dispute_reversals_account)}
    for line in account_rows:
        if payout_of(str(line.get("externalid") or "")) in expected and str(line.get("account")) in fee_accounts:
            fee_key = (str(line["account"]), str(line.get("currency") or ""))
            fees_ns[fee_key] += netsuite_amount(line.get("amount"), fee_key[1])

    # each paid payout against its deposits
    for payout_id, exp in sorted(expected.items()):
        report.stripe_payouts += 1
        payout, currency, problems = exp.payout, exp.currency, []
        amount = to_decimal(int(payout["amount"]), currency)
        arrival = dt.datetime.fromtimestamp(int(payout.get("arrival_date") or payout["created"]), zone).date()
        bank = settings.payouts.bank_accounts.get(currency.lower())
        have = [deposits[p] for p in exp.parts if p in deposits]
        extra_parts = sorted(k for k in deposits if payout_of(k) == payout_id and k not in exp.parts)
        ids = internal_ids([r.get("id") for r in have])
        row: dict[str, Any] = {"payout": payout_id, "currency": currency, "amount": money(amount, currency),
                               "arrival": arrival.isoformat(), "deposits": ", ".join(f"{r['externalid']} ({r['id']})"
                                                                                     for r in have) or "(none)"}
        if not have:
            report.problems.append(difference(payout_id, f"missing in NetSuite (Stripe payout {money(amount, currency)}"
                                              f", arrived {arrival.isoformat()}): no deposit {exp.parts[0]}",
                                              load(PAYOUTS_FLOW, payout_id)))
            report.rows.append(row | {"status": "missing in NetSuite"})
            continue
        missing_parts = [p for p in exp.parts if p not in deposits]
        if missing_parts or extra_parts:
            problems.append(f"deposits Stripe's {len(exp.parts)} part(s) {', '.join(exp.parts)}, NetSuite has "
                            f"{', '.join(r['externalid'] for r in have + [deposits[k] for k in extra_parts])}")
        total = sum((netsuite_amount(r.get("foreigntotal"), currency) for r in have), Decimal(0))
        if total != amount:
            problems.append(f"amount Stripe {money(amount, currency)}, NetSuite {money(total, currency)}")
        dates = sorted({netsuite_date(r.get("trandate")) for r in have})
        if dates != [arrival.isoformat()]:
            problems.append(f"date Stripe arrival {arrival.isoformat()}, NetSuite {', '.join(dates)}")
        banks = sorted({str(r.get("bank")) for r in have})
        if bank is not None and banks != [str(bank)]:
            problems.append(f"bank account settings {bank}, NetSuite {', '.join(banks)}")
        taken = {d for p in exp.parts for d in on_deposit.get(p, {})}
        lacking = sorted(exp.documents - taken)
        foreign = sorted(taken - exp.documents)
        for document in lacking:
            elsewhere = [k for k, _ in deposits_of_document.get(document, []) if payout_of(k) != payout_id]
            where = f" (it is on {', '.join(_deposit_name(k) for k in elsewhere)})" if elsewhere else ""
            problems.append(f"payment line for {document} missing{where}")
        if foreign:
            problems.append(f"payment lines for {', '.join(foreign)} the payout does not carry")
        row["netsuite_amount"] = money(total, currency)
        row["netsuite_date"] = ", ".join(dates)
        row["bank"] = ", ".join(banks)
        if problems:
            report.problems.append(difference(payout_id, "; ".join(problems) + f" (NetSuite deposit{ids})",
                                              rewrite(PAYOUTS_FLOW, payout_id)))
            row["status"] = "; ".join(problems)
        else:
            report.matched += 1
            row["status"] = "OK"
        report.rows.append(row)

    # deposits NetSuite has that Stripe does not pay
    for key, dep in sorted(deposits.items()):
        payout_id = payout_of(key)
        if not payout_id or payout_id in settling:
            continue
        if payout_id in expected:
            report.netsuite_deposits += 1
            continue
        if payout_id in paid_ids:
            continue  # a payout the connector could not read: reported above
        report.netsuite_deposits += 1
        known = next((p for p in payouts if p["id"] == payout_id), None)
        status = (f"Stripe's payout is {known.get('status')}" + ("" if known.get("automatic", True) else ", manual")
                  + (", its reconciliation still in progress" if known.get("reconciliation_status") == "in_progress"
                     else "") if known is not None else "Stripe has no such payout")
        report.problems.append(difference(payout_id, f"NetSuite deposit {key}{internal_ids([dep.get('id')])} of "
                                          f"{dep.get('foreigntotal')} {dep.get('currency') or ''}, but {status}",
                                          "check NetSuite: a deposit made or copied by hand there, or from another "
                                          "Stripe account, carries this external ID; delete it or change its "
                                          "external ID in NetSuite"))

    # deposits made by hand taking a document a flow wrote
    for deposit_id, dep in sorted(hand_deposits.items()):
        documents = sorted(d for d in on_deposit.get(f"#{deposit_id}", {}) if stripe_id_of(d) and
                           not d.startswith("internal ID"))
        for document in documents:
            stripe_id = stripe_id_of(document)
            if stripe_id in left_out:
                continue
            carrier = next((pid for pid, exp in expected.items() if document in exp.documents), None)
            carried_by = (f"Stripe pays it out in {carrier}" if carrier else
                          "Stripe has not paid it out yet" if stripe_id not in paid_out else "Stripe paid it out")
            report.problems.append(difference(
                stripe_id, f"{document} is on NetSuite deposit internal ID {deposit_id}, made by hand "
                           f"({dep.get('foreigntotal')} {dep.get('currency') or ''} to {dep.get('bank')}); "
                           f"{carried_by}",
                f"check NetSuite: delete that deposit (or take {document} off it)"
                + (f", then {rewrite(PAYOUTS_FLOW, carrier)}" if carrier else "")))

    # Undeposited Funds per currency
    if undeposited_rows is not None:
        stripe_held = _held([c for c in charges if c["id"] not in left_out],
                            [r for r in refunds if r["id"] not in left_out and r.get("charge") not in left_out],
                            [d for d in disputes if d["id"] not in left_out and d.get("charge") not in left_out],
                            paid_out)
        netsuite_held: dict[str, Decimal] = defaultdict(Decimal)
        by_hand: dict[str, dict[str, tuple[str, Decimal]]] = defaultdict(dict)  # currency -> id -> (type, amount)
        for r in undeposited_rows:
            external_id = str(r.get("externalid") or "")
            if stripe_id_of(external_id) in left_out or payout_of(external_id) in settling:
                continue
            currency = str(r.get("currency") or "")
            amount_here = Decimal(str(r.get("amount") or 0))
            netsuite_held[currency] += amount_here
            if not stripe_id_of(external_id) and r.get("type") != "Deposit":  # a hand deposit is named above
                kind, before = by_hand[currency].get(str(r.get("id")), (str(r.get("type") or ""), Decimal(0)))
                by_hand[currency][str(r.get("id"))] = (kind, before + amount_here)
        for currency in sorted(set(stripe_held) | set(netsuite_held)):
            s_total = stripe_held.get(currency, Decimal(0))
            n_total = netsuite_amount(netsuite_held.get(currency, Decimal(0)), currency)
            if not s_total and not n_total:
                continue
            report.undeposited[currency] = (s_total, n_total)
            if money(s_total, currency) != money(n_total, currency):
                report.problems.append(difference(
                    f"Undeposited Funds {currency}",
                    f"Stripe holds {money(s_total, currency)} not yet paid out, NetSuite's Undeposited Funds "
                    f"{money(n_total, currency)}",
                    "see the payment, refund and deposit lines above; if there are none, look in NetSuite for a "
                    "payment, refund or deposit in this currency entered by hand"))
                for internal_id, (kind, moved) in sorted(by_hand[currency].items()):
                    applies = sorted((applied_to or {}).get(internal_id, []))
                    named = next((stripe_id_of(x) for x in applies if stripe_id_of(x)), "")
                    report.problems.append(difference(
                        named or f"NetSuite internal ID {internal_id}",
                        f"NetSuite {TYPE_NAMES.get(kind, kind or 'transaction')} internal ID {internal_id}, made by "
                        f"hand (no Stripe ID), moves {money(netsuite_amount(moved, currency), currency)} in "
                        f"Undeposited Funds" + (f", applying {', '.join(applies)}" if applies else "")
                        + "; Stripe has no such transaction",
                        "check NetSuite: delete it if it repeats a record the connector wrote (a refund booked "
                        "twice, say); if the money really moved, book it in Stripe"))

    # fees per account
    stripe_fees: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for exp in expected.values():
        for fee_key, value in exp.fees.items():
            stripe_fees[fee_key] += value
    for account, cur in sorted(set(stripe_fees) | set(fees_ns)):
        s_fee, n_fee = stripe_fees.get((account, cur), Decimal(0)), fees_ns.get((account, cur), Decimal(0))
        if not s_fee and not n_fee:
            continue
        report.fees[(account, cur)] = (s_fee, n_fee)
        if money(s_fee, cur) != money(n_fee, cur):
            report.problems.append(difference(
                f"fees {account} {cur}", f"Stripe's fees of the paid-out transactions {money(s_fee, cur)}, "
                                         f"NetSuite's deposits put {money(n_fee, cur)} there",
                "see the payout lines above; if there are none, look in NetSuite for a deposit line to this account "
                "changed by hand"))
    return report


def _deposit_name(key: str) -> str:
    return f"deposit internal ID {key[1:]}, made by hand" if key.startswith("#") else f"deposit {key}"

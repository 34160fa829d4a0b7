"""What the report's lines say: amounts at the currency's decimals, and what to do about each difference.

A difference reads ``<Stripe ID>: <what differs> -> <what to do>``. What to do is either a run of a
flow DAG for just that record (``stripe_ids``, with ``force_rewrite`` so a record edited by hand in
NetSuite is written again from Stripe) or a check in NetSuite (a record made or copied there by hand).
Amounts print with the currency's decimals on both sides (``150.00 USD``, ``2500 JPY``, ``1.500 KWD``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stripe_netsuite.mapping.money import exponent

CUSTOMERS_FLOW = "stripe_customers_to_netsuite"
INVOICES_FLOW = "stripe_invoices_to_netsuite"  # also writes the credit memos of its invoices
PAYMENTS_FLOW = "stripe_payments_to_netsuite"  # also the refunds of failed debits and invoices for standalone payments
REFUNDS_FLOW = "stripe_refunds_disputes_to_netsuite"  # credit memos, customer refunds, payments of refunds given back


def _at_decimals(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-exponent(currency))) + 0  # + 0: never -0.00


def netsuite_amount(value: Any, currency: str) -> Decimal:
    """A SuiteQL number (a string, int or float; None or '' is 0) as an exact Decimal at the currency's decimals."""
    text = "0" if value is None or value == "" else str(value)  # str(): a float's shortest form, 10.1 not 10.0999...
    return _at_decimals(Decimal(text), currency)


def money(amount: Decimal, currency: str) -> str:
    """Decimal('150') USD -> '150.00 USD'; JPY -> '150 JPY'; KWD -> '150.000 KWD'."""
    return f"{_at_decimals(amount, currency):f} {currency.upper()}"


def rewrite(flow_dag: str, stripe_id: str) -> str:
    return f"fix: trigger {flow_dag} with stripe_ids [{stripe_id}] and force_rewrite on"


def load(flow_dag: str, stripe_id: str) -> str:
    """A record NetSuite does not have: a load that failed waits in the flow's retry queue, with its reason."""
    return (f"{rewrite(flow_dag, stripe_id)} (if its check_failed_records task lists {stripe_id}, "
            "fix the cause it gives first)")


def undo_hand_applied(flow_dag: str, stripe_id: str) -> str:
    """An amount remaining that differs while the total agrees: most often a payment applied by hand."""
    return (f"check NetSuite for a payment or credit applied to it by hand and undo it; if there is none, "
            f"{rewrite(flow_dag, stripe_id)}")


def not_in_stripe(record: str) -> str:
    """``record``: 'a customer', 'an invoice', 'a payment'."""
    return (f"check NetSuite: {record} created or copied by hand there, or from another Stripe account, carries "
            "this external ID; delete it or change its external ID in NetSuite")


def duplicated(record: str) -> str:
    """``record``: 'a customer', 'a record'."""
    return (f"check NetSuite: {record} created or copied by hand there carries this external ID too; delete that "
            "duplicate or change its external ID in NetSuite")


def internal_ids(ids: list[Any]) -> str:
    """' (internal ID 12)', ' (internal IDs 12, 40)'; '' when the rows do not say."""
    known = [str(x) for x in ids if x not in (None, "")]
    if not known:
        return ""
    return f" (internal ID{'s' if len(known) > 1 else ''} {', '.join(known)})"


def difference(stripe_id: str, what: str, remedy: str) -> str:
    return f"{stripe_id}: {what} -> {remedy}"


# -- shared by the payments and refunds comparisons ------------------------------------------------

def scheme_prefix(scheme: Callable[[str], str], sample: str) -> str:
    """The text an external-ID scheme puts before the Stripe ID (taken from external_ids, never spelled here)."""
    return scheme(sample)[: -len(sample)]


def rate_text(value: Decimal | None) -> str:
    return "(none)" if value is None else f"{value.normalize():f}"


def netsuite_rate(value: Any) -> Decimal | None:
    """A SuiteQL exchange rate as an exact Decimal; None when NetSuite holds none."""
    return None if value in (None, "") else Decimal(str(value))


def applications_by_doc(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Decimal]]:
    """Rows of an applications query -> internal ID -> {external ID applied to (or 'internal ID n'): amount}."""
    out: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in rows:
        target = r.get("applied_to") or f"internal ID {r.get('applied_to_id')}"  # one made by hand may have none
        out[str(r["doc"])][target] += Decimal(str(r.get("amount") or "0"))
    return out


@dataclass
class NetSuiteRecords:
    """The NetSuite side of a section, indexed: the flow's records by external ID, and what each applies to."""

    rows: list[Mapping[str, Any]]
    applications: Mapping[str, dict[str, Decimal]]  # internal ID -> {external ID (or 'internal ID n'): amount}

    def __post_init__(self) -> None:
        self.by_id: dict[str, Mapping[str, Any]] = {}
        for r in self.rows:
            self.by_id.setdefault(r["externalid"], r)  # of records sharing an external ID, the first is compared
        self.counts = Counter(r["externalid"] for r in self.rows)

    def get(self, external_id: str, kind: str) -> Mapping[str, Any] | None:
        row = self.by_id.get(external_id)
        return row if row is not None and row.get("type") == kind else None

    def applied(self, row: Mapping[str, Any], currency: str) -> dict[str, Decimal]:
        return {doc: netsuite_amount(amount, currency)
                for doc, amount in self.applications.get(str(row.get("id")), {}).items() if amount}

    def ids(self, external_id: str) -> str:
        return internal_ids([r.get("id") for r in self.rows if r["externalid"] == external_id])


def applied_text(applied: Mapping[str, Decimal], currency: str) -> str:
    """'150.00 USD to in_1, 20.00 USD to cn_2'; 'nothing'."""
    if not applied:
        return "nothing"
    return ", ".join(f"{money(amount, currency)} to {doc}" for doc, amount in sorted(applied.items()))

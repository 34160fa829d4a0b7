"""Check the NetSuite records the settings name before anything is written.

Every item, account and subsidiary a switched-on flow will reference must exist in NetSuite, be
active and be of the right kind: an income account is an income account (revenue credited to a
bank account would pass every NetSuite check and every reconciliation), a discount item is a
discount item. One SuiteQL query per table reads them all; each problem names its setting.

Kinds use SuiteQL's codes (``item.itemtype``, ``account.accttype``), per Oracle's Records Catalog
for the ``item`` and ``account`` tables. The same check runs as a command for admins:
``stripe-netsuite-check-settings`` (reads the ``netsuite_default`` connection).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass

from stripe_netsuite.hooks.netsuite import suiteql_quote
from stripe_netsuite.settings import RecordName, Settings, load_settings

# Items an invoice line may carry (not discounts, subtotals, descriptions, payments or tax codes).
SALE_ITEMS = ("Service", "OthCharge", "NonInvtPart", "InvtPart", "Kit", "Assembly")
DISCOUNT_ITEMS = ("Discount",)
INCOME_ACCOUNTS = ("Income", "OthIncome")
DISCOUNT_ACCOUNTS = ("Income", "OthIncome", "Expense", "OthExpense", "COGS")
DEFERRED_REVENUE_ACCOUNTS = ("DeferRevenue",)
OUT_OF_BAND_ACCOUNTS = ("Bank", "OthCurrAsset")
BANK_ACCOUNTS = ("Bank",)
FEE_ACCOUNTS = ("Expense", "OthExpense", "COGS")
DISPUTE_REVERSAL_ACCOUNTS = ("Income", "OthIncome", "Expense", "OthExpense", "AcctRec")  # reference §6.10  # where money paid outside Stripe is (not Undeposited Funds)

ACCOUNT_TYPE_NAMES = {
    "Bank": "Bank", "AcctRec": "Accounts Receivable", "OthCurrAsset": "Other Current Asset",
    "FixedAsset": "Fixed Asset", "OthAsset": "Other Asset", "AcctPay": "Accounts Payable",
    "CredCard": "Credit Card", "OthCurrLiab": "Other Current Liability", "LongTermLiab": "Long Term Liability",
    "Equity": "Equity", "Income": "Income", "OthIncome": "Other Income", "COGS": "Cost of Goods Sold",
    "Expense": "Expense", "OthExpense": "Other Expense", "DeferRevenue": "Deferred Revenue",
    "DeferExpense": "Deferred Expense", "UnbilledRec": "Unbilled Receivable", "NonPosting": "Non Posting",
    "Stat": "Statistical",
}


@dataclass(frozen=True)
class NamedRecord:
    setting: str  # e.g. "invoices.tax_item"
    table: str  # SuiteQL table: item | account | subsidiary
    name: RecordName  # a string is an external ID, a number an internal ID
    kinds: tuple[str, ...] = ()  # allowed itemtype / accttype codes; () = any


def named_records(settings: Settings, flows: Iterable[str]) -> list[NamedRecord]:
    """The records the switched-on flows among ``flows`` will reference, by setting."""
    flows = set(flows)
    if "payouts" in flows and settings.payouts.enabled:
        flows.add("refunds_disputes")  # a payout writes what it carries on the way when NetSuite lacks it
    if "refunds_disputes" in flows and settings.refunds.enabled:
        flows.add("payments")  # a refund writes its payment on the way when NetSuite lacks it
    if "payments" in flows and settings.payments.enabled:
        flows.add("invoices")  # a payment writes its invoice on the way when NetSuite lacks it
    wanted = []
    if ("customers" in flows and settings.customers.enabled) or ("invoices" in flows and settings.invoices.enabled):
        wanted.append(NamedRecord("netsuite.subsidiary_id", "subsidiary", int(settings.netsuite.subsidiary_id)
                                  if str(settings.netsuite.subsidiary_id).isdigit() else settings.netsuite.subsidiary_id))
    if "invoices" in flows and settings.invoices.enabled:
        inv = settings.invoices
        for name in ("tax_item", "generic_item", "shipping_item", "customer_balance_item", "credit_note_custom_item",
                     "bad_debt_item", "void_item"):
            wanted.append(NamedRecord(f"invoices.{name}", "item", getattr(inv, name), SALE_ITEMS))
        wanted.append(NamedRecord("invoices.generic_discount_item", "item", inv.generic_discount_item, DISCOUNT_ITEMS))
        wanted.append(NamedRecord("invoices.item_income_account", "account", inv.item_income_account, INCOME_ACCOUNTS))
        wanted.append(NamedRecord("invoices.discount_account", "account", inv.discount_account, DISCOUNT_ACCOUNTS))
        if inv.item_deferred_revenue_account is not None:
            wanted.append(NamedRecord("invoices.item_deferred_revenue_account", "account",
                                      inv.item_deferred_revenue_account, DEFERRED_REVENUE_ACCOUNTS))
    if "payments" in flows and settings.payments.enabled:
        pay = settings.payments
        wanted.append(NamedRecord("payments.payment_method", "paymentmethod", pay.payment_method))
        if isinstance(pay.guest_customer, int):  # one named by external ID is created on first use
            wanted.append(NamedRecord("payments.guest_customer", "customer", pay.guest_customer))
        if pay.standalone_charges == "invoice":
            wanted.append(NamedRecord("payments.standalone_item", "item", pay.standalone_item, SALE_ITEMS))
        if pay.out_of_band == "record" and pay.out_of_band_account is not None:
            wanted.append(NamedRecord("payments.out_of_band_account", "account", pay.out_of_band_account,
                                      OUT_OF_BAND_ACCOUNTS))
    if "refunds_disputes" in flows and settings.refunds.enabled:
        ref = settings.refunds
        wanted.append(NamedRecord("refunds.partial_refund_item", "item", ref.partial_refund_item, SALE_ITEMS))
        wanted.append(NamedRecord("refunds.dispute_item", "item", ref.dispute_item, SALE_ITEMS))
        wanted.append(NamedRecord("refunds.dispute_reversals_account", "account", ref.dispute_reversals_account,
                                  DISPUTE_REVERSAL_ACCOUNTS))
    if "payouts" in flows and settings.payouts.enabled:
        payouts = settings.payouts
        for currency, account in sorted(payouts.bank_accounts.items()):
            wanted.append(NamedRecord(f"payouts.bank_accounts.{currency}", "account", account, BANK_ACCOUNTS))
        for kind in ("processing", "dispute", "fx", "other"):
            wanted.append(NamedRecord(f"payouts.fee_accounts.{kind}", "account", getattr(payouts.fee_accounts, kind),
                                      FEE_ACCOUNTS))
        if not (settings.refunds.enabled and "refunds_disputes" in flows):
            wanted.append(NamedRecord("refunds.dispute_reversals_account", "account",
                                      settings.refunds.dispute_reversals_account, DISPUTE_REVERSAL_ACCOUNTS))
    return wanted


_COLUMNS = {"item": "id, externalid, itemtype AS kind, isinactive", "account": "id, externalid, accttype AS kind, isinactive",
            "subsidiary": "id, externalid, isinactive", "paymentmethod": "id, externalid, isinactive",
            "customer": "id, externalid, isinactive"}


def _read(netsuite, table: str, names: list[RecordName]) -> list[dict]:
    ids = sorted({str(n) for n in names if isinstance(n, int)})
    eids = sorted({n for n in names if isinstance(n, str)})
    where = [f"id IN ({', '.join(ids)})"] if ids else []
    where += [f"externalid IN ({', '.join(suiteql_quote(e) for e in eids)})"] if eids else []
    return list(netsuite.suiteql(f"SELECT {_COLUMNS[table]} FROM {table} WHERE {' OR '.join(where)}"))


def _kind_name(table: str, kind: str) -> str:
    return ACCOUNT_TYPE_NAMES.get(kind, kind) if table == "account" else kind


def _article(word: str) -> str:
    return "an" if word[:1] in "AEIOU" else "a"


def _shown(record: NamedRecord) -> str:
    return (f"internal ID {record.name}" if isinstance(record.name, int) else f"external ID '{record.name}'")


def problems(netsuite, settings: Settings, flows: Iterable[str]) -> list[str]:
    """One line per setting whose record is missing, inactive or of the wrong kind (empty: all good)."""
    wanted = named_records(settings, flows)
    found: dict[tuple[str, str], dict] = {}
    for table in sorted({record.table for record in wanted}):
        for read in _read(netsuite, table, [r.name for r in wanted if r.table == table]):
            found[(table, str(read["id"]))] = read
            if read.get("externalid"):
                found[(table, "eid:" + read["externalid"])] = read
    out = []
    for record in wanted:
        key = (record.table, str(record.name) if isinstance(record.name, int) else "eid:" + record.name)
        row = found.get(key)
        what = f"{record.setting}: names the NetSuite {record.table} with {_shown(record)}"
        if row is None:
            out.append(f"{what}, which NetSuite does not have. Create it, or name an existing one in the settings file")
        elif row.get("isinactive") == "T":
            out.append(f"{what}, which is inactive in NetSuite. Make it active, or name another one")
        elif record.kinds and row.get("kind") not in record.kinds:
            allowed = " or ".join(_kind_name(record.table, k) for k in record.kinds)
            found_kind = _kind_name(record.table, row.get('kind') or '?')
            out.append(f"{what}, {_article(found_kind)} {found_kind} {record.table}; "
                       f"it must be {_article(allowed)} {allowed} {record.table}. "
                       "Name the right one in the settings file")
    return out


_checked: dict[tuple[str, str], list[str]] = {}  # (run ID, flow) -> problems: one check per run and flow


def check_before_writing(netsuite, settings: Settings, flow: str, run_id: str = "") -> None:
    """Raise ``ConfigurationError`` naming every wrong setting, before the run writes anything."""
    from stripe_netsuite.sync.engine import ConfigurationError

    key = (run_id, flow)
    found = _checked[key] if run_id and key in _checked else problems(netsuite, settings, [flow])
    if run_id:
        _checked[key] = found
    if found:
        raise ConfigurationError(
            f"The settings file names NetSuite records that cannot be used, so the {flow} flow wrote nothing. "
            "Fix each, then clear the failed task:\n" + "\n".join(f"  {line}" for line in found)
        )


def main(argv: list[str] | None = None) -> int:
    """``stripe-netsuite-check-settings [FLOW ...]``: check the settings against NetSuite, as the DAGs do."""
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    flows = (argv if argv is not None else sys.argv[1:]) or ["customers", "invoices", "payments", "refunds_disputes", "payouts"]
    found = problems(NetSuiteHook(), load_settings(), flows)
    if found:
        print("The settings name NetSuite records that cannot be used:")
        print("\n".join(f"  {line}" for line in found))
        return 1
    print(f"Settings OK: every NetSuite record the {', '.join(flows)} flow(s) name exists, is active and is of "
          "the right kind")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

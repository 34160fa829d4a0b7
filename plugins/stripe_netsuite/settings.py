"""The one settings file a finance admin edits, validated when DAGs are parsed.

Where it is read from, first found wins: the ``path`` argument, the environment variable
``STRIPE_NETSUITE_SETTINGS``, ``include/settings.yaml`` beside ``dags/``. No file means the
defaults, which fit a fresh NetSuite sandbox. ``include/settings.example.yaml`` documents
every key.
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal, Optional, TypeAlias, Union

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

SETTINGS_ENV = "STRIPE_NETSUITE_SETTINGS"
DEFAULT_SETTINGS_PATH = Path(__file__).resolve().parents[2] / "include" / "settings.yaml"


class SettingsError(ValueError):
    """The settings file is missing a value or has a wrong one; the message says which and where."""


def _custom_field_check(prefix: str, kind: str) -> Callable[[str | None], str | None]:
    """The check of a NetSuite custom field ID of one kind (by its ID prefix), or None."""

    def check(value: str | None) -> str | None:
        if value is not None and not value.startswith(prefix):
            raise ValueError(f"must be a {kind} custom field id starting with '{prefix}', or null")
        return value

    return check


# Written out as type aliases (not made by a function) so that type checkers read them as types.
CustomerField: TypeAlias = Annotated[Optional[str], AfterValidator(_custom_field_check("custentity", "customer"))]
TransactionBodyField: TypeAlias = Annotated[
    Optional[str], AfterValidator(_custom_field_check("custbody", "transaction body"))]
TransactionLineField: TypeAlias = Annotated[
    Optional[str], AfterValidator(_custom_field_check("custcol", "transaction line"))]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NetSuiteSettings(_Section):
    subsidiary_id: str = Field("1", description="Internal ID of the subsidiary new customers belong to.")


class SyncSettings(_Section):
    start_date: dt.date | None = Field(
        None, description="First run: sync Stripe objects created on or after this date (None = all)."
    )
    batch_size: int = Field(100, ge=1, le=100, description="Records per NetSuite write batch (NetSuite caps at 100).")


class CustomerSettings(_Section):
    enabled: bool = True
    default_type: Literal["company", "individual"] = "company"
    on_delete: Literal["ignore", "inactivate"] = "ignore"
    update_existing: bool = True
    add_all_currencies: bool = Field(
        True, description="Give every customer all active NetSuite currencies, so invoices in any of them load."
    )
    fingerprint_field: CustomerField = Field(
        "custentity_stripe_sync_hash",
        description="Customer custom field holding a hash of what was last written; unchanged records are skipped. "
        "None writes every record every time.",
    )



# A NetSuite record named in the settings: a string is its external ID, a number its internal ID.
RecordName = Union[int, str]


def record_ref(name: RecordName) -> dict[str, str]:
    """The REST/SOAP reference for a record named in the settings."""
    return {"id": str(name)} if isinstance(name, int) else {"externalId": name}


class InvoiceSettings(_Section):
    enabled: bool = True
    tax_mode: Literal["separate_line", "per_item_line"] = Field(
        "separate_line",
        description="separate_line: one tax line per Stripe tax rate at the end of the invoice; per_item_line: "
        "a tax line right after each taxed item line.",
    )
    tax_item: RecordName = "stripe-item-tax"
    item_mode: Literal["per_price", "global"] = "per_price"
    one_time_prices: Literal["generic_item", "own_item"] = "generic_item"
    generic_item: RecordName = "stripe-item-generic"
    shipping_item: RecordName = "stripe-item-shipping"
    customer_balance_item: RecordName = "stripe-item-customer-balance"
    credit_note_custom_item: RecordName = "stripe-item-unallocated"
    discount_mode: Literal["per_coupon", "global"] = "per_coupon"
    generic_discount_item: RecordName = "stripe-item-discount"
    item_income_account: RecordName = "acct-sales-income"
    item_deferred_revenue_account: RecordName | None = None
    discount_account: RecordName = "acct-sales-discounts"
    discount_non_posting: bool = True
    keep_unpaid_invoices_open: bool = False
    close_with_invoice_items: bool = True
    bad_debt_item: RecordName = "stripe-item-bad-debt"
    void_item: RecordName = "stripe-item-unallocated"
    sync_zero_invoices: bool = True
    timezone: str = Field("UTC", description="Time zone of every transaction date the connector writes (invoices, "
                                             "credit memos, payments).")
    fingerprint_field: TransactionBodyField = "custbody_stripe_sync_hash"
    stripe_id_field: TransactionBodyField = "custbody_stripe_id"
    line_id_field: TransactionLineField = "custcol_stripe_line_id"
    proration_field: TransactionLineField = "custcol_stripe_proration"

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone name (e.g. UTC, America/New_York)") from None
        return value



class PaymentSettings(_Section):
    enabled: bool = True
    payment_method: RecordName = Field(
        "stripe", description="NetSuite payment method of every customer payment (and refund of a failed payment).")
    guest_customer: RecordName = Field(
        "stripe-guest-customer",
        description="NetSuite customer of charges made without a Stripe customer. An external ID NetSuite lacks is "
                    "created on first use (\"Stripe Guest Customer\", every currency); an internal ID must exist.")
    standalone_charges: Literal["unapplied_payment", "invoice"] = Field(
        "unapplied_payment",
        description="A charge without an invoice: unapplied_payment = a payment left as the customer's credit; "
                    "invoice = also a one-line invoice of standalone_item that the payment pays.")
    standalone_item: RecordName = "stripe-item-generic"
    out_of_band: Literal["report", "record"] = Field(
        "report",
        description="Invoices marked paid outside Stripe: report = listed apart in the reconciliation for finance "
                    "to record the payment; record = a customer payment to out_of_band_account.")
    out_of_band_account: RecordName | None = Field(
        None, description="Account of payments recorded outside Stripe (a bank, not Undeposited Funds: no Stripe "
                          "payout will ever carry them). Required with out_of_band: record.")
    invoice_lookback_days: int = Field(
        45, ge=0, description="A listing run reads the invoice payments of this many days before its oldest charge "
                              "in pages; older ones are asked per charge. Speed only: never changes what is written.")
    fingerprint_field: TransactionBodyField = "custbody_stripe_sync_hash"

    @model_validator(mode="after")
    def _out_of_band_account(self) -> "PaymentSettings":
        if self.out_of_band == "record" and self.out_of_band_account is None:
            raise ValueError("out_of_band: record needs out_of_band_account (the NetSuite bank account those "
                             "payments are recorded to)")
        return self


class RefundSettings(_Section):
    enabled: bool = True
    partial_refund_item: RecordName = Field(
        "stripe-item-partial-refund",
        description="Item of the credit memo for a partial refund of an invoice of several lines (Stripe does not "
                    "tie a refund to lines). Its income and deferred-revenue accounts are set on the item in NetSuite.")
    dispute_item: RecordName = Field(
        "stripe-item-dispute",
        description="Item of the credit memo for a dispute's withdrawn funds on an invoice of several lines.")
    dispute_reversals_account: RecordName = Field(
        "acct-disputes",
        description="Account credited with the funds Stripe returns for a dispute won (a line of the payout's deposit; "
                    "the invoice is not re-applied).")
    fingerprint_field: TransactionBodyField = "custbody_stripe_sync_hash"


class FeeAccounts(_Section):
    processing: RecordName = Field("acct-stripe-fees", description="Stripe's processing fees (and FX fees bundled "
                                                                   "with them).")
    dispute: RecordName = Field("acct-disputes", description="Dispute fees (and their refunds when a dispute is won).")
    fx: RecordName = Field("acct-stripe-fees", description="Currency conversion fees Stripe lists apart.")
    other: RecordName = Field("acct-stripe-fees", description="Any other Stripe fee or adjustment of a payout.")


DEFAULT_BANK_ACCOUNTS: dict[str, RecordName] = {
    "usd": "acct-operating-bank", "eur": "acct-bank-eur", "gbp": "acct-bank-gbp", "jpy": "acct-bank-jpy",
    "cad": "acct-bank-cad", "kwd": "acct-bank-kwd"}  # the NetSuite sandbox's seeded banks


class PayoutSettings(_Section):
    enabled: bool = True
    bank_accounts: dict[str, RecordName] = Field(
        default_factory=lambda: dict(DEFAULT_BANK_ACCOUNTS),
        description="Bank account of the deposits, by payout currency (lower-case ISO code).")
    fee_accounts: FeeAccounts = FeeAccounts()
    max_transactions_per_deposit: int = Field(
        4000, ge=1, le=9000,
        description="A payout carrying more transactions becomes several deposits (po_X, po_X-2, ...) that add up "
                    "to it: NetSuite deposits stop at about 10,000 lines, and a transaction may take two (its fee).")
    fingerprint_field: TransactionBodyField = "custbody_stripe_sync_hash"

    @field_validator("bank_accounts")
    @classmethod
    def _lower_case_currencies(cls, value: dict[str, RecordName]) -> dict[str, RecordName]:
        return {currency.lower(): account for currency, account in value.items()}


class ReconciliationSettings(_Section):
    settle_minutes: int = Field(
        90, ge=0, description="Leave out Stripe objects changed this recently: the hourly flows may not have "
                              "carried the change yet (0 = compare everything).")


class Settings(_Section):
    netsuite: NetSuiteSettings = NetSuiteSettings()
    sync: SyncSettings = SyncSettings()
    customers: CustomerSettings = CustomerSettings()
    invoices: InvoiceSettings = InvoiceSettings()
    payments: PaymentSettings = PaymentSettings()
    refunds: RefundSettings = RefundSettings()
    payouts: PayoutSettings = PayoutSettings()
    reconciliation: ReconciliationSettings = ReconciliationSettings()


def _problem(err: ErrorDetails) -> str:
    """One validation error as ``key: what is wrong (got value)``; pydantic's message lists allowed values."""
    where = ".".join(str(p) for p in err["loc"])
    given = err.get("input")
    got = f" (got {given!r})" if isinstance(given, (str, int, float, bool)) and err["type"] != "missing" else ""
    return f"{where}: {err['msg']}{got}"


def settings_path(path: str | os.PathLike | None = None) -> Path | None:
    if path is not None:
        return Path(path)
    if os.environ.get(SETTINGS_ENV):
        return Path(os.environ[SETTINGS_ENV])
    return DEFAULT_SETTINGS_PATH if DEFAULT_SETTINGS_PATH.exists() else None


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    source = settings_path(path)
    if source is None:
        return Settings()
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise SettingsError(f"settings file {source} does not exist; create it or unset {SETTINGS_ENV}") from None
    except yaml.YAMLError as exc:
        raise SettingsError(f"settings file {source} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise SettingsError(f"settings file {source} must be a mapping of sections, got {type(raw).__name__}")
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_problem(err) for err in exc.errors(include_url=False))
        raise SettingsError(f"settings file {source} is invalid: {problems}") from None

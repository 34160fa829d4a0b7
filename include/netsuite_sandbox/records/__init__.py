"""Record types and the generic store.

``default_registry()`` is the sandbox's catalogue. Record groups and where their internal ids
start: entity 100 (customer), transaction 1000 (invoice, creditMemo, customerPayment,
customerRefund, deposit, journalEntry), item 500 (serviceSaleItem, otherChargeSaleItem,
discountItem, salesTaxItem; seeded items use low ids); each reference list (currency,
subsidiary, account, paymentMethod, term) is its own group and uses the ids from the seed file.
"""

from netsuite_sandbox.records import custom_fields
from netsuite_sandbox.records.credit_memo import CREDIT_MEMO
from netsuite_sandbox.records.custom_fields import CustomField
from netsuite_sandbox.records.customer import CUSTOMER
from netsuite_sandbox.records.customer_payment import CUSTOMER_PAYMENT
from netsuite_sandbox.records.customer_refund import CUSTOMER_REFUND
from netsuite_sandbox.records.deposit import DEPOSIT
from netsuite_sandbox.records.engine import RecordStore, StoredRecord, WriteContext
from netsuite_sandbox.records.invoice import INVOICE
from netsuite_sandbox.records.items import ITEM_RECORD_TYPES
from netsuite_sandbox.records.journal_entry import JOURNAL_ENTRY
from netsuite_sandbox.records.reference import REFERENCE_TYPES
from netsuite_sandbox.records.registry import Field, Projection, RecordType, Registry

TRANSACTION_TYPES = (INVOICE, CREDIT_MEMO, CUSTOMER_PAYMENT, CUSTOMER_REFUND, DEPOSIT, JOURNAL_ENTRY)


def default_registry(custom: list[CustomField] = ()) -> Registry:
    """The catalogue for one sandbox, with the account's custom fields added."""
    registry = Registry()
    registry.add_group("entity", first_id=100)
    registry.add_group("transaction", first_id=1000)
    registry.add_group("item", first_id=500)
    for rtype in (*REFERENCE_TYPES, CUSTOMER, *ITEM_RECORD_TYPES, *TRANSACTION_TYPES):
        registry.register(custom_fields.copy_type(rtype))
    custom_fields.apply(registry, list(custom))
    return registry


__all__ = [
    "CustomField", "Field", "Projection", "RecordStore", "RecordType", "Registry", "StoredRecord", "WriteContext",
    "TRANSACTION_TYPES", "default_registry",
]

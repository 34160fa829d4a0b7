"""Record types and the generic store.

``default_registry()`` is the sandbox's catalogue. Record groups and where their internal ids
start: entity 100 (customer; later vendor, ...), transaction 1000 (later invoice, creditMemo,
customerPayment, customerRefund, deposit, journalEntry), item 500 (later service, discount,
other-charge items); each reference list (currency, subsidiary, account, paymentMethod, term)
is its own group and uses the ids from the seed file.
"""

from netsuite_sandbox.records import custom_fields
from netsuite_sandbox.records.custom_fields import CustomField
from netsuite_sandbox.records.customer import CUSTOMER
from netsuite_sandbox.records.engine import RecordStore, StoredRecord, WriteContext
from netsuite_sandbox.records.reference import REFERENCE_TYPES
from netsuite_sandbox.records.registry import Field, Projection, RecordType, Registry


def default_registry(custom: list[CustomField] = ()) -> Registry:
    """The catalogue for one sandbox, with the account's custom fields added."""
    registry = Registry()
    registry.add_group("entity", first_id=100)
    registry.add_group("transaction", first_id=1000)
    registry.add_group("item", first_id=500)
    for rtype in (*REFERENCE_TYPES, CUSTOMER):
        registry.register(custom_fields.copy_type(rtype))
    custom_fields.apply(registry, list(custom))
    return registry


__all__ = [
    "CustomField", "Field", "Projection", "RecordStore", "RecordType", "Registry", "StoredRecord", "WriteContext",
    "default_registry",
]

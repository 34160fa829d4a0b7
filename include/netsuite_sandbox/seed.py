"""Loading ``seed.yaml`` (or another file of the same shape) into a new database.

Two steps, because custom fields shape the SuiteQL tables: ``seed_custom_fields`` stores the
``customFields`` section before the registry is built, ``apply_seed`` loads the reference
records afterwards and marks the database as seeded. Both run on the first start only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from netsuite_sandbox.db import Database
from netsuite_sandbox.records import RecordStore, Registry, custom_fields
from netsuite_sandbox.records.custom_fields import CustomField

DEFAULT_SEED = Path(__file__).with_name("seed.yaml")
SEEDED_KEY = "seeded_from"

# (section in the file, record type), in load order: later sections refer to earlier ones.
SECTIONS = (
    ("currencies", "currency"),
    ("subsidiaries", "subsidiary"),
    ("accounts", "account"),
    ("paymentMethods", "paymentMethod"),
    ("terms", "term"),
    ("items", None),  # each row names its record type: `type: serviceSaleItem` (see seed.yaml)
)
ITEM_SEED_TYPES = ("serviceSaleItem", "otherChargeSaleItem", "discountItem", "salesTaxItem")
ACCOUNT_REFS = ("account", "incomeAccount", "deferredRevenueAccount", "taxAccount")
CUSTOM_FIELDS = "customFields"


class SeedError(ValueError):
    pass


def is_seeded(db: Database) -> bool:
    return db.get_meta(SEEDED_KEY) is not None


def load_seed(path: str | Path | None) -> dict[str, Any]:
    path = Path(path) if path else DEFAULT_SEED
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except yaml.YAMLError as exc:
        raise SeedError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SeedError(f"{path}: expected a mapping of sections")
    unknown = set(data) - {name for name, _ in SECTIONS} - {CUSTOM_FIELDS}
    if unknown:
        raise SeedError(f"{path}: unknown sections {sorted(unknown)}")
    data["_path"] = str(path)
    return data


def custom_field_defs(data: dict[str, Any]) -> list[CustomField]:
    defs = []
    for row in data.get(CUSTOM_FIELDS) or []:
        try:
            defs.append(CustomField(str(row["id"]), str(row["recordType"]), str(row["type"]), row.get("label")))
        except (KeyError, TypeError):
            raise SeedError(f"{CUSTOM_FIELDS}: every entry needs id, recordType and type: {row}") from None
    return defs


def seed_custom_fields(db: Database, registry: Registry, data: dict[str, Any]) -> None:
    defs = custom_field_defs(data)
    for field in defs:
        try:
            custom_fields.check(registry, field)
        except ValueError as exc:
            raise SeedError(f"{data['_path']}: {exc}") from None
    custom_fields.save(db, defs)


def apply_seed(store: RecordStore, data: dict[str, Any]) -> None:
    """Load the reference records (one transaction) and mark the database as seeded."""
    currency_ids = {str(row.get("symbol")): row["id"] for row in data.get("currencies") or [] if "id" in row}
    account_ids = {str(row.get("externalId")): row["id"] for row in data.get("accounts") or [] if row.get("externalId")}
    with store.db.transaction() as conn:
        for section, type_name in SECTIONS:
            for row in data.get(section) or []:
                row = dict(row)
                if "id" not in row:
                    raise SeedError(f"{section}: every row needs an 'id': {row}")
                internal_id = int(row.pop("id"))
                row_type = type_name or row.pop("type", None)
                if row_type not in ((type_name,) if type_name else ITEM_SEED_TYPES):
                    raise SeedError(f"{section}: 'type' must be one of {', '.join(ITEM_SEED_TYPES)}: {row}")
                body = {key: _reference(key, value, currency_ids, account_ids) for key, value in row.items()}
                store.seed(row_type, internal_id, body)
        store.db.set_meta(conn, SEEDED_KEY, data["_path"])


def _reference(key: str, value: Any, currency_ids: dict[str, int], account_ids: dict[str, int]) -> Any:
    if key == "currency" and isinstance(value, str):
        return {"id": str(currency_ids.get(value, value))}
    if key in ACCOUNT_REFS and isinstance(value, (str, int)):
        return {"id": str(account_ids.get(str(value), value))}
    if key == "parent" and isinstance(value, (str, int)):
        return {"id": str(value)}
    if key in ("exchangeRate", "rate") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value

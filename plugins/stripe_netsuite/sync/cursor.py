"""The incremental cursor: the last Stripe event a flow has loaded, kept in an Airflow Variable."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from stripe_netsuite.sync.state import StateStore


def cursor_key(flow: str) -> str:
    return f"stripe_netsuite.cursor.{flow}"


@dataclass(frozen=True)
class Cursor:
    event_id: str
    created: int

    @classmethod
    def from_event(cls, event: dict) -> Cursor:
        return cls(event["id"], int(event["created"]))


class CursorStore:
    def __init__(self, flow: str, store: StateStore) -> None:
        self.flow = flow
        self.key = cursor_key(flow)
        self.store = store

    def get(self) -> Cursor | None:
        raw = self.store.get(self.key)
        if not raw:
            return None
        if not isinstance(raw, dict) or not raw.get("event_id"):
            raise ValueError(
                f"Airflow Variable {self.key} does not hold a cursor ({{'event_id': ..., 'created': ...}}); "
                "delete it to start the flow afresh"
            )
        return Cursor(raw["event_id"], int(raw.get("created") or 0))

    def set(self, cursor: Cursor) -> None:
        self.store.set(
            self.key, asdict(cursor), description=f"Last Stripe event loaded by the {self.flow} flow (moved by the DAG)"
        )

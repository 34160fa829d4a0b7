"""Where the flow engine keeps state between runs: Airflow Variables (JSON), behind a tiny interface.

The engine takes any ``StateStore`` so pure tests can hand it a dict; tasks use
``VariableStore``, which goes through the Task SDK (the Execution API) as Airflow 3 requires.
"""

from __future__ import annotations

from typing import Any, Protocol


class StateStore(Protocol):
    def get(self, key: str) -> Any | None: ...

    def set(self, key: str, value: Any, description: str = "") -> None: ...


class VariableStore:
    def get(self, key: str) -> Any | None:
        from airflow.sdk import Variable

        return Variable.get(key, default=None, deserialize_json=True)

    def set(self, key: str, value: Any, description: str = "") -> None:
        from airflow.sdk import Variable

        Variable.set(key, value, description=description or None, serialize_json=True)


class MemoryStore:
    """A dict-backed store for tests and dry runs."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, key: str) -> Any | None:
        return self.values.get(key)

    def set(self, key: str, value: Any, description: str = "") -> None:
        self.values[key] = value

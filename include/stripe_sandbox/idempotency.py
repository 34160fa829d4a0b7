"""Idempotency keys on POST: replay the saved result, refuse the same key with other params."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from stripe_sandbox.constants import IDEMPOTENCY_RETENTION_SECONDS
from stripe_sandbox.errors import idempotency_mismatch, invalid_request

MAX_KEY_LENGTH = 255
MAX_SAVED = 50_000  # oldest results are dropped beyond this (Stripe prunes by age only)


@dataclass(frozen=True)
class SavedResult:
    fingerprint: str
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    request_id: str
    saved_at: int


def fingerprint(method: str, path: str, params: dict) -> str:
    return json.dumps([method, path, params], sort_keys=True, separators=(",", ":"))


class IdempotencyCache:
    def __init__(self) -> None:
        self._saved: dict[str, SavedResult] = {}
        self._lock = threading.Lock()

    @staticmethod
    def check_key(key: str) -> None:
        if len(key) > MAX_KEY_LENGTH:
            raise invalid_request(
                f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters long.", param="Idempotency-Key"
            )

    def lookup(self, key: str, fp: str, now: int) -> SavedResult | None:
        """The saved result for ``key``; raises ``idempotency_error`` if it was saved for other params."""
        with self._lock:
            saved = self._saved.get(key)
            if saved is None:
                return None
            if now - saved.saved_at > IDEMPOTENCY_RETENTION_SECONDS:
                del self._saved[key]
                return None
        if saved.fingerprint != fp:
            raise idempotency_mismatch(key)
        return saved

    def save(self, key: str, fp: str, status: int, body: bytes, headers: dict[str, str], request_id: str, now: int) -> None:
        kept = tuple((k, v) for k, v in headers.items() if k.lower() not in ("request-id", "stripe-version"))
        with self._lock:
            self._saved.pop(key, None)
            self._saved[key] = SavedResult(fp, status, body, kept, request_id, now)
            while len(self._saved) > MAX_SAVED:
                del self._saved[next(iter(self._saved))]

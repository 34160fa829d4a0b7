"""The sandbox clock: real time (or an injected source) shifted by an offset, or frozen."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class SandboxClock:
    """``now()`` is whole Unix seconds. ``advance`` moves it forward; ``freeze`` pins it.

    The base source defaults to ``time.time``; tests may inject their own callable. Advancing a
    frozen clock moves the frozen instant; ``unfreeze`` resumes from the frozen instant.
    """

    def __init__(self, source: Callable[[], float] | None = None) -> None:
        self._source = source or time.time
        self._offset = 0
        self._frozen: int | None = None
        self._lock = threading.Lock()

    def _base(self) -> int:
        return int(self._source())

    def now(self) -> int:
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return self._base() + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def advance(self, seconds: int) -> int:
        with self._lock:
            if self._frozen is not None:
                self._frozen += seconds
                return self._frozen
            self._offset += seconds
            return self._base() + self._offset

    def freeze(self, timestamp: int) -> int:
        with self._lock:
            self._frozen = timestamp
            return timestamp

    def unfreeze(self) -> int:
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - self._base()
                self._frozen = None
            return self._base() + self._offset

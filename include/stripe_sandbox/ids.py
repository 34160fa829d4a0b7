"""Deterministic Stripe-style IDs (``cus_`` + 14 alphanumerics) from a per-sandbox seed.

Each prefix draws from its own RNG stream, so the customer IDs depend only on the seed and on
how many customers were created, not on how many requests or events happened in between.
"""

from __future__ import annotations

import random
import string
import threading

ALPHABET = string.ascii_letters + string.digits

# Body lengths after the prefix, as seen on real objects; others default to 24.
LENGTHS = {"cus": 14, "req": 14, "evt": 24, "flt": 10}
DEFAULT_LENGTH = 24


class IdFactory:
    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}
        self._issued: set[str] = set()
        self._lock = threading.Lock()

    def _stream(self, name: str) -> random.Random:
        stream = self._streams.get(name)
        if stream is None:
            stream = self._streams[name] = random.Random(f"stripe-sandbox:{self.seed}:{name}")
        return stream

    def new(self, prefix: str, length: int | None = None) -> str:
        """A fresh ``<prefix>_<alphanumerics>`` never issued before by this factory."""
        size = length or LENGTHS.get(prefix, DEFAULT_LENGTH)
        with self._lock:
            stream = self._stream(prefix)
            while True:
                candidate = f"{prefix}_" + "".join(stream.choice(ALPHABET) for _ in range(size))
                if candidate not in self._issued:
                    self._issued.add(candidate)
                    return candidate

    def token(self, stream_name: str, alphabet: str, length: int) -> str:
        """Deterministic random text from a named stream (e.g. invoice prefixes)."""
        with self._lock:
            stream = self._stream(stream_name)
            return "".join(stream.choice(alphabet) for _ in range(length))

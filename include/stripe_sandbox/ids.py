"""Deterministic Stripe-style IDs (``cus_`` + 14 alphanumerics) from a per-sandbox seed.

Each prefix draws from its own RNG stream, so the customer IDs depend only on the seed and on
how many customers were created, not on how many requests or events happened in between.
Characters are drawn exactly as ``random.choice(ALPHABET)`` would (6 random bits, redrawn while
>= 62), just without the per-character call overhead, so seeds keep producing the same IDs.
"""

from __future__ import annotations

import random
import string
import threading

ALPHABET = string.ascii_letters + string.digits

# Body lengths after the prefix, as seen on real objects; others default to 24.
LENGTHS = {"cus": 14, "req": 14, "evt": 24, "flt": 10, "prod": 14, "si": 14, "ba": 24}
DEFAULT_LENGTH = 24
CHECK_BELOW = 16  # bodies this short are checked against every ID issued before (longer never collide)


def _draw(stream: random.Random, alphabet: str, size: int) -> str:
    if alphabet is ALPHABET:
        getrandbits = stream.getrandbits
        out: list[str] = []
        while len(out) < size:
            bits = getrandbits(6)
            if bits < 62:
                out.append(ALPHABET[bits])
        return "".join(out)
    return "".join(stream.choice(alphabet) for _ in range(size))


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
                candidate = f"{prefix}_" + _draw(stream, ALPHABET, size)
                if size >= CHECK_BELOW:
                    return candidate
                if candidate not in self._issued:
                    self._issued.add(candidate)
                    return candidate

    def token(self, stream_name: str, alphabet: str, length: int) -> str:
        """Deterministic random text from a named stream (e.g. invoice prefixes)."""
        with self._lock:
            return _draw(self._stream(stream_name), alphabet, length)

    def rng(self, name: str) -> random.Random:
        """A named deterministic RNG for behaviour that must repeat per seed (fingerprints, outcomes)."""
        return random.Random(f"stripe-sandbox:{self.seed}:rng:{name}")

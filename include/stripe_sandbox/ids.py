"""Deterministic Stripe-style IDs (``cus_`` + 14 alphanumerics) from a per-sandbox seed.

Each prefix draws from its own RNG stream, so the customer IDs depend only on the seed and on
how many customers were created, not on how many requests or events happened in between.
Customer and fault IDs and the text tokens are drawn exactly as ``random.choice`` would
(so seeds keep producing the IDs of the first release); the many billing objects, requests and events
draw their IDs from random bytes, read ahead for many IDs at once, which is several times faster (the
``scale`` scenario creates millions of IDs) and yields the same IDs as one draw per ID.
``NumberedIds`` gives IDs that are a keyed bijection of a number instead: the ``scale`` scenario's
bulk-built events are found by decoding their ID, so they need neither a draw nor a dictionary entry.
"""

from __future__ import annotations

import hashlib
import random
import string
import threading
from collections.abc import Sequence

ALPHABET = string.ascii_letters + string.digits

# Body lengths after the prefix, as seen on real objects; others default to 24.
LENGTHS = {"cus": 14, "req": 14, "evt": 24, "flt": 10, "prod": 14, "si": 14, "ba": 24}
CHAR_BY_CHAR = frozenset({"cus", "flt"})  # the prefixes of the first release keep their draw
DEFAULT_LENGTH = 24
CHECK_BELOW = 16  # bodies this short are checked against every ID issued before (longer never collide)
BATCH = 256  # IDs read ahead per draw (all prefixes but ``CHAR_BY_CHAR``)


def _draw(stream: random.Random, alphabet: str, size: int) -> str:
    """``size`` characters as ``random.choice(alphabet)`` would draw them (same sequence, faster)."""
    getrandbits = stream.getrandbits
    count = len(alphabet)
    bits = count.bit_length()
    out: list[str] = []
    while len(out) < size:
        value = getrandbits(bits)
        if value < count:
            out.append(alphabet[value])
    return "".join(out)


_BYTE_TO_CHAR = bytes(ord(ALPHABET[b % len(ALPHABET)]) for b in range(256))


def _draw_fast(stream: random.Random, size: int) -> str:
    """``size`` alphanumerics from one block of random bytes (IDs of the billing objects and events)."""
    return stream.randbytes(size).translate(_BYTE_TO_CHAR).decode("ascii")


_DIGIT_OF = {char: value for value, char in enumerate(ALPHABET)}
_ROUNDS = 4


class NumberedIds:
    """``prefix_`` + a base-62 body that is a keyed permutation of a number ``n``.

    The body is ``size`` characters (even) read as a number in ``[0, 62**size)``; a four-round
    Feistel network on its two halves, keyed by the sandbox seed, maps ``n`` to it. Any round
    function gives a bijection, so distinct numbers never share an ID, consecutive numbers give
    unrelated-looking IDs, and ``decode`` inverts ``encode`` without a table.
    Random IDs of the same prefix are not checked against these: at 24 characters, like any two long
    random IDs (``CHECK_BELOW``); the short ``req`` bodies (14) are only shown in events, never looked up,
    and a clash of 10^6 IDs among 62^14 has a chance near 10^-13.
    """

    def __init__(self, prefix: str, seed: int, size: int | None = None) -> None:
        self.prefix = prefix
        self.size = size or LENGTHS.get(prefix, DEFAULT_LENGTH)
        if self.size % 2:
            raise ValueError(f"numbered IDs need an even body length, not {self.size}")
        self._half = 62 ** (self.size // 2)
        self._keys = [hashlib.blake2b(f"stripe-sandbox:{seed}:{prefix}:{round_}".encode(), digest_size=16).digest()
                      for round_ in range(_ROUNDS)]
        self._head = f"{prefix}_"
        self._claimed = 0

    def claim(self, count: int) -> NumberedIdRange:
        """The IDs of the next ``count`` numbers, for IDs nothing looks up (see ``ObjectStore`` for those)."""
        first = self._claimed
        self._claimed = first + count
        return NumberedIdRange(self, first, count)

    def _mix(self, key: bytes, value: int) -> int:
        digest = hashlib.blake2b(value.to_bytes(16, "little"), key=key, digest_size=16).digest()
        return int.from_bytes(digest, "little") % self._half

    def encode(self, number: int) -> str:
        half = self._half
        left, right = divmod(number, half)
        if left >= half or number < 0:
            raise ValueError(f"{number} is outside the numbered {self.prefix} IDs")
        for key in self._keys:
            left, right = right, (left + self._mix(key, right)) % half
        value = left * half + right
        body = []
        for _ in range(self.size):
            value, digit = divmod(value, 62)
            body.append(ALPHABET[digit])
        return self._head + "".join(reversed(body))

    def decode(self, object_id: str) -> int | None:
        """The number an ID encodes, or None if it is not one of these IDs."""
        head = self._head
        if len(object_id) != len(head) + self.size or not object_id.startswith(head):
            return None
        value = 0
        try:
            for char in object_id[len(head):]:
                value = value * 62 + _DIGIT_OF[char]
        except KeyError:
            return None
        half = self._half
        left, right = divmod(value, half)
        for key in reversed(self._keys):
            left, right = (right - self._mix(key, left)) % half, left
        return left * half + right


class NumberedIdRange(Sequence):
    """The IDs of numbers ``first .. first + count - 1``, encoded when read."""

    __slots__ = ("codec", "first", "count")

    def __init__(self, codec: NumberedIds, first: int, count: int) -> None:
        self.codec = codec
        self.first = first
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, offset):
        if isinstance(offset, slice):
            return [self[index] for index in range(*offset.indices(self.count))]
        if not -self.count <= offset < self.count:
            raise IndexError(offset)
        return self.codec.encode(self.first + offset % self.count)

    def index(self, object_id, start: int = 0, stop: int | None = None) -> int:
        number = self.codec.decode(object_id)
        offset = -1 if number is None else number - self.first
        if not 0 <= offset < self.count:
            raise ValueError(f"{object_id} is not in this range")
        return offset


class IdFactory:
    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}
        self._numbered: dict[str, NumberedIds] = {}
        self._issued: set[str] = set()
        self._ahead: dict[tuple[str, int], list[str]] = {}  # (prefix, length) -> IDs drawn ahead, next last
        self._lock = threading.Lock()

    def _stream(self, name: str) -> random.Random:
        stream = self._streams.get(name)
        if stream is None:
            stream = self._streams[name] = random.Random(f"stripe-sandbox:{self.seed}:{name}")
        return stream

    def _refill(self, prefix: str, size: int) -> list[str]:
        """The next ``BATCH`` IDs of the stream, newest last (``new`` pops them from the end).

        One draw, ``randbytes(size)``, reads ``ceil(size / 4)`` 32-bit words, little-endian, and keeps only
        the top ``size % 4`` bytes of the last word when ``size`` is not a multiple of 4. ``randbytes`` of
        whole words continues the same word sequence, so cutting a long block the same way yields exactly
        the IDs one draw per ID would.
        """
        span = -(-size // 4) * 4  # bytes per draw
        text = _draw_fast(self._stream(prefix), span * BATCH)
        whole = size - size % 4
        if whole == size:
            ready = [f"{prefix}_{text[start:start + size]}" for start in range(0, span * BATCH, span)]
        else:
            cut = span - size % 4
            ready = [f"{prefix}_{text[start:start + whole]}{text[start + cut:start + span]}"
                     for start in range(0, span * BATCH, span)]
        ready.reverse()
        self._ahead[(prefix, size)] = ready
        return ready

    def new(self, prefix: str, length: int | None = None) -> str:
        """A fresh ``<prefix>_<alphanumerics>`` never issued before by this factory."""
        size = length or LENGTHS.get(prefix, DEFAULT_LENGTH)
        with self._lock:
            if prefix in CHAR_BY_CHAR:
                stream = self._stream(prefix)
                while True:
                    candidate = f"{prefix}_{_draw(stream, ALPHABET, size)}"
                    if candidate not in self._issued:
                        self._issued.add(candidate)
                        return candidate
            return self._next(prefix, size)

    def _next(self, prefix: str, size: int) -> str:
        candidate = (self._ahead.get((prefix, size)) or self._refill(prefix, size)).pop()
        if size >= CHECK_BELOW:
            return candidate
        while candidate in self._issued:  # a short body could repeat: draw again, as one draw per ID would
            candidate = (self._ahead.get((prefix, size)) or self._refill(prefix, size)).pop()
        self._issued.add(candidate)
        return candidate

    def many(self, prefix: str, count: int) -> list[str]:
        """``count`` fresh IDs at once, the same as ``count`` calls of ``new(prefix)``."""
        size = LENGTHS.get(prefix, DEFAULT_LENGTH)
        if prefix in CHAR_BY_CHAR:
            return [self.new(prefix) for _ in range(count)]
        if size < CHECK_BELOW:
            with self._lock:
                return [self._next(prefix, size) for _ in range(count)]
        out: list[str] = []
        with self._lock:
            ready = self._ahead.get((prefix, size)) or self._refill(prefix, size)
            while len(ready) < count - len(out):
                ready.reverse()
                out += ready
                ready = self._refill(prefix, size)
            take = count - len(out)
            if take:
                tail = ready[-take:]
                del ready[-take:]
                tail.reverse()
                out += tail
        return out

    def numbered(self, prefix: str) -> NumberedIds:
        """This sandbox's numbered IDs of ``prefix`` (see ``NumberedIds``)."""
        codec = self._numbered.get(prefix)
        if codec is None:
            codec = self._numbered[prefix] = NumberedIds(prefix, self.seed)
        return codec

    def token(self, stream_name: str, alphabet: str, length: int) -> str:
        """Deterministic random text from a named stream (e.g. invoice prefixes)."""
        with self._lock:
            return _draw(self._stream(stream_name), alphabet, length)

    @staticmethod
    def derived(object_id: str, length: int, digits: bool = False) -> str:
        """Text derived from an ID (client secrets, receipt and trace numbers): stable, no RNG draw."""
        digest = hashlib.blake2b(object_id.encode(), digest_size=32).hexdigest()
        if digits:
            return str(int(digest, 16))[:length]
        return digest[:length]

    def rng(self, name: str) -> random.Random:
        """A named deterministic RNG for behaviour that must repeat per seed (fingerprints, outcomes)."""
        return random.Random(f"stripe-sandbox:{self.seed}:rng:{name}")

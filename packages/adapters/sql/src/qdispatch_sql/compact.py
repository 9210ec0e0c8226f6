"""Compact, exact storage for job results: counts dictionaries, state vectors, nested lists.

JSON text would cost megabytes for a large counts dictionary or state vector and is slow to
write. This codec keeps the nesting as a small tagged binary stream and gives the bulk of the
data dedicated encodings:

- a list of floats (state-vector parts, expectation values) becomes raw float64s, which zlib
  cannot shrink anyway, so they stay out of the compressed part;
- a dict of str → int (counts) or str → float (quasi-probabilities) stores its keys as one
  JSON array of strings and its values as one packed array.

Everything else (None, bools, ints, floats, strings, lists, tuples, dicts) has a tag, so any
JSON-like value reads back exactly as written: same types, same float bits, same key order.

Layout: MAGIC | u32 length of the compressed structure | zlib(structure) | float64s.
"""

from __future__ import annotations

import json
import struct
import sys
import zlib
from array import array
from typing import Any, cast

MAGIC = b"QDC1"
# Level 1: the bitstring keys of a counts dict still shrink ~5x and it is several times faster
# than zlib's default, which matters for a 65,536-outcome result written by a worker.
ZLIB_LEVEL = 1

_U32 = struct.Struct("<I")
_I64 = struct.Struct("<q")
_F64 = struct.Struct("<d")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

NONE, TRUE, FALSE = b"N", b"T", b"F"
INT, BIG_INT, FLOAT, STR = b"i", b"I", b"f", b"s"
LIST, TUPLE, DICT = b"l", b"t", b"d"
FLOATS, COUNTS, QUASI = b"A", b"C", b"Q"


def _little_endian(values: array) -> array:
    """Native ⇄ little-endian byte order (a no-op on little-endian machines)."""
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values


def _all(values: list, kind: type) -> bool:
    # set(map(type, ...)) runs in C: a million floats are checked in milliseconds. Exact types
    # only, so a bool never passes as an int and a float subclass keeps the generic encoding.
    return bool(values) and set(map(type, values)) == {kind}


class _Writer:
    def __init__(self) -> None:
        self.structure = bytearray()
        self.floats = array("d")

    def tag(self, tag: bytes, count: int | None = None) -> None:
        self.structure += tag
        if count is not None:
            self.structure += _U32.pack(count)

    def text(self, value: str, tag: bytes = STR) -> None:
        data = value.encode("utf-8", "surrogatepass")
        self.tag(tag, len(data))
        self.structure += data

    def value(self, value: Any) -> None:
        if value is None:
            self.tag(NONE)
        elif value is True or value is False:
            self.tag(TRUE if value else FALSE)
        elif isinstance(value, int):
            self.integer(int(value))
        elif isinstance(value, float):
            self.tag(FLOAT)
            self.structure += _F64.pack(value)
        elif isinstance(value, str):
            self.text(value)
        elif isinstance(value, list):
            self.sequence(value)
        elif isinstance(value, tuple):
            self.tag(TUPLE, len(value))
            for item in value:
                self.value(item)
        elif isinstance(value, dict):
            self.mapping(value)
        elif hasattr(value, "__index__"):  # numpy integers and the like
            self.integer(value.__index__())
        else:
            raise TypeError(f"cannot store a {type(value).__name__} in job results")

    def integer(self, value: int) -> None:
        if _INT64_MIN <= value <= _INT64_MAX:
            self.tag(INT)
            self.structure += _I64.pack(value)
        else:  # beyond int64: kept exact as decimal digits
            self.text(str(value), BIG_INT)

    def sequence(self, items: list) -> None:
        if _all(items, float):
            self.tag(FLOATS, len(items))
            self.floats.extend(items)
            return
        self.tag(LIST, len(items))
        for item in items:
            self.value(item)

    def mapping(self, mapping: dict) -> None:
        keys = list(mapping)
        values = list(mapping.values())
        if _all(keys, str):
            if _all(values, int) and self._packed_ints(keys, values):
                return
            if _all(values, float):
                self._keys(QUASI, keys)
                self.floats.extend(values)
                return
        self.tag(DICT, len(keys))
        for key, item in zip(keys, values, strict=True):
            self.value(key)
            self.value(item)

    def _keys(self, tag: bytes, keys: list[str]) -> None:
        self.tag(tag, len(keys))
        self.text(json.dumps(keys, ensure_ascii=False, separators=(",", ":")))

    def _packed_ints(self, keys: list[str], values: list[int]) -> bool:
        try:
            packed = array("q", values)
        except OverflowError:  # beyond int64: the generic encoding keeps big ints exact
            return False
        self._keys(COUNTS, keys)
        self.structure += _little_endian(packed).tobytes()
        return True

    def blob(self) -> bytes:
        compressed = zlib.compress(bytes(self.structure), ZLIB_LEVEL)
        floats = _little_endian(self.floats).tobytes()
        return MAGIC + _U32.pack(len(compressed)) + compressed + floats


class _Reader:
    def __init__(self, structure: bytes, floats: array) -> None:
        self.data = memoryview(structure)
        self.pos = 0
        self.floats = floats
        self.float_pos = 0

    def take(self, n: int) -> memoryview:
        if self.pos + n > len(self.data):
            raise ValueError("corrupt results: the structure ends early")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def count(self) -> int:
        return _U32.unpack(self.take(4))[0]

    def text(self) -> str:
        return bytes(self.take(self.count())).decode("utf-8", "surrogatepass")

    def take_floats(self, n: int) -> list[float]:
        if self.float_pos + n > len(self.floats):
            raise ValueError("corrupt results: floats are missing")
        # Through a memoryview: the Python floats are made straight from the array, without an
        # intermediate copy of the slice (a 22-qubit state vector is 64 MB of float64s).
        # (typeshed types a memoryview's items as int whatever its format; these are doubles)
        view = memoryview(self.floats)[self.float_pos : self.float_pos + n]
        values = cast("list[float]", view.tolist())
        self.float_pos += n
        return values

    def keys(self) -> list[str]:
        n = self.count()
        if bytes(self.take(1)) != STR:
            raise ValueError("corrupt results: dictionary keys are not text")
        keys = json.loads(self.text())
        if len(keys) != n:
            raise ValueError("corrupt results: key count mismatch")
        return keys

    def value(self) -> Any:
        tag = bytes(self.take(1))
        if tag == NONE:
            return None
        if tag in (TRUE, FALSE):
            return tag == TRUE
        if tag == INT:
            return _I64.unpack(self.take(8))[0]
        if tag == BIG_INT:
            return int(self.text())
        if tag == FLOAT:
            return _F64.unpack(self.take(8))[0]
        if tag == STR:
            return self.text()
        if tag == LIST:
            return [self.value() for _ in range(self.count())]
        if tag == TUPLE:
            return tuple(self.value() for _ in range(self.count()))
        if tag == DICT:
            return {self.value(): self.value() for _ in range(self.count())}
        if tag == FLOATS:
            return self.take_floats(self.count())
        if tag == COUNTS:
            keys = self.keys()
            values = _little_endian(array("q", bytes(self.take(8 * len(keys)))))
            return dict(zip(keys, values.tolist(), strict=True))
        if tag == QUASI:
            keys = self.keys()
            return dict(zip(keys, self.take_floats(len(keys)), strict=True))
        raise ValueError(f"corrupt results: unknown tag {tag!r}")


def encode(value: Any) -> bytes:
    """The compact form of a JSON-like value (see the module docstring)."""
    writer = _Writer()
    writer.value(value)
    return writer.blob()


def decode(blob: bytes) -> Any:
    """The value `encode` was given, exactly."""
    if blob[:4] != MAGIC:
        raise ValueError("not a qdispatch results blob")
    (size,) = _U32.unpack_from(blob, 4)
    view = memoryview(blob)
    structure = zlib.decompress(view[8 : 8 + size])
    floats = array("d")
    floats.frombytes(view[8 + size :])  # one copy of the float64s, none of the blob
    floats = _little_endian(floats)
    reader = _Reader(structure, floats)
    value = reader.value()
    if reader.pos != len(structure) or reader.float_pos != len(floats):
        raise ValueError("corrupt results: data left over")
    return value

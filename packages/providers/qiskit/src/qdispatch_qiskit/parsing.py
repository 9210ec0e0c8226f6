"""OpenQASM 2 and 3 text into Qiskit circuits, with clean, located errors and a cache.

The worker parses every circuit of a job again (the request path parsed it first), so parsed
circuits are kept by content hash. Cached circuits are shared: treat them as read-only; every
helper in this package returns new circuits instead of changing its input.
"""

from __future__ import annotations

import re

from qiskit import QuantumCircuit, qasm2

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.circuits import content_hash, qasm_version
from qdispatch_qiskit import qasm3_reader
from qdispatch_qiskit.cache import LruCache

SUPPORTED_VERSIONS = (2, 3)
_QASM2_LOCATION = re.compile(r"^<input>:(\d+),(\d+):\s*(.*)$", re.DOTALL)
_HEADER = re.compile(r"^\s*OPENQASM\b", re.MULTILINE)

_circuits: LruCache[tuple[int, QuantumCircuit]] = LruCache(maxsize=512)


def located(line: int | None, column: int | None, text: str) -> BadRequest:
    """The port's error format: 1-based line and column, then the parser's words."""
    if line is None:
        return BadRequest(text)
    return BadRequest(f"line {line}, column {(column or 0) + 1}: {text}")


def detect_version(qasm: str) -> int:
    """2 or 3 from the `OPENQASM x.y;` header. Without a header the source is read as
    OpenQASM 3, whose specification makes the version statement optional."""
    version = qasm_version(qasm)
    if version is None:
        return 3
    if version not in SUPPORTED_VERSIONS:
        match = _HEADER.search(qasm)
        line = qasm.count("\n", 0, match.start()) + 1 if match else 1
        raise located(line, 0, f"OpenQASM {version} is not supported; use 2.0 or 3.0")
    return version


def _load_qasm2(qasm: str) -> QuantumCircuit:
    try:
        # The legacy instruction set maps qelib1's extra gates (rxx, rzz, ...) that Qiskit's own
        # exporter writes onto Qiskit's standard gates, as QuantumCircuit.from_qasm_str does.
        return qasm2.loads(
            qasm,
            custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS,
            include_path=qasm2.LEGACY_INCLUDE_PATH,
        )
    except qasm2.QASM2ParseError as exc:
        message = getattr(exc, "message", str(exc))
        match = _QASM2_LOCATION.match(message)
        if match is None:
            raise BadRequest(message) from None
        raise located(int(match[1]), int(match[2]), match[3].strip()) from None


def _load_qasm3(qasm: str) -> QuantumCircuit:
    try:
        return qasm3_reader.load_qasm3(qasm)
    except qasm3_reader.Qasm3Error as exc:
        raise located(exc.line, exc.column, exc.text) from None


def _load(qasm: str) -> tuple[int, QuantumCircuit]:
    version = detect_version(qasm)
    loader = _load_qasm2 if version == 2 else _load_qasm3
    try:
        return version, loader(qasm)
    except BadRequest:
        raise
    except Exception as exc:  # a parser surprise must still be a clean 400, never a traceback
        raise BadRequest(f"cannot read the OpenQASM {version} source: {exc}") from None


def parse_qasm_versioned(qasm: str) -> tuple[int, QuantumCircuit]:
    """(major version, circuit) for OpenQASM 2 or 3 text; BadRequest with the position."""
    return _circuits.get_or_create(content_hash(qasm), lambda: _load(qasm))


def parse_qasm(qasm: str) -> QuantumCircuit:
    """The circuit for OpenQASM 2 or 3 text (shared, read-only); BadRequest on errors."""
    return parse_qasm_versioned(qasm)[1]

"""The core's circuit port on Qiskit."""

from __future__ import annotations

from qdispatch_core.domain import ParsedCircuit
from qdispatch_core.ports import CircuitToolkit
from qdispatch_core.rules.circuits import content_hash
from qdispatch_qiskit.cache import LruCache
from qdispatch_qiskit.sdk import require


class QiskitToolkit(CircuitToolkit):
    """Parses OpenQASM 2 (`qiskit.qasm2`) and 3 (qiskit-qasm3-import) and computes analytics.

    Constructing one imports nothing heavy; Qiskit is imported on the first `inspect`.
    """

    def __init__(self, cache_size: int = 512) -> None:
        self._facts: LruCache[ParsedCircuit] = LruCache(maxsize=cache_size)

    def inspect(self, qasm: str) -> ParsedCircuit:
        return self._facts.get_or_create(content_hash(qasm), lambda: self._inspect(qasm))

    @staticmethod
    def _inspect(qasm: str) -> ParsedCircuit:
        parsing = require("qdispatch_qiskit.parsing")
        analytics = require("qdispatch_qiskit.analytics")
        version, circuit = parsing.parse_qasm_versioned(qasm)
        return ParsedCircuit(version, analytics.circuit_analytics(circuit))

    def draw(self, qasm: str) -> str | None:
        return require("qdispatch_qiskit.drawing").text_drawing(qasm)

"""OpenQASM 2 and 3 text into Qiskit circuits: no file read, every cost bounded, errors located.

What a circuit may make the parser do (docs/security.md):

- **No filesystem.** The only includes are "qelib1.inc" and "stdgates.inc", which the parsers
  know by heart. The OpenQASM 2 parser gets no include path at all, so no path names a file;
  the pre-scan (`qdispatch_core.rules.qasm_scan`) refuses any other include first, with one
  message whatever the path, so an answer never tells whether a file exists.
- **Bounded work.** Declared bits are counted before they are allocated (the pre-scan, then
  exactly: OpenQASM 2 as its parser's bytecode streams by, OpenQASM 3 in the converter), and
  the operations the circuit unrolls into are counted (`expansion`) before anyone transpiles.
- **Panics are refusals** (`native`).

**What is parsed is what is hashed.** The text is first put in canonical form (the core's
`canonical_source`: line endings and trailing blanks), then parsed; the cache key is the hash
of that same text. (Parsing the raw text while hashing the canonical one let `// note\\rx q[0];`
share a cache entry with a source whose `x` is not commented out.)

**Nothing parsed is shared.** The cache keeps each circuit to itself and gives every caller a
copy made under its lock: Qiskit objects are not thread-safe, and requests, the worker and
simulators run in different threads.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from qiskit import QuantumCircuit, qasm2
from qiskit._accelerate import qasm2 as qasm2_native
from qiskit.qasm2 import parse as qasm2_bytecode
from qiskit.qasm2.parse import _DefinedGate

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.circuits import canonical_source, version_candidates
from qdispatch_core.rules.limits import CircuitLimits, over_limit, setting_name
from qdispatch_core.rules.qasm_scan import check_source
from qdispatch_qiskit import qasm3_reader
from qdispatch_qiskit.analytics import instructions
from qdispatch_qiskit.cache import LruCache
from qdispatch_qiskit.expansion import Expansion, check_expansion, expansion
from qdispatch_qiskit.native import refusing_panics

SUPPORTED_VERSIONS = (2, 3)
_QASM2_LOCATION = re.compile(r"^<input>:(\d+),(\d+):\s*(.*)$", re.DOTALL)
_HEADER = re.compile(r"^\s*OPENQASM\b", re.MULTILINE)
# A parser's words quote the source; a quote of a megabyte-long line must not come back whole.
MESSAGE_MAX = 300


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed circuit with what reading it cost, so a later caller with stricter limits is
    refused from the cache as it would have been by the parser."""

    version: int
    circuit: QuantumCircuit
    cost: Expansion


def _shared_copy(parsed: Parsed) -> Parsed:
    return Parsed(parsed.version, parsed.circuit.copy(), parsed.cost)


_circuits: LruCache[Parsed] = LruCache(maxsize=512)


def shorten(text: str, limit: int = MESSAGE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def located(line: int | None, column: int | None, text: str) -> BadRequest:
    """The port's error format: 1-based line and column, then the parser's words."""
    if line is None:
        return BadRequest(shorten(text))
    return BadRequest(f"line {line}, column {(column or 0) + 1}: {shorten(text)}")


def detect_version(qasm: str) -> int:
    """The version a source is read as first: its `OPENQASM x.y;` line, else the core's rule
    for sources without one (`version_candidates`)."""
    return detect_versions(qasm)[0]


def detect_versions(qasm: str) -> tuple[int, ...]:
    """The versions to try, in order (`qdispatch_core.rules.circuits.version_candidates`)."""
    candidates = version_candidates(qasm)
    version = candidates[0]
    if version not in SUPPORTED_VERSIONS:
        match = _HEADER.search(qasm)
        line = qasm.count("\n", 0, match.start()) + 1 if match else 1
        raise located(line, 0, f"OpenQASM {version} is not supported; use 2.0 or 3.0")
    return candidates


def _bits_bounded(bytecode: Iterable, limits: CircuitLimits | None) -> Iterator:
    """The parser's bytecode, refused at the first register that would take the declared bits
    past the limits: the circuit is built as the bytecode streams by, so this is before the
    register is allocated."""
    qubits = clbits = 0
    for op in bytecode:
        if limits is not None and op.opcode == qasm2_native.OpCode.DeclareQreg:
            qubits += op.operands[1]
            if qubits > limits.qubits:
                raise BadRequest(over_limit("qubits declared", qubits, limits.qubits, "qubits"))
        elif limits is not None and op.opcode == qasm2_native.OpCode.DeclareCreg:
            clbits += op.operands[1]
            if clbits > limits.clbits:
                raise BadRequest(
                    over_limit("classical bits declared", clbits, limits.clbits, "clbits")
                )
        yield op


class CheaplyCopiedGate(_DefinedGate):
    """An OpenQASM 2 user-defined gate that copies without building its definition.

    qiskit.qasm2's gates build their definition to be copied (their `__getstate__`, meant for
    pickling, serves `copy.copy` too), and each definition's gates build theirs: copying a
    circuit whose gates nest 16 deep took 13 s, and the transpiler copies every operation.
    A copy here shares the immutable bytecode and builds nothing; definitions, when built,
    hold gates of this class again.
    """

    def __copy__(self) -> CheaplyCopiedGate:
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        return twin

    def _define(self) -> None:
        super()._define()
        cheaply_copied(self._definition)


def cheaply_copied(circuit: QuantumCircuit) -> QuantumCircuit:
    for instruction in instructions(circuit):
        if type(instruction.operation) is _DefinedGate:
            instruction.operation.__class__ = CheaplyCopiedGate
    return circuit


def _load_qasm2(text: str, limits: CircuitLimits | None) -> QuantumCircuit:
    # `qasm2.loads` is these two calls; they are made here to see the bytecode go by. The
    # include path is empty: "qelib1.inc" is built in, and no other name can reach a file
    # (with a path, Qiskit opens absolute paths and `../` as given). The legacy instruction
    # set maps qelib1's extra gates (rxx, rzz, ...) that Qiskit's own exporter writes onto
    # Qiskit's standard gates, as QuantumCircuit.from_qasm_str does.
    custom = list(qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    try:
        bytecode = qasm2_native.bytecode_from_string(
            text,
            [],
            [
                qasm2_native.CustomInstruction(c.name, c.num_params, c.num_qubits, c.builtin)
                for c in custom
            ],
            (),
            False,
        )
        circuit = qasm2_bytecode.from_bytecode(_bits_bounded(bytecode, limits), custom)
        return cheaply_copied(circuit)
    except qasm2.QASM2ParseError as exc:
        message = getattr(exc, "message", str(exc))
        match = _QASM2_LOCATION.match(message)
        if match is None:
            raise BadRequest(shorten(message)) from None
        raise located(int(match[1]), int(match[2]), match[3].strip()) from None


def _load_qasm3(text: str, limits: CircuitLimits | None) -> QuantumCircuit:
    try:
        return qasm3_reader.load_qasm3(text, limits)
    except qasm3_reader.Qasm3Error as exc:
        raise located(exc.line, exc.column, exc.text) from None


# Operations that leave a qubit in |0⟩ when it is there already: a reset after them is still
# a reset of a fresh qubit.
_UNTOUCHING = frozenset({"barrier", "delay"})


def without_initial_resets(circuit: QuantumCircuit) -> QuantumCircuit:
    """The circuit without the resets of qubits that no operation has touched yet (`reset q;`
    at the start of most OpenQASM 3 programs): every qubit starts in |0⟩, so they do nothing,
    and dropping them before any check lets such a circuit give a state vector or run where
    resets are refused. Other resets stay."""
    touched: set = set()
    dropped = []
    for index, instruction in enumerate(circuit.data):
        name = instruction.operation.name
        if name == "reset" and instruction.qubits[0] not in touched:
            dropped.append(index)
        elif name not in _UNTOUCHING:
            touched.update(instruction.qubits)
    if not dropped:
        return circuit
    skipped = set(dropped)
    kept = circuit.copy_empty_like()
    for index, instruction in enumerate(circuit.data):
        if index not in skipped:
            kept._append(instruction)
    return kept


def _load(text: str, limits: CircuitLimits | None) -> Parsed:
    """Read `text` as the first version that fits. Only a source without a version line that
    could be either is tried twice; its refusal then says what each reading found."""
    versions = detect_versions(text)
    failures: list[tuple[int, str]] = []
    for version in versions:
        try:
            return _load_version(text, version, limits)
        except BadRequest as exc:
            if len(versions) == 1 or setting_name("") in exc.message:
                raise  # a limit is a limit whatever the version
            failures.append((version, exc.message))
    tried = "; ".join(f"as OpenQASM {v}: {message}" for v, message in failures)
    raise BadRequest(
        shorten(
            f"the source has no version line and reads as neither OpenQASM {versions[0]} nor "
            f"{versions[1]} ({tried}); "
            "start it with OPENQASM 3.0; or OPENQASM 2.0;",
            2 * MESSAGE_MAX,
        )
    )


def _load_version(text: str, version: int, limits: CircuitLimits | None) -> Parsed:
    check_source(text, version, limits or _UNBOUNDED)
    loader = _load_qasm2 if version == 2 else _load_qasm3
    try:
        with refusing_panics(f"reading the OpenQASM {version} source"):
            circuit = without_initial_resets(loader(text, limits))
            cost = expansion(circuit, limits.gate_nesting if limits else None)
    except BadRequest:
        raise
    except RecursionError:
        raise BadRequest(
            "the source nests too deeply (gate definitions, blocks or expressions) to be read"
        ) from None
    except Exception as exc:  # a parser surprise must still be a clean 400, never a traceback
        raise BadRequest(shorten(f"cannot read the OpenQASM {version} source: {exc}")) from None
    return Parsed(version, circuit, cost)


# The pre-scan's bounds when the caller gives none (the worker re-reading circuits it stored):
# only what keeps the parser itself safe.
_UNBOUNDED = CircuitLimits(qubits=2**62, clbits=2**62)


def source_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def parse_qasm_checked(qasm: str, limits: CircuitLimits | None = None) -> Parsed:
    """Parse OpenQASM 2 or 3 (in canonical form, see the module docstring) within `limits`
    (None: only the rules that keep the parser safe). The caller gets its own circuit."""
    text = canonical_source(qasm)
    parsed = _circuits.get_or_create(
        source_key(text), lambda: _load(text, limits), share=_shared_copy
    )
    if limits is not None:
        check_expansion(parsed.cost, limits)
        _check_bits(parsed.circuit, limits)
    return parsed


def _check_bits(circuit: QuantumCircuit, limits: CircuitLimits) -> None:
    # A cached circuit read under looser limits is held to these ones now.
    if circuit.num_qubits > limits.qubits:
        raise BadRequest(over_limit("qubits declared", circuit.num_qubits, limits.qubits, "qubits"))
    if circuit.num_clbits > limits.clbits:
        raise BadRequest(
            over_limit("classical bits declared", circuit.num_clbits, limits.clbits, "clbits")
        )


def parse_qasm_versioned(qasm: str) -> tuple[int, QuantumCircuit]:
    """(major version, circuit) for OpenQASM 2 or 3 text; BadRequest with the position."""
    parsed = parse_qasm_checked(qasm)
    return parsed.version, parsed.circuit


def parse_qasm(qasm: str) -> QuantumCircuit:
    """The circuit for OpenQASM 2 or 3 text (the caller's own copy); BadRequest on errors."""
    return parse_qasm_checked(qasm).circuit

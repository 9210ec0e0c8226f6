"""Circuits into Braket programs: Qiskit translated into Braket's OpenQASM 3 dialect, compiled
once per device profile, and written out per kind of executable.

Qiskit circuits into OpenQASM 3 in Braket's dialect.

Braket reads OpenQASM 3 without `stdgates.inc` and names its gates its own way (`cnot`, `si`,
`v`, `phaseshift`, ...). A circuit is transpiled into the Qiskit gates that have a Braket
twin among the device's operations, renamed, and written out by Qiskit's exporter with those
names declared as built in. Every mapping below is checked against Braket's own gate matrices
by the tests.

Circuits compiled for a device once and reused: parsed, final measurements dropped,
rotated into a measurement basis when sampling observables, transpiled into the device's gates
(and onto its physical qubits when pinned). Parameters stay symbolic: a sweep compiles once.

OpenQASM programs for each kind of executable, in Braket's dialect.

- Sampled (counts, or one measurement group of observables): every source qubit q is measured
  into bit b[q], so Braket's bitstrings are indexed by source qubit whatever the transpiler did;
  parameters stay `input` declarations, bound per executable.
- Exact state vector: parameters bound, the transpiler's qubit relabelling undone with swaps,
  the global phase kept (`gphase`), then a `state_vector` or `amplitude` result type at shots=0.
- Exact expectation values: one `expectation` result type per distinct Pauli term, at shots=0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from qdispatch_braket.sdk import require
from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.circuits import content_hash

# Qiskit standard gate -> the Braket gate with the same matrix (and parameter order).
BRAKET_NAMES: dict[str, str] = {
    "id": "i",
    "x": "x",
    "y": "y",
    "z": "z",
    "h": "h",
    "s": "s",
    "sdg": "si",
    "t": "t",
    "tdg": "ti",
    "sx": "v",
    "sxdg": "vi",
    "rx": "rx",
    "ry": "ry",
    "rz": "rz",
    "p": "phaseshift",
    "u": "U",
    "r": "prx",
    "cx": "cnot",
    "cy": "cy",
    "cz": "cz",
    "csx": "cv",
    "cp": "cphaseshift",
    "swap": "swap",
    "iswap": "iswap",
    "ecr": "ecr",
    "rxx": "xx",
    "ryy": "yy",
    "rzz": "zz",
    "ccx": "ccnot",
    "cswap": "cswap",
}
# Qiskit writes these as OpenQASM 3 built-ins, which are Braket's names already.
BUILT_IN = frozenset({"u"})
# Instructions that mean nothing to a Braket device and are dropped before transpiling.
IGNORED = frozenset({"barrier", "delay"})
_INPUT = re.compile(r"^input float\[64\] (\w+);$", re.MULTILINE)
_QUBITS = re.compile(r"^qubit\[(\d+)\] (\w+);\n", re.MULTILINE)


def qiskit_basis(braket_gates: Sequence[str]) -> tuple[str, ...]:
    """The Qiskit gates a device with these Braket operations can run, in a stable order."""
    available = set(braket_gates)
    return tuple(sorted(q for q, b in BRAKET_NAMES.items() if b in available))


@dataclass(frozen=True, slots=True)
class Exported:
    source: str
    inputs: dict[str, str]  # circuit parameter name -> the program's input name
    register: str  # the qubit register's name in the source (physical programs have none)


def _renamed(circuit: Any, measured: Sequence[int]) -> Any:
    """A copy of `circuit` (gates only) with every gate replaced by an opaque gate of its
    Braket name, then wire `measured[i]` measured into bit i of a fresh register."""
    qiskit = require("qiskit")
    out = qiskit.QuantumCircuit(qiskit.QuantumRegister(circuit.num_qubits, "q"))
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name in IGNORED:
            continue
        name = BRAKET_NAMES.get(operation.name)
        if name is None:
            raise BadRequest(
                f"the operation {operation.name!r} has no Braket equivalent; Braket devices "
                "run unitary gates followed by final measurements"
            )
        qubits = [circuit.find_bit(q).index for q in instruction.qubits]
        if operation.name in BUILT_IN:
            out.append(operation, qubits)
            continue
        out.append(qiskit.circuit.Gate(name, operation.num_qubits, list(operation.params)), qubits)
    if measured:
        bits = qiskit.ClassicalRegister(len(measured), "b")
        out.add_register(bits)
        for i, wire in enumerate(measured):
            out.measure(wire, bits[i])
    return out


def export(
    circuit: Any, measured: Sequence[int] = (), *, global_phase: float | None = None
) -> Exported:
    """OpenQASM 3 for a circuit of Braket-translatable gates, measuring wire `measured[i]`
    into bit `b[i]`. `global_phase` (a number) adds a `gphase` statement: only state vectors
    can tell it apart.
    """
    qasm3 = require("qiskit.qasm3")
    renamed = _renamed(circuit, measured)
    names = sorted({b for q, b in BRAKET_NAMES.items() if q not in BUILT_IN})
    try:
        source = qasm3.dumps(renamed, includes=[], basis_gates=names, disable_constants=True)
    except qasm3.QASM3ExporterError as exc:
        raise BadRequest(f"the circuit cannot be written as OpenQASM 3: {exc.message}") from None
    declared = _INPUT.findall(source)
    parameters = [p.name for p in renamed.parameters]
    if len(declared) != len(parameters):
        raise BadRequest("the circuit's parameters could not be matched to program inputs")
    match = _QUBITS.search(source)
    register = match.group(2) if match else "q"
    if global_phase and match:
        source = (
            source[: match.end()] + f"gphase({float(global_phase)!r});\n" + source[match.end() :]
        )
    return Exported(source, dict(zip(parameters, declared, strict=True)), register)


def physical(exported: Exported, labels: Sequence[int]) -> str:
    """The same program on the device's qubits: wire w becomes `$labels[w]`, which also stops
    Braket from placing the qubits elsewhere."""
    source = _QUBITS.sub("", exported.source, count=1)
    pattern = rf"\b{re.escape(exported.register)}\[(\d+)\]"
    return re.sub(pattern, lambda m: f"${labels[int(m[1])]}", source)


DEFAULT_OPTIMIZATION_LEVEL = 1


@dataclass(frozen=True, slots=True)
class Profile:
    """How circuits are compiled for one device."""

    gates: tuple[str, ...]  # the device's Braket operations
    optimization_level: int = DEFAULT_OPTIMIZATION_LEVEL
    seed_transpiler: int | None = None
    # Pinned: placed on the device's own qubits (so that readout calibrations measure the
    # same ones) and routed by Qiskit on `coupling` (compact wire indices; None: all-to-all).
    # `labels[w]` is the device's name of wire w. Not pinned: virtual qubits, which Braket
    # places and routes itself (or a simulator that needs nothing of the kind).
    pinned: bool = False
    coupling: tuple[tuple[int, int], ...] | None = None
    labels: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class Compiled:
    circuit: Any  # transpiled QuantumCircuit, without measurements; the caller's own copy
    positions: tuple[int, ...]  # the wire holding each source qubit at the end
    qubits: int  # of the source circuit
    labels: tuple[int, ...] | None  # pinned: the device qubit of each wire; None: virtual

    @property
    def measured(self) -> tuple[int, ...]:
        """The qubit Braket reports for each source qubit's bit: device qubits when pinned."""
        if self.labels is None:
            return self.positions
        return tuple(self.labels[w] for w in self.positions)


def measurement_basis_key(basis: str | None) -> str:
    return basis or "Z*"


class Compiler:
    def __init__(self, cache_size: int = 256) -> None:
        from qdispatch_qiskit import cache

        self._programs: cache.LruCache[Compiled] = cache.LruCache(maxsize=cache_size)
        self._targets: cache.LruCache[Any] = cache.LruCache(maxsize=32)  # Qiskit Targets

    @property
    def transpilations(self) -> int:
        return self._programs.misses

    def compile(self, qasm: str, basis: str | None, profile: Profile) -> Compiled:
        """`qasm` without its final measurements, rotated into `basis` (a measurement group's
        Pauli string, or None), transpiled for `profile`."""
        key = (content_hash(qasm), measurement_basis_key(basis), profile)
        # Each caller gets its own copy, made under the cache's lock: no Qiskit object is
        # shared between request and worker threads.
        return self._programs.get_or_create(
            key,
            lambda: self._compile(qasm, basis, profile),
            share=lambda c: replace(c, circuit=c.circuit.copy()),
        )

    def _target(self, profile: Profile, width: int) -> Any:
        def build() -> Any:
            transpiler = require("qiskit.transpiler")
            basis = list(qiskit_basis(profile.gates))
            if profile.coupling is None:
                return transpiler.Target.from_configuration(basis_gates=basis, num_qubits=width)
            edges = [list(e) for e in profile.coupling]
            return transpiler.Target.from_configuration(
                basis_gates=basis,
                num_qubits=len(profile.labels or ()) or None,
                coupling_map=transpiler.CouplingMap(edges),
            )

        width_key = width if profile.coupling is None else None
        return self._targets.get_or_create((profile.gates, profile.coupling, width_key), build)

    def _compile(self, qasm: str, basis: str | None, profile: Profile) -> Compiled:
        import qdispatch_qiskit as qk

        source = qk.parse_qasm(qasm)
        circuit = qk.drop_final_measurements(source)
        if basis is not None:
            circuit = qk.drop_final_measurements(qk.measure_in_basis(circuit, basis))
        circuit = _without_ignored(circuit)
        target = self._target(profile, circuit.num_qubits)
        try:
            transpiled = qk.transpile_for(
                circuit,
                target,
                optimization_level=profile.optimization_level,
                seed_transpiler=profile.seed_transpiler,
            )
        except BadRequest as exc:  # the transpiler's refusal, in its own words
            raise _untranslatable(exc.message, profile) from None
        except Exception as exc:
            raise _untranslatable(
                f"the circuit cannot be translated into the device's gates: {exc}", profile
            ) from None
        return Compiled(
            circuit=transpiled,
            positions=tuple(qk.final_positions(transpiled, source.num_qubits)),
            qubits=source.num_qubits,
            labels=_labels(profile, transpiled.num_qubits) if profile.pinned else None,
        )


def _untranslatable(why: str, profile: Profile) -> BadRequest:
    # the cause first: the device's gate list is long and says less
    return BadRequest(f"{why} (the device's gates: {', '.join(profile.gates)})")


def _labels(profile: Profile, width: int) -> tuple[int, ...]:
    return profile.labels if profile.labels is not None else tuple(range(width))


def _without_ignored(circuit: Any) -> Any:
    if not any(i.operation.name in IGNORED for i in circuit.data):
        return circuit
    out = circuit.copy_empty_like()
    for instruction in circuit.data:
        if instruction.operation.name not in IGNORED:
            out.append(instruction)
    return out


def restore_order(circuit: Any, positions: Sequence[int]) -> Any:
    """A copy whose wire q holds source qubit q at the end (swaps undo the transpiler's
    relabelling), so a state vector comes out in the source's qubit order."""
    out = circuit.copy()
    where = list(positions)  # where[q]: the wire holding source qubit q
    for q in range(len(where)):
        if where[q] == q:
            continue
        other = where.index(q)  # the source qubit currently on wire q
        out.swap(q, where[q])
        where[other], where[q] = where[q], q
    return out


@dataclass(frozen=True, slots=True)
class Source:
    text: str
    inputs: dict[str, str]  # circuit parameter name -> program input name
    measured: tuple[int, ...] = ()  # the wire measured into b[i] (device qubits when pinned)


def sampled(compiled: Compiled) -> Source:
    exported = export(compiled.circuit, compiled.positions)
    if compiled.labels is None:
        return Source(exported.source, exported.inputs, compiled.measured)
    return Source(physical(exported, compiled.labels), exported.inputs, compiled.measured)


def _bound(compiled: Compiled, values: Mapping[str, float]) -> Any:
    circuit = compiled.circuit
    if not circuit.parameters:
        return circuit
    return circuit.assign_parameters({p: float(values[p.name]) for p in circuit.parameters})


def _touch_every_qubit(circuit: Any) -> Any:
    """Braket simulates only the qubits a program uses: an idle qubit would vanish from the
    state vector, so each one gets an identity gate."""
    used = {circuit.find_bit(q).index for i in circuit.data for q in i.qubits}
    idle = [w for w in range(circuit.num_qubits) if w not in used]
    if not idle:
        return circuit
    out = circuit.copy()
    for wire in idle:
        out.id(wire)
    return out


def basis_states(qubits: int) -> list[str]:
    """Every bitstring of `qubits` bits in Braket's order (qubit 0 leftmost)."""
    return [format(i, f"0{qubits}b") for i in range(2**qubits)]


def statevector(
    compiled: Compiled, values: Mapping[str, float], *, amplitudes: bool, gphase: bool
) -> Source:
    """`amplitudes`: ask for every amplitude (SV1 has no state_vector result type)."""
    circuit = _touch_every_qubit(restore_order(_bound(compiled, values), compiled.positions))
    exported = export(circuit, global_phase=float(circuit.global_phase) if gphase else None)
    if amplitudes:
        states = ", ".join(f'"{s}"' for s in basis_states(compiled.qubits))
        pragma = f"#pragma braket result amplitude {states}"
    else:
        pragma = "#pragma braket result state_vector"
    return Source(exported.source + pragma + "\n", {})


def distinct_terms(observables: Sequence[Sequence[Any]]) -> list[str]:
    """The non-identity Pauli strings of a circuit's observables, in first-seen order."""
    seen: dict[str, None] = {}
    for paulis, _ in observables:
        for pauli in paulis:
            if set(pauli) - {"I"}:
                seen.setdefault(pauli, None)
    return list(seen)


def _observable(pauli: str, positions: Sequence[int], register: str) -> str:
    factors = [
        f"{ch.lower()}({register}[{positions[q]}])"
        for q, ch in enumerate(reversed(pauli))
        if ch != "I"
    ]
    return " @ ".join(factors)


def expectations(compiled: Compiled, values: Mapping[str, float], terms: Sequence[str]) -> Source:
    exported = export(_bound(compiled, values))
    pragmas = "".join(
        f"#pragma braket result expectation "
        f"{_observable(t, compiled.positions, exported.register)}\n"
        for t in terms
    )
    return Source(exported.source + pragmas, {})


def calibration(wires: Sequence[int], ones: bool, *, pinned: bool) -> Source:
    """All-|0> or all-|1> prepared on `wires` and measured into b[0..]: the readout
    calibration circuits (on device qubits `$w` when pinned)."""
    name = [f"${w}" for w in wires] if pinned else [f"q[{w}]" for w in wires]
    lines = ["OPENQASM 3.0;", f"bit[{len(wires)}] b;"]
    if not pinned:
        lines.append(f"qubit[{max(wires) + 1}] q;")
    if ones:
        lines += [f"x {n};" for n in name]
    lines += [f"b[{i}] = measure {n};" for i, n in enumerate(name)]
    return Source("\n".join(lines) + "\n", {}, tuple(wires))


# -- noise for the local density-matrix simulator -----------------------------------------

_OPERAND = re.compile(r"\$\d+|\w+\[\d+\]")
_MEASURE = re.compile(r"^b\[\d+\] = measure (.+);$")
_GATE = re.compile(r"^(?!input |bit\[|qubit\[|gphase|#|OPENQASM)\w+(\(.*\))? (.+);$")


@dataclass(frozen=True, slots=True)
class Noise:
    readout_error: float = 0.0
    depolarizing_error: float = 0.0

    @property
    def any(self) -> bool:
        return self.readout_error > 0 or self.depolarizing_error > 0


NOISELESS = Noise()


def with_noise(text: str, noise: Noise) -> str:
    """The program with Braket noise pragmas: depolarizing after every gate on each of its
    qubits, a bit flip before every measurement."""
    if not noise.any:
        return text
    out = []
    for line in text.splitlines():
        measure = _MEASURE.match(line)
        if measure and noise.readout_error > 0:
            out.append(f"#pragma braket noise bit_flip({noise.readout_error!r}) {measure[1]}")
        out.append(line)
        gate = _GATE.match(line)
        if gate and not measure and noise.depolarizing_error > 0:
            for operand in _OPERAND.findall(gate[2]):
                out.append(
                    f"#pragma braket noise depolarizing({noise.depolarizing_error!r}) {operand}"
                )
    return "\n".join(out) + "\n"

"""OpenQASM programs for each kind of executable, in Braket's dialect.

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
from dataclasses import dataclass
from typing import Any

from qdispatch_braket.compiler import Compiled, restore_order
from qdispatch_braket.translation import export, physical


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

"""Readings back into the core's per-executable outputs (rules/plan.py output kinds).

- Counts: Braket's bit b[i] is source qubit i (see programs.sampled), so a circuit's classical
  bits are read from the qubits its final measurements targeted, and a measurement group's
  n-bit string is the qubits themselves; both come out in Qiskit order (bit 0 rightmost).
- State vectors: Braket orders amplitudes with qubit 0 as the most significant bit; Qiskit
  with qubit 0 as the least. Amplitude results are keyed by Braket bitstrings.
- Expectation values: one value per distinct Pauli term, combined per observable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qdispatch_braket import programs
from qdispatch_braket.readings import Reading
from qdispatch_braket.sdk import require
from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.backend import JobSpec
from qdispatch_core.rules.expectation import identity_offset

Sources = Sequence[int | None]  # output bit j (0 = rightmost) <- Braket bit index, or None: 0


def final_measurement_sources(qasm: str) -> list[int | None]:
    """For each classical bit of the circuit, the qubit its final measurement reads (None for
    a bit never measured, which reads 0)."""
    import qdispatch_qiskit as qk

    circuit = qk.parse_qasm(qasm)
    sources: list[int | None] = [None] * circuit.num_clbits
    for instruction in circuit.data:  # in order: a later measurement overwrites the bit
        if instruction.operation.name == "measure":
            clbit = circuit.find_bit(instruction.clbits[0]).index
            sources[clbit] = circuit.find_bit(instruction.qubits[0]).index
    return sources


def project(counts: Mapping[str, float], sources: Sources) -> dict[str, Any]:
    """Braket-keyed counts (character i = b[i]) as Qiskit-order keys over `sources`."""
    out: dict[str, Any] = {}
    for key, value in counts.items():
        bits = "".join("0" if s is None else key[s] for s in reversed(sources))
        out[bits] = out.get(bits, 0) + value
    return out


def counts_sources(spec: JobSpec, circuit: int, group: int | None) -> list[int | None]:
    if group is not None:
        return list(range(spec.plan.circuits[circuit].qubits))
    return final_measurement_sources(spec.circuits[circuit].qasm)


def statevector(reading: Reading, qubits: int) -> list[list[float]]:
    np = require("numpy")
    value = reading.values[0] if reading.values else None
    if isinstance(value, Mapping):  # amplitudes by Braket bitstring
        amplitudes = np.zeros(2**qubits, dtype=complex)
        for key, amplitude in value.items():
            amplitudes[int(key[::-1], 2)] = (
                complex(*amplitude) if isinstance(amplitude, list | tuple) else complex(amplitude)
            )
    elif value is not None:
        braket_order = np.asarray(value, dtype=complex)
        # Reversing the qubit axes turns Braket's index order into Qiskit's.
        amplitudes = braket_order.reshape([2] * qubits).transpose().reshape(-1)
    else:
        raise ProviderError("Braket returned no state vector for an exact run")
    return [amplitudes.real.tolist(), amplitudes.imag.tolist()]


def expectations(reading: Reading, observables: Sequence[Sequence[Any]]) -> list[float]:
    terms = programs.distinct_terms(observables)
    if len(reading.values) != len(terms):
        raise ProviderError(
            f"Braket returned {len(reading.values)} expectation values for {len(terms)} terms"
        )
    value_of = dict(zip(terms, (float(v) for v in reading.values), strict=True))
    out = []
    for paulis, coefficients in observables:
        total = identity_offset([paulis, coefficients])
        for pauli, c in zip(paulis, coefficients, strict=True):
            if pauli in value_of:
                total += c * value_of[pauli]
        out.append(float(total))
    return out


def check_measured(reading: Reading, expected_bits: int) -> None:
    if reading.failure is not None:
        raise ProviderError(f"Amazon Braket could not run an executable: {reading.failure}")
    if len(reading.measured) != expected_bits:
        raise ProviderError(
            f"Braket measured {len(reading.measured)} qubits where {expected_bits} were asked"
        )


def exact_outputs(
    spec: JobSpec, readings: Sequence[Reading], first: int = 0, count: int | None = None
) -> list[Any]:
    """Outputs of executables `first` .. `first + count - 1` (default: all) from their
    readings."""
    stop = len(spec.plan.executables) if count is None else first + count
    outputs: list[Any] = []
    for e, reading in zip(spec.plan.executables[first:stop], readings, strict=True):
        if reading.failure is not None:
            raise ProviderError(f"Amazon Braket could not run an executable: {reading.failure}")
        plan = spec.plan.circuits[e.circuit]
        if spec.plan.output_kind == "statevector":
            outputs.append(statevector(reading, plan.qubits))
        else:
            outputs.append(expectations(reading, plan.observables or ()))
    return outputs

"""The limits of one run request (docs/security.md), each checked before the step it protects.

The per-circuit limits (`limits.CircuitLimits`) bound what reading a circuit may cost; these
bound what the request as a whole asks for: how many circuits are read, how many Pauli terms
are grouped, how many executables are planned, how many shots are taken and how big the
results would be. Every refusal names the field, the figure, the limit and its setting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qdispatch_core.domain import CircuitAnalytics, RunType
from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.circuits import likely_version
from qdispatch_core.rules.limits import check_limit, human_bytes, setting_name

# OpenQASM 3's reference parser reads about a hundredth as fast as Qiskit's OpenQASM 2 parser;
# in the request's source budget its bytes count this many times.
QASM3_WEIGHT = 16
# A counts entry in a result: the bitstring, the count and the punctuation around them.
COUNT_ENTRY_OVERHEAD = 8
AMPLITUDE_BYTES = 16  # a complex double


def check_circuits(limits: Any, circuit_ids: Sequence[str], sources: Sequence[str]) -> None:
    """How many circuits, and how much source to parse: before any parser runs."""
    field = "circuits_qasm" if sources else "circuit_ids"
    count = len(circuit_ids) + len(sources)
    check_limit(field, "circuits in the request", count, limits.circuits, "circuits")
    weighted = 0
    for source in sources:
        if not isinstance(source, str):
            continue  # refused, with its index, when it is read
        weighted += len(source) * (1 if likely_version(source) == 2 else QASM3_WEIGHT)
        check_limit(
            "circuits_qasm",
            f"source characters in the request (OpenQASM 3 counted {QASM3_WEIGHT} times)",
            weighted,
            limits.request_bytes,
            "request_bytes",
        )


def check_paulis(limits: Any, observables: Sequence[Sequence[Any]] | None) -> None:
    """Pauli terms × qubits over every observable (canonical form): what grouping reads."""
    if observables is None:
        return
    characters = sum(len(p) for per in observables for obs in per for p in obs[0])
    check_limit(
        "observables",
        "Pauli characters (terms × qubits)",
        characters,
        limits.pauli_characters,
        "pauli_characters",
    )


def check_parameter_sets(limits: Any, parameters: Sequence[Sequence[Any]] | None) -> None:
    if parameters is None:
        return
    sets = sum(len(per) for per in parameters)
    check_limit("parameters", "parameter sets", sets, limits.parameter_sets, "parameter_sets")


def executables_field(parameters: Any, observables: Any) -> str:
    if parameters is not None:
        return "parameters"
    return "observables" if observables is not None else "circuits_qasm"


def check_shots(limits: Any, run_type: RunType, shots: int, executables: int) -> None:
    if run_type is not RunType.RUN:
        return
    check_limit(
        "shots",
        f"shots in all ({shots:,} × {executables:,} executables)",
        shots * executables,
        limits.shots,
        "shots",
    )


def _size(n: int) -> str:
    return human_bytes(n) if n < 2**70 else f"about 2^{n.bit_length() - 1} bytes"


def check_result_size(
    limits: Any,
    run_type: RunType,
    shots: int,
    analytics: Sequence[CircuitAnalytics],
    sets: Sequence[int],
    has_observables: bool,
) -> None:
    """Refuse up front a result that could not be delivered: state vectors are 2^n amplitudes
    of 16 bytes per parameter set; counts hold at most min(shots, 2^clbits) bitstrings of
    `clbits` characters per executable. Expectation values are always small."""
    if has_observables:
        return
    if run_type is RunType.STATEVECTOR:
        pairs = zip(analytics, sets, strict=True)
        size = sum(AMPLITUDE_BYTES * (1 << a.qubits) * n for a, n in pairs)
        formula = " + ".join(
            f"2^{a.qubits} amplitudes × 16 bytes × {n} set{'s' if n != 1 else ''}"
            for a, n in zip(analytics[:3], sets[:3], strict=True)
        )
        field, hint = "run_type", "use fewer qubits or parameter sets, or pass observables"
    else:
        size = sum(
            min(shots, 1 << min(a.clbits, 64)) * (a.clbits + COUNT_ENTRY_OVERHEAD) * n
            for a, n in zip(analytics, sets, strict=True)
        )
        formula = " + ".join(
            f"min({shots:,} shots, 2^{a.clbits}) outcomes × {a.clbits + COUNT_ENTRY_OVERHEAD} "
            f"bytes × {n} executable{'s' if n != 1 else ''}"
            for a, n in zip(analytics[:3], sets[:3], strict=True)
        )
        field, hint = "shots", "use fewer shots, parameter sets or measured bits"
    if len(analytics) > 3:
        formula += " + …"
    if size > limits.result_bytes:
        raise BadRequest(
            f"{field}: the results would take up to {_size(size)} ({formula}); the limit is "
            f"{human_bytes(limits.result_bytes)} (setting {setting_name('result_bytes')}); "
            f"{hint}",
            field=field,
        )

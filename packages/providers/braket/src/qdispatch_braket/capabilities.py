"""What a device can run, from the committed catalog (listing, dry runs, estimates) or from
the live capabilities document Braket returns for it (submission, where they win)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qdispatch_braket.sdk import require
from qdispatch_braket.tasks import ProgramSetLimits

# Assumed for cloud devices when estimating offline; the live document has the real figures.
DEFAULT_PROGRAM_SET_LIMITS = ProgramSetLimits(max_executables=100, max_total_shots=200_000)


@dataclass(frozen=True, slots=True)
class Capabilities:
    gates: tuple[str, ...]
    qubits: int
    program_sets: ProgramSetLimits | None
    statevector: str | None  # "state_vector", "amplitude" (SV1) or None
    exact_expectations: bool
    gphase: bool  # a `gphase` statement is accepted (local simulators)
    physical_qubits: bool  # `$n` qubits are accepted
    fully_connected: bool = True
    edges: tuple[tuple[int, int], ...] = ()  # device qubit labels, when not fully connected
    min_shots: int = 1
    max_shots: int | None = None


def from_local_facts(facts: Mapping[str, Any]) -> Capabilities:
    limits = facts["program_set"]
    return Capabilities(
        gates=tuple(facts["gates"]),
        qubits=int(facts["qubits"]),
        program_sets=None if limits is None else ProgramSetLimits(**limits),
        statevector="state_vector" if "StateVector" in facts["result_types"] else None,
        exact_expectations="Expectation" in facts["result_types"],
        gphase="GPhase" in facts["gates"],
        physical_qubits=False,
    )


def from_cloud_facts(facts: Mapping[str, Any]) -> Capabilities:
    return Capabilities(
        gates=tuple(facts["gates"]),
        qubits=int(facts["qubits"]),
        program_sets=DEFAULT_PROGRAM_SET_LIMITS if facts["program_sets"] else None,
        statevector="amplitude" if facts["statevector"] else None,
        exact_expectations=bool(facts["statevector"]),
        gphase=False,
        physical_qubits=False,
        max_shots=int(facts["max_shots"]),
    )


def _edges(connectivity: Any) -> tuple[tuple[int, int], ...]:
    graph = getattr(connectivity, "connectivityGraph", None) or {}
    pairs = {(int(a), int(b)) for a, targets in graph.items() for b in targets}
    return tuple(sorted(pairs | {(b, a) for a, b in pairs}))


def from_properties(properties: Any) -> Capabilities:
    """From an AwsDevice's parsed capabilities document."""
    kinds = require("braket.device_schema").DeviceActionType
    program = properties.action[kinds.OPENQASM]
    results = {r.name for r in (program.supportedResultTypes or [])}
    program_set = properties.action.get(kinds.OPENQASM_PROGRAM_SET)
    limits = None
    if program_set is not None:
        limits = ProgramSetLimits(
            int(program_set.maximumExecutables), int(program_set.maximumTotalShots)
        )
    connectivity = getattr(properties.paradigm, "connectivity", None)
    fully = connectivity is None or bool(getattr(connectivity, "fullyConnected", True))
    low, high = properties.service.shotsRange
    return Capabilities(
        gates=tuple(program.supportedOperations),
        qubits=int(properties.paradigm.qubitCount),
        program_sets=limits,
        statevector=_statevector_result(results),
        exact_expectations="Expectation" in results,
        gphase="gphase" in {g.lower() for g in program.supportedOperations},
        physical_qubits=bool(getattr(program, "supportPhysicalQubits", False)),
        fully_connected=fully,
        edges=() if fully else _edges(connectivity),
        min_shots=int(low),
        max_shots=int(high),
    )


def _statevector_result(results: set[str]) -> str | None:
    if "StateVector" in results:
        return "state_vector"
    return "amplitude" if "Amplitude" in results else None

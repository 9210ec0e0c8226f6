"""Aer jobs run here: a shard's batches, one Aer call each, on programs compiled once per process.

One Aer call per batch: every parameter set of one circuit (in one measurement basis) at once.

Outputs follow the core's per-executable kinds (rules/plan.py): counts dicts in Qiskit bit
order, statevectors as `[real_parts, imag_parts]`, or one list of expectation values per set.

What runs a shard of a job: programs compiled once per process, then one Aer call per batch
(or piece of a batch) the shard covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qdispatch_aer.batches import Batch, split
from qdispatch_aer.programs import MEASURED, UNMEASURED, Compiler, Program
from qdispatch_aer.session import SWEEP, Simulator, Simulators
from qdispatch_aer.settings import RunSettings
from qdispatch_core.domain import Shard
from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.backend import JobSpec

ParameterSets = Sequence[Sequence[float]]


def _failure(result: Any) -> str:
    for experiment in getattr(result, "results", ()):
        if getattr(experiment, "status", "DONE") != "DONE":
            return str(experiment.status)
    return str(getattr(result, "status", "no results"))


def _run(simulator: Simulator, circuit: Any, program: Program, sets: ParameterSets, **options):
    """All parameter sets in one call; returns the checked Result, one experiment per set."""
    import qdispatch_qiskit as qk

    binds = qk.parameter_binds(circuit, program.names, sets)
    run_options = {k: v for k, v in options.items() if v is not None}
    if len(sets) > 1:
        run_options.setdefault("max_parallel_experiments", SWEEP)
    if binds is None:
        # No parameters (or transpiling cancelled them all): one identical experiment per set.
        job = simulator.aer.run([circuit] * len(sets), **run_options)
    else:
        job = simulator.aer.run(circuit, parameter_binds=[binds], **run_options)
    result = job.result()
    if not result.success or len(result.results) != len(sets):
        raise ProviderError(f"Aer simulation failed: {_failure(result)}")
    return result


def methods_used(result: Any) -> set[str]:
    return {str(e.metadata.get("method")) for e in result.results if e.metadata.get("method")}


def sample_counts(
    simulator: Simulator,
    program: Program,
    sets: ParameterSets,
    shots: int,
    seed: int | None,
    basis: str | None = None,
) -> tuple[list[dict[str, int]], set[str]]:
    """Counts per set: of the circuit's own measurements, or (with `basis`) of every qubit
    measured in that Pauli basis, keyed by `qubits`-character strings."""
    import qdispatch_qiskit as qk

    circuit = program.circuit
    if basis is not None:
        circuit = qk.measure_in_basis(circuit, basis, program.positions)
    result = _run(simulator, circuit, program, sets, shots=shots, seed_simulator=seed)
    counts = [result.get_counts(i) for i in range(len(sets))]
    if basis is None:
        out = [{qk.join_registers(k): int(v) for k, v in c.items()} for c in counts]
    else:
        offset = program.circuit.num_clbits  # the basis register follows the circuit's own bits
        out = [qk.select_bits(c, offset, program.qubits) for c in counts]
    return out, methods_used(result)


def _logical_order(amplitudes: np.ndarray, positions: Sequence[int]) -> np.ndarray:
    """Undo a transpiler's qubit permutation: index bit q of the result is source qubit q."""
    n = len(positions)
    if tuple(positions) == tuple(range(n)):
        return amplitudes
    axes = [n - 1 - positions[n - 1 - k] for k in range(n)]  # numpy axis k is qubit n-1-k
    return amplitudes.reshape([2] * n).transpose(axes).reshape(-1)


def exact_statevectors(
    simulator: Simulator, program: Program, sets: ParameterSets
) -> tuple[list[list[list[float]]], set[str]]:
    if program.circuit.num_qubits != program.qubits:
        raise ProviderError("transpiling added qubits; the state vector would not be the circuit's")
    circuit = program.circuit.copy()
    circuit.save_statevector()
    result = _run(simulator, circuit, program, sets)
    states = []
    for i in range(len(sets)):
        amplitudes = _logical_order(np.asarray(result.data(i)["statevector"]), program.positions)
        states.append([amplitudes.real.tolist(), amplitudes.imag.tolist()])
    return states, methods_used(result)


def exact_expectations(
    simulator: Simulator,
    program: Program,
    sets: ParameterSets,
    observables: Sequence[Sequence[Any]],
) -> list[list[float]]:
    """One list per set: the exact value of every observable (Aer EstimatorV2, precision 0,
    one PUB broadcasting observables × parameter sets)."""
    import qdispatch_qiskit as qk

    circuit = program.circuit
    operators = [qk.sparse_pauli_op(o) for o in observables]
    if program.positions != tuple(range(circuit.num_qubits)):
        operators = [
            op.apply_layout(list(program.positions), circuit.num_qubits) for op in operators
        ]
    values = qk.parameter_matrix(circuit, program.names, sets)
    if values.shape[1] == 0:
        evs = simulator.estimator.run([(circuit, operators)]).result()[0].data.evs
        return [[float(v) for v in evs]] * len(sets)
    pub = (circuit, [[op] for op in operators], values)  # (observables, 1) x (sets,)
    evs = simulator.estimator.run([pub]).result()[0].data.evs  # shape (observables, sets)
    return np.asarray(evs, dtype=float).T.tolist()


def variant(spec: JobSpec, circuit: int) -> str:
    """Counts of the circuit as written keep its measurements; everything else drops them."""
    plain_counts = spec.plan.output_kind == "counts" and spec.plan.circuits[circuit].groups is None
    return MEASURED if plain_counts else UNMEASURED


class Engine:
    def __init__(self) -> None:
        self.simulators = Simulators()
        self.compiler = Compiler(self.simulators)

    def program(self, spec: JobSpec, circuit: int, settings: RunSettings) -> Program:
        return self.compiler.program(spec.circuits[circuit].qasm, variant(spec, circuit), settings)

    def run(self, spec: JobSpec, settings: RunSettings, shard: Shard) -> tuple[list[Any], set[str]]:
        """Outputs of the shard's executables (and the Aer methods used): one Aer call per
        batch it covers, or per piece of a batch where the shard holds part of one."""
        simulator = self.simulators.get(settings)
        outputs: list[Any] = []
        methods: set[str] = set()
        for batch in split(spec.plan):
            start = max(shard.first, batch.first)
            stop = min(shard.stop, batch.first + batch.size)
            if start >= stop:
                continue
            piece = (start - batch.first, stop - batch.first)
            found, used = self._run_batch(spec, settings, simulator, batch, piece)
            outputs += found
            methods |= used
        return outputs, methods

    def _run_batch(
        self,
        spec: JobSpec,
        settings: RunSettings,
        simulator: Simulator,
        batch: Batch,
        piece: tuple[int, int],
    ) -> tuple[list[Any], set[str]]:
        plan = spec.plan
        circuit_plan = plan.circuits[batch.circuit]
        program = self.program(spec, batch.circuit, settings)
        sets = circuit_plan.parameter_sets[piece[0] : piece[1]]
        if plan.output_kind == "statevector":
            return exact_statevectors(simulator, program, sets)
        if plan.output_kind == "expectations":
            observables = circuit_plan.observables or ()
            return exact_expectations(simulator, program, sets, observables), set()
        basis = None
        if batch.group is not None and circuit_plan.groups is not None:
            basis = circuit_plan.groups[batch.group].basis
        seed = settings.piece_seed(batch.index, piece[0])
        return sample_counts(simulator, program, sets, plan.shots, seed, basis)

"""What runs a shard of a job: programs compiled once per process, then one Aer call per batch
(or piece of a batch) the shard covers."""

from __future__ import annotations

from typing import Any

from qdispatch_aer import runners
from qdispatch_aer.batches import Batch, split
from qdispatch_aer.programs import MEASURED, UNMEASURED, Compiler, Program
from qdispatch_aer.settings import RunSettings
from qdispatch_aer.simulators import Simulator, Simulators
from qdispatch_core.domain import Shard
from qdispatch_core.ports.backend import JobSpec


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
            return runners.exact_statevectors(simulator, program, sets)
        if plan.output_kind == "expectations":
            observables = circuit_plan.observables or ()
            return runners.exact_expectations(simulator, program, sets, observables), set()
        basis = None
        if batch.group is not None and circuit_plan.groups is not None:
            basis = circuit_plan.groups[batch.group].basis
        seed = settings.piece_seed(batch.index, piece[0])
        return runners.sample_counts(simulator, program, sets, plan.shots, seed, basis)

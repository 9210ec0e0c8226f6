"""What runs a job: programs compiled once, then one Aer call per batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qdispatch_aer import runners
from qdispatch_aer.batches import Batch, split
from qdispatch_aer.programs import MEASURED, UNMEASURED, Compiler, Program
from qdispatch_aer.settings import RunSettings
from qdispatch_aer.simulators import Simulator, Simulators
from qdispatch_core.ports.backend import JobSpec

# (batch, outputs of its executables, Aer methods used) -> False to stop before the next batch
OnBatch = Callable[[Batch, list[Any], set[str]], bool]


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

    def run(self, spec: JobSpec, settings: RunSettings, on_batch: OnBatch) -> None:
        """Run every batch in plan order, reporting each; stops early when told to."""
        simulator = self.simulators.get(settings)
        for batch in split(spec.plan):
            outputs, methods = self._run_batch(spec, settings, simulator, batch)
            if not on_batch(batch, outputs, methods):
                return

    def _run_batch(
        self, spec: JobSpec, settings: RunSettings, simulator: Simulator, batch: Batch
    ) -> tuple[list[Any], set[str]]:
        plan = spec.plan
        circuit_plan = plan.circuits[batch.circuit]
        program = self.program(spec, batch.circuit, settings)
        sets = circuit_plan.parameter_sets
        if plan.output_kind == "statevector":
            return runners.exact_statevectors(simulator, program, sets)
        if plan.output_kind == "expectations":
            observables = circuit_plan.observables or ()
            return runners.exact_expectations(simulator, program, sets, observables), set()
        basis = None
        if batch.group is not None and circuit_plan.groups is not None:
            basis = circuit_plan.groups[batch.group].basis
        seed = settings.batch_seed(batch.index)
        return runners.sample_counts(simulator, program, sets, plan.shots, seed, basis)

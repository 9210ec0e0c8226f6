"""A job's executables as Braket quantum tasks (single programs or program sets), and the
workload that carries them to the local simulators or the cloud.

How a job's executables become Braket quantum tasks.

Executables come in batches: the parameter sets of one circuit in one measurement group share a
program. Sampled batches go into program sets where the device runs them (one task, one
per-task fee, up to the device's limits on executables and total shots); otherwise, and for
exact (shots=0) results and IonQ debiasing, each executable is its own task. The order of
executables across the tasks is always the plan's order, followed by any calibration
circuits, so results are read back by position alone: no layout needs to be remembered.

A job as Braket work: one program per batch of executables (with the inputs of each), and
the quantum tasks that carry them. Built the same way for the local simulators and the cloud,
so the local simulators exercise the very programs and program sets a cloud device gets.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from qdispatch_braket import programs
from qdispatch_braket.devices import Capabilities, ProgramSetLimits
from qdispatch_braket.mitigation import DEBIAS, DEBIAS_TYPE, Decision
from qdispatch_braket.programs import NOISELESS, Compiler, Noise, Profile, Source
from qdispatch_braket.sdk import require
from qdispatch_braket.settings import RunSettings
from qdispatch_core.domain import Shard
from qdispatch_core.ports.backend import JobSpec
from qdispatch_core.rules.plan import JobPlan


@dataclass(frozen=True, slots=True)
class Batch:
    circuit: int | None  # None: a calibration circuit
    group: int | None
    first: int  # index of its first executable in the plan (or after it, for calibrations)
    size: int


@dataclass(frozen=True, slots=True)
class Slice:
    batch: int  # index into the batch list
    start: int  # first executable of the batch in this slice
    count: int


@dataclass(frozen=True, slots=True)
class TaskShape:
    slices: tuple[Slice, ...]
    program_set: bool

    @property
    def executables(self) -> int:
        return sum(s.count for s in self.slices)


def batches(plan: JobPlan, calibrations: int = 0) -> list[Batch]:
    """The plan's executables grouped by (circuit, group), then `calibrations` one-executable
    calibration batches."""
    out: list[Batch] = []
    for e in plan.executables:
        last = out[-1] if out else None
        if last is not None and (last.circuit, last.group) == (e.circuit, e.group):
            out[-1] = Batch(last.circuit, last.group, last.first, last.size + 1)
        else:
            out.append(Batch(e.circuit, e.group, e.index, 1))
    first = len(plan.executables)
    out += [Batch(None, None, first + k, 1) for k in range(calibrations)]
    return out


def _singles(sizes: Sequence[int]) -> list[TaskShape]:
    return [
        TaskShape((Slice(b, k, 1),), program_set=False)
        for b, size in enumerate(sizes)
        for k in range(size)
    ]


def plan_tasks(
    sizes: Sequence[int], shots: int, limits: ProgramSetLimits | None
) -> list[TaskShape]:
    """Tasks for batches of `sizes` executables each, `shots` per executable."""
    per_task = 0 if limits is None else min(limits.max_executables, limits.max_total_shots // shots)
    if per_task < 1:
        return _singles(sizes)
    tasks: list[TaskShape] = []
    current: list[Slice] = []
    used = 0
    for b, size in enumerate(sizes):
        start = 0
        while start < size:
            if used == per_task:
                tasks.append(TaskShape(tuple(current), program_set=True))
                current, used = [], 0
            count = min(size - start, per_task - used)
            current.append(Slice(b, start, count))
            start += count
            used += count
    if current:
        tasks.append(TaskShape(tuple(current), program_set=True))
    return tasks


def single_tasks(sizes: Sequence[int]) -> list[TaskShape]:
    return _singles(sizes)


CALIBRATIONS = 2  # all |0>, all |1>


@dataclass(frozen=True, slots=True)
class Unit:
    """One program and the inputs of each of its executables (input name -> value)."""

    source: Source
    inputs: tuple[dict[str, float], ...]


@dataclass(frozen=True, slots=True)
class Workload:
    units: tuple[Unit, ...]
    shapes: tuple[TaskShape, ...]
    shots: int  # per executable; 0 for exact results
    executables: int  # of the plan (calibrations come after them)
    debias: bool


def uses_program_sets(spec: JobSpec, decision: Decision) -> bool:
    return spec.plan.output_kind == "counts" and decision.mode != DEBIAS


def shapes_for(
    sizes: Sequence[int], spec: JobSpec, caps: Capabilities, decision: Decision
) -> list[TaskShape]:
    if not uses_program_sets(spec, decision):
        return single_tasks(sizes)
    return plan_tasks(sizes, spec.shots, caps.program_sets)


def estimated_shapes(spec: JobSpec, caps: Capabilities, decision: Decision) -> list[TaskShape]:
    """The tasks a job will create, without compiling anything (for cost estimates)."""
    calibrations = CALIBRATIONS if decision.calibrates_in_task else 0
    if spec.plan.output_kind == "counts":
        sizes = [b.size for b in batches(spec.plan, calibrations)]
    else:
        sizes = [1] * len(spec.plan.executables)
    return shapes_for(sizes, spec, caps, decision)


def profile_for(caps: Capabilities, settings: RunSettings, *, pinned: bool) -> Profile:
    if not pinned:
        return Profile(caps.gates, settings.optimization_level, settings.seed_transpiler)
    if caps.fully_connected or not caps.edges:
        return Profile(
            caps.gates, settings.optimization_level, settings.seed_transpiler, pinned=True
        )
    labels = tuple(sorted({q for edge in caps.edges for q in edge}))
    index = {label: i for i, label in enumerate(labels)}
    coupling = tuple((index[a], index[b]) for a, b in caps.edges)
    return Profile(
        caps.gates,
        settings.optimization_level,
        settings.seed_transpiler,
        pinned=True,
        coupling=coupling,
        labels=labels,
    )


def _inputs(source: Source, names: Sequence[str], values: Sequence[float]) -> dict[str, float]:
    return {source.inputs[n]: float(values[i]) for i, n in enumerate(names) if n in source.inputs}


def _sampled_units(spec: JobSpec, compiler: Compiler, profile: Profile) -> list[Unit]:
    units = []
    for batch in batches(spec.plan):
        assert batch.circuit is not None
        plan = spec.plan.circuits[batch.circuit]
        basis = plan.groups[batch.group].basis if plan.groups and batch.group is not None else None
        compiled = compiler.compile(spec.circuits[batch.circuit].qasm, basis, profile)
        source = programs.sampled(compiled)
        names = spec.circuits[batch.circuit].analytics.parameter_names
        units.append(Unit(source, tuple(_inputs(source, names, s) for s in plan.parameter_sets)))
    return units


def _exact_units(
    spec: JobSpec, compiler: Compiler, profile: Profile, caps: Capabilities
) -> list[Unit]:
    units = []
    for e in spec.plan.executables:
        plan = spec.plan.circuits[e.circuit]
        compiled = compiler.compile(spec.circuits[e.circuit].qasm, None, profile)
        names = spec.circuits[e.circuit].analytics.parameter_names
        values = dict(zip(names, plan.parameter_sets[e.parameter_set], strict=True))
        if spec.plan.output_kind == "statevector":
            source = programs.statevector(
                compiled, values, amplitudes=caps.statevector == "amplitude", gphase=caps.gphase
            )
        else:
            terms = programs.distinct_terms(plan.observables or ())
            source = programs.expectations(compiled, values, terms)
        units.append(Unit(source, ({},)))
    return units


def _calibration_units(units: Sequence[Unit]) -> list[Unit]:
    """All |0> and all |1> on every device qubit the job measures (pinned programs)."""
    wires = sorted({w for unit in units for w in unit.source.measured})
    return [
        Unit(programs.calibration(wires, ones=False, pinned=True), ({},)),
        Unit(programs.calibration(wires, ones=True, pinned=True), ({},)),
    ]


def build(
    spec: JobSpec,
    caps: Capabilities,
    settings: RunSettings,
    decision: Decision,
    compiler: Compiler,
) -> Workload:
    # Readout calibrations must measure the job's own qubits: pin them where the device allows.
    calibrated = decision.calibrates_in_task and caps.physical_qubits
    profile = profile_for(caps, settings, pinned=calibrated)
    exact = spec.plan.output_kind != "counts"
    if exact:
        units = _exact_units(spec, compiler, profile, caps)
    else:
        units = _sampled_units(spec, compiler, profile)
        if calibrated:
            units += _calibration_units(units)
    sizes = [len(u.inputs) for u in units]
    return Workload(
        units=tuple(units),
        shapes=tuple(shapes_for(sizes, spec, caps, decision)),
        shots=0 if exact else spec.shots,
        executables=len(spec.plan.executables),
        debias=decision.mode == DEBIAS,
    )


def for_shard(workload: Workload, spec: JobSpec, caps: Capabilities, shard: Shard) -> Workload:
    """The part of a job's workload that runs the shard's executables: each unit's inputs cut
    to the shard (units hold contiguous executables in plan order), tasks shaped anew. Only
    for jobs without calibration units (local simulators calibrate apart)."""
    units: list[Unit] = []
    offset = 0
    for unit in workload.units:
        start = max(shard.first, offset) - offset
        stop = min(shard.stop, offset + len(unit.inputs)) - offset
        if start < stop:
            units.append(Unit(unit.source, unit.inputs[start:stop]))
        offset += len(unit.inputs)
    sizes = [len(u.inputs) for u in units]
    if spec.plan.output_kind == "counts" and not workload.debias:
        shapes = plan_tasks(sizes, spec.shots, caps.program_sets)
    else:
        shapes = single_tasks(sizes)
    return Workload(
        units=tuple(units),
        shapes=tuple(shapes),
        shots=workload.shots,
        executables=shard.count,
        debias=workload.debias,
    )


# -- Braket objects ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BraketTask:
    specification: Any  # braket.ir.openqasm.Program or braket.program_sets.ProgramSet
    shots: int
    executables: int
    device_parameters: dict[str, Any] | None = None


def _programs_of(unit: Unit, start: int, count: int, noise: Noise) -> list[Any]:
    program = require("braket.ir.openqasm").Program
    text = programs.with_noise(unit.source.text, noise)
    chosen = unit.inputs[start : start + count]
    if not chosen[0]:  # no inputs: a program stands for one executable
        return [program(source=text, inputs={})] * count
    return [program(source=text, inputs={k: [i[k] for i in chosen] for k in chosen[0]})]


def braket_tasks(workload: Workload, noise: Noise = NOISELESS) -> Iterator[BraketTask]:
    """The quantum tasks to create, in order (noise only for the local density matrix)."""
    program_cls = require("braket.ir.openqasm").Program
    for shape in workload.shapes:
        if shape.program_set:
            program_sets = require("braket.program_sets")
            entries = [
                p
                for s in shape.slices
                for p in _programs_of(workload.units[s.batch], s.start, s.count, noise)
            ]
            specification = program_sets.ProgramSet(entries, shots_per_executable=workload.shots)
            yield BraketTask(specification, specification.total_shots, shape.executables)
            continue
        (only,) = shape.slices
        unit = workload.units[only.batch]
        text = programs.with_noise(unit.source.text, noise)
        program = program_cls(source=text, inputs=dict(unit.inputs[only.start]))
        # A fresh dict per task: the SDK rewrites the one it is given.
        parameters = {"errorMitigation": [{"type": DEBIAS_TYPE}]} if workload.debias else None
        yield BraketTask(program, workload.shots, 1, parameters)

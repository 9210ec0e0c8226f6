"""The Aer provider: noiseless local simulators behind the core's Backend protocol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from qdispatch_aer import checks
from qdispatch_aer.catalog import load_facts
from qdispatch_aer.devices import build_devices
from qdispatch_aer.settings import MPS, PARALLEL_QUBITS, RunSettings
from qdispatch_core.domain import Cost, Device, Shard
from qdispatch_core.ports.backend import Backend, DevicePlan, Execution, JobSpec, ShardResult
from qdispatch_core.ports.backend_settings import BackendSettings
from qdispatch_qiskit.failures import simulation_failures

if TYPE_CHECKING:
    from qdispatch_aer.local import Engine

Credentials = Mapping[str, str]
BOND_ENV = "QDISPATCH_MPS_MAX_BOND_DIMENSION"  # the setting's name, for messages


class AerBackend(Backend):
    """`aer_simulator` and `aer_simulator_mps`, run shard by shard in the worker's simulation
    processes.

    Nothing here imports Qiskit until a job is validated, prepared or run, so listing devices
    stays fast. `settings` (from the composition root) says what one simulation may use and
    the bound on matrix-product-state bond dimensions; `memory_limit_bytes` and
    `max_bond_dimension` override them (tests).
    """

    provider = "aer"

    def __init__(
        self,
        *,
        settings: BackendSettings | None = None,
        memory_limit_bytes: int | None = None,
        max_bond_dimension: int | None = None,
    ) -> None:
        settings = settings or BackendSettings()
        self.memory_limit_bytes = memory_limit_bytes or settings.simulation_memory_bytes
        self.max_bond_dimension = max_bond_dimension or settings.mps_max_bond_dimension
        self.small_threads = settings.small_simulation_threads
        self._facts = load_facts()
        self._devices = build_devices(self._facts, self.memory_limit_bytes)
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from qdispatch_aer.local import Engine  # numpy and Qiskit: only once jobs come

            self._engine = Engine()
        return self._engine

    # -- devices and planning --------------------------------------------------------------

    def list_devices(self, credentials: Credentials | None = None) -> Sequence[Device]:
        return list(self._devices)

    def _methods(self, device: Device) -> Mapping[str, Any]:
        return self._facts["devices"][device.id]["methods"]

    def validate(self, device: Device, spec: JobSpec) -> None:
        checks.check(device, spec, self.memory_limit_bytes, self._methods(device))

    def estimate_cost(
        self, device: Device, spec: JobSpec, *, credentials: Credentials | None = None
    ) -> Cost:
        return Cost.free("shots", spec.plan.total_shots)

    def _settings(self, device: Device, spec: JobSpec) -> RunSettings:
        settings = RunSettings.resolve(device, spec.options, self.max_bond_dimension)
        return settings.with_default_threads(self._default_threads(spec))

    def _default_threads(self, spec: JobSpec) -> int | None:
        """Threads for a job that names none: a small simulation's share of the cores, so
        that simulation processes side by side do not oversubscribe them; None (Aer's own
        default: every core) for circuits big enough for Aer to parallelise their gates."""
        widest = max((c.analytics.qubits for c in spec.circuits), default=0)
        if not self.small_threads or widest >= PARALLEL_QUBITS:
            return None
        return self.small_threads

    def prepare(self, device: Device, spec: JobSpec) -> DevicePlan:
        settings = self._settings(device, spec)
        facts = []
        for i in range(len(spec.circuits)):
            circuit = self.engine.program(spec, i, settings).circuit
            facts.append(
                {
                    "index": i,
                    "transpiled_depth": circuit.depth(),
                    "transpiled_2q_gates": circuit.num_nonlocal_gates(),
                }
            )
        note = (
            f"transpiled for {device.id} (method {settings.method!r}, "
            f"optimization_level {settings.optimization_level})"
        )
        return DevicePlan(tuple(facts), (note,))

    # -- execution: shards -------------------------------------------------------------------

    def seconds_per_executable(self, device: Device, spec: JobSpec) -> float:
        """Rough, from the plan alone: sampling costs about a microsecond a shot here, a
        dense simulation a few nanoseconds per amplitude and gate (density matrices square
        the amplitudes)."""
        settings = self._settings(device, spec)
        widest = max(c.analytics.qubits for c in spec.circuits)
        gates = max(1, max(c.analytics.gates_total for c in spec.circuits))
        amplitudes = 2.0 ** min(widest, 40)
        if settings.method == "density_matrix":
            amplitudes *= amplitudes
        elif settings.method == MPS:
            amplitudes = min(amplitudes, float(self.max_bond_dimension) ** 2 * widest)
        shots = spec.shots if spec.plan.output_kind == "counts" else 0
        return 1e-4 + shots * 1e-6 + amplitudes * gates * 3e-9

    def run_shard(
        self, device: Device, spec: JobSpec, shard: Shard, credentials: Credentials
    ) -> ShardResult:
        settings = self._settings(device, spec)
        with simulation_failures("Aer simulation failed"):
            outputs, methods = self.engine.run(spec, settings, shard)
        notes = []
        if methods:
            notes.append(f"Aer simulated with method(s): {', '.join(sorted(methods))}")
        if settings.max_bond_dimension is not None:
            notes.append(
                f"matrix_product_state bond dimension bounded at {settings.max_bond_dimension} "
                f"({BOND_ENV}): results are approximate where the state needs more"
            )
        return ShardResult(outputs, tuple(notes))

    def finish_local(
        self,
        device: Device,
        spec: JobSpec,
        outputs: Sequence[Any],
        notes: Sequence[str],
        credentials: Credentials,
    ) -> Execution:
        """The default Execution, with what ran: the transpiled circuits simulated, sampled
        or exact (whose parameter sets Aer binds into the same program)."""
        execution = super().finish_local(device, spec, outputs, notes, credentials)
        from qdispatch_aer import provenance

        settings = self._settings(device, spec)
        return replace(execution, ran=provenance.what_ran(spec, device.id, self.engine, settings))

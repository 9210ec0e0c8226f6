"""The Backend contract: every provider's backend (and the fake) passes it.

Subclass `BackendContract` and provide fixtures `backend`, `toolkit` (a CircuitToolkit that
reads the QASM below), `device_id` (a device that can run offline) and `credentials`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from qdispatch_core.domain import Cost, DeviceStatus, JobStatus, RunType
from qdispatch_core.errors import BadRequest, ProviderError
from qdispatch_core.ports import Backend, CircuitToolkit, JobSpec
from qdispatch_core.ports.backend import RemoteState, SpecCircuit
from qdispatch_core.registry import BackendRegistry
from qdispatch_core.rules.circuits import content_hash
from qdispatch_core.rules.observables import normalize_observables
from qdispatch_core.rules.parameters import normalize_parameters
from qdispatch_core.rules.plan import build_plan
from qdispatch_core.rules.shards import layout
from qdispatch_core.testing import FakeCipher, InMemoryRepository
from qdispatch_core.usecases import Services, create_experiment, ensure_user, submit_run
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, PARAM_2Q


def make_spec(
    toolkit: CircuitToolkit,
    qasms: Sequence[str],
    device_id: str,
    *,
    run_type: RunType = RunType.RUN,
    shots: int = 1024,
    parameters: Any = None,
    observables: Any = None,
    options: Mapping[str, Any] | None = None,
    use_mitigation: bool = False,
    job_id: str = "job_contract",
    provider_estimates: bool = False,
) -> JobSpec:
    """A JobSpec as the core builds it, for driving a backend directly in tests."""
    parsed = [toolkit.inspect(q) for q in qasms]
    params = normalize_parameters(parameters, [p.analytics.parameter_names for p in parsed])
    obs = normalize_observables(observables, [p.analytics.qubits for p in parsed])
    plan = build_plan(
        run_type,
        shots,
        [p.analytics.qubits for p in parsed],
        params,
        obs,
        provider_estimates=provider_estimates,
    )
    circuits = tuple(
        SpecCircuit(f"cir_{content_hash(q)[:8]}", "", q, p.qasm_version, p.analytics)
        for q, p in zip(qasms, parsed, strict=True)
    )
    return JobSpec(
        job_id=job_id,
        device_id=device_id,
        run_type=run_type,
        shots=shots,
        circuits=circuits,
        plan=plan,
        options=dict(options or {}),
        use_mitigation=use_mitigation,
    )


_HEAD = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
# Requests a device may refuse for its own reasons (control flow, resets, measurements, width).
# A dry run and a real run must answer each of them the same way (issue 20).
REFUSAL_TABLE: dict[str, tuple[str, dict[str, Any]]] = {
    "feed-forward if": (
        _HEAD + "qubit[2] q;\nbit[2] c;\nh q[0];\nc[0] = measure q[0];\n"
        "if (c[0] == 1) x q[1];\nc[1] = measure q[1];\n",
        {},
    ),
    "while on a measured bit": (
        _HEAD + "qubit[1] q;\nbit c;\nh q[0];\nc = measure q[0];\n"
        "while (c == 1) { h q[0]; c = measure q[0]; }\n",
        {},
    ),
    "reset after a gate": (
        _HEAD + "qubit[2] q;\nbit[2] c;\nh q[0];\nreset q[0];\nc = measure q;\n",
        {},
    ),
    "reset at the start": (
        _HEAD + "qubit[2] q;\nbit[2] c;\nreset q;\nh q[0];\ncx q[0], q[1];\nc = measure q;\n",
        {},
    ),
    "measurement before a gate": (
        _HEAD + "qubit[2] q;\nbit[2] c;\nh q[0];\nc[0] = measure q[0];\ncx q[0], q[1];\n"
        "c = measure q;\n",
        {},
    ),
    "no measurements": (_HEAD + "qubit[2] q;\nh q[0];\ncx q[0], q[1];\n", {}),
    "state vector of a measured-early circuit": (
        _HEAD + "qubit[2] q;\nbit c;\nh q[0];\nc = measure q[0];\ncx q[0], q[1];\n",
        {"run_type": "StatevectorRun"},
    ),
    "too many shots": (_HEAD + "qubit q;\nbit c;\nh q;\nc = measure q;\n", {"shots": 10**12}),
    "wider than the device": (
        _HEAD + "qubit[200] q;\nbit[200] c;\nh q[0];\nfor int i in [0:198] { cx q[i], q[i + 1]; }\n"
        "c = measure q;\n",
        {},
    ),
    "a gate the device must translate": (
        _HEAD + "qubit[3] q;\nbit[3] c;\npow(0.5) @ h q[0];\nctrl(2) @ ry(0.3) q[0], q[1], q[2];\n"
        "c = measure q;\n",
        {},
    ),
}


def submission(backend: Backend, toolkit: CircuitToolkit, credentials: Mapping[str, str]):
    """submit_run on this backend alone: answers a request with its 400 or "accepted"."""
    registry = BackendRegistry(use_entry_points=False)
    registry.add(backend)
    services = Services(InMemoryRepository(), registry, toolkit, FakeCipher())
    user = ensure_user(services, "contract", 10**6)
    experiment = create_experiment(services, user, "refusals")

    def answer(request: Mapping[str, Any]) -> str:
        try:
            submit_run(services, user, {**request, "experiment_id": experiment.id})
        except BadRequest as exc:
            return f"400 {exc.field}: {exc.message}"
        return "accepted"

    return answer


def run_local(
    backend: Backend,
    spec: JobSpec,
    credentials: Mapping[str, str],
    size: int | None = None,
    order: Sequence[int] | None = None,
):
    """A local device's job as the worker runs it, in this process: shards of `size`
    executables (default: one shard), run in `order` (default: in turn), then finished.
    Returns ((), state, execution) like `drive`."""
    device = backend.get_device(spec.device_id, credentials)
    total = len(spec.plan.executables)
    shards = layout(total, size or total)
    outputs: dict[int, Sequence[Any]] = {}
    notes: dict[str, None] = {}
    try:
        for k in order if order is not None else range(len(shards)):
            result = backend.run_shard(device, spec, shards[k], credentials)
            assert len(result.outputs) == shards[k].count
            outputs[k] = result.outputs
            notes.update(dict.fromkeys(result.notes))
        flat = [o for k in range(len(shards)) for o in outputs[k]]
        execution = backend.finish_local(device, spec, flat, tuple(notes), credentials)
    except ProviderError as exc:
        return (), RemoteState(JobStatus.ERROR, 0, str(exc)), None
    return (), RemoteState(JobStatus.DONE, total), execution


def drive(backend: Backend, spec: JobSpec, credentials: Mapping[str, str], timeout: float = 120.0):
    """Run a job to its end as the worker would; returns (ids, state, execution). A local
    device's job runs in shards (`run_local`); a remote one is submitted and followed."""
    device = backend.get_device(spec.device_id, credentials)
    if device.local:
        return run_local(backend, spec, credentials)
    ids = backend.submit(device, spec, credentials)
    deadline = time.monotonic() + timeout
    state = backend.wait(device, ids, credentials, 0.5)
    while not state.status.is_final:
        assert time.monotonic() < deadline, f"job did not finish in {timeout}s"
        time.sleep(0.01)
        state = backend.wait(device, ids, credentials, 0.5)
    execution = (
        backend.fetch(device, spec, ids, credentials) if state.status is JobStatus.DONE else None
    )
    return ids, state, execution


class BackendContract:
    """Behaviour every Backend must have."""

    supports_statevector = True

    @pytest.fixture
    def backend(self) -> Backend:  # pragma: no cover - overridden
        raise NotImplementedError

    @pytest.fixture
    def toolkit(self) -> CircuitToolkit:  # pragma: no cover - overridden
        raise NotImplementedError

    @pytest.fixture
    def device_id(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    @pytest.fixture
    def credentials(self) -> dict[str, str]:
        return {}

    # -- submission ---------------------------------------------------------------------------

    @pytest.mark.parametrize("row", sorted(REFUSAL_TABLE))
    def test_dry_run_and_real_run_refuse_the_same_requests(
        self, backend, toolkit, device_id, credentials, row
    ):
        qasm, extra = REFUSAL_TABLE[row]
        answer = submission(backend, toolkit, credentials)
        request = {"device_id": device_id, "circuits_qasm": [qasm], "shots": 100, **extra}
        # the same credentials for both: some accounts list their devices only with them
        request["options"] = dict(credentials)
        dry = answer({**request, "dry_run": True})
        real = answer(request)
        assert real == dry, f"{row}: a dry run answers {dry!r}, a real run {real!r}"

    # -- devices --------------------------------------------------------------------------

    def test_devices_are_well_formed(self, backend, device_id, credentials):
        devices = backend.list_devices(credentials)
        ids = [d.id for d in devices]
        assert len(ids) == len(set(ids)) and device_id in ids
        for d in devices:
            assert d.provider == backend.provider
            assert d.qubits > 0 and d.max_shots >= 1
            assert d.run_types and set(d.run_types) <= set(RunType)
            assert isinstance(d.status, DeviceStatus)
            if not d.simulator:
                assert RunType.STATEVECTOR not in d.run_types
            if d.coupling_map is not None:
                assert all(0 <= a < d.qubits and 0 <= b < d.qubits for a, b in d.coupling_map)
            assert len({o.name for o in d.options}) == len(d.options)
        assert backend.get_device(device_id, credentials).id == device_id

    def test_cost_and_preparation(self, backend, toolkit, device_id, credentials):
        spec = make_spec(toolkit, [BELL_QASM2, BELL_QASM2], device_id, shots=100)
        device = backend.get_device(device_id, credentials)
        assert isinstance(backend.estimate_cost(device, spec), Cost)
        prepared = backend.prepare(device, spec)
        assert len(prepared.circuits) == 2
        for facts in prepared.circuits:
            assert facts["transpiled_depth"] >= 1 and facts["transpiled_2q_gates"] >= 1

    # -- execution ------------------------------------------------------------------------

    def test_counts_have_the_planned_shape(self, backend, toolkit, device_id, credentials):
        spec = make_spec(
            toolkit,
            [BELL_QASM2, PARAM_2Q],
            device_id,
            shots=200,
            parameters=[[], [[0.1, 0.2], [0.3, 0.4]]],
        )
        _, state, execution = drive(backend, spec, credentials)
        assert state.status is JobStatus.DONE, state.message
        assert len(execution.outputs) == len(spec.plan.executables) == 3
        for counts in execution.outputs:
            assert sum(counts.values()) == 200
            assert all(len(k) == 2 and set(k) <= {"0", "1"} for k in counts)

    def test_observable_groups_are_measured_per_executable(
        self, backend, toolkit, device_id, credentials
    ):
        device = backend.get_device(device_id, credentials)
        estimates = backend.estimates_observables(device, False)
        spec = make_spec(
            toolkit,
            [BELL_NO_MEASURE],
            device_id,
            shots=100,
            observables=[["ZZ", "XX", "IZ"], [1.0, 1.0, 0.5]],
            provider_estimates=estimates,
        )
        _, state, execution = drive(backend, spec, credentials)
        assert state.status is JobStatus.DONE, state.message
        if estimates:  # the provider's own estimator: values and errors per executable
            assert spec.plan.output_kind == "expectations" and len(spec.plan.executables) == 1
            (values,), (errors,) = execution.outputs, execution.uncertainties
            assert len(values) == len(errors) == 1 and errors[0] >= 0
            return
        assert len(spec.plan.executables) == 2  # {ZZ, IZ} and {XX}
        assert len(execution.outputs) == 2
        assert all(sum(c.values()) == 100 for c in execution.outputs)

    def test_statevectors_have_the_planned_shape(self, backend, toolkit, device_id, credentials):
        if not self.supports_statevector:
            pytest.skip("this device cannot return state vectors")
        spec = make_spec(toolkit, [BELL_QASM2], device_id, run_type=RunType.STATEVECTOR)
        _, state, execution = drive(backend, spec, credentials)
        assert state.status is JobStatus.DONE, state.message
        ((real, imag),) = execution.outputs
        assert len(real) == len(imag) == 4
        assert math.isclose(
            sum(r * r + i * i for r, i in zip(real, imag, strict=True)), 1.0, abs_tol=1e-6
        )

    def test_exact_expectation_values_per_observable(
        self, backend, toolkit, device_id, credentials
    ):
        if not self.supports_statevector:
            pytest.skip("this device cannot simulate exactly")
        spec = make_spec(
            toolkit,
            [BELL_NO_MEASURE],
            device_id,
            run_type=RunType.STATEVECTOR,
            observables=[[["ZZ"], [1.0]], [["XX", "II"], [1.0, 2.0]]],
        )
        _, state, execution = drive(backend, spec, credentials)
        assert state.status is JobStatus.DONE, state.message
        (values,) = execution.outputs
        assert len(values) == 2 and all(isinstance(v, float) for v in values)

    def test_shards_run_in_any_order_and_size_give_the_same_outputs(
        self, backend, toolkit, device_id, credentials
    ):
        device = backend.get_device(device_id, credentials)
        if not device.local:
            pytest.skip("a remote device runs whole jobs at the provider")
        spec = make_spec(
            toolkit,
            [BELL_QASM2, PARAM_2Q],
            device_id,
            shots=100,
            parameters=[[], [[0.1 * k, 0.2] for k in range(5)]],
            options=self.seeded_options or {},
        )
        _, state, whole = run_local(backend, spec, credentials, size=6)
        assert state.status is JobStatus.DONE, state.message
        _, _, pieces = run_local(backend, spec, credentials, size=2, order=[2, 0, 1])
        assert len(pieces.outputs) == len(whole.outputs) == 6
        assert all(sum(o.values()) == 100 for o in pieces.outputs)
        if self.seeded_options is not None:  # seeded: the very same outputs
            assert list(pieces.outputs) == list(whole.outputs)

    # Options that make a local device's outputs repeat exactly; None where it has no seed.
    seeded_options: Mapping[str, Any] | None = {}

    def test_cancel_of_a_finished_job_is_harmless(self, backend, toolkit, device_id, credentials):
        if backend.get_device(device_id, credentials).local:
            pytest.skip("a local device's shards are stopped by the worker's executor")
        spec = make_spec(toolkit, [BELL_QASM2], device_id, shots=10)
        ids, state, _ = drive(backend, spec, credentials)
        device = backend.get_device(device_id, credentials)
        backend.cancel(device, ids, credentials)
        assert backend.poll(device, ids, credentials).status is state.status

    def test_an_unknown_provider_job_id_is_an_error(self, backend, device_id, credentials):
        device = backend.get_device(device_id, credentials)
        with pytest.raises(ProviderError):
            backend.poll(device, ["no-such-job-id"], credentials)

"""use_mitigation on IonQ: debiasing on QPUs (sent explicitly on or off, results kept as the
quasi-probabilities IonQ aggregates); readout-error mitigation on the noisy simulator, which
measurably brings results closer to the ideal ones; nothing on the ideal simulator."""

from __future__ import annotations

import json

import pytest

from qdispatch_core.domain import Cost, JobStatus
from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.plan import assemble
from qdispatch_ionq import IonQBackend
from qdispatch_ionq.calibration import corrected
from qdispatch_qiskit.readout import Calibration
from tests.contract.backend_contract import make_spec
from tests.providers.ionq.conftest import API_KEY, run_job
from tests.providers.ionq.fake_ionq import FakeIonQ, readout_rates
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, PARAM_2Q, ghz

CREDENTIALS = {"ionq_api_key": API_KEY}
NOISY = {"noise_model": "aria-1", "seed_simulator": 7}
HEAD2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'


@pytest.fixture(scope="module")
def noisy():
    server = FakeIonQ(API_KEY, readout_error=0.05)
    yield server, IonQBackend(remote_host=server.url)
    server.close()


def _last_body(server):
    return server.bodies()[-1]


def _results_queries(server):
    return [r[2] for r in server.requests if "/results/" in r[1]]


def _distance(distribution, ideal):
    """Total variation distance from the ideal distribution, of counts or quasi-probabilities."""
    total = sum(distribution.values())
    keys = set(distribution) | set(ideal)
    return 0.5 * sum(abs(distribution.get(k, 0) / total - ideal.get(k, 0)) for k in keys)


# -- QPUs: IonQ debiasing ----------------------------------------------------------------------


def test_use_mitigation_turns_ionq_debiasing_on(noisy, qiskit_toolkit):
    server, backend = noisy
    _, execution = run_job(
        backend, qiskit_toolkit, [BELL_QASM2], "ionq_qpu_forte_1", shots=1000, use_mitigation=True
    )
    assert _last_body(server)["settings"]["error_mitigation"] == {"debiasing": True}
    assert _results_queries(server)[-1] == {"sharpen": ["false"]}  # averaged aggregation
    assert execution.mitigation == {
        "applied": True,
        "method": "IonQ debiasing",
        "setting": {"error_mitigation": {"debiasing": True}},
        "aggregation": "average",
        "raw_counts": "not available: IonQ returns only the aggregated distribution",
    }
    (quasi,) = execution.outputs
    assert all(isinstance(v, float) for v in quasi.values())
    assert sum(quasi.values()) == pytest.approx(1.0)
    assert execution.raw_outputs is None
    assert any("debiased distribution" in n for n in execution.notes)


def test_without_mitigation_debiasing_is_explicitly_off(noisy, qiskit_toolkit):
    server, backend = noisy
    _, execution = run_job(backend, qiskit_toolkit, [ghz(3)], "ionq_qpu_forte_1", shots=2000)
    assert _last_body(server)["settings"]["error_mitigation"] == {"debiasing": False}
    assert _results_queries(server)[-1] == {}
    assert execution.mitigation is None
    assert any("debiasing explicitly off" in n for n in execution.notes)
    (counts,) = execution.outputs  # IonQ's frequencies, as counts summing to the shots
    assert sum(counts.values()) == 2000 and all(isinstance(v, int) for v in counts.values())
    assert len(counts) > 2  # the readout errors of the noisy device show


# -- simulators --------------------------------------------------------------------------------


def test_the_ideal_simulator_records_that_nothing_was_needed(noisy, qiskit_toolkit):
    server, backend = noisy
    _, execution = run_job(backend, qiskit_toolkit, [BELL_QASM2], shots=600, use_mitigation=True)
    assert execution.mitigation == {"applied": False, "reason": "not needed: noiseless simulator"}
    body = _last_body(server)
    assert "settings" not in body and body["type"] == "ionq.circuit.v1"  # no calibration
    assert execution.raw_outputs is None


def test_readout_mitigation_brings_ghz_results_closer_to_the_ideal(noisy, qiskit_toolkit):
    server, backend = noisy
    shots = 4000
    kwargs = {"shots": shots, "options": NOISY}
    _, plain = run_job(backend, qiskit_toolkit, [ghz(3)], **kwargs)
    _, execution = run_job(backend, qiskit_toolkit, [ghz(3)], use_mitigation=True, **kwargs)
    (mitigated,), (raw,) = execution.outputs, execution.raw_outputs
    ideal = {"000": 0.5, "111": 0.5}
    raw_distance, mitigated_distance = _distance(raw, ideal), _distance(mitigated, ideal)
    # aria-1 in the fake misreads 11 % of |000> and 21 % of |111>: about 0.16 of the mass moves.
    # Over seeds 0-39 the raw distance stays in 0.146-0.170 and the mitigated one in
    # 0.005-0.045 (at most 0.29 of the raw one): these bounds hold for any seed, and no
    # correction that leaves the readout error in (or doubles it) meets them.
    assert raw_distance > 0.12, raw_distance
    assert mitigated_distance < 0.06 and mitigated_distance < raw_distance / 2.5, (
        raw_distance,
        mitigated_distance,
    )
    assert raw == plain.outputs[0]  # the raw results are what an unmitigated job returns
    assert sum(raw.values()) == shots and all(isinstance(v, int) for v in raw.values())
    assert sum(mitigated.values()) == pytest.approx(1.0)
    assert all(isinstance(v, float) for v in mitigated.values())
    assert execution.mitigation["applied"] is True
    assert execution.mitigation["method"] == "readout calibration (tensored)"
    assert execution.mitigation["noise_model"] == "aria-1"
    assert any("two calibration circuits" in n for n in execution.notes)


def _attenuated_parity(a: tuple[float, float], b: tuple[float, float]) -> float:
    """<ZZ> that a readout with these (P(1|0), P(0|1)) rates makes of a Bell pair's +1."""
    flip_00 = a[0] * (1 - b[0]) + (1 - a[0]) * b[0]
    flip_11 = a[1] * (1 - b[1]) + (1 - a[1]) * b[1]
    return 0.5 * (1 - 2 * flip_00) + 0.5 * (1 - 2 * flip_11)


def test_mitigated_expectation_values_recover_the_ideal_ones(noisy, qiskit_toolkit):
    _, backend = noisy
    observables = [[["ZZ"], [1.0]], [["XX"], [1.0]]]
    kwargs = {"shots": 8000, "observables": observables, "options": NOISY}
    spec = make_spec(qiskit_toolkit, [BELL_NO_MEASURE], "ionq_simulator", **kwargs)
    _, raw = run_job(backend, qiskit_toolkit, [BELL_NO_MEASURE], **kwargs)
    _, fixed = run_job(backend, qiskit_toolkit, [BELL_NO_MEASURE], use_mitigation=True, **kwargs)
    raw_values = assemble(spec.plan, raw.outputs)[0][0]
    fixed_values = assemble(spec.plan, fixed.outputs)[0][0]
    expected_raw = _attenuated_parity(readout_rates("aria-1", 0), readout_rates("aria-1", 1))
    assert expected_raw < 0.84  # the fake's readout error visibly shrinks the parity
    assert raw_values == [pytest.approx(expected_raw, abs=0.03)] * 2
    assert fixed_values == [pytest.approx(1.0, abs=0.03)] * 2
    assert raw.mitigation is None and fixed.raw_outputs is not None


def test_each_qubit_is_calibrated_and_corrected_with_its_own_rates(noisy, qiskit_toolkit):
    server, backend = noisy
    # qubit 2 (in |1>) is read into bit 0, qubit 0 (in |0>) into bit 1; qubit 1 is not read
    source = (
        HEAD2 + "qreg q[3];\ncreg c[2];\nx q[2];\nmeasure q[2] -> c[0];\nmeasure q[0] -> c[1];\n"
    )
    shots = 20_000
    _, execution = run_job(
        backend, qiskit_toolkit, [source], shots=shots, options=NOISY, use_mitigation=True
    )
    rates = execution.mitigation["calibration"]["readout_error_rates"]
    assert set(rates) == {"0", "2"}  # exactly the qubits the job reads
    for qubit in (0, 2):
        e0, e1 = readout_rates("aria-1", qubit)
        assert rates[str(qubit)]["p1_given_0"] == pytest.approx(e0, abs=0.007)
        assert rates[str(qubit)]["p0_given_1"] == pytest.approx(e1, abs=0.01)  # 5 sigma
    (mitigated,), (raw,) = execution.outputs, execution.raw_outputs
    assert raw["01"] / shots < 0.93  # qubit 2 misreads |1> 9 % of the time, qubit 0 |0> 3 %
    assert mitigated["01"] == pytest.approx(1.0, abs=0.015)
    ones_circuit = _last_body(server)["input"]["circuits"][-1]["circuit"]
    assert sorted(op["targets"][0] for op in ones_circuit if op["gate"] == "x") == [0, 2]


def test_calibration_circuits_ride_in_the_same_ionq_job(noisy, qiskit_toolkit):
    server, backend = noisy
    spec = make_spec(
        qiskit_toolkit, [ghz(3)], "ionq_simulator", shots=500, options=NOISY, use_mitigation=True
    )
    device = backend.get_device("ionq_simulator")
    backend.validate(device, spec)
    ids = backend.submit(device, spec, CREDENTIALS)
    body = _last_body(server)
    assert len(ids) == 1 and body["type"] == "ionq.multi-circuit.v1"
    assert body["noise"] == {"model": "aria-1", "seed": 7}
    circuits = [c["circuit"] for c in body["input"]["circuits"]]
    assert len(circuits) == 3
    assert {op["gate"] for op in circuits[1]} == {
        "z"
    }  # all |0>: a Z keeps it QIS and changes nothing
    assert sorted(op["targets"][0] for op in circuits[2] if op["gate"] == "x") == [0, 1, 2]
    assert body["metadata"]["qdispatch_calibration_circuits"] == "2"
    assert json.loads(body["metadata"]["qubit_numbers"]) == [3, 3, 3]
    state = backend.poll(device, ids, CREDENTIALS)
    while not state.status.is_final:
        state = backend.poll(device, ids, CREDENTIALS)
    assert state.status is JobStatus.DONE and state.done == 1  # the plan's executables only
    first = backend.fetch(device, spec, ids, CREDENTIALS)
    restarted = IonQBackend(remote_host=server.url)  # a fresh worker re-attaches from the ids
    again = restarted.fetch(restarted.get_device("ionq_simulator"), spec, ids, CREDENTIALS)
    assert again.outputs == first.outputs and again.raw_outputs == first.raw_outputs
    assert (
        again.mitigation["calibration"]["readout_error_rates"]
        == (first.mitigation["calibration"]["readout_error_rates"])
    )


def test_calibration_circuits_follow_the_last_executables_when_jobs_are_split(
    noisy, qiskit_toolkit
):
    server, _ = noisy
    backend = IonQBackend(remote_host=server.url, max_circuits_per_job=2)
    sets = [[0.0, 0.0], [3.141592653589793, 0.0], [0.0, 3.141592653589793]]
    before = len(server.bodies())
    ids, execution = run_job(
        backend,
        qiskit_toolkit,
        [PARAM_2Q],
        shots=4000,
        parameters=sets,
        options=NOISY,
        use_mitigation=True,
    )
    bodies = server.bodies()[before:]
    assert len(ids) == 3 and [len(b["input"]["circuits"]) for b in bodies[:2]] == [2, 2]
    assert bodies[-1]["type"] == "ionq.circuit.v1"  # the all-1 circuit, alone
    assert [b["metadata"].get("qdispatch_calibration_circuits") for b in bodies] == [
        None,
        "1",
        "1",
    ]
    expected = ["00", "10", "11"]
    for outcome, mitigated, raw in zip(
        expected, execution.outputs, execution.raw_outputs, strict=True
    ):
        assert raw[outcome] / 4000 < 0.96
        assert mitigated[outcome] == pytest.approx(1.0, abs=0.02)


def test_the_simulation_cost_counts_the_calibration_shots(noisy, qiskit_toolkit):
    _, backend = noisy
    device = backend.get_device("ionq_simulator")
    spec = make_spec(
        qiskit_toolkit, [ghz(3)], "ionq_simulator", shots=500, options=NOISY, use_mitigation=True
    )
    assert backend.estimate_cost(device, spec) == Cost.free("shots", 1500)
    ideal = make_spec(qiskit_toolkit, [ghz(3)], "ionq_simulator", shots=500, use_mitigation=True)
    assert backend.estimate_cost(device, ideal) == Cost.free("shots", 500)


def test_circuits_measuring_too_many_qubits_are_refused_for_readout_mitigation(
    noisy, qiskit_toolkit
):
    _, backend = noisy
    device = backend.get_device("ionq_simulator")
    options = {"noise_model": "forte-1"}
    wide = make_spec(
        qiskit_toolkit, [ghz(17)], "ionq_simulator", shots=10, options=options, use_mitigation=True
    )
    with pytest.raises(BadRequest, match="up to 16 qubits; circuit 1 measures 17") as caught:
        backend.validate(device, wide)
    assert caught.value.field == "use_mitigation"
    backend.validate(device, make_spec(qiskit_toolkit, [ghz(17)], "ionq_simulator", shots=10))
    narrow = make_spec(
        qiskit_toolkit, [ghz(16)], "ionq_simulator", shots=10, options=options, use_mitigation=True
    )
    backend.validate(device, narrow)


def test_bits_reading_one_qubit_are_corrected_as_one_readout():
    calibration = Calibration({0: (0.1, 0.2)}, 1000, "now")
    # qubit 0 was |1> 60 % of the time; read through the rates, P(read 1) = 0.4*0.1 + 0.6*0.8
    read_one = 0.4 * 0.1 + 0.6 * 0.8
    histogram = {"0": 1 - read_one, "1": read_one}  # IonQ's keys: bit q is qubit q
    # output bits 0 and 1 both read qubit 0; bit 2 reads nothing and is always 0
    got = corrected(histogram, (0, 0, None), calibration)
    assert got == {"000": pytest.approx(0.4), "011": pytest.approx(0.6)}

"""Known physics on the noisy fake backends, seeded: what the snapshot's noise does, and that
readout mitigation measurably undoes part of it."""

from __future__ import annotations

import math

import pytest

from qdispatch_core.domain import RunType
from qdispatch_core.rules.plan import assemble
from tests.contract.backend_contract import make_spec
from tests.providers.ibm.conftest import run_outputs
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, BELL_QASM3, PARAM_2Q, X_ON_QUBIT0_OF_3

IDEAL_BELL = {"00": 0.5, "11": 0.5}


def zz(distribution):
    total = sum(distribution.values())
    return sum(v * (1 if k.count("1") % 2 == 0 else -1) for k, v in distribution.items()) / total


def distance_to_ideal(distribution):
    """Total variation distance to the ideal Bell distribution."""
    total = sum(distribution.values())
    keys = set(distribution) | set(IDEAL_BELL)
    return 0.5 * sum(abs(distribution.get(k, 0) / total - IDEAL_BELL.get(k, 0)) for k in keys)


@pytest.mark.parametrize(
    "device_id, source", [("fake_manila", BELL_QASM2), ("fake_sherbrooke", BELL_QASM3)]
)
def test_a_bell_pair_on_a_noisy_twin_is_mostly_00_and_11(ibm, qiskit_toolkit, device_id, source):
    shots = 4000
    execution = run_outputs(
        ibm, qiskit_toolkit, [source], device_id, shots=shots, options={"seed_simulator": 5}
    )
    (counts,) = execution.outputs
    assert sum(counts.values()) == shots
    correlated = (counts.get("00", 0) + counts.get("11", 0)) / shots
    assert 0.9 < correlated < 1.0  # mostly correlated, and noisy: some 01/10 get through
    assert abs(counts["00"] - counts["11"]) / shots < 0.1


def test_readout_mitigation_brings_a_bell_pair_closer_to_the_ideal(ibm, qiskit_toolkit):
    shots = 20_000
    execution = run_outputs(
        ibm,
        qiskit_toolkit,
        [BELL_QASM2],
        shots=shots,
        options={"seed_simulator": 7},
        use_mitigation=True,
    )
    (raw,), (mitigated,) = execution.raw_outputs, execution.outputs
    raw_error, mitigated_error = abs(1 - zz(raw)), abs(1 - zz(mitigated))
    raw_distance, mitigated_distance = distance_to_ideal(raw), distance_to_ideal(mitigated)
    print(
        f"\n<ZZ> error: raw {raw_error:.4f}, mitigated {mitigated_error:.4f}; "
        f"distance to ideal: raw {raw_distance:.4f}, mitigated {mitigated_distance:.4f}"
    )
    assert raw_error > 0.03  # the snapshot's noise is there...
    assert mitigated_error < raw_error / 3  # ...and readout correction removes most of it
    assert mitigated_distance < raw_distance / 2
    assert math.isclose(sum(mitigated.values()), 1.0, abs_tol=1e-4)
    record = execution.mitigation
    assert record["applied"] and record["method"].startswith("mthree")
    assert record["calibration"]["source"] == ["snapshot noise model"]
    assert len(record["calibration"]["qubits"]) == 2


def test_mitigated_sampled_observables_are_closer_to_the_exact_ones(ibm, qiskit_toolkit):
    observables = [[["ZZ"], [1.0]], [["XX"], [1.0]], [["YY"], [1.0]]]  # exact: 1, 1, -1
    spec_args = dict(
        shots=20_000, observables=observables, options={"seed_simulator": 3}, use_mitigation=True
    )
    execution = run_outputs(ibm, qiskit_toolkit, [BELL_NO_MEASURE], **spec_args)
    spec = make_spec(qiskit_toolkit, [BELL_NO_MEASURE], "fake_manila", **spec_args)
    (mitigated,), _ = assemble(spec.plan, execution.outputs)
    (raw,), _ = assemble(spec.plan, execution.raw_outputs)
    exact = [1.0, 1.0, -1.0]
    raw_error = sum(abs(v - e) for v, e in zip(raw, exact, strict=True))
    mitigated_error = sum(abs(v - e) for v, e in zip(mitigated, exact, strict=True))
    assert mitigated_error < raw_error / 2, (raw, mitigated)


def test_x_on_qubit_0_of_3_reads_001(ibm, qiskit_toolkit):
    shots = 2000
    (counts,) = run_outputs(
        ibm, qiskit_toolkit, [X_ON_QUBIT0_OF_3], shots=shots, options={"seed_simulator": 2}
    ).outputs
    assert counts["001"] > 0.9 * shots  # Qiskit order: the rightmost character is bit 0


def test_seeded_runs_repeat_and_different_seeds_differ(ibm, qiskit_toolkit):
    def sample(seed):
        return run_outputs(
            ibm, qiskit_toolkit, [BELL_QASM2], shots=500, options={"seed_simulator": seed}
        ).outputs

    assert sample(3) == sample(3)
    assert sample(3) != sample(4)


def test_a_parameter_sweep_is_one_pub_and_each_circuit_is_transpiled_once(
    ibm, qiskit_toolkit, monkeypatch
):
    from qdispatch_ibm import local

    submitted = []
    original = local.sample

    def recording(backend, pubs, shots, seed):
        submitted.append(pubs)
        return original(backend, pubs, shots, seed)

    monkeypatch.setattr(local, "sample", recording)
    sets = [[0.0, 0.0], [0.0, math.pi], [math.pi, 0.0], [math.pi, math.pi]]
    options = {"seed_simulator": 9, "seed_transpiler": 77}
    before = ibm.compiler.transpilations
    counts = run_outputs(
        ibm, qiskit_toolkit, [PARAM_2Q], shots=1000, parameters=sets, options=options
    ).outputs
    assert ibm.compiler.transpilations == before + 1
    ((pub,),) = submitted  # one job, one PUB, four parameter sets
    assert pub[1].shape == (4, 2)
    # sets bind (phi, theta): ry(phi) on qubit 1, rx(theta) on qubit 0, then CNOT 0 -> 1
    expected = ["00", "11", "10", "01"]
    for got, want in zip(counts, expected, strict=True):
        assert got.get(want, 0) > 850, (got, want)
    run_outputs(ibm, qiskit_toolkit, [PARAM_2Q], shots=10, parameters=sets, options=options)
    assert ibm.compiler.transpilations == before + 1  # the same circuit is not transpiled again


def test_exact_noisy_expectation_values(ibm, qiskit_toolkit):
    # StatevectorRun on a noisy twin: the exact expectation values of its mixed state.
    sets = [[0.0, 0.0], [0.0, math.pi / 3], [0.0, math.pi / 2]]  # theta = 0, π/3, π/2
    observables = [[["ZZ"], [1.0]], [["IZ"], [1.0]]]  # ⟨ZZ⟩ = cos φ = 1, ⟨IZ⟩ = cos θ
    execution = run_outputs(
        ibm,
        qiskit_toolkit,
        [PARAM_2Q],
        run_type=RunType.STATEVECTOR,
        parameters=sets,
        observables=observables,
        use_mitigation=True,
    )
    spec = make_spec(
        qiskit_toolkit,
        [PARAM_2Q],
        "fake_manila",
        run_type=RunType.STATEVECTOR,
        parameters=sets,
        observables=observables,
    )
    (per_observable,), (errors,) = assemble(spec.plan, execution.outputs)
    zz_values, z_values = per_observable
    for value in zz_values:
        assert 0.95 < value < 1.0  # noise pulls it below the ideal 1, but not far
    for value, ideal in zip(z_values, [1.0, 0.5, 0.0], strict=True):
        assert abs(value - ideal) < 0.03
    assert errors == [[0.0] * 3, [0.0] * 3]
    assert execution.mitigation["applied"] is False
    again = run_outputs(
        ibm,
        qiskit_toolkit,
        [PARAM_2Q],
        run_type=RunType.STATEVECTOR,
        parameters=sets,
        observables=observables,
    )
    assert again.outputs == execution.outputs  # exact: no sampling noise at all

"""Same circuit, same answers: QASM 2 against QASM 3, a sweep against binding by hand, and a
sweep costs one transpilation and one Aer call."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qdispatch_aer import AerBackend, local
from qdispatch_core.domain import RunType
from tests.contract.backend_contract import make_spec
from tests.providers.aer.conftest import run_outputs
from tests.providers.aer.stats import within_binomial

CIRCUIT_QASM2 = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[3];
h q[0];
rx(0.7) q[1];
cx q[0], q[2];
ry(-1.3) q[2];
ccx q[0], q[1], q[2];
rz(0.25) q[1];
cz q[1], q[2];
measure q -> c;
"""

CIRCUIT_QASM3 = """OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
bit[3] c;
h q[0];
rx(0.7) q[1];
cx q[0], q[2];
ry(-1.3) q[2];
ccx q[0], q[1], q[2];
rz(0.25) q[1];
cz q[1], q[2];
c = measure q;
"""

OBSERVABLES = [[["ZZI", "IXX"], [1.0, -0.5]], [["YIZ"], [2.0]]]


@pytest.mark.parametrize("device_id", ["aer_simulator", "aer_simulator_mps"])
def test_qasm2_and_qasm3_sources_give_the_same_results(aer, qiskit_toolkit, device_id):
    def run(source, **kwargs):
        return run_outputs(aer, qiskit_toolkit, [source], device_id, **kwargs)

    seeded = {"shots": 1000, "options": {"seed_simulator": 42}}
    assert run(CIRCUIT_QASM2, **seeded) == run(CIRCUIT_QASM3, **seeded)
    sv = {"run_type": RunType.STATEVECTOR}
    np.testing.assert_allclose(run(CIRCUIT_QASM2, **sv), run(CIRCUIT_QASM3, **sv), atol=1e-12)
    ev = {"run_type": RunType.STATEVECTOR, "observables": OBSERVABLES}
    np.testing.assert_allclose(run(CIRCUIT_QASM2, **ev), run(CIRCUIT_QASM3, **ev), atol=1e-12)


SWEEP = """OPENQASM 3.0;
include "stdgates.inc";
input float theta2;
input float theta10;
qubit[2] q;
bit[2] c;
rx(theta2) q[0];
ry(theta10) q[1];
cx q[0], q[1];
rz(theta2 + theta10) q[1];
c = measure q;
"""
# binding order is by name: (theta10, theta2)
SETS = [[0.0, 0.0], [0.3, 1.1], [math.pi, 0.5], [-0.8, 2.9], [1.7, -math.pi / 2]]


def bound(theta10: float, theta2: float) -> str:
    """The sweep's source with one set written in by hand."""
    text = SWEEP.replace("input float theta2;\n", "").replace("input float theta10;\n", "")
    return text.replace("theta10", repr(theta10)).replace("theta2", repr(theta2))


def test_a_sweep_equals_binding_each_set_by_hand(aer, qiskit_toolkit):
    sweep = run_outputs(aer, qiskit_toolkit, [SWEEP], run_type=RunType.STATEVECTOR, parameters=SETS)
    by_hand = [
        run_outputs(aer, qiskit_toolkit, [bound(*s)], run_type=RunType.STATEVECTOR)[0] for s in SETS
    ]
    np.testing.assert_allclose(sweep, by_hand, atol=1e-12)
    observables = [[["ZZ", "XI"], [1.0, 0.5]], [["IY"], [1.0]], [["ZI"], [-1.0]]]
    sweep_ev = run_outputs(
        aer,
        qiskit_toolkit,
        [SWEEP],
        run_type=RunType.STATEVECTOR,
        parameters=SETS,
        observables=observables,
    )
    hand_ev = [
        run_outputs(
            aer,
            qiskit_toolkit,
            [bound(*s)],
            run_type=RunType.STATEVECTOR,
            observables=observables,
        )[0]
        for s in SETS
    ]
    np.testing.assert_allclose(sweep_ev, hand_ev, atol=1e-12)


def test_sampled_sweep_follows_each_sets_distribution(aer, qiskit_toolkit):
    shots = 2000
    counts = run_outputs(
        aer, qiskit_toolkit, [SWEEP], shots=shots, parameters=SETS, options={"seed_simulator": 9}
    )
    states = run_outputs(
        aer, qiskit_toolkit, [SWEEP], run_type=RunType.STATEVECTOR, parameters=SETS
    )
    for sampled, (real, imag) in zip(counts, states, strict=True):
        probabilities = np.abs(np.array(real) + 1j * np.array(imag)) ** 2
        assert sum(sampled.values()) == shots
        for index, p in enumerate(probabilities):
            assert within_binomial(sampled.get(format(index, "02b"), 0), shots, p), sampled


@pytest.mark.parametrize("run_type", [RunType.RUN, RunType.STATEVECTOR])
def test_a_sweep_is_transpiled_once_and_simulated_in_one_call(
    qiskit_toolkit, monkeypatch, run_type
):
    backend = AerBackend()
    calls = []
    original = local._run

    def counting_run(*args, **kwargs):
        calls.append(args[3])  # the parameter sets of this call
        return original(*args, **kwargs)

    monkeypatch.setattr(local, "_run", counting_run)
    sets = [[0.1 * k, 0.2 * k] for k in range(50)]
    outputs = run_outputs(
        backend, qiskit_toolkit, [SWEEP], shots=10, parameters=sets, run_type=run_type
    )
    assert len(outputs) == 50
    assert len(calls) == 1 and len(calls[0]) == 50
    assert backend.engine.compiler.transpilations == 1
    calls.clear()
    sharded = run_outputs(
        backend,
        qiskit_toolkit,
        [SWEEP],
        shots=10,
        parameters=sets,
        run_type=run_type,
        shard_size=20,
    )
    assert len(sharded) == 50 and [len(c) for c in calls] == [20, 20, 10]  # a call per shard
    assert backend.engine.compiler.transpilations == 1
    backend.close()


@pytest.mark.parametrize("seed", [0, 42, 2**31 - 5])
def test_a_seeded_sweep_gives_the_same_counts_whatever_its_shards(aer, qiskit_toolkit, seed):
    """Aer seeds experiment i of a call with seed + 2113·i; each shard starts its piece of a
    batch at the seed the whole batch's call would have given it, so shards change nothing."""
    sets = [[0.1 * k, 0.3 * k] for k in range(12)]
    kwargs = {"shots": 200, "parameters": sets, "options": {"seed_simulator": seed}}
    observables = [[["ZZ", "XI"], [1.0, 0.5]]]
    whole = run_outputs(aer, qiskit_toolkit, [SWEEP], observables=observables, **kwargs)
    for size in (1, 5, 7):
        pieces = run_outputs(
            aer, qiskit_toolkit, [SWEEP], observables=observables, shard_size=size, **kwargs
        )
        assert pieces == whole


# Terms ZZ, ZI, IZ measure in one basis (Z on both qubits), XX and XI in another: 2 groups.
TWO_GROUPS = [[["ZZ", "ZI"], [1.0, 0.5]], [["IZ"], [1.0]], [["XX", "XI"], [1.0, -0.5]]]


def test_a_sweep_with_observables_is_transpiled_once_and_simulated_once_per_group(
    qiskit_toolkit, monkeypatch
):
    backend = AerBackend()
    calls = []
    original = local._run

    def counting_run(*args, **kwargs):
        calls.append(args[3])  # the parameter sets of this call
        return original(*args, **kwargs)

    monkeypatch.setattr(local, "_run", counting_run)
    spec = make_spec(
        qiskit_toolkit, [SWEEP], "aer_simulator", parameters=SETS, observables=TWO_GROUPS, shots=10
    )
    assert len(spec.plan.circuits[0].groups) == 2
    outputs = run_outputs(
        backend, qiskit_toolkit, [SWEEP], shots=10, parameters=SETS, observables=TWO_GROUPS
    )
    assert len(outputs) == 2 * len(SETS)  # counts per group and set
    assert [len(sets) for sets in calls] == [len(SETS), len(SETS)]
    assert backend.engine.compiler.transpilations == 1
    backend.close()


def test_an_exact_sweep_with_observables_is_one_estimator_call(qiskit_toolkit, monkeypatch):
    from qiskit_aer.primitives import EstimatorV2

    backend = AerBackend()
    sampled, estimated = [], []
    original_run, original_estimate = local._run, EstimatorV2.run

    def counting_run(*args, **kwargs):
        sampled.append(args[3])
        return original_run(*args, **kwargs)

    def counting_estimate(self, pubs, *args, **kwargs):
        estimated.append(list(pubs))
        return original_estimate(self, pubs, *args, **kwargs)

    monkeypatch.setattr(local, "_run", counting_run)
    monkeypatch.setattr(EstimatorV2, "run", counting_estimate)
    outputs = run_outputs(
        backend,
        qiskit_toolkit,
        [SWEEP],
        run_type=RunType.STATEVECTOR,
        parameters=SETS,
        observables=TWO_GROUPS,
    )
    assert len(outputs) == len(SETS) and all(len(values) == 3 for values in outputs)
    # One call, one PUB, every parameter set in it: not one evaluation per set.
    assert len(estimated) == 1 and len(estimated[0]) == 1, estimated
    _, _, values = estimated[0][0]
    assert np.asarray(values).shape == (len(SETS), 2)
    assert sampled == []
    assert backend.engine.compiler.transpilations == 1
    backend.close()

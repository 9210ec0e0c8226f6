"""Issue 16, item 2: `RunResult` on every result shape of the run contract (§5)."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp, Statevector

from qdispatch import MissingExtra, ResultKindError, RunResult
from tests.samples import BELL_QASM2

SEED = {"seed_simulator": 11}


def rotation(name: str = "theta") -> tuple[QuantumCircuit, Parameter]:
    theta = Parameter(name)
    circuit = QuantumCircuit(2)
    circuit.ry(theta, 0)
    circuit.cx(0, 1)
    return circuit, theta


def measured(circuit: QuantumCircuit) -> QuantumCircuit:
    circuit = circuit.copy()
    circuit.measure_all()
    return circuit


def run(client, circuits, **request) -> RunResult:
    handle = client.run(circuits, "aer_simulator", experiment="results", **request)
    return handle.result(120)


def test_counts_of_several_circuits_and_parameter_sets(aer_client, tmp_path):
    circuit, _ = rotation()
    angles = np.linspace(0, math.pi, 5)
    result = run(
        aer_client,
        [measured(circuit), BELL_QASM2],
        parameters=[angles.reshape(-1, 1), []],
        shots=400,
        options=SEED,
    )
    assert result.kind == "counts" and result.raw == result.job.results
    assert result.num_circuits == 2 and result.num_parameter_sets(0) == 5
    assert result.num_parameter_sets(1) == 1 and result.parameter_names(0) == ["theta"]
    assert np.allclose(result.parameter_values(0)[:, 0], angles)
    assert result.counts(0, 0) == {"00": 400}  # theta = 0
    assert result.counts(0, 4) == {"11": 400}  # theta = pi
    assert sum(result.counts(1).values()) == 400 and set(result.counts(1)) <= {"00", "11"}
    probabilities = result.probabilities(0, 2)
    assert math.isclose(sum(probabilities.values()), 1.0)
    assert probabilities == {b: n / 400 for b, n in result.counts(0, 2).items()}
    frame = result.to_dataframe()
    assert list(frame.columns) == [
        "circuit",
        "circuit_id",
        "parameter_set",
        "theta",
        "outcome",
        "count",
        "probability",
    ]
    assert frame["count"].sum() == 400 * 6
    assert frame[frame.circuit == 1]["theta"].isna().all()
    figure = result.plot()
    assert isinstance(figure, Figure) and len([a for a in figure.axes if a.get_visible()]) == 2
    figure.savefig(tmp_path / "counts.png")
    with pytest.raises(IndexError, match="parameter set 5 out of range"):
        result.counts(0, 5)
    with pytest.raises(IndexError, match="circuit 2 out of range"):
        result.counts(2)
    with pytest.raises(ResultKindError, match="expectation values need observables"):
        _ = result.expectation_values


def test_quasi_probabilities_of_a_mitigated_job_keep_the_raw_counts(aer_client):
    handle = aer_client.run(
        BELL_QASM2,
        "fake_athens",
        shots=2000,
        use_mitigation=True,
        options=SEED,
        experiment="results",
    )
    result = handle.result(300)
    assert result.kind == "quasi" and result.job.mitigation["applied"]
    (per_set,) = result.quasi_dists
    (quasi,) = per_set
    assert quasi == result.raw[0] and math.isclose(sum(quasi.values()), 1.0, abs_tol=1e-6)
    assert result.probabilities() == quasi
    raw = result.counts()
    assert raw == result.job.raw_results[0] and sum(raw.values()) == 2000
    assert all(isinstance(n, int) for n in raw.values())
    frame = result.to_dataframe()
    assert set(frame.columns) >= {"outcome", "quasi_probability", "probability"}
    assert result.plot() is not None


def test_state_vectors_equal_qiskits_for_every_circuit_and_set(aer_client):
    circuit, theta = rotation()
    ghz = QuantumCircuit(3)
    ghz.h(0)
    ghz.cx(0, 1)
    ghz.cx(1, 2)
    angles = [0.3, 1.1, 2.5]
    result = run(aer_client, [circuit, ghz], run_type="StatevectorRun", parameters=[angles, []])
    assert result.kind == "statevector"
    for p, angle in enumerate(angles):
        expected = Statevector.from_instruction(circuit.assign_parameters([angle]))
        assert result.statevector(0, p) == expected
    assert result.statevector(1) == Statevector.from_instruction(ghz)
    assert result.probabilities(1) == pytest.approx({"000": 0.5, "111": 0.5})
    frame = result.to_dataframe()
    ghz_rows = frame[frame.circuit == 1]
    assert list(ghz_rows.outcome) == ["000", "111"]
    assert np.allclose(ghz_rows.amplitude.to_numpy(), [2**-0.5, 2**-0.5])
    with pytest.raises(ResultKindError):
        result.counts()


def test_expectation_values_without_parameters(aer_client):
    result = run(
        aer_client,
        BELL_QASM2,
        observables=[SparsePauliOp(["ZZ", "XX"], [1, 0.5]), "ZI"],
        run_type="StatevectorRun",
    )
    assert result.kind == "expectation"
    assert result.expectation_values.shape == (1, 2, 1)
    assert np.allclose(result.evs, [1.5, 0.0], atol=1e-12)
    assert np.allclose(result.stds, 0.0)
    assert result.expectation_value(o=0) == pytest.approx(1.5)
    assert result.observable_labels() == ["ZZ + 0.5·XX", "ZI"]
    single = run(aer_client, BELL_QASM2, observables="ZZ", run_type="StatevectorRun")
    assert single.evs.shape == () and float(single.evs) == pytest.approx(1.0)


def test_sampled_expectation_values_of_several_circuits_with_parameters(aer_client, tmp_path):
    circuit, _ = rotation()
    other, _ = rotation("phi")
    angles = np.linspace(0, math.pi, 7)
    result = run(
        aer_client,
        [circuit, other],
        parameters=[angles, angles[:3]],
        observables=[["ZZ", "ZI", "XX"], ["ZZ"]],
        shots=4000,
        options=SEED,
    )
    values, errors = result.expectation_values, result.standard_errors
    assert values.shape == errors.shape == (2, 3, 7)
    assert np.isnan(values[1, 1:, :]).all() and np.isnan(values[1, 0, 3:]).all()
    exact_zi = np.cos(angles)  # <ZI> after ry(theta) on qubit 0 then cx
    assert np.all(np.abs(values[0, 1] - exact_zi) <= 5 * errors[0, 1] + 1e-9)
    assert np.allclose(values[0, 0], 1.0)  # ZZ is 1: the two qubits always agree
    assert (errors[0, 1, 1:-1] > 0).all()
    frame = result.to_dataframe()
    assert len(frame) == 3 * 7 + 3
    assert list(frame.columns) == [
        "circuit",
        "circuit_id",
        "observable",
        "observable_label",
        "parameter_set",
        "theta",
        "phi",
        "value",
        "std_error",
    ]
    row = frame[(frame.circuit == 0) & (frame.observable == 1) & (frame.parameter_set == 3)]
    assert row.theta.item() == pytest.approx(angles[3]) and row.observable_label.item() == "ZI"
    assert row.value.item() == values[0, 1, 3] and row.std_error.item() == errors[0, 1, 3]
    figure = result.plot()
    figure.savefig(tmp_path / "sweep.png")
    lines = figure.axes[0].get_lines()
    assert len(figure.axes[0].get_legend().get_texts()) == 3 and lines
    with pytest.raises(ResultKindError):
        result.counts()


def test_missing_optional_libraries_say_which_extra_to_install(aer_client, monkeypatch):
    result = run(aer_client, BELL_QASM2, shots=10)
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtra, match=r"pip install 'qdispatch\[pandas\]'"):
        result.to_dataframe()
    with pytest.raises(MissingExtra, match=r"pip install 'qdispatch\[plot\]'"):
        result.plot()

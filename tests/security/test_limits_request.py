"""H3: each limit of a run request is a 400 that names the field, the figure, the limit and
its setting, leaves nothing stored, and can be raised with its QDISPATCH_LIMIT_… setting."""

from __future__ import annotations

import pytest

from qdispatch import App, Settings
from qdispatch.settings import LIMIT_NAMES, limits_from_env
from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.limits import KIB, CircuitLimits
from qdispatch_core.usecases import Limits, create_experiment, ensure_user, submit_run
from tests.conftest import fake_services

BELL = """OPENQASM 2.0;
qreg q[2];
creg c[2];
h q[0];
cx q[0], q[1];
measure q[0] -> c[0];
measure q[1] -> c[1];
"""
THETA = (
    "OPENQASM 3.0;\ninput float theta;\nqubit[1] q;\nbit[1] c;\nrx(theta) q[0];\nc = measure q;\n"
)


def refused(limits: Limits, **overrides) -> BadRequest:
    services = fake_services(limits=limits)
    user = ensure_user(services, "alice", 100)
    exp = create_experiment(services, user, "e")
    request = {"experiment_id": exp.id, "circuits_qasm": [BELL], "device_id": "dummy_simulator"}
    with pytest.raises(BadRequest) as err:
        submit_run(services, user, request | overrides)
    state = services.repository.state
    assert not state.circuits and not state.jobs  # nothing half-stored
    return err.value


@pytest.mark.parametrize(
    "limits, overrides, field, setting, words",
    [
        (Limits(circuits=2), {"circuits_qasm": [BELL] * 3}, "circuits_qasm", "CIRCUITS", "3"),
        (
            Limits(request_bytes=200),
            {"circuits_qasm": [BELL, BELL.replace("q[1]", "q[0]")]},
            "circuits_qasm",
            "REQUEST_BYTES",
            "source characters",
        ),
        (
            Limits(circuit=CircuitLimits(qasm2_bytes=50)),
            {},
            "circuits_qasm[0]",
            "QASM2_BYTES",
            "OpenQASM 2 source bytes",
        ),
        (
            Limits(circuit=CircuitLimits(qasm3_bytes=50)),
            {"circuits_qasm": [THETA], "parameters": [0.1]},
            "circuits_qasm[0]",
            "QASM3_BYTES",
            "OpenQASM 3 source bytes",
        ),
        (
            Limits(circuit=CircuitLimits(qubits=1)),
            {},
            "circuits_qasm[0]",
            "QUBITS",
            "qubits declared: 2",
        ),
        (
            Limits(circuit=CircuitLimits(clbits=1)),
            {},
            "circuits_qasm[0]",
            "CLBITS",
            "classical bits declared: 2",
        ),
        (
            Limits(pauli_characters=5),
            {"observables": [["ZZ", "XX", "YY"], [1.0, 1.0, 1.0]]},
            "observables",
            "PAULI_CHARACTERS",
            "Pauli characters (terms × qubits): 6",
        ),
        (
            Limits(parameter_sets=2),
            {"circuits_qasm": [THETA], "parameters": [[0.1], [0.2], [0.3]]},
            "parameters",
            "PARAMETER_SETS",
            "parameter sets: 3",
        ),
        (
            Limits(executables=3),
            {"circuits_qasm": [THETA], "parameters": [[0.1], [0.2], [0.3], [0.4]]},
            "parameters",
            "EXECUTABLES",
            "executables (circuits × measurement groups × parameter sets): 4",
        ),
        (
            Limits(shots=1000),
            {"circuits_qasm": [BELL, BELL], "shots": 600},
            "shots",
            "SHOTS",
            "600 × 2 executables",
        ),
        (
            Limits(result_bytes=30),
            {"shots": 100_000},
            "shots",
            "RESULT_BYTES",
            "min(100,000 shots, 2^2) outcomes × 10 bytes × 1 executable",
        ),
        (
            Limits(result_bytes=30),
            {"run_type": "StatevectorRun"},
            "run_type",
            "RESULT_BYTES",
            "2^2 amplitudes × 16 bytes × 1 set",
        ),
    ],
)
def test_each_limit_names_its_field_figure_and_setting(limits, overrides, field, setting, words):
    err = refused(limits, **overrides)
    assert err.code == 400 and err.field == field, err.message
    assert f"QDISPATCH_LIMIT_{setting}" in err.message, err.message
    assert words in err.message, err.message


def test_results_within_the_limit_are_accepted():
    services = fake_services(limits=Limits(result_bytes=100 * KIB))
    user = ensure_user(services, "alice", 100)
    exp = create_experiment(services, user, "e")
    request = {"experiment_id": exp.id, "circuits_qasm": [BELL], "device_id": "dummy_simulator"}
    assert submit_run(services, user, request | {"shots": 100_000}).status == "Submitted"
    assert submit_run(services, user, request | {"run_type": "StatevectorRun"}).status


def test_settings_raise_and_lower_every_limit(tmp_path):
    env = {"QDISPATCH_HOME": str(tmp_path)}
    env |= {f"QDISPATCH_LIMIT_{name.upper()}": str(7 + i) for i, name in enumerate(LIMIT_NAMES)}
    app = App(Settings.from_env(env))
    limits = app.services.limits
    for i, name in enumerate(LIMIT_NAMES):
        target = limits.circuit if hasattr(limits.circuit, name) else limits
        assert getattr(target, name) == 7 + i, name


@pytest.mark.parametrize(
    "env, words",
    [
        ({"QDISPATCH_LIMIT_QUBIT": "5"}, "unknown limit"),
        ({"QDISPATCH_LIMIT_QUBITS": "lots"}, "positive integer"),
        ({"QDISPATCH_LIMIT_SHOTS": "0"}, "positive integer"),
    ],
)
def test_a_misspelt_or_invalid_limit_stops_the_start(env, words):
    with pytest.raises(ValueError, match=words):
        limits_from_env(env)

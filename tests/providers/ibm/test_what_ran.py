"""What ran on IBM devices beyond sampled PUBs (issue 23 item 2): exact values on a fake twin
record the programs simulated, and cloud Estimator jobs the PUB circuits sent to IBM (read back
from the job after a restart, the same text)."""

from __future__ import annotations

from qdispatch_core.domain import JobStatus, RunType
from tests.contract.backend_contract import drive, make_spec
from tests.providers.ibm.conftest import run_outputs
from tests.samples import PARAM_2Q

# X on virtual qubit 1 of 3, no measurements.
X_ON_QUBIT_1 = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
x q[1];
"""
SETS = [[0.1, 0.2], [0.3, 0.4]]
ZZ = [[["ZZ"], [1.0]]]


def test_exact_values_on_a_twin_record_the_programs_simulated(ibm, qiskit_toolkit):
    execution = run_outputs(
        ibm,
        qiskit_toolkit,
        [X_ON_QUBIT_1, PARAM_2Q],
        run_type=RunType.STATEVECTOR,
        parameters=[[[]], SETS],
        observables=[[[["IZI"], [1.0]]], ZZ],
    )
    ((value,), _, _) = execution.outputs
    assert value < -0.9  # qubit 1 flipped: ⟨Z₁⟩ ≈ -1 on the noisy state
    ran = execution.ran
    first, second = ran["executed"]
    assert [first["executables"], second["executables"]] == [[0, 1], [1, 2]]
    physical = first["virtual_to_physical"]
    program = ran["programs"][first["program"]]
    assert f"x ${physical[1]};" in program and "measure" not in program
    assert first["clbit_to_physical"] == [] and len(ran["programs"]) == 2
    assert "exact expectation values" in ran["exact"]
    assert ran["seeds"]["simulator_seeds"].startswith("not used")
    assert set(ran["versions"]) >= {"qiskit", "qiskit-aer"}


def test_an_estimator_job_records_the_pub_circuits_sent(
    cloud, calibration_dir, ibm_credentials, qiskit_toolkit
):
    from qdispatch_ibm import IBMBackend

    spec = make_spec(
        qiskit_toolkit,
        [PARAM_2Q],
        "ibm_manila",
        provider_estimates=True,
        shots=500,
        parameters=SETS,
        observables=ZZ,
        use_mitigation=True,
    )
    ids, state, execution = drive(
        IBMBackend(calibration_dir=calibration_dir), spec, ibm_credentials
    )
    assert state.status is JobStatus.DONE, state.message
    ran = execution.ran
    (executed,) = ran["executed"]
    assert executed["executables"] == [0, 2] and executed["clbit_to_physical"] == []
    assert len(executed["virtual_to_physical"]) == 2
    program = ran["programs"][executed["program"]]
    assert "input float[64] theta;" in program and "measure" not in program
    assert ran["resilience_level"] == 1 and "IBM's own choice" in ran["estimator"]
    assert "seed_simulator" not in ran["seeds"]
    # a worker restarted before fetching reads the circuits back from the job: the same text
    restarted = IBMBackend(calibration_dir=calibration_dir)
    device = restarted.get_device("ibm_manila", ibm_credentials)
    again = restarted.fetch(device, spec, ids, ibm_credentials).ran
    assert again["programs"] == ran["programs"]
    assert again["executed"][0]["program"] == executed["program"]

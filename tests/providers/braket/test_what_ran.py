"""What ran on Braket (issue 23 item 2): the program as sent, once per circuit and group however
many parameter sets (exact programs once per distinct bound program), and which qubit each
output bit reads; on cloud devices, the programs the tasks carried, recorded at submission."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from qdispatch_core.domain import RunType
from tests.contract.backend_contract import make_spec
from tests.providers.braket import cloud_stub as stub
from tests.providers.braket.conftest import run_job
from tests.providers.braket.test_cloud import (
    FORTE,
    GARNET,
    KEYS,
    S3,
    SV1,
    Cloud,
    garnet_capabilities,
    ionq_capabilities,
    sv1_capabilities,
)
from tests.samples import PARAM_2Q, ghz

CROSSED = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[2];
x q[2];
measure q[2] -> c[0];
measure q[0] -> c[1];
"""


def test_the_layout_maps_the_bits_as_the_counts_show(braket, qiskit_toolkit):
    execution = run_job(braket, qiskit_toolkit, [CROSSED], "braket_local_sv", shots=100)
    assert execution.outputs == [{"01": 100}]  # bit 0 reads qubit 2, the one flipped
    (executed,) = execution.ran["executed"]
    assert executed["clbit_to_physical"] == [2, 0]
    program = execution.ran["programs"][executed["program"]]
    assert "x q[2];" in program and "OPENQASM 3.0;" in program
    assert "amazon-braket-sdk" in execution.ran["versions"]


def test_a_sweep_stores_one_program_per_group(braket, qiskit_toolkit):
    sets = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    execution = run_job(
        braket,
        qiskit_toolkit,
        [PARAM_2Q],
        "braket_local_sv",
        shots=50,
        parameters=sets,
        observables=[[["ZZ"], [1.0]], [["XX"], [1.0]]],
    )
    ran = execution.ran
    assert [e["executables"] for e in ran["executed"]] == [[0, 3], [3, 3]]
    assert len(ran["programs"]) == 2  # ZZ and XX bases; the parameter sets are inputs


def test_exact_runs_record_each_bound_program_once(braket, qiskit_toolkit):
    sets = [[0.1, 0.2], [0.1, 0.2], [0.5, 0.6]]  # a repeat: one program, merged
    execution = run_job(
        braket,
        qiskit_toolkit,
        [PARAM_2Q],
        "braket_local_sv",
        run_type=RunType.STATEVECTOR,
        parameters=sets,
    )
    ran = execution.ran
    assert [e["executables"] for e in ran["executed"]] == [[0, 2], [2, 1]]
    assert len(ran["programs"]) == 2  # the values are bound into each program
    first, second = (ran["programs"][e["program"]] for e in ran["executed"])
    assert "#pragma braket result state_vector" in first and "input" not in first
    assert "0.1" in first and "0.5" in second
    assert ran["executed"][0]["virtual_to_physical"] == [0, 1]
    assert ran["executed"][0]["clbit_to_physical"] == []


# -- cloud devices: recorded at submission, from the programs the tasks carried ------------


@pytest.fixture
def cloud():
    with stub.braket_cloud("us-east-1") as east:
        yield Cloud({"us-east-1": east, "eu-north-1": stub.BraketCloud("eu-north-1")})


def _sent(created):
    """The program texts the tasks carried, as Braket received them."""
    found = []
    for task in created:
        action = json.loads(task["action"])
        found += [p["source"] for p in action.get("programs", [action])]
    return found


def test_a_cloud_simulator_job_records_the_programs_sent(cloud, qiskit_toolkit):
    east = cloud["us-east-1"]
    east.device(SV1, "SV1", "Amazon Braket", "SIMULATOR", sv1_capabilities())
    backend = cloud.backend()
    device = backend.get_device("aws_sv1")
    spec = make_spec(
        qiskit_toolkit,
        [CROSSED, PARAM_2Q],
        "aws_sv1",
        shots=10,
        parameters=[[], [[0.0, 0.0], [np.pi, 0.0]]],
        options=S3,
    )
    arns = east.expect_create(3)
    ids = backend.submit(device, spec, KEYS)
    for arn in arns:
        east.states(arn, "COMPLETED", "COMPLETED")
    execution = backend.fetch(device, spec, ids, KEYS)
    ran = execution.ran
    crossed, sweep = ran["executed"]
    assert [crossed["executables"], sweep["executables"]] == [[0, 1], [1, 2]]
    assert crossed["clbit_to_physical"] == [2, 0] and execution.outputs[0] == {"01": 10}
    # the two tasks of the sweep carried one program with different inputs
    assert set(_sent(east.created)) == set(ran["programs"].values())
    assert len(ran["programs"]) == 2 and "placement" not in ran
    assert "amazon-braket-sdk" in ran["versions"]


def test_a_qpu_given_virtual_qubits_records_that_braket_places_them(cloud, qiskit_toolkit):
    east = cloud["us-east-1"]
    east.device(FORTE, "Forte 1", "IonQ", "QPU", ionq_capabilities())
    backend = cloud.backend()
    device = backend.get_device("aws_ionq_forte_1")
    spec = make_spec(qiskit_toolkit, [CROSSED], "aws_ionq_forte_1", shots=10, options=S3)
    (arn,) = east.expect_create(1)
    ids = backend.submit(device, spec, KEYS)
    east.states(arn, "COMPLETED", "COMPLETED")
    ran = backend.fetch(device, spec, ids, KEYS).ran
    (executed,) = ran["executed"]
    assert executed["virtual_to_physical"] is None and executed["clbit_to_physical"] is None
    assert "Braket's compiler places" in ran["placement"]
    assert list(ran["programs"].values()) == _sent(east.created)
    # a process that did not submit the tasks (a restarted worker) reads the programs back
    # from the results, without the layout it never knew
    east.states(arn, "COMPLETED", "COMPLETED")
    again = cloud.backend().fetch(device, spec, ids, KEYS).ran
    assert again["programs"] == ran["programs"] and "another process" in again["read_back"]
    assert again["executed"] == [executed]  # its layout was null here too


def test_a_pinned_qpu_job_records_device_qubits_and_its_calibrations(qiskit_toolkit):
    with stub.braket_cloud("eu-north-1") as north:
        clouds = Cloud({"eu-north-1": north})
        north.device(GARNET, "Garnet", "IQM", "QPU", garnet_capabilities())
        backend = clouds.backend()
        device = backend.get_device("aws_iqm_garnet")
        options = {**S3, "seed_transpiler": 1}
        spec = make_spec(
            qiskit_toolkit,
            [ghz(3)],
            "aws_iqm_garnet",
            shots=100,
            use_mitigation=True,
            options=options,
        )
        (arn,) = north.expect_create(1)
        ids = backend.submit(device, spec, KEYS)
        north.states(arn, "COMPLETED", "COMPLETED")
        ran = backend.fetch(device, spec, ids, KEYS).ran
        north.states(arn, "COMPLETED", "COMPLETED")
        again = clouds.backend().fetch(device, spec, ids, KEYS).ran  # a restarted worker's
    (executed,) = ran["executed"]
    program = ran["programs"][executed["program"]]
    measured = [int(q) for q in re.findall(r"measure \$(\d+)", program)]
    assert executed["virtual_to_physical"] == measured  # b[q] reads source qubit q
    assert executed["clbit_to_physical"] == measured  # measure q[i] -> c[i] in ghz(3)
    assert len(ran["calibration_programs"]) == 2
    assert _sent(north.created) == [
        program,
        *(ran["programs"][p] for p in ran["calibration_programs"]),
    ]
    # read back from the program set's results: the same programs, calibrations apart
    assert again["programs"] == ran["programs"]
    assert again["calibration_programs"] == ran["calibration_programs"]
    assert [e["program"] for e in again["executed"]] == [executed["program"]]

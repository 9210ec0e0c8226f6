"""What ran (issue 23 item 2): a fake-twin job records its program as sent, layout, seeds and
SDK versions, and every door shows them: the library result, `qdispatch jobs show --ran`, and
get_job_results_and_status (compact unless include_programs)."""

from __future__ import annotations

import json

import pytest
from mcp import Client as McpClient

from qdispatch import App, Client, Settings
from qdispatch_mcp import build_server
from tests.adapters.cli.conftest import make_cli

# X on virtual qubit 1 of 3: the counts read 1 on classical bit 1 only ("010").
X_ON_QUBIT_1 = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[3];
x q[1];
measure q -> c;
"""


@pytest.fixture(scope="module")
def ran_job(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    client = Client(app=App(Settings.from_env({"QDISPATCH_HOME": str(home)})), progress=False)
    job = client.run(
        X_ON_QUBIT_1, device_id="fake_manila", shots=500, options={"seed_simulator": 9}
    )
    result = job.result(timeout=120)
    yield client, result
    client.close()


def test_the_layout_maps_the_measured_bits_as_the_counts_show(ran_job):
    _, result = ran_job
    counts = result.counts()
    assert max(counts, key=counts.get) == "010"
    ran = result.ran
    (executed,) = ran["executed"]
    physical = executed["virtual_to_physical"]
    assert executed["clbit_to_physical"] == physical  # measure q[i] -> c[i]
    program = ran["programs"][executed["program"]]
    assert f"x ${physical[1]};" in program  # the X sits on virtual qubit 1's physical qubit
    assert f"c[1] = measure ${physical[1]};" in program
    assert ran["seeds"]["seed_simulator"] == 9 and ran["seeds"]["seed_transpiler"] == 1
    assert set(ran["versions"]) >= {"qiskit", "qiskit-ibm-runtime", "qiskit-aer"}


def test_transpiling_the_stored_input_again_with_the_stored_seed_gives_the_same_program(ran_job):
    from qiskit import QuantumCircuit, qasm3, transpile
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    client, result = ran_job
    ran = result.ran
    (circuit_id,) = result.job.circuit_ids
    stored = client.app.services  # the stored input, as the job keeps it
    from qdispatch_core import usecases

    user = client.user
    source = usecases.get_circuit(stored, user, circuit_id).qasm
    again = transpile(
        QuantumCircuit.from_qasm_str(source),
        backend=FakeManilaV2(),
        optimization_level=ran["optimization_level"],
        seed_transpiler=ran["seeds"]["seed_transpiler"],
    )
    (executed,) = ran["executed"]
    assert qasm3.dumps(again) == ran["programs"][executed["program"]]


def test_jobs_show_ran_prints_programs_and_layouts(ran_job, tmp_path, monkeypatch):
    client, result = ran_job
    cli = make_cli(tmp_path, monkeypatch, client.app)
    shown = cli("jobs", "show", result.job.id, "--ran")
    assert shown.exit_code == 0, shown.output
    physical = result.ran["executed"][0]["virtual_to_physical"]
    assert f"q1→{physical[1]}" in shown.stdout and f"c1→{physical[1]}" in shown.stdout
    assert "OPENQASM 3.0;" in shown.stdout and "seed transpiler" in shown.stdout
    assert cli.json("jobs", "show", result.job.id, "--ran") == result.ran


@pytest.mark.anyio
async def test_get_job_results_and_status_is_compact_unless_asked(ran_job):
    client, result = ran_job
    async with McpClient(build_server(lambda: client.app)) as mcp:
        default = await mcp.call_tool("get_job_results_and_status", {"job_id": result.job.id})
        full = await mcp.call_tool(
            "get_job_results_and_status", {"job_id": result.job.id, "include_programs": True}
        )
    compact_ran = default.structured_content["plan"]["ran"]
    full_ran = full.structured_content["plan"]["ran"]
    assert full_ran == json.loads(json.dumps(result.ran))
    assert compact_ran["executed"] == full_ran["executed"]
    (size,) = compact_ran["programs"].values()
    (text,) = full_ran["programs"].values()
    assert size.startswith(f"{len(text)} characters")


def test_aer_describes_a_program_once_and_each_measurement_basis_apart(tmp_path):
    """The record of what ran is cached per program and basis (exporting the circuit again
    for every small job cost the worker ~3 ms of its GIL): a repeated job reuses it, and
    different measurement bases still get their own programs."""
    from qdispatch_aer import provenance

    bell = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nh q[0];\ncx q[0], q[1];\n'
    with Client(
        app=App(Settings.from_env({"QDISPATCH_HOME": str(tmp_path)})), progress=False
    ) as client:

        def ran() -> dict:
            zz_and_xx = [["ZZ", "XX"], [1.0, 1.0]]
            job = client.run(bell, "aer_simulator", shots=100, observables=zz_and_xx)
            return job.result(timeout=120).ran

        first = ran()
        hits = provenance._ran_cache().hits
        second = ran()
    assert provenance._ran_cache().hits >= hits + 2  # both bases came from the cache
    assert second == first
    groups = first["executed"]
    assert len(groups) == 2 and groups[0]["program"] != groups[1]["program"]
    # The circuit's own H in both programs, and the X basis's rotation on each qubit.
    assert sum(text.count("h q[") for text in first["programs"].values()) == 1 + 1 + 2

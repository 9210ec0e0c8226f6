"""H3: every resource bomb of the review is refused before the work it would cause, with a 400
that names the field, the figure and the limit's setting; and the server answers right after.

The bombs run in memory-limited children (the core on the real default: SQLite, the Qiskit
toolkit, Aer dry runs that transpile) and against the installed MCP server over stdio. The
bounds on time are generous: they tell a refusal from a bomb that went off, nothing finer.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.security.hostile_corpus import nested
from tests.security.stdio import (
    experiment,
    guarded_python,
    limited,
    stdio_server,
    still_answers,
    tool,
)

pytestmark = pytest.mark.anyio

# Far more than any refusal takes on a loaded machine; far less than any bomb runs.
REFUSED_WITHIN_S = 60

QASM3_HEAD = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
BIG_QASM3 = QASM3_HEAD + "qubit[2] q;\n" + "cx q[0], q[1];\n" * 20_000  # 300 kB
WIDE50 = "OPENQASM 2.0;\nqreg q[50];\n"
LOOP = QASM3_HEAD + "qubit[1] q;\nfor int i in [0:1000000000] { x q[0]; }\n"


def pauli_bomb(terms: int, qubits: int) -> list:
    strings = [format(i, f"0{qubits}b").replace("0", "Z").replace("1", "X") for i in range(terms)]
    return [strings, [1.0] * terms]


# (name, request overrides, field, words in the refusal)
BOMBS = [
    ("41 nested gates, OpenQASM 2", {"circuits_qasm": [nested(41, 2)]}, "circuits_qasm[0]",
     "QDISPATCH_LIMIT_OPERATIONS"),
    ("41 nested gates, OpenQASM 3", {"circuits_qasm": [nested(41, 3)]}, "circuits_qasm[0]",
     "QDISPATCH_LIMIT_OPERATIONS"),
    ("qubit[100000000]", {"circuits_qasm": ["OPENQASM 3.0;\nqubit[100000000] q;\n"]},
     "circuits_qasm[0]", "QDISPATCH_LIMIT_QUBITS"),
    ("a 10^9-iteration loop", {"circuits_qasm": [LOOP]}, "circuits_qasm[0]",
     "QDISPATCH_LIMIT_OPERATIONS"),
    ("300 kB of OpenQASM 3", {"circuits_qasm": [BIG_QASM3]}, "circuits_qasm[0]",
     "QDISPATCH_LIMIT_QASM3_BYTES"),
    ("10,000 circuits", {"circuits_qasm": ["OPENQASM 2.0;\nqreg q[1];\n"] * 10_000},
     "circuits_qasm", "QDISPATCH_LIMIT_CIRCUITS"),
    ("100,000 Pauli terms on 50 qubits", {"circuits_qasm": [WIDE50],
                                          "device_id": "aer_simulator_mps",
                                          "observables": pauli_bomb(100_000, 50)},
     "observables", "QDISPATCH_LIMIT_PAULI_CHARACTERS"),
    ("300,000 parameter sets", {"circuits_qasm": [QASM3_HEAD + "input float theta;\nqubit q;\n"
                                                  "bit c;\nrx(theta) q;\nc = measure q;\n"],
                                "parameters": [[0.5]] * 300_000},
     "parameters", "QDISPATCH_LIMIT_PARAMETER_SETS"),
    ("10^6 shots × 2,000 executables", {"circuits_qasm": [QASM3_HEAD + "input float theta;\n"
                                                        "qubit q;\nbit c;\nrx(theta) q;\n"
                                                        "c = measure q;\n"],
                                        "parameters": [[0.5]] * 2000, "shots": 1_000_000},
     "shots", "QDISPATCH_LIMIT_SHOTS"),
    ("a 24-qubit state vector", {"circuits_qasm": ["OPENQASM 2.0;\nqreg q[24];\n"],
                                 "run_type": "StatevectorRun"},
     "run_type", "QDISPATCH_LIMIT_RESULT_BYTES"),
]  # fmt: skip

CHILD = """
import json, sys, time, tempfile
from qdispatch import App, Settings
from qdispatch_core.errors import QDispatchError
from qdispatch_core.usecases import create_experiment, ensure_user, submit_run
bombs = json.loads(sys.stdin.read())
with App(Settings.from_env({"QDISPATCH_HOME": tempfile.mkdtemp()})) as app:
    services = app.services
    user = ensure_user(services, "mallory")
    exp = create_experiment(services, user, "bombs")
    out = {}
    for name, overrides in bombs:
        request = {"experiment_id": exp.id, "circuits_qasm": ["OPENQASM 2.0;\\nqreg q[1];\\n"],
                   "device_id": "aer_simulator", "dry_run": True, **overrides}
        started = time.monotonic()
        try:
            submit_run(services, user, request)
            out[name] = {"code": 200}
        except QDispatchError as err:
            out[name] = {"code": err.code, "field": err.field, "message": err.message[:600]}
        out[name]["seconds"] = time.monotonic() - started
    print(json.dumps(out))
"""


@pytest.mark.slow
def test_each_bomb_is_refused_by_the_core_before_its_work():
    payload = json.dumps([(name, overrides) for name, overrides, _, _ in BOMBS])
    done = subprocess.run(
        limited([sys.executable, "-c", CHILD]),
        input=payload,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    for name, _, field, words in BOMBS:
        answer = answers[name]
        assert answer["code"] == 400, (name, answer)
        assert answer["field"] == field, (name, answer)
        assert words in answer["message"], (name, answer)
        assert answer["seconds"] < REFUSED_WITHIN_S, (name, answer)


def test_a_circuit_within_every_limit_is_still_accepted():
    """The limits leave ordinary work alone: 4,096 unrolled operations, a 1,000-iteration loop,
    a 20-qubit register, a 10,000-term Hamiltonian, each through a dry run on Aer."""
    code = """
    import json, tempfile
    from qdispatch import App, Settings
    from qdispatch_core.usecases import create_experiment, ensure_user, get_job, submit_run
    from tests.security.hostile_corpus import nested
    loop = ('OPENQASM 3.0;\\ninclude "stdgates.inc";\\nqubit[2] q;\\nbit[2] c;\\n'
            'for int i in [0:1000] { h q[0]; cx q[0], q[1]; }\\nc = measure q;\\n')
    wide = ('OPENQASM 2.0;\\ninclude "qelib1.inc";\\nqreg q[20];\\ncreg c[20];\\n'
            'h q;\\nmeasure q -> c;\\n')
    terms = [format(i, "014b").replace("0", "Z").replace("1", "X") for i in range(10_000)]
    ham = ('OPENQASM 3.0;\\ninclude "stdgates.inc";\\nqubit[14] q;\\nh q[0];\\n')
    cases = [{"circuits_qasm": [nested(12, 2)]}, {"circuits_qasm": [loop]},
             {"circuits_qasm": [wide]},
             {"circuits_qasm": [ham], "observables": [terms, [1.0] * len(terms)]}]
    with App(Settings.from_env({"QDISPATCH_HOME": tempfile.mkdtemp()})) as app:
        user = ensure_user(app.services, "ada")
        exp = create_experiment(app.services, user, "fine")
        done = []
        for case in cases:
            request = {"experiment_id": exp.id, "device_id": "aer_simulator", "dry_run": True,
                       **case}
            job = get_job(app.services, user, submit_run(app.services, user, request).job_id).job
            done.append([job.status, job.plan["executables"]])
    print(json.dumps(done))
    """
    done = guarded_python(code)
    assert [status for status, _ in done] == ["Done"] * 4
    assert done[3][1] >= 1  # the Hamiltonian was grouped into measurement circuits


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# One bomb per kind over the real server: (tool arguments, words in the refusal).
STDIO_BOMBS = [
    ({"circuits_qasm": [nested(41, 2)]}, "QDISPATCH_LIMIT_OPERATIONS"),
    ({"circuits_qasm": ["OPENQASM 3.0;\nqubit[100000000] q;\n"]}, "QDISPATCH_LIMIT_QUBITS"),
    ({"circuits_qasm": [LOOP]}, "QDISPATCH_LIMIT_OPERATIONS"),
    ({"circuits_qasm": [BIG_QASM3]}, "QDISPATCH_LIMIT_QASM3_BYTES"),
    ({"circuits_qasm": ["OPENQASM 2.0;\nqreg q[1];\n"] * 10_000}, "QDISPATCH_LIMIT_CIRCUITS"),
    (
        {
            "circuits_qasm": [WIDE50],
            "device_id": "aer_simulator_mps",
            "observables": pauli_bomb(100_000, 50),
        },
        "QDISPATCH_LIMIT_PAULI_CHARACTERS",
    ),
]


@pytest.mark.slow
async def test_over_mcp_stdio_each_bomb_is_refused_and_the_server_answers_next(tmp_path):
    async with stdio_server(tmp_path / "home", tmp_path / "server.log") as client:
        exp = await experiment(client)
        for overrides, words in STDIO_BOMBS:
            arguments = {
                "experiment_id": exp,
                "circuits_qasm": ["OPENQASM 2.0;\nqreg q[1];\n"],
                "device_id": "aer_simulator",
                "dry_run": True,
                **overrides,
            }
            failed, text, seconds = await tool(
                client, "run_circuits_on_qpu_or_simulator", **arguments
            )
            assert failed and text.startswith("400 ") and words in text, text[:300]
            assert seconds < REFUSED_WITHIN_S, (words, seconds)
            await still_answers(client)

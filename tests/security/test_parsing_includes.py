"""C1: an `include` never reads a server file: the same refusal for a file that exists and one
that does not, no text of any file in any answer, through the core and the real MCP server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qdispatch_core.errors import BadRequest
from qdispatch_core.registry import BackendRegistry
from qdispatch_core.rules.qasm_scan import INCLUDE_REFUSED
from qdispatch_core.testing import FakeBackend, FakeCipher, InMemoryRepository
from qdispatch_core.usecases import (
    Services,
    create_experiment,
    ensure_user,
    submit_circuit,
    submit_run,
)
from qdispatch_qiskit import QiskitToolkit, parsing, qasm3_reader
from tests.security.stdio import experiment, stdio_server, still_answers, tool

pytestmark = pytest.mark.anyio

SECRET = "PLANTED7f3a9c0d"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def planted(tmp_path):
    """A file the server can read: a secret as its first identifier (what the review saw
    echoed from the Fernet key file), then a gate definition a circuit could call."""
    path = tmp_path / "server" / "secret.key"
    path.parent.mkdir()
    path.write_text(f"{SECRET};\ngate planted a {{ x a; }}\n")
    return path


def paths(planted) -> dict[str, str]:
    return {
        "existing file": str(planted),
        "missing file": str(planted.parent / "missing.key"),
        "up the tree": "../" * 16 + str(planted).lstrip("/"),
        "system file": "/etc/passwd",
        "relative": "secret.key",
        "qelib1 elsewhere": str(planted.parent / "qelib1.inc"),
    }


def qasm2(path: str) -> str:
    return f'OPENQASM 2.0;\ninclude "{path}";\nqreg q[1];\nplanted q[0];\n'


def qasm3(path: str) -> str:
    return f'OPENQASM 3.0;\ninclude "{path}";\nqubit[1] q;\nplanted q[0];\n'


@pytest.fixture
def services():
    registry = BackendRegistry(use_entry_points=False)
    registry.add(FakeBackend())
    return Services(InMemoryRepository(), registry, QiskitToolkit(), FakeCipher())


def refusal(call) -> BadRequest:
    with pytest.raises(BadRequest) as err:
        call()
    return err.value


@pytest.mark.parametrize("source", [qasm2, qasm3])
def test_every_include_but_the_built_in_one_gets_one_answer(services, planted, source):
    user = ensure_user(services, "alice")
    exp = create_experiment(services, user, "e")
    answers = set()
    for path in paths(planted).values():
        text = source(path)
        stored = refusal(lambda t=text: submit_circuit(services, user, exp.id, t))
        run = refusal(
            lambda t=text: submit_run(
                services,
                user,
                {"experiment_id": exp.id, "circuits_qasm": [t], "device_id": "dummy_simulator"},
            )
        )
        assert stored.field == "circuit_qasm" and run.field == "circuits_qasm[0]"
        assert INCLUDE_REFUSED in stored.message
        answers.add(stored.message)
        for said in (stored.message, run.message):
            assert SECRET not in said and "planted" not in said and path not in said
    assert len(answers) == 1, answers  # existing, missing, anywhere: the same words
    assert not services.repository.state.circuits


def test_the_built_in_includes_still_work(services):
    user = ensure_user(services, "alice")
    exp = create_experiment(services, user, "e")
    two = (
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\n'
        "rzz(0.5) q[0], q[1];\ncu1(0.1) q[0], q[1];\n"
    )
    three = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\ncrx(0.5) q[0], q[1];\n'
    assert submit_circuit(services, user, exp.id, two).analytics.gates_2q == 2
    assert submit_circuit(services, user, exp.id, three).analytics.gates_2q == 1


def test_behind_the_pre_scan_the_parsers_have_no_filesystem(planted, monkeypatch):
    """With the pre-scan out of the way (as if it missed one), the OpenQASM 2 parser has no
    include path at all, and the OpenQASM 3 converter refuses every include itself: the file's
    gate is never defined, its text never shows, existing and missing files read alike."""
    monkeypatch.setattr(parsing, "check_source", lambda *args: None)
    answers = []
    for name in ("existing file", "missing file"):
        path = paths(planted)[name]
        two = refusal(lambda p=path: parsing.parse_qasm_checked(qasm2(p))).message
        three = refusal(lambda p=path: parsing.parse_qasm_checked(qasm3(p))).message
        assert SECRET not in two + three and "'planted'" not in two
        assert INCLUDE_REFUSED in three
        answers.append((two.replace(path, "<path>"), three))
    assert answers[0] == answers[1]
    with pytest.raises(qasm3_reader.Qasm3Error):
        qasm3_reader.load_qasm3(qasm3(str(planted)))


# Qiskit's entry points that read files, or take a search path for includes.
FILE_READERS = re.compile(
    r"from_qasm_file|qasm2\.load\(|qasm3\.load\(|loads_experimental|include_path\s*=(?!\s*\(\))"
    r"|LEGACY_INCLUDE_PATH|include_input_directory"
)


def test_no_code_calls_a_qiskit_entry_point_that_reads_files():
    packages = Path(__file__).parents[2] / "packages"
    found = [
        f"{path.relative_to(packages)}:{number}: {line.strip()}"
        for path in packages.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if FILE_READERS.search(line)
    ]
    assert found == []


@pytest.mark.slow
async def test_over_mcp_stdio_the_answers_are_identical_and_the_server_carries_on(
    tmp_path, planted
):
    async with stdio_server(tmp_path / "home", tmp_path / "server.log") as client:
        exp = await experiment(client)
        answers = set()
        for path in paths(planted).values():
            for source in (qasm2(path), qasm3(path)):
                failed, stored, _ = await tool(
                    client, "submit_circuit_for_analytics", experiment_id=exp, circuit_qasm=source
                )
                assert failed and stored.startswith("400 circuit_qasm: line 2, column 1: ")
                failed, run, _ = await tool(
                    client,
                    "run_circuits_on_qpu_or_simulator",
                    experiment_id=exp,
                    circuits_qasm=[source],
                    device_id="aer_simulator",
                    dry_run=True,
                )
                assert failed and run.startswith("400 circuits_qasm[0]: line 2, column 1: ")
                for said in (stored, run):
                    assert SECRET not in said and path not in said
                answers.add(stored)
            await still_answers(client)
        assert len(answers) == 1, answers
        failed, listed, _ = await tool(client, "list_circuits_in_experiment", experiment_id=exp)
        assert not failed and json.loads(listed)["circuits"] == []  # nothing half-stored
    assert SECRET not in (tmp_path / "server.log").read_text()

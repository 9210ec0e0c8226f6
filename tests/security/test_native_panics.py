"""H4: a register beyond 64 bits panics Qiskit's Rust parser with PyO3's PanicException, a
BaseException. It is refused before the parser (the pre-scan), caught if it happens anyway
(parsing, analytics, transpiling), and no exception of any class takes down an MCP session."""

from __future__ import annotations

import anyio
import pytest
from mcp import Client

from qdispatch_core import usecases
from qdispatch_core.errors import BadRequest
from qdispatch_mcp import build_server
from qdispatch_mcp.calls import INTERNAL_ERROR, respond
from qdispatch_qiskit import QiskitToolkit, parsing
from qdispatch_qiskit.native import is_native_panic, refusing_panics
from tests.app.conftest import fake_app
from tests.security.stdio import experiment, stdio_server, still_answers, tool

pytestmark = pytest.mark.anyio

OVERFLOWING = [
    "OPENQASM 2.0;\nqreg q[18446744073709551617];\n",
    'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nx q[99999999999999999999];\n',
    "OPENQASM 2.0;\ncreg c[340282366920938463463374607431768211457];\n",
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def fake_panic() -> BaseException:
    """An exception of the same shape as PyO3's (its class lives in no importable module)."""
    kind = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})
    return kind("called `Result::unwrap()` on an `Err` value")


@pytest.mark.parametrize("source", OVERFLOWING)
def test_the_pre_scan_refuses_them_before_the_parser(source):
    with pytest.raises(BadRequest) as err:
        QiskitToolkit().inspect(source)
    assert "must be below 2^63" in err.value.message


def test_a_real_panic_behind_the_pre_scan_is_a_refusal(monkeypatch):
    """The pre-scan out of the way: Qiskit's parser really panics, and the caller gets a 400."""
    monkeypatch.setattr(parsing, "check_source", lambda *args: None)
    with pytest.raises(BadRequest) as err:
        parsing.parse_qasm_checked(OVERFLOWING[0])
    assert "panicked" in err.value.message and "ParseIntError" not in err.value.message


def test_the_guard_catches_panics_only():
    assert is_native_panic(fake_panic())
    with pytest.raises(BadRequest), refusing_panics("transpiling"):
        raise fake_panic()
    with pytest.raises(KeyboardInterrupt), refusing_panics("transpiling"):
        raise KeyboardInterrupt
    with pytest.raises(ValueError), refusing_panics("transpiling"):
        raise ValueError("an ordinary error keeps its own handling")


async def test_respond_turns_any_failure_into_the_internal_error_but_lets_exits_through():
    async def panics():
        raise fake_panic()

    result = await respond("tool", panics)
    assert result.is_error and result.content[0].text == INTERNAL_ERROR

    async def cancelled():
        raise anyio.get_cancelled_exc_class()()

    with pytest.raises(anyio.get_cancelled_exc_class()):
        await respond("tool", cancelled)

    async def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await respond("tool", interrupted)


async def test_a_panic_in_a_tool_leaves_the_session_serving(tmp_path, monkeypatch):
    def panicking_submit(*args, **kwargs):
        raise fake_panic()

    monkeypatch.setattr(usecases, "submit_run", panicking_submit)
    app = fake_app(tmp_path)
    async with Client(build_server(lambda: app)) as client:
        exp = await experiment(client)
        failed, text, _ = await tool(
            client,
            "run_circuits_on_qpu_or_simulator",
            experiment_id=exp,
            circuits_qasm=["OPENQASM 2.0;\nqreg q[1];\n"],
            device_id="dummy_simulator",
        )
        assert failed and text == INTERNAL_ERROR
        await still_answers(client)
    app.close()


@pytest.mark.slow
async def test_over_mcp_stdio_overflowing_registers_are_400s_and_the_server_lives(tmp_path):
    async with stdio_server(tmp_path / "home", tmp_path / "server.log") as client:
        exp = await experiment(client)
        for source in OVERFLOWING:
            for name, arguments in (
                ("submit_circuit_for_analytics", {"circuit_qasm": source}),
                (
                    "run_circuits_on_qpu_or_simulator",
                    {"circuits_qasm": [source], "device_id": "aer_simulator", "dry_run": True},
                ),
            ):
                failed, text, _ = await tool(client, name, experiment_id=exp, **arguments)
                assert failed and text.startswith("400 ") and "2^63" in text, text
                await still_answers(client)
    assert "panicked" not in (tmp_path / "server.log").read_text()  # refused before the parser

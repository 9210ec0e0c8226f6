"""One request value from every door: the library, the CLI and the MCP tool each build one
`RunRequest` and hand it to `submit_run`, and the same run asked for at each door is the same
request (issue 21). In process, on the core's fakes."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client as McpClient

from qdispatch import Client
from qdispatch_core import usecases
from qdispatch_core.errors import BadRequest
from qdispatch_core.schemas import RunRequest
from qdispatch_mcp import build_server
from tests.adapters.cli.conftest import make_cli
from tests.adapters.mcp.conftest import call, refused
from tests.app.conftest import fake_app
from tests.samples import BELL_QASM2


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def app(tmp_path):
    app = fake_app(tmp_path)
    yield app
    app.close()


@pytest.fixture
def handed(monkeypatch) -> list[Any]:
    """What each door hands to `submit_run` (the real one then runs)."""
    requests: list[Any] = []
    real = usecases.submit_run

    def spy(services, user, request, **keywords):
        requests.append(request)
        return real(services, user, request, **keywords)

    monkeypatch.setattr(usecases, "submit_run", spy)
    return requests


def _without_experiment(request: RunRequest) -> dict[str, Any]:
    return request.model_dump(exclude={"experiment_id"})


def by_library(app) -> None:
    Client(app=app).run(BELL_QASM2, "dummy_simulator", shots=100, name="bell")


def by_cli(app, tmp_path, monkeypatch) -> None:
    cli = make_cli(tmp_path, monkeypatch, app)
    document = cli.json("run", cli.qasm(), "-d", "dummy_simulator", "--shots", "100")
    assert document["status"] == "Submitted"


async def by_mcp(app) -> None:
    async with McpClient(build_server(lambda: app)) as client:
        experiment = (await call(client, "create_new_experiment", name="e"))["id"]
        await call(
            client,
            "run_circuits_on_qpu_or_simulator",
            experiment_id=experiment,
            circuits_qasm=[BELL_QASM2],
            device_id="dummy_simulator",
            shots=100,
        )


@pytest.mark.anyio
async def test_every_door_hands_submit_run_one_typed_request_and_the_same_one(
    app, handed, tmp_path, monkeypatch
):
    by_library(app)
    by_cli(app, tmp_path, monkeypatch)
    await by_mcp(app)
    assert len(handed) == 3
    assert all(type(r) is RunRequest for r in handed)
    library, cli, mcp = (_without_experiment(r) for r in handed)
    assert library["circuits_qasm"] == cli["circuits_qasm"] == mcp["circuits_qasm"]
    assert library == mcp | {"name": "bell"}  # the library's call named its job
    assert cli == mcp


@pytest.mark.anyio
async def test_a_field_the_request_model_refuses_is_the_contract_400_at_the_library_and_mcp(
    app, handed
):
    with pytest.raises(BadRequest, match=r"^400 shots: ") as refused_by_library:
        Client(app=app).run(BELL_QASM2, "dummy_simulator", shots=True)  # not 1 shot
    assert refused_by_library.value.field == "shots"
    async with McpClient(build_server(lambda: app)) as client:
        experiment = (await call(client, "create_new_experiment", name="e"))["id"]
        text = await refused(
            client,
            "run_circuits_on_qpu_or_simulator",
            experiment_id=experiment,
            circuits_qasm=[BELL_QASM2],
            device_id="dummy_simulator",
            run_type="Sample",
        )
    assert text.startswith("400 run_type: ")
    assert handed == []  # refused before the use case: nothing reached submit_run

import pytest

from qdispatch_core.schemas import RunRequest
from tests.adapters.mcp.conftest import call, refused
from tests.samples import BELL_QASM2, BROKEN, PARAM_ORDER

pytestmark = pytest.mark.anyio

TOOLS = {
    "list_qpus_and_simulators",
    "get_device_details",
    "create_new_experiment",
    "list_experiments",
    "get_experiment",
    "submit_circuit_for_analytics",
    "list_circuits_in_experiment",
    "run_circuits_on_qpu_or_simulator",
    "get_job_results_and_status",
    "wait_for_job",
    "cancel_job",
    "list_jobs",
}


async def test_every_tool_is_described_annotated_and_structured(client):
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert len(tool.description) > 100, tool.name
        assert "context" in tool.output_schema["properties"], tool.name
        assert tool.annotations is not None and tool.annotations.title
    assert tools["list_jobs"].annotations.read_only_hint
    assert tools["cancel_job"].annotations.destructive_hint
    assert not tools["run_circuits_on_qpu_or_simulator"].annotations.read_only_hint


async def test_the_run_tool_takes_exactly_the_contract_request(client):
    tools = {t.name: t for t in (await client.list_tools()).tools}
    run = tools["run_circuits_on_qpu_or_simulator"]
    schema = run.input_schema
    assert list(schema["properties"]) == list(RunRequest.model_fields)
    assert sorted(schema["required"]) == ["device_id", "experiment_id"]
    assert schema["properties"]["run_type"]["enum"] == ["Run", "StatevectorRun"]
    for name, field in RunRequest.model_fields.items():
        assert schema["properties"][name]["description"] == field.description
    assert set(run.output_schema["properties"]) == {
        "job_id",
        "status",
        "device_id",
        "estimated_cost",
        "context",
    }
    assert "60" in tools["wait_for_job"].description


async def test_devices_are_listed_with_what_a_run_needs(client):
    out = await call(client, "list_qpus_and_simulators")
    devices = {d["id"]: d for d in out["devices"]}
    assert list(devices) == ["dummy_simulator", "dummy_qpu"]  # simulators first
    # The listing stays small: what choosing needs, flags only when true; the rest is in
    # get_device_details.
    assert devices["dummy_qpu"] == {
        "id": "dummy_qpu",
        "provider": "fake",
        "qubits": 5,
        "credentials": True,
        "paid": True,
    }
    assert devices["dummy_simulator"] == {
        "id": "dummy_simulator",
        "provider": "fake",
        "qubits": 10,
        "simulator": True,
        "local": True,
        "statevector": True,
    }
    assert "run_circuits_on_qpu_or_simulator" in out["context"]
    assert "fake: fake_token" in out["context"]  # which keys the credentials flag means
    assert len((await call(client, "list_qpus_and_simulators", provider="fake"))["devices"]) == 2
    none = await call(client, "list_qpus_and_simulators", provider="nosuch")
    assert none["devices"] == [] and "provider='nosuch'" in none["context"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"simulator": True}, ["dummy_simulator"]),
        ({"simulator": False}, ["dummy_qpu"]),
        ({"local": True}, ["dummy_simulator"]),
        ({"local": False}, ["dummy_qpu"]),
        ({"min_qubits": 5}, ["dummy_simulator", "dummy_qpu"]),
        ({"min_qubits": 6}, ["dummy_simulator"]),
        ({"min_qubits": 11}, []),
        ({"provider": "fake", "simulator": False, "min_qubits": 2}, ["dummy_qpu"]),
    ],
)
async def test_the_listing_takes_filters(client, filters, expected):
    out = await call(client, "list_qpus_and_simulators", **filters)
    assert [d["id"] for d in out["devices"]] == expected
    if not expected:
        assert "fewer filters" in out["context"]


async def test_listing_filters_of_the_wrong_type_are_refused(client):
    text = await refused(client, "list_qpus_and_simulators", min_qubits=0)
    assert text.startswith("400 min_qubits")
    text = await refused(client, "list_qpus_and_simulators", local="yes")
    assert text.startswith("400 local")


async def test_device_details_have_option_ranges_and_connectivity(client):
    out = await call(client, "get_device_details", device_id="dummy_qpu")
    device = out
    assert device["coupling_map"] == [[0, 1], [1, 2], [2, 3], [3, 4]]
    assert device["options"][0]["choices"] == ["low", "high"]
    assert "fake_token" in out["context"]
    text = await refused(client, "get_device_details", device_id="nope")
    assert text.startswith("404 device_id")


async def test_experiments_are_created_once_per_name_listed_and_read(client):
    assert (await call(client, "list_experiments"))["experiments"] == []
    first = await call(client, "create_new_experiment", name="bell", description="d")
    again = await call(client, "create_new_experiment", name="bell")
    exp_id = first["id"]
    assert again["id"] == exp_id and again["description"] == "d"
    assert f"experiment_id={exp_id}" in first["context"]
    listed = await call(client, "list_experiments")
    assert [e["id"] for e in listed["experiments"]] == [exp_id]
    assert (await call(client, "get_experiment", experiment_id=exp_id))["name"] == ("bell")


async def test_experiment_requests_are_refused_with_the_contract_codes(client):
    assert (await refused(client, "get_experiment", experiment_id="exp_nope")).startswith(
        "404 experiment_id"
    )
    assert (await refused(client, "create_new_experiment", name="  ")).startswith("400 name")
    text = await refused(client, "create_new_experiment", name="x" * 201)
    assert text.startswith("400 name: expected 1..200 characters")


async def test_a_circuit_is_stored_once_with_its_analytics(client):
    exp = (await call(client, "create_new_experiment", name="e"))["id"]
    out = await call(
        client, "submit_circuit_for_analytics", experiment_id=exp, circuit_qasm=BELL_QASM2
    )
    circuit = out
    assert circuit["analytics"]["qubits"] == 2 and circuit["analytics"]["has_measurements"]
    assert circuit["id"] in out["context"] and "circuit_ids" in out["context"]
    again = await call(
        client, "submit_circuit_for_analytics", experiment_id=exp, circuit_qasm=BELL_QASM2
    )
    assert again["id"] == circuit["id"]
    param = await call(
        client,
        "submit_circuit_for_analytics",
        experiment_id=exp,
        circuit_qasm=PARAM_ORDER,
        name="p",
    )
    assert param["analytics"]["parameter_names"] == ["theta10", "theta2"]
    assert "['theta10', 'theta2']" in param["context"]
    listed = await call(client, "list_circuits_in_experiment", experiment_id=exp)
    assert [c["id"] for c in listed["circuits"]] == [param["id"], circuit["id"]]
    assert (
        len(
            (await call(client, "list_circuits_in_experiment", experiment_id=exp, limit=1))[
                "circuits"
            ]
        )
        == 1
    )


async def test_circuit_requests_are_refused_with_the_contract_codes(client):
    exp = (await call(client, "create_new_experiment", name="e"))["id"]
    text = await refused(
        client, "submit_circuit_for_analytics", experiment_id=exp, circuit_qasm=BROKEN
    )
    assert text.startswith("400 circuit_qasm: line 4")
    text = await refused(
        client, "submit_circuit_for_analytics", experiment_id="exp_x", circuit_qasm=BELL_QASM2
    )
    assert text.startswith("404 experiment_id")
    assert (await refused(client, "list_circuits_in_experiment", experiment_id="exp_x")).startswith(
        "404"
    )
    text = await refused(client, "list_circuits_in_experiment", experiment_id=exp, limit=0)
    assert text.startswith("400 limit")
    assert (await call(client, "list_circuits_in_experiment", experiment_id=exp))["circuits"] == []

"""`qdispatch devices|experiments|circuits|users`, against the fakes."""

import json

from qdispatch_core.schemas import CircuitView, DeviceView, ExperimentView
from qdispatch_core.usecases import list_users
from tests.samples import BELL_QASM2, BELL_QASM3, BROKEN, PARAM_2Q


def test_devices_table_and_json(cli):
    result = cli("devices")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip()}
    assert lines["device"] == ["device", "provider", "kind", "qubits", "status", "price"]
    assert lines["dummy_qpu"] == ["dummy_qpu", "fake", "QPU", "5", "online", "$0.001/shot"]
    assert lines["dummy_simulator"][:3] == ["dummy_simulator", "fake", "simulator"]
    assert lines["dummy_simulator"][-1] == "free"
    devices = cli.json("devices")
    assert [d["id"] for d in devices] == ["dummy_simulator", "dummy_qpu"]  # simulators first
    assert set(devices[0]) == set(DeviceView.model_fields)
    assert devices[1]["needs_credentials"] is True
    assert cli.json("devices", "--provider", "fake") == devices
    assert cli.json("devices", "--qpus") == devices[1:]
    assert cli.json("devices", "--simulators", "--min-qubits", "3") == devices[:1]


def test_devices_show_has_everything_about_one(cli):
    shown = cli("devices", "show", "dummy_qpu")
    assert shown.exit_code == 0, shown.output
    assert "fake_token ($FAKE_TOKEN)" in shown.stdout and "--credentials-file" in shown.stdout
    assert "Options (--option KEY=VALUE)" in shown.stdout
    assert cli("devices", "dummy_qpu").stdout == shown.stdout  # `devices ID` is `devices show ID`
    assert cli.json("devices", "show", "dummy_qpu")["id"] == "dummy_qpu"
    missing = cli("devices", "show", "dummy_qbu")
    assert missing.exit_code == 1
    assert "error: 404 device_id: unknown device 'dummy_qbu'; did you mean 'dummy_qpu'?" in (
        missing.stderr
    )
    assert "`qdispatch devices` lists every device id" in missing.stderr
    assert "list_qpus_and_simulators" not in missing.stderr  # CLI words, not MCP tools


def test_devices_for_a_provider_that_is_not_installed(cli):
    assert cli.json("devices", "--provider", "nobody") == []
    result = cli("devices", "--provider", "nobody")
    assert result.exit_code == 0 and "provider 'nobody' is not installed" in result.stderr
    result = cli("devices", "--qpus", "--min-qubits", "500")
    assert result.exit_code == 0 and "no devices match: QPUs with at least 500 qubits" in (
        result.stderr
    )


def test_experiments(cli):
    created = cli.json("experiments", "create", "sweeps", "--description", "θ scans")
    assert set(created) == set(ExperimentView.model_fields) and created["name"] == "sweeps"
    again = cli("experiments", "create", "sweeps")  # an existing name returns that experiment
    assert again.exit_code == 0 and created["id"] in again.stdout
    listed = cli.json("experiments", "list")
    assert [e["id"] for e in listed] == [created["id"]]
    table = cli("experiments", "list")
    assert "sweeps" in table.stdout and "θ scans" in table.stdout

    cli.json("circuits", "add", cli.qasm(), "--experiment", "sweeps")
    cli.submit(cli.qasm(), "-d", "dummy_simulator", "--experiment", created["id"])
    shown = cli("experiments", "show", "sweeps")
    assert shown.exit_code == 0, shown.output
    assert "Circuits (1)" in shown.stdout and "Submitted" in shown.stdout
    assert cli.json("experiments", "show", created["id"]) == created


def test_experiment_refusals(cli):
    result = cli("experiments", "create", " ")
    assert result.exit_code == 1 and "error: 400 name" in result.stderr
    result = cli("experiments", "show", "missing")
    assert result.exit_code == 1 and "error: 404 experiment" in result.stderr
    assert cli("experiments", "create").exit_code == 2


def test_circuits_with_analytics(cli):
    added = cli.json("circuits", "add", cli.qasm(PARAM_2Q), "--name", "ansatz")
    assert set(added) == set(CircuitView.model_fields)
    assert added["analytics"]["parameter_names"] == ["phi", "theta"]
    again = cli.json("circuits", "add", cli.qasm(PARAM_2Q, "copy.qasm"))
    assert again["id"] == added["id"]  # the same source twice is one circuit

    shown = cli("circuits", "show", added["id"], "--qasm")
    assert shown.exit_code == 0, shown.output
    assert "qubits / clbits  2 / 2" in shown.stdout and "phi, theta" in shown.stdout
    assert "input float theta;" in shown.stdout  # the source, with --qasm
    document = cli.json("circuits", "show", added["id"])
    assert document["qasm"].startswith("OPENQASM 3.0;")

    listed = cli("circuits", "list")
    assert listed.exit_code == 0 and "ansatz" in listed.stdout and added["id"] in listed.stdout
    assert [c["id"] for c in cli.json("circuits", "list", "--experiment", "default")] == [
        added["id"]
    ]


def test_circuit_refusals(cli):
    path = cli.qasm(BROKEN)
    result = cli("circuits", "add", path)
    # the file the user passed, not the contract's field (issue 20)
    assert result.exit_code == 1 and f"error: 400 {path}: line 4, column" in result.stderr
    result = cli("circuits", "show", "cir_missing")
    assert result.exit_code == 1 and result.stderr.startswith("error: 404 ")
    result = cli("circuits", "list", "--experiment", "nothing")
    assert result.exit_code == 1 and "no experiment named 'nothing'" in result.stderr
    assert cli("circuits", "add", str(cli.tmp_path / "missing.qasm")).exit_code == 2


def test_users_create_shows_the_key_once(cli):
    result = cli("users", "create", "bob", "--credits", "12.5")
    assert result.exit_code == 0, result.output
    key = next(w for w in result.stdout.split() if w.startswith("qdk_"))
    assert "will not be shown again" in result.stderr
    assert cli.app.user_for_key(key).name == "bob"
    listed = cli("users", "list")
    assert "bob" in listed.stdout and "12.50" in listed.stdout
    assert key not in listed.stdout
    document = cli.json("users", "list")
    assert {u["name"]: u["balance_usd"] for u in document}["bob"] == "12.5"


def test_users_credit(cli):
    cli("users", "create", "carol")
    result = cli("users", "credit", "carol", "5")
    assert result.exit_code == 0 and "Balance of carol: $5.00" in result.stdout
    assert cli.json("users", "credit", "carol", "2.25") == {
        "name": "carol",
        "balance_usd": "7.25",
    }
    balances = {u.name: b for u, b in list_users(cli.app.services)}
    assert str(balances["carol"]) == "7.25"


def test_user_refusals(cli):
    cli("users", "create", "dave")
    result = cli("users", "create", "dave")
    assert result.exit_code == 1 and "error: 409 name" in result.stderr
    result = cli("users", "credit", "nobody", "5")
    assert result.exit_code == 1 and "error: 404 user" in result.stderr
    result = cli("users", "credit", "dave", "--", "-3")
    assert result.exit_code == 1 and "error: 400 amount: expected a non-negative" in result.stderr
    result = cli("users", "credit", "dave", "ten")
    assert result.exit_code == 1 and "error: 400 amount" in result.stderr
    result = cli("users", "create", "erin", "--credits", "lots")
    assert result.exit_code == 1 and "error: 400 credits" in result.stderr


def test_an_api_key_in_the_environment_acts_as_its_user(cli, monkeypatch):
    key = cli.json("users", "create", "frank", "--credits", "1")["api_key"]
    monkeypatch.setenv("QDISPATCH_API_KEY", key)
    job_id = cli.submit(cli.qasm(), "-d", "dummy_simulator")
    monkeypatch.delenv("QDISPATCH_API_KEY")
    result = cli("jobs", "show", job_id)  # the default user cannot see frank's job
    assert result.exit_code == 1 and result.stderr.startswith("error: 404 ")
    monkeypatch.setenv("QDISPATCH_API_KEY", "qdk_wrong")
    result = cli("jobs", "list")
    assert result.exit_code == 1 and "error: 401 invalid API key" in result.stderr


def test_circuits_add_several_files_named_after_them(cli):
    bell, ansatz = cli.qasm(BELL_QASM3, "bell.qasm"), cli.qasm(PARAM_2Q, "ansatz.qasm")
    added = cli.json("circuits", "add", bell, ansatz, "--experiment", "lib")
    assert [c["name"] for c in added] == ["bell", "ansatz"]
    assert [c["analytics"]["qubits"] for c in added] == [2, 2]
    table = cli("circuits", "add", bell, ansatz, "--experiment", "lib")
    assert table.exit_code == 0 and table.stdout.count("circuit ") == 2  # both, shown in turn
    one = cli.json("circuits", "add", cli.qasm(BELL_QASM2, "x.qasm"), "--name", "kept")
    assert one["name"] == "kept"  # --name wins for one file; the document stays one object


def test_circuits_add_refuses_one_name_for_several_files(cli):
    result = cli("circuits", "add", cli.qasm(), cli.qasm(PARAM_2Q, "b.qasm"), "--name", "x")
    assert result.exit_code == 2 and "--name names one circuit" in result.stderr
    assert cli.json("circuits", "list") == []


def test_circuits_list_without_an_experiment_lists_all_of_yours(cli):
    a = cli.json("circuits", "add", cli.qasm(), "--experiment", "one")
    b = cli.json("circuits", "add", cli.qasm(PARAM_2Q, "p.qasm"), "--experiment", "two")
    assert [c["id"] for c in cli.json("circuits", "list")] == [b["id"], a["id"]]
    assert [c["id"] for c in cli.json("circuits", "list", "--experiment", "two")] == [b["id"]]
    cli.json("experiments", "create", "empty")
    result = cli("circuits", "list", "--experiment", "empty")
    assert "no circuits in experiment 'empty'" in result.stderr


def test_circuits_stored_by_run_are_named_after_their_files(cli):
    document = cli.json(
        "run", cli.qasm(PARAM_2Q, "my_ansatz.qasm"), "-d", "dummy_simulator",
        "--parameters", "[0.1, 0.2]", "--dry-run",
    )  # fmt: skip
    (circuit,) = cli.json("jobs", "show", document["job_id"])["circuit_ids"]
    assert cli.json("circuits", "show", circuit)["name"] == "my_ansatz"
    result = cli("run", "-", "-d", "dummy_simulator", "--dry-run", "--json", input=BELL_QASM3)
    (from_stdin,) = cli.json("jobs", "show", json.loads(result.stdout)["job_id"])["circuit_ids"]
    assert cli.json("circuits", "show", from_stdin)["name"] == ""  # standard input: no name

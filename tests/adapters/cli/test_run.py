"""`qdispatch run`, against the fakes."""

import json

from qdispatch_core.schemas import JobView, RunResponse
from qdispatch_core.usecases import list_jobs
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, BROKEN, PARAM_2Q


def test_run_submits_and_says_what_to_do_next(cli):
    result = cli("run", cli.qasm(), "--device", "dummy_simulator")
    assert result.exit_code == 0, result.output
    (job,) = list_jobs(cli.app.services, cli.app.default_user)
    assert job.status.value == "Submitted" and job.shots == 1024
    assert f"Submitted job {job.id} to dummy_simulator" in result.stdout
    assert f"Next: qdispatch jobs wait {job.id}" in result.stdout
    assert "QDISPATCH_AUTOSTART_WORKER=0" in result.stdout  # no worker was started for it


def test_run_json_is_the_run_response(cli):
    document = cli.json("run", cli.qasm(), "-d", "dummy_simulator", "--shots", "10")
    assert set(document) == set(RunResponse.model_fields)
    assert document["status"] == "Submitted" and document["device_id"] == "dummy_simulator"


def test_run_starts_a_background_worker_unless_one_runs(cli, monkeypatch):
    started = []
    monkeypatch.setenv("QDISPATCH_AUTOSTART_WORKER", "1")
    monkeypatch.setattr(
        "qdispatch.background.ensure_background_worker",
        lambda settings: started.append(settings.database_url) or True,
    )
    result = cli("run", cli.qasm(), "-d", "dummy_simulator")
    assert result.exit_code == 0, result.output
    assert started == [cli.app.settings.database_url]
    assert "a background worker was started" in result.stdout


def test_run_wait_runs_here_and_prints_counts(cli):
    result = cli("run", cli.qasm(), "-d", "dummy_simulator", "--shots", "100", "--wait")
    assert result.exit_code == 0, result.output
    assert "Done" in result.stdout and "outcome" in result.stdout
    (job,) = list_jobs(cli.app.services, cli.app.default_user)
    (counts,) = job.results
    for bitstring, count in counts.items():
        assert any(
            line.split()[:2] == [bitstring, str(count)] for line in result.stdout.splitlines()
        )


def test_run_wait_json_is_the_whole_job_document(cli):
    document = cli.json("run", cli.qasm(), "-d", "dummy_simulator", "--shots", "64", "-w")
    assert set(document) == set(JobView.model_fields)
    JobView.model_validate(document)
    assert document["status"] == "Done" and sum(document["results"][0].values()) == 64


def test_parameters_and_readable_observables_reach_the_request(cli):
    document = cli.json(
        "run",
        cli.qasm(PARAM_2Q),
        "-d",
        "dummy_simulator",
        "--parameters",
        "[[0.1, 0.2], [0.3, 0.4]]",
        "-o",
        "ZZ:1.0,XX:0.5",
        "--observable",
        "IZ",
        "--wait",
    )
    assert document["observables"] == [[[["ZZ", "XX"], [1.0, 0.5]], [["IZ"], [1.0]]]]
    assert document["parameters"] == [[[0.1, 0.2], [0.3, 0.4]]]
    assert len(document["results"][0]) == 2 and len(document["results"][0][0]) == 2


def test_expectation_values_print_with_their_standard_errors(cli, tmp_path):
    params = tmp_path / "params.json"
    params.write_text('{"theta": 0.5, "phi": 0.25}')
    result = cli(
        "run",
        cli.qasm(PARAM_2Q),
        "-d",
        "dummy_simulator",
        f"--parameters=@{params}",
        "-o",
        "ZZ:2",
        "-w",
    )
    assert result.exit_code == 0, result.output
    assert "expectation value ± std. error" in result.stdout and "O1 = 2·ZZ" in result.stdout
    header = next(line.split() for line in result.stdout.splitlines() if "theta" in line)
    assert header == ["set", "phi", "theta", "O1"]  # parameter sets labelled by name
    (row,) = [line.split() for line in result.stdout.splitlines() if line.split()[:1] == ["1"]]
    assert row[1:3] == ["0.25", "0.5"] and row[4] == "±"


def test_several_circuits_with_observables_per_circuit(cli):
    bell = cli.qasm()
    other = cli.qasm(BELL_NO_MEASURE, "other.qasm")
    document = cli.json(
        "run", bell, other, "-d", "dummy_simulator", "-o", "ZZ", "-o", "2=XX:0.5", "-w"
    )
    assert document["observables"] == [[[["ZZ"], [1.0]]], [[["ZZ"], [1.0]], [["XX"], [0.5]]]]
    assert [len(r) for r in document["results"]] == [1, 2]


def test_stored_circuits_run_first_and_the_experiment_is_found_by_name(cli):
    added = cli.json("circuits", "add", cli.qasm(), "--experiment", "bells")
    document = cli.json(
        "run",
        cli.qasm(BELL_NO_MEASURE, "two.qasm"),
        "--circuit-id",
        added["id"],
        "-d",
        "dummy_simulator",
        "--statevector",
        "--experiment",
        "bells",
        "--name",
        "sv",
        "--description",
        "two states",
        "-w",
    )
    assert document["circuit_ids"][0] == added["id"] and len(document["circuit_ids"]) == 2
    assert document["experiment_id"] == added["experiment_id"]
    assert document["run_type"] == "StatevectorRun" and document["name"] == "sv"
    assert document["description"] == "two states"


def test_options_parse_as_json_and_dry_runs_need_no_worker(cli):
    result = cli(
        "run", cli.qasm(), "-d", "dummy_qpu", "--option", "priority=high", "--dry-run", "--mitigate"
    )
    assert result.exit_code == 0, result.output
    assert "Plan" in result.stdout and "validated and planned" in result.stdout
    assert "transpiled depth" in result.stdout
    (job,) = list_jobs(cli.app.services, cli.app.default_user)
    assert job.dry_run and job.use_mitigation and job.options == {"priority": "high"}
    assert cli.app._worker is None


def test_a_statevector_run_prints_amplitudes(cli):
    result = cli("run", cli.qasm(), "-d", "dummy_simulator", "--statevector", "-w")
    assert result.exit_code == 0, result.output
    assert "basis state" in result.stdout and "+1.0000+0.0000i" in result.stdout


def test_mitigated_results_are_quasi_probabilities(cli):
    result = cli(
        "run", cli.qasm(), "-d", "dummy_qpu", "--option", "fake_token=tok", "--mitigate", "-w"
    )
    assert result.exit_code == 0, result.output
    assert "quasi-probability" in result.stdout and "fake readout correction" in result.stdout
    assert "tok" not in result.stdout  # credentials never come back


def test_a_failed_job_exits_3_with_its_error(tmp_path, monkeypatch):
    from qdispatch import App
    from qdispatch_core.testing import FakeBackend
    from tests.adapters.cli.conftest import make_cli
    from tests.app.conftest import fake_app

    app = fake_app(tmp_path, FakeBackend(fail_message="device offline"), default_credits="10")
    cli = make_cli(tmp_path, monkeypatch, app)
    result = cli("run", cli.qasm(), "-d", "dummy_qpu", "--option", "fake_token=tok", "--wait")
    App.close(app)
    assert result.exit_code == 3, result.output
    assert "Error" in result.stdout and "device offline" in result.stdout
    assert "Log" in result.stdout  # an error shows the log that led to it


# -- refused requests: the contract's message on stderr, exit 1 ----------------------------


def test_bad_shots_are_a_400_on_stderr(cli):
    result = cli("run", cli.qasm(), "-d", "dummy_simulator", "--shots", "0")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: 400 shots: expected 1..100000")
    assert "Traceback" not in result.output and result.stdout == ""
    assert list_jobs(cli.app.services, cli.app.default_user) == []


def test_unknown_device_is_a_404(cli):
    result = cli("run", cli.qasm(), "-d", "nowhere")
    assert (
        result.exit_code == 1 and "error: 404 device_id: unknown device 'nowhere'" in result.stderr
    )


def test_a_backend_refusal_keeps_its_json_path(cli):
    result = cli("run", cli.qasm(), "-d", "dummy_simulator", "--option", "seed=13")
    assert result.exit_code == 1
    assert "error: 400 options['seed']: 13 is unlucky" in result.stderr


def test_unparsable_qasm_names_the_circuits_file(cli):
    path = cli.qasm(BROKEN)
    result = cli("run", path, "-d", "dummy_simulator")
    assert result.exit_code == 1 and f"error: 400 {path}: line 4" in result.stderr


def test_payment_required_is_a_402(cli):
    two = [cli.qasm(), cli.qasm(BELL_NO_MEASURE.replace("cx", "cz"), "b.qasm")]
    args = ["-d", "dummy_qpu", "--option", "fake_token=t", "--shots", "10000", "-o", "ZZ"]
    result = cli("run", *two, *args)  # $0.001 a shot: $20 against a balance of $10
    assert result.exit_code == 1 and result.stderr.startswith("error: 402 ")


def test_no_circuit_at_all_is_a_400(cli):
    result = cli("run", "-d", "dummy_simulator", "--shots", "5")
    assert result.exit_code == 1 and "error: 400 circuit_ids/circuits_qasm" in result.stderr


def test_an_experiment_id_that_does_not_exist_is_a_404_not_a_new_name(cli):
    result = cli("run", cli.qasm(), "-d", "dummy_simulator", "--experiment", "exp_" + "0" * 32)
    assert result.exit_code == 1 and result.stderr.startswith("error: 404 ")


# -- usage errors: exit 2 --------------------------------------------------------------------


def test_usage_errors_exit_2(cli):
    qasm = cli.qasm()
    cases = [
        ["run", qasm],  # no --device
        ["run", str(cli.tmp_path / "missing.qasm"), "-d", "dummy_simulator"],
        ["run", qasm, "-d", "dummy_simulator", "--parameters", "[0.1,"],
        ["run", qasm, "-d", "dummy_simulator", "--option", "seed"],
        ["run", qasm, "-d", "dummy_simulator", "-o", "ZZ:big"],
        ["run", qasm, "-d", "dummy_simulator", "--shots", "many"],
        ["run", qasm, "-d", "dummy_simulator", "--frobnicate"],
    ]
    for args in cases:
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
    assert list_jobs(cli.app.services, cli.app.default_user) == []


def test_qasm_from_standard_input(cli):
    from tests.samples import BELL_QASM2

    result = cli("run", "-", "-d", "dummy_simulator", "--json", input=BELL_QASM2)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "Submitted"


def test_a_mistyped_option_key_suggests_the_right_one(cli):
    result = cli("run", cli.qasm(), "-d", "dummy_simulator", "--option", "sed=3")
    assert result.exit_code == 1
    assert "options['sed']: unknown option for device dummy_simulator; did you mean 'seed'?" in (
        result.stderr
    )
    assert "(accepted: seed" in result.stderr


def test_a_refused_circuit_names_its_file(cli):
    good = cli.qasm()
    bad = cli.qasm(BELL_QASM2.replace("h q[0];", "h q[0]"), name="ghz6.qasm")
    result = cli("run", good, bad, "--device", "dummy_simulator")
    assert result.exit_code == 1
    assert "400 " + bad + ": line 5, column 7: expected ';'" in result.output
    assert "circuits_qasm[1]" not in result.output
    added = cli("circuits", "add", bad)
    assert added.exit_code == 1
    assert bad + ": line 5, column 7: expected ';'" in added.output

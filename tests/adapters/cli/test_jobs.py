"""`qdispatch jobs list|show|wait|cancel|plot`, against the fakes."""

import json
import time

from PIL import Image

from qdispatch_core.schemas import JobSummary, JobView
from tests.samples import PARAM_2Q

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_list_shows_jobs_newest_first_and_filters(cli):
    first = cli.submit(cli.qasm(), "-d", "dummy_simulator", "--experiment", "a")
    second = cli.submit(cli.qasm(), "-d", "dummy_simulator", "--experiment", "b", "--name", "mine")
    cli("jobs", "cancel", first)
    result = cli("jobs", "list")
    assert result.exit_code == 0, result.output
    assert result.stdout.index(second) < result.stdout.index(first)
    assert "mine" in result.stdout and "Cancelled" in result.stdout
    listed = cli.json("jobs", "list", "--experiment", "a")
    assert [j["id"] for j in listed] == [first]
    assert set(listed[0]) == set(JobSummary.model_fields)
    assert [j["id"] for j in cli.json("jobs", "list", "--status", "Submitted")] == [second]
    assert len(cli.json("jobs", "list", "--limit", "1")) == 1


def test_list_refusals(cli):
    result = cli("jobs", "list", "--status", "Finished")
    assert result.exit_code == 1 and "error: 400 status: expected one of" in result.stderr
    result = cli("jobs", "list", "--experiment", "nope")
    assert (
        result.exit_code == 1
        and "error: 404 experiment: no experiment named 'nope'" in result.stderr
    )
    result = cli("jobs", "list", "--limit", "0")
    assert result.exit_code == 1 and "error: 400 limit" in result.stderr


def test_an_empty_list_says_how_to_start(cli):
    result = cli("jobs", "list")
    assert result.exit_code == 0 and "qdispatch run" in result.stderr


def test_show_a_job_before_and_after_it_runs(cli):
    job_id = cli.submit(cli.qasm(), "-d", "dummy_simulator", "--shots", "50")
    before = cli("jobs", "show", job_id)
    assert before.exit_code == 0 and "Submitted" in before.stdout
    assert f"qdispatch jobs wait {job_id}" in before.stderr
    cli.finish(job_id)
    after = cli("jobs", "show", job_id, "--logs")
    assert after.exit_code == 0 and "Done" in after.stdout and "outcome" in after.stdout
    assert "Log" in after.stdout and "Submitted" in after.stdout
    document = cli.json("jobs", "show", job_id)
    assert set(document) == set(JobView.model_fields) and document["status"] == "Done"


def test_show_an_unknown_job_is_a_404(cli):
    result = cli("jobs", "show", "job_missing")
    assert result.exit_code == 1 and result.stderr.startswith("error: 404 ")


def test_wait_follows_a_job_to_its_end(slow_cli):
    cli = slow_cli
    job_id = cli.submit(
        cli.qasm(PARAM_2Q), "-d", "dummy_simulator", "--parameters", "[[1,2],[3,4],[5,6]]"
    )
    cli.app.worker()
    result = cli("jobs", "wait", job_id)
    assert result.exit_code == 0, result.output
    assert "3/3 done" in result.stdout and "parameter set 3" in result.stdout


def test_wait_times_out_with_exit_4(cli):
    job_id = cli.submit(cli.qasm(), "-d", "dummy_simulator")  # no worker runs it
    started = time.monotonic()
    result = cli("jobs", "wait", job_id, "--timeout", "0.3")
    assert result.exit_code == 4, result.output
    assert time.monotonic() - started < 5
    assert "still Submitted after 0.3 s" in result.stderr
    assert f"qdispatch jobs wait {job_id}" in result.stderr


def test_wait_for_a_cancelled_job_exits_3(cli):
    job_id = cli.submit(cli.qasm(), "-d", "dummy_simulator")
    cli("jobs", "cancel", job_id)
    result = cli("jobs", "wait", job_id)
    assert result.exit_code == 3 and "Cancelled" in result.stdout


def test_wait_starts_a_background_worker_for_an_unfinished_job(cli, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "qdispatch.background.ensure_background_worker", lambda s: calls.append(s) or False
    )
    job_id = cli.submit(cli.qasm(), "-d", "dummy_simulator")
    calls.clear()
    cli("jobs", "wait", job_id, "--timeout", "0.1")
    assert len(calls) == 1


def test_ctrl_c_while_waiting_leaves_the_job_alone(cli, monkeypatch):
    job_id = cli.submit(cli.qasm(), "-d", "dummy_simulator")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("qdispatch_cli.waiting.follow", interrupted)
    result = cli("jobs", "wait", job_id)
    assert result.exit_code == 130
    assert f"goes on: qdispatch jobs wait {job_id}" in result.stderr
    assert cli.json("jobs", "show", job_id)["status"] == "Submitted"


def test_ctrl_c_during_run_wait_hands_the_job_to_a_background_worker(slow_cli, monkeypatch):
    cli = slow_cli
    started = []
    monkeypatch.setenv("QDISPATCH_AUTOSTART_WORKER", "1")
    monkeypatch.setattr(
        "qdispatch.background.ensure_background_worker", lambda s: started.append(s) or True
    )

    def interrupt_after_a_moment(*args, **kwargs):
        time.sleep(0.1)  # the in-process worker has the job by now
        raise KeyboardInterrupt

    monkeypatch.setattr("qdispatch_cli.waiting.follow", interrupt_after_a_moment)
    result = cli(
        "run", cli.qasm(PARAM_2Q), "-d", "dummy_simulator", "--parameters", "[[1,2],[3,4]]", "-w"
    )
    assert result.exit_code == 130, result.output
    assert len(started) == 1
    assert "a background worker was started to finish it" in result.stderr
    assert "qdispatch jobs wait job_" in result.stderr


def test_cancel(slow_cli):
    cli = slow_cli
    waiting = cli.submit(cli.qasm(), "-d", "dummy_simulator")
    result = cli("jobs", "cancel", waiting)
    assert result.exit_code == 0 and f"Job {waiting} is Cancelled." in result.stdout
    again = cli("jobs", "cancel", waiting)  # cancelling a final job changes nothing
    assert again.exit_code == 0 and f"Job {waiting} is Cancelled." in again.stdout
    done = cli.finish(cli.submit(cli.qasm(), "-d", "dummy_simulator"))["id"]
    result = cli("jobs", "cancel", done)
    assert result.exit_code == 0 and "already ended Done" in result.stdout

    sets = json.dumps([[i, i] for i in range(100)])
    running = cli.submit(cli.qasm(PARAM_2Q), "-d", "dummy_simulator", "--parameters", sets)
    cli.app.worker()
    deadline = time.monotonic() + 5
    while cli.json("jobs", "show", running)["status"] != "Running" and time.monotonic() < deadline:
        time.sleep(0.02)
    result = cli("jobs", "cancel", running)
    assert result.exit_code == 0 and "Cancellation of job" in result.stdout
    assert cli("jobs", "wait", running).exit_code == 3
    assert cli("jobs", "cancel", "job_missing").exit_code == 1


def _png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        return image.size


def test_plot_counts_expectations_and_states(cli, tmp_path):
    counts = cli.finish(cli.submit(cli.qasm(), "-d", "dummy_simulator"))["id"]
    expectations = cli.finish(
        cli.submit(
            cli.qasm(PARAM_2Q),
            "-d",
            "dummy_simulator",
            "--parameters",
            "[[1,2],[3,4]]",
            "-o",
            "ZZ",
            "-o",
            "XX:0.5",
        )
    )["id"]
    states = cli.finish(cli.submit(cli.qasm(), "-d", "dummy_simulator", "--statevector"))["id"]
    for job_id in (counts, expectations, states):
        path = tmp_path / f"{job_id}.png"
        result = cli("jobs", "plot", job_id, "--output", str(path))
        assert result.exit_code == 0, result.output
        assert f"Wrote {path}" in result.stdout
        width, height = _png(path)
        assert width > 300 and height > 200


def test_plot_many_distributions_in_panels(cli, tmp_path):
    sets = json.dumps([[i / 10, i / 5] for i in range(20)])
    job_id = cli.finish(
        cli.submit(cli.qasm(PARAM_2Q), "-d", "dummy_simulator", "--parameters", sets)
    )["id"]
    path = tmp_path / "many.png"
    assert cli("jobs", "plot", job_id, "-O", str(path)).exit_code == 0
    _png(path)


def test_plot_refuses_a_job_without_results(cli, tmp_path):
    job_id = cli.submit(cli.qasm(), "-d", "dummy_simulator")
    result = cli("jobs", "plot", job_id, "--output", str(tmp_path / "x.png"))
    assert (
        result.exit_code == 1 and "error: 409 job" in result.stderr and "Submitted" in result.stderr
    )
    dry = cli.submit(cli.qasm(), "-d", "dummy_simulator", "--dry-run")
    result = cli("jobs", "plot", dry, "--output", str(tmp_path / "x.png"))
    assert result.exit_code == 1 and "dry run" in result.stderr
    assert not (tmp_path / "x.png").exists()
    assert cli("jobs", "plot", dry).exit_code == 2  # --output is required


def test_dry_runs_read_as_dry_runs_with_estimated_prices(cli):
    real = cli.submit(cli.qasm(), "-d", "dummy_qpu", "--option", "fake_token=t", "--shots", "100")
    dry = cli.submit(cli.qasm(), "-d", "dummy_qpu", "--shots", "100", "--dry-run")
    listed = {j["id"]: j for j in cli.json("jobs", "list")}
    assert listed[dry]["dry_run"] is True and listed[real]["dry_run"] is False
    assert listed[dry]["status"] == "Done"  # the contract's status is unchanged
    table = cli("jobs", "list").stdout
    dry_line = next(line for line in table.splitlines() if line.startswith(dry))
    real_line = next(line for line in table.splitlines() if line.startswith(real))
    assert "dry run" in dry_line and "Done" not in dry_line
    assert "est. $0.1" in dry_line  # 100 shots at $0.001: an estimate, never money spent
    assert "est. $0.1" in real_line  # not finished either: still an estimate
    cli.finish(real)
    finished = next(line for line in cli("jobs", "list").stdout.splitlines() if real in line)
    assert "Done" in finished and "est." not in finished
    assert [j["id"] for j in cli.json("jobs", "list", "--dry-run")] == [dry]
    assert [j["id"] for j in cli.json("jobs", "list", "--no-dry-run")] == [real]


def test_statuses_in_any_case_and_did_you_mean(cli):
    job_id = cli.submit(cli.qasm(), "-d", "dummy_simulator")
    cli("jobs", "cancel", job_id)
    assert [j["id"] for j in cli.json("jobs", "list", "--status", "cancelled")] == [job_id]
    assert [j["id"] for j in cli.json("jobs", "list", "--status", "CANCELLED")] == [job_id]
    result = cli("jobs", "list", "--status", "canceled")
    assert result.exit_code == 1 and "did you mean 'Cancelled'?" in result.stderr


def test_an_empty_filtered_listing_says_which_filter_matched_nothing(cli):
    cli.submit(cli.qasm(), "-d", "dummy_simulator", "--experiment", "sweeps")
    result = cli("jobs", "list", "--status", "error", "--experiment", "sweeps")
    assert result.exit_code == 0 and result.stdout.strip().startswith("job")
    assert "no jobs match status Error in experiment 'sweeps'" in result.stderr
    assert "no jobs yet" not in result.stderr
    result = cli("jobs", "list", "--dry-run")
    assert "no jobs match that are dry runs" in result.stderr


def test_prefixed_ids_that_do_not_exist_are_404s_everywhere(cli):
    made = cli.json("experiments", "create", "real")
    for args in (
        ("run", cli.qasm(), "-d", "dummy_simulator", "--experiment", "exp_nope"),
        ("jobs", "list", "--experiment", "exp_nope"),
        ("circuits", "add", cli.qasm(), "--experiment", "exp_nope"),
        ("circuits", "list", "--experiment", "exp_nope"),
        ("experiments", "show", "exp_nope"),
        ("experiments", "create", "exp_nope"),
        ("run", "--circuit-id", "cir_nope", "-d", "dummy_simulator"),
        ("jobs", "show", "job_nope"),
    ):
        result = cli(*args)
        assert result.exit_code == 1 and "error: 404 " in result.stderr, args
    truncated = cli("run", cli.qasm(), "-d", "dummy_simulator", "--experiment", made["id"][:12])
    assert truncated.exit_code == 1 and f"did you mean {made['id']!r}?" in truncated.stderr
    names = {e["name"] for e in cli.json("experiments", "list")}
    assert not any(n.startswith("exp_") for n in names)  # never one named after an id
    assert cli.json("jobs", "list") == []


def test_a_narrow_terminal_drops_columns_never_an_id(cli, monkeypatch):
    from qdispatch_cli import output

    job_id = cli.submit(cli.qasm(), "-d", "dummy_simulator", "--name", "bell pair")
    for columns, kept in (
        (200, ["job", "name", "status", "device", "run", "type", "progress", "created", "cost"]),
        (80, ["job", "status", "device", "cost"]),  # the 9-letter name does not fit either
        (60, ["job", "status", "cost"]),
    ):
        monkeypatch.setenv("COLUMNS", str(columns))
        output.out.cache_clear()
        lines = cli("jobs", "list").stdout.splitlines()
        assert lines[0].split() == kept, columns
        assert lines[1].split()[0] == job_id and all(len(line) <= columns for line in lines)

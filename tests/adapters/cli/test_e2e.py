"""The installed `qdispatch` in a subprocess, on the embedded default: a SQLite file in a temp
QDISPATCH_HOME and the Aer simulator, as a person at a terminal uses it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qdispatch_core.schemas import JobSummary, JobView, RunResponse

ROOT = Path(__file__).resolve().parents[3]
BELL = ROOT / "examples" / "bell.qasm"
QDISPATCH = shutil.which("qdispatch", path=str(Path(sys.prefix) / "bin")) or shutil.which(
    "qdispatch"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.skipif(QDISPATCH is None, reason="the qdispatch command is not installed")


class Terminal:
    def __init__(self, home: Path, autostart: bool) -> None:
        self.home = home
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("QDISPATCH_") and k not in ("COLUMNS", "LINES")
        }
        self.env.update(
            QDISPATCH_HOME=str(home),
            QDISPATCH_AUTOSTART_WORKER="1" if autostart else "0",
            COLUMNS="200",
        )

    def __call__(
        self, *args: str, expect: int = 0, timeout: float = 120
    ) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [QDISPATCH, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == expect, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def json(self, *args: str, timeout: float = 120) -> object:
        return json.loads(self(*args, "--json", timeout=timeout).stdout)

    def stop_background_workers(self) -> None:
        """SIGTERM the detached workers this test's `qdispatch` started (found by their
        QDISPATCH_HOME, so nothing else is touched)."""
        marker = f"QDISPATCH_HOME={self.home}".encode()
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                cmdline = (proc / "cmdline").read_bytes()
                environ = (proc / "environ").read_bytes()
            except OSError:
                continue
            if b"qdispatch.worker" in cmdline and marker in environ.split(b"\0"):
                os.kill(int(proc.name), signal.SIGTERM)


@pytest.fixture
def terminal(tmp_path):
    return Terminal(tmp_path / "home", autostart=False)


@pytest.fixture
def background(tmp_path):
    shell = Terminal(tmp_path / "home", autostart=True)
    yield shell
    shell.stop_background_workers()


def counts_from_table(stdout: str) -> dict[str, int]:
    rows = [line.split() for line in stdout.splitlines()]
    return {
        r[0]: int(r[1]) for r in rows if len(r) >= 3 and set(r[0]) <= {"0", "1"} and r[1].isdigit()
    }


def test_quick_start_runs_a_bell_pair_on_aer_and_prints_the_counts(terminal):
    done = terminal("run", str(BELL), "--device", "aer_simulator", "--shots", "400", "--wait")
    counts = counts_from_table(done.stdout)
    assert set(counts) == {"00", "11"} and sum(counts.values()) == 400
    assert "Done" in done.stdout


def test_submit_show_work_wait_list_cancel_plot(terminal, tmp_path):
    response = terminal.json("run", str(BELL), "-d", "aer_simulator", "--shots", "300")
    assert set(response) == set(RunResponse.model_fields)
    job_id = response["job_id"]
    assert terminal.json("jobs", "show", job_id)["status"] == "Submitted"
    doomed = terminal.json("run", str(BELL), "-d", "aer_simulator")["job_id"]
    assert "Cancelled" in terminal("jobs", "cancel", doomed).stdout

    terminal("worker", "--idle-exit", "1", timeout=120)  # runs what is queued, then exits

    job = terminal.json("jobs", "wait", job_id, "--timeout", "30")
    assert set(job) == set(JobView.model_fields)
    JobView.model_validate(job)
    assert job["status"] == "Done" and job["run_type"] == "Run" and job["shots"] == 300
    (counts,) = job["results"]
    assert sum(counts.values()) == 300 and set(counts) <= {"00", "11"}
    shown = terminal("jobs", "show", job_id)
    assert counts_from_table(shown.stdout) == counts

    listed = terminal.json("jobs", "list")
    assert {j["id"]: j["status"] for j in listed} == {job_id: "Done", doomed: "Cancelled"}
    assert set(listed[0]) == set(JobSummary.model_fields)
    assert terminal("jobs", "wait", doomed, expect=3)

    picture = tmp_path / "bell.png"
    terminal("jobs", "plot", job_id, "--output", str(picture))
    assert picture.read_bytes()[:8] == PNG_SIGNATURE
    from PIL import Image

    with Image.open(picture) as image:
        image.verify()


def test_run_without_wait_completes_through_the_background_worker(background):
    submitted = background("run", str(BELL), "-d", "aer_simulator", "--shots", "100")
    assert "a background worker was started" in submitted.stdout
    job_id = next(w for w in submitted.stdout.split() if w.startswith("job_"))
    assert f"qdispatch jobs wait {job_id}" in submitted.stdout
    job = background.json("jobs", "wait", job_id, "--timeout", "90")
    assert job["status"] == "Done" and sum(job["results"][0].values()) == 100
    second = background.json("run", str(BELL), "-d", "aer_simulator")["job_id"]
    assert background.json("jobs", "wait", second, "--timeout", "60")["status"] == "Done"


def test_observables_parameters_and_a_dry_run_on_aer(terminal, tmp_path):
    ansatz = tmp_path / "ansatz.qasm"
    ansatz.write_text(
        'OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float theta;\nqubit[2] q;\n'
        "ry(theta) q[0];\ncx q[0], q[1];\n"
    )
    job = terminal.json(
        "run", str(ansatz), "-d", "aer_simulator", "--statevector",
        "--parameters", "[[0.0], [3.141592653589793]]", "-o", "ZZ:1,IZ:0.5", "--wait",
    )  # fmt: skip
    (((first, second),),) = job["results"]  # circuit → observable → parameter sets
    assert first == pytest.approx(1.5) and second == pytest.approx(0.5)
    dry = terminal("run", str(BELL), "-d", "aer_simulator", "--dry-run")
    assert "Plan" in dry.stdout and "nothing executed" in dry.stdout


def test_refusals_are_one_line_on_stderr(terminal, tmp_path):
    refused = terminal("run", str(BELL), "-d", "aer_simulator", "--shots", "0", expect=1)
    assert refused.stderr.startswith("error: 400 shots: expected 1..")
    assert refused.stdout == ""
    missing = terminal("run", str(tmp_path / "nothing.qasm"), "-d", "aer_simulator", expect=2)
    assert "no file" in missing.stderr
    assert terminal("jobs", "show", "job_nothing", expect=1).stderr.startswith("error: 404 ")


def _imports(*args: str, home: Path, module: bool = False, timeout: float = 60) -> set[str]:
    """The modules `qdispatch ARGS` (or `python -m ARGS`) imports, from Python's own import
    log, which names every module any thread imported with an import statement (one loaded by
    `importlib.import_module` is missing, the modules it imports are not: `_loaded` sees all)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QDISPATCH_")}
    env.update(QDISPATCH_HOME=str(home), QDISPATCH_AUTOSTART_WORKER="0")
    program = ["-m"] if module else [QDISPATCH]
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *program, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}


VENDOR_SDKS = ("qiskit", "qiskit_aer", "braket", "cirq", "cirq_ionq", "qiskit_ibm_runtime")


def test_help_imports_neither_the_core_nor_any_sdk(tmp_path):
    modules = _imports("--help", home=tmp_path)
    assert "typer" in modules
    loaded = {m.split(".")[0] for m in modules}
    assert not loaded & {"qdispatch_core", "qdispatch", "pydantic", "rich", *VENDOR_SDKS}


def test_devices_imports_no_vendor_sdk_no_numpy_and_no_database(tmp_path):
    for args in (("devices",), ("devices", "--qpus", "--min-qubits", "20")):
        modules = _imports(*args, home=tmp_path)
        loaded = {m.split(".")[0] for m in modules}
        assert "qdispatch_core" in loaded
        assert not loaded & {*VENDOR_SDKS, "numpy", "sqlalchemy", "matplotlib", "cryptography"}
        assert "pydantic" not in loaded  # not even for Typer's option conversion
        assert "rich" not in loaded  # the listing is plain text
        assert "multiprocessing" not in loaded  # the simulation pool is built to run, not list
        assert not modules & {  # IBM's job modules load when a job is costed or run
            "qdispatch_ibm.batches", "qdispatch_ibm.programs", "qdispatch_ibm.calibration",
            "qdispatch_ibm.mitigation", "qdispatch.simulations",
        }  # fmt: skip
        assert not {m for m in modules if m.endswith(".backend") and "qdispatch_" in m} - {
            "qdispatch_core.ports.backend"
        }  # providers' device tables only, no backend module
        # The root holds the named command alone: no other command's module is imported.
        assert not {m for m in modules if m.startswith("qdispatch_cli.commands.")} - {
            "qdispatch_cli.commands.devices"
        }
    assert not (tmp_path / "data" / "qdispatch.db").exists()  # listing devices opens no database


def _loaded(*args: str, home: Path) -> set[str]:
    """Every module in `sys.modules` when `qdispatch ARGS` exits, however it was imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QDISPATCH_")}
    env.update(QDISPATCH_HOME=str(home), QDISPATCH_AUTOSTART_WORKER="0")
    report = home / "modules.txt"
    code = (
        "import atexit, runpy, sys\n"
        "report = sys.argv.pop(1)\n"
        "sys.argv.pop(0)  # -c: the command's own argv follows\n"
        "atexit.register(lambda: open(report, 'w').write('\\n'.join(sys.modules)))\n"
        "runpy.run_path(sys.argv[0], run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(report), QDISPATCH, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(report.read_text().splitlines())


def test_devices_builds_the_backend_registry_alone(tmp_path):
    """`devices` and `devices show` use the backend registry: no App, so neither the use
    cases' services nor the repository's ports; the listing imports no job model and no
    importlib.metadata either (issue 17's start-up)."""
    app_only = {
        "qdispatch.bootstrap",
        "qdispatch_core.usecases.services",
        "qdispatch_core.ports.repository",
    }
    listed = _loaded("devices", "--qpus", home=tmp_path)
    assert {"qdispatch_core.registry", "qdispatch_ibm.devices"} <= listed  # a catalog was read
    assert not listed & {*app_only, "qdispatch_core.domain.jobs", "importlib.metadata"}
    shown = _loaded("devices", "show", "ibm_fez", home=tmp_path)
    assert "qdispatch_ibm.backend" in shown  # `show` asks the owning provider's backend
    assert not shown & app_only


OTHER_PROVIDERS = {"qiskit_ibm_runtime", "braket", "cirq", "cirq_ionq", "boto3", "botocore"}


def test_an_aer_job_imports_no_other_providers_sdk(tmp_path):
    """`run --wait` (the job runs in the CLI's process) and the background worker (which
    runs a job submitted without --wait) import Aer's SDK and nobody else's."""
    waited = _imports(
        "run", str(BELL), "--device", "aer_simulator", "--shots", "10", "--wait",
        home=tmp_path, timeout=180,
    )  # fmt: skip
    loaded = {m.split(".")[0] for m in waited}
    assert {"qiskit", "qiskit_aer"} <= loaded and not loaded & OTHER_PROVIDERS
    _imports("run", str(BELL), "--device", "aer_simulator", "--shots", "10", home=tmp_path)
    worked = _imports(
        "qdispatch.worker_main", "--idle-exit", "1", home=tmp_path, module=True, timeout=180
    )
    loaded = {m.split(".")[0] for m in worked}
    assert "qiskit_aer" in loaded and not loaded & OTHER_PROVIDERS
    env = {k: v for k, v in os.environ.items() if not k.startswith("QDISPATCH_")}
    jobs = subprocess.run(
        [QDISPATCH, "jobs", "list", "--json"],
        env={**env, "QDISPATCH_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert [j["status"] for j in json.loads(jobs.stdout)] == ["Done", "Done"]  # both ran


def running_job(home: Path, deadline: float) -> str:
    """The id of the first job seen Running, read straight from the SQLite file: a `qdispatch
    jobs list` per poll takes seconds on a loaded machine, long enough to miss the state."""
    import sqlite3

    database = home / "data" / "qdispatch.db"
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
                rows = db.execute("SELECT id, status FROM jobs").fetchall()
        except sqlite3.OperationalError:  # not created yet
            rows = []
        running = [job_id for job_id, status in rows if status == "Running"]
        if running:
            return running[0]
        assert not any(status in ("Done", "Error") for _, status in rows), rows
        time.sleep(0.05)
    pytest.fail("the job never started running")


def test_ctrl_c_during_run_wait_leaves_the_job_to_a_background_worker(background, tmp_path):
    """SIGINT while `run --wait` runs the job in process: exit 130, say how to follow it, and
    a background worker finishes it once the interrupted process's lease runs out."""
    background.env.update(
        QDISPATCH_EXTRA_BACKENDS="qdispatch_core.testing.backend:from_environment",
        QDISPATCH_FAKE_DELAY="0.2",  # 30 executables: 6 s of work on dummy_simulator
        QDISPATCH_LEASE_SECONDS="1",
    )
    sweep = tmp_path / "sweep.qasm"
    sweep.write_text(
        'OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float theta;\nqubit[1] q;\nbit[1] c;\n'
        "rx(theta) q[0];\nc[0] = measure q[0];\n"
    )
    sets = json.dumps([[i / 10] for i in range(30)])
    waiting = subprocess.Popen(
        [QDISPATCH, "run", str(sweep), "-d", "dummy_simulator", "--parameters", sets, "--wait"],
        env=background.env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        job_id = running_job(background.home, deadline=time.monotonic() + 120)
        waiting.send_signal(signal.SIGINT)
        stdout, stderr = waiting.communicate(timeout=30)
    finally:
        if waiting.poll() is None:
            waiting.kill()
    assert waiting.returncode == 130, (stdout, stderr)
    assert "Traceback" not in stderr
    assert f"job {job_id} goes on" in stderr and f"qdispatch jobs wait {job_id}" in stderr
    job = background.json("jobs", "wait", job_id, "--timeout", "120", timeout=180)
    assert job["status"] == "Done" and len(job["results"][0]) == 30

"""7. The terminal: `qdispatch run bell.qasm --device aer_simulator --wait` against a raw Qiskit
script that does the same (parse the QASM 3 file, transpile, run on AerSimulator, print the
counts), each a fresh process, interleaved, after warm-up runs (bytecode compiled, file cache
warm, the database already created: a machine in daily use). Wall time per run.

Two references. The raw script as it runs in this environment, where qiskit-ibm-runtime is
installed and registers transpiler plugins that Qiskit's preset pass managers import on every
`transpile` (the issue's comparison, target ≤ 1.10×); and the same script with those plugins
blocked, as on a machine without qiskit-ibm-runtime: the strongest raw reference, reported
beside it.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from cli_startup import executable, startup_env
from common import Row, ratio_at_most

HERE = Path(__file__).resolve().parent
BELL_FILE = HERE.parent / "examples" / "bell.qasm"

RAW = """\
import sys
from qiskit import qasm3, transpile
from qiskit_aer import AerSimulator

circuit = qasm3.loads(open(sys.argv[1]).read())
simulator = AerSimulator()
print(simulator.run(transpile(circuit, simulator), shots=1024).result().get_counts())
"""
# The same, as on a machine without qiskit-ibm-runtime: its plugins cannot be imported.
WITHOUT_IBM = 'import sys\nsys.modules["qiskit_ibm_runtime"] = None\n' + RAW


def _run(command: list[str], env: dict[str, str]) -> float:
    import subprocess

    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or ("00" not in done.stdout and "11" not in done.stdout):
        raise RuntimeError(f"{command[:3]} failed: {done.stderr[-2000:]}")
    return elapsed


def run(client, quick: bool) -> list[Row]:
    repetitions = 2 if quick else 10
    qdispatch = executable()
    with tempfile.TemporaryDirectory() as home:
        # Bytecode caching as a user has it: both sides write and reuse their .pyc files
        # (see cli_startup.startup_env).
        env = startup_env(home)
        env.update(QDISPATCH_AUTOSTART_WORKER="0")
        scripts = {}
        for name, text in (("raw", RAW), ("without_ibm", WITHOUT_IBM)):
            path = Path(home) / f"{name}.py"
            path.write_text(text)
            scripts[name] = [sys.executable, str(path), str(BELL_FILE)]
        ours = [qdispatch, "run", str(BELL_FILE), "--device", "aer_simulator", "--wait"]
        commands = {"qdispatch": ours, **scripts}
        for command in commands.values():  # warm-up: bytecode, file cache, the database
            _run(command, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repetitions):  # interleaved, so load hits all three alike
            for name, command in commands.items():
                times[name].append(_run(command, env))
    return [
        Row(
            "cli one-shot: qdispatch run bell.qasm -d aer_simulator --wait",
            "s",
            times["qdispatch"],
            times["raw"],
            "raw Qiskit script (parse QASM 3, transpile, AerSimulator), as installed here",
            "≤ 1.10× reference",
            ratio_at_most(1.10),
        ),
        Row(
            "cli one-shot, strongest reference",
            "s",
            times["qdispatch"],
            times["without_ibm"],
            "the same script without qiskit-ibm-runtime's transpiler plugins",
            "— (reported)",
            note="the raw script pays for importing qiskit-ibm-runtime's plugins; qdispatch "
            "imports a stage plugin only when a pass manager asks for it by name",
        ),
    ]

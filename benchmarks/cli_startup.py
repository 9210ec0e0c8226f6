"""Start-up time of the `qdispatch` command (targets: `--help` ≤ 0.25 s, issue 11, and
`devices` ≤ 0.35 s of wall time, issue 17), and proof that neither imports a vendor SDK.

    uv run python benchmarks/cli_startup.py [--runs 15]

Each command runs in a fresh process against an empty QDISPATCH_HOME, after one warm-up run
(so bytecode is compiled and the file cache is warm, as on a machine in daily use).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"--help": 0.25, "devices": 0.35}
VENDOR_SDKS = {"qiskit", "qiskit_aer", "qiskit_ibm_runtime", "braket", "cirq", "cirq_ionq"}


def executable() -> str:
    found = shutil.which("qdispatch", path=str(Path(sys.prefix) / "bin")) or shutil.which(
        "qdispatch"
    )
    if found is None:
        sys.exit("qdispatch is not installed in this environment (uv sync)")
    return found


def startup_env(home: str) -> dict[str, str]:
    """This environment without qdispatch's settings, on an empty home. Without
    PYTHONDONTWRITEBYTECODE too: with it, and a venv installed without compiling (uv's
    default), the warm-up writes no bytecode and every run compiles the sources again."""
    skipped = ("QDISPATCH_", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skipped)}
    env["QDISPATCH_HOME"] = home
    return env


def wall_times(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    subprocess.run(command, env=env, capture_output=True, check=True)  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def top_level_imports(command: list[str], env: dict[str, str]) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *command],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    names = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()[1:] if "|" in line]
    return {name.split(".")[0] for name in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    qdispatch = executable()
    with tempfile.TemporaryDirectory() as home:
        env = startup_env(home)
        print(f"{'command':<18}{'min':>8}{'median':>8}{'max':>8}{'target':>8}  SDKs imported")
        for argument, target in TARGETS.items():
            command = [qdispatch, argument]
            times = wall_times(command, env, args.runs)
            sdks = sorted(top_level_imports(command, env) & VENDOR_SDKS) or ["none"]
            print(
                f"qdispatch {argument:<8}{min(times):8.3f}{statistics.median(times):8.3f}"
                f"{max(times):8.3f}{target:8.2f}  {', '.join(sdks)}"
            )


if __name__ == "__main__":
    main()

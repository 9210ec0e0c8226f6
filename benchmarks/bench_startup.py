"""4. Start-up: `qdispatch --help` and `qdispatch devices` wall time against `python -c pass`."""

from __future__ import annotations

import sys
import tempfile

from cli_startup import executable, startup_env, wall_times
from common import Row, at_most


def run(client, quick: bool) -> list[Row]:
    runs = 5 if quick else 20
    qdispatch = executable()
    with tempfile.TemporaryDirectory() as home:
        env = startup_env(home)
        python = wall_times([sys.executable, "-c", "pass"], env, runs)
        rows = []
        for argument, limit in (("--help", 0.25), ("devices", 0.35)):
            times = wall_times([qdispatch, argument], env, runs)
            rows.append(
                Row(
                    f"start-up: qdispatch {argument}",
                    "s",
                    times,
                    python,
                    "python -c pass",
                    f"≤ {limit} s",
                    at_most(limit),
                )
            )
    return rows

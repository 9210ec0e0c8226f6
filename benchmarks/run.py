"""qdispatch benchmarks: qdispatch against the raw vendor SDK, side by side, in one run.

    uv run python benchmarks/run.py            # the full set (several minutes)
    uv run python benchmarks/run.py --quick    # small sizes: checks the benchmarks still work
    uv run python benchmarks/run.py --only exact_sweep small_jobs

Prints a table and writes benchmarks/results/<timestamp>.json (and latest.json).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # sibling modules, and tests.postgres

BENCHMARKS = (
    "exact_sweep",
    "sampled",
    "small_jobs",
    "startup",
    "mcp",
    "storage",
    "cli_one_shot",
    "primitives",
    "grouping",
    "heavy_sweep",
    "resume",
    "scale_out",
    "mcp_first_submit",
    "mcp_listing_bytes",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repetition")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=BENCHMARKS)
    args = parser.parse_args()

    # Never touch the user's own database or key: everything lives in a temp home.
    home = tempfile.mkdtemp(prefix="qdispatch-bench-")
    os.environ["QDISPATCH_HOME"] = home
    os.environ.pop("QDISPATCH_DATABASE_URL", None)
    os.environ["QDISPATCH_AUTOSTART_WORKER"] = "0"

    import importlib

    from common import machine, table

    from qdispatch import Client

    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, "
        f"Python {info['python']}, load {info['load_average_at_start']}"
    )
    rows, failures = [], []
    with Client() as client:
        for name in args.only:
            started = time.perf_counter()
            try:
                module = importlib.import_module(f"bench_{name}")
                rows += module.run(client, args.quick)
            except Exception:
                failures.append(name)
                traceback.print_exc()
            print(f"[{name}: {time.perf_counter() - started:.1f} s]", flush=True)
    print()
    print(table(rows))
    for row in rows:
        if row.note:
            print(f"  {row.name}: {row.note}")
    results = {
        "when": datetime.now(UTC).isoformat(),
        "quick": args.quick,
        "machine": info,
        "rows": [r.as_dict() for r in rows],
        "failed": failures,
    }
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    for path in (out / f"{stamp}{'-quick' if args.quick else ''}.json", out / "latest.json"):
        path.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nresults written to {out / 'latest.json'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

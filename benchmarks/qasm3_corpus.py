"""How many programs of a public OpenQASM 3 corpus qdispatch reads (issue 20's "Done when").

    uv run python benchmarks/qasm3_corpus.py [--json out.json]

The corpus (benchmarks/qasm3_corpus/, copied unchanged, sources in SOURCES.md):
- openqasm/: the 21 programs of the language's own `examples/` (openqasm/openqasm at 45977e1);
- braket/: 16 programs of amazon-braket-examples at 9b71ff6 (`bell.qasm`, `adder.qasm`,
  `mcm_ff.qasm` and the 13 OpenQASM strings of the notebook
  `Simulating_Advanced_OpenQASM_Programs_with_the_Local_Simulator.ipynb`).

Each program is counted three ways, in one run:
- Qiskit: `qiskit.qasm3.loads` alone (the raw vendor SDK: what qdispatch read before issue 20);
- read: stored by `Client.add_circuit` (every check qdispatch makes on a source);
- dry run: accepted by a dry run on `--device` (default `aer_simulator`; inputs bound to 0.5;
  a program that measures nothing as a StatevectorRun).
To measure another tree (e.g. main, for "before"), run this file with that tree's environment:
`cd <tree> && uv run python <this file> --corpus <this folder>/qasm3_corpus`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def first_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:140] + ("…" if len(text) > 140 else "")


def qiskit_reads(source: str) -> str | None:
    from qiskit import qasm3

    try:
        qasm3.loads(source)
    except Exception as error:  # any refusal counts as not read
        return first_line(error)
    return None


def qdispatch_reads(client, source: str) -> tuple[str | None, list[str]]:
    try:
        stored = client.add_circuit(source, experiment="corpus")
    except Exception as error:
        return first_line(error), []
    return None, list(stored.analytics.get("parameter_names", []))


def dry_run_accepts(client, source: str, names: list[str], device: str) -> str | None:
    """None when a dry run on `device` accepts the program: sampled, or as a
    StatevectorRun when it measures nothing (Braket's examples often do not measure)."""
    parameters = {name: 0.5 for name in names} if names else None
    try:
        client.run(source, device, shots=100, parameters=parameters, dry_run=True)
    except Exception as error:
        if "no measurements" not in str(error):
            return first_line(error)
        try:
            client.run(
                source,
                device,
                parameters=parameters,
                run_type="StatevectorRun",
                dry_run=True,
            )
        except Exception as again:
            return first_line(again)
    return None


def measure(corpus: Path, device: str) -> list[dict]:
    from qdispatch import Client

    rows = []
    with Client(worker=False) as client:
        for path in sorted(corpus.glob("*/*.qasm")):
            source = path.read_text()
            read_error, names = qdispatch_reads(client, source)
            rows.append(
                {
                    "program": f"{path.parent.name}/{path.name}",
                    "qiskit": qiskit_reads(source),
                    "read": read_error,
                    "dry_run": read_error or dry_run_accepts(client, source, names, device),
                }
            )
    return rows


def report(rows: list[dict], device: str) -> str:
    mark = {None: "yes"}
    lines = [
        f"| program | Qiskit | qdispatch reads | dry run ({device}) | why not |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        why = row["read"] or row["dry_run"] or ""
        cells = [mark.get(row[k], "no") for k in ("qiskit", "read", "dry_run")]
        lines.append(f"| {row['program']} | {' | '.join(cells)} | {why} |")
    for group in ("openqasm", "braket", ""):
        chosen = [r for r in rows if r["program"].startswith(group)]
        counts = [sum(r[k] is None for r in chosen) for k in ("qiskit", "read", "dry_run")]
        lines.append(
            f"{group or 'all'}: {len(chosen)} programs; Qiskit reads {counts[0]}, "
            f"qdispatch reads {counts[1]}, a dry run accepts {counts[2]}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "qasm3_corpus")
    parser.add_argument("--device", default="aer_simulator", help="the dry runs' device")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    os.environ["QDISPATCH_HOME"] = tempfile.mkdtemp(prefix="qdispatch-corpus-")
    os.environ.pop("QDISPATCH_DATABASE_URL", None)
    os.environ["QDISPATCH_AUTOSTART_WORKER"] = "0"
    rows = measure(args.corpus, args.device)
    print(report(rows, args.device))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

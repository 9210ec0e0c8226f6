"""Issue 17's research output through the installed `qdispatch` in a subprocess, as a person at
an 80-column terminal sees it: the one-line device listing and `devices show`, a sweep's pivot
table cut to head and tail, `jobs export`, `jobs plot`, dry runs in `jobs list`, statuses in
any case with "did you mean", prefixed ids that do not exist, and circuits named after files.
(The in-process tests beside this one check each behaviour in detail.)"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import struct

import pytest

from tests.adapters.cli.test_e2e import BELL, PNG_SIGNATURE, QDISPATCH, Terminal

pytestmark = pytest.mark.skipif(QDISPATCH is None, reason="the qdispatch command is not installed")

ANSATZ = """OPENQASM 3.0;
include "stdgates.inc";
input float theta;
input float phi;
qubit[2] q;
ry(theta) q[0];
rz(phi) q[0];
cx q[0], q[1];
"""
SETS = 25  # more than the 20 rows a table shows (15 head, 5 tail)


@pytest.fixture
def narrow(tmp_path):
    terminal = Terminal(tmp_path / "home", autostart=False)
    terminal.env["COLUMNS"] = "80"
    return terminal


def test_devices_are_one_line_each_with_filters_and_show(narrow):
    listing = narrow("devices").stdout.splitlines()
    devices = narrow.json("devices")
    assert len(listing) == len(devices) + 1 and all(len(line) <= 80 for line in listing)
    assert listing[0].split() == ["device", "provider", "kind", "qubits", "status", "price"]
    big_qpus = narrow("devices", "--qpus", "--min-qubits", "100").stdout.splitlines()[1:]
    assert big_qpus and all(r.split()[2] == "QPU" and int(r.split()[3]) >= 100 for r in big_qpus)
    shown = narrow("devices", "show", "fake_manila").stdout
    assert "basis gates" in shown and "4 connected qubit pairs" in shown
    mistyped = narrow("devices", "show", "aer_simulatr", expect=1)
    assert "did you mean 'aer_simulator'?" in mistyped.stderr


def test_a_sweep_table_export_plot_and_listing(narrow, tmp_path):
    ansatz = tmp_path / "my_ansatz.qasm"
    ansatz.write_text(ANSATZ)
    sweep = [[0.3, math.pi * i / (SETS - 1)] for i in range(SETS)]  # phi, theta (name order)
    shown = narrow(
        "run", str(ansatz), "-d", "aer_simulator", "--statevector", "--parameters",
        json.dumps(sweep), "-o", "ZZ", "-o", "XX:0.5,YY:0.5", "--wait",
    )  # fmt: skip
    text = shown.stdout
    assert text.count("O1 = ZZ") == 1 and text.count("O2 = 0.5·XX + 0.5·YY") == 1
    header = next(line.split() for line in text.splitlines() if line.lstrip().startswith("set"))
    assert header == ["set", "phi", "theta", "O1", "O2"]
    rows = [line.split() for line in text.splitlines() if re.match(r"\s*\d+\s+0\.3\s", line)]
    assert [int(r[0]) for r in rows] == [*range(1, 16), *range(21, 26)]
    assert "(5 parameter sets not shown at ⋮)" in text and "--all" in shown.stderr
    assert all(len(line.rstrip()) <= 80 for line in text.splitlines())
    (job,) = narrow.json("jobs", "list")
    assert job["dry_run"] is False
    everything = narrow("jobs", "show", job["id"], "--all").stdout
    assert len(re.findall(r"^\s*\d+\s+0\.3\s", everything, re.M)) == SETS and "⋮" not in everything

    exported = list(csv.DictReader(io.StringIO(narrow("jobs", "export", job["id"]).stdout)))
    assert len(exported) == 2 * SETS
    assert {"observable_label", "parameter_set", "phi", "theta", "value", "std_error"} <= set(
        exported[0]
    )
    first = [r for r in exported if r["observable_label"] == "ZZ" and r["parameter_set"] == "1"]
    assert float(first[0]["theta"]) == 0.0 and float(first[0]["value"]) == pytest.approx(1.0)

    png = tmp_path / "sweep.png"
    narrow("jobs", "plot", job["id"], "--output", str(png))
    head = png.read_bytes()[:24]
    width, height = struct.unpack(">II", head[16:24])
    assert head[:8] == PNG_SIGNATURE and 400 <= width <= 2000 and 300 <= height <= 1500

    (circuit,) = narrow.json("circuits", "list")
    assert circuit["name"] == "my_ansatz"  # stored from a file: named after it


def test_dry_runs_statuses_and_prefixed_ids(narrow, tmp_path):
    narrow("run", str(BELL), "-d", "aer_simulator", "--dry-run", "--name", "plan")
    listed = narrow("jobs", "list").stdout.splitlines()
    assert "dry run" in next(line for line in listed if " plan " in line)
    assert [j["dry_run"] for j in narrow.json("jobs", "list", "--dry-run")] == [True]
    assert narrow.json("jobs", "list", "--no-dry-run") == []
    assert len(narrow.json("jobs", "list", "--status", "DONE")) == 1  # any case
    mistyped = narrow("jobs", "list", "--status", "eror", expect=1)
    assert "did you mean 'Error'?" in mistyped.stderr
    empty = narrow("jobs", "list", "--status", "error")
    assert "no jobs match status Error" in empty.stderr
    missing = narrow("run", str(BELL), "-d", "aer_simulator", "--experiment", "exp_nope", expect=1)
    assert missing.stderr.startswith("error: 404 ")
    assert not any(e["name"].startswith("exp_") for e in narrow.json("experiments", "list"))
    a, b = tmp_path / "first.qasm", tmp_path / "second.qasm"
    a.write_text(BELL.read_text())
    b.write_text(ANSATZ)
    added = narrow.json("circuits", "add", str(a), str(b), "--experiment", "lib")
    assert [c["name"] for c in added] == ["first", "second"]

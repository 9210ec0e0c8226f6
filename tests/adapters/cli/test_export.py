"""`qdispatch jobs export`: long format, one row per value, in CSV, JSON and Parquet."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.samples import BELL_QASM2, PARAM_2Q


@pytest.fixture
def sweep(cli):
    """A done job: 1 circuit, 2 observables, 3 parameter sets."""
    job_id = cli.submit(
        cli.qasm(PARAM_2Q), "-d", "dummy_simulator",
        "--parameters", "[[0.1,0.2],[0.3,0.4],[0.5,0.6]]", "-o", "ZZ", "-o", "XX:0.5,YY:-0.5",
    )  # fmt: skip
    return cli.finish(job_id)


def test_csv_is_long_format_with_parameter_values_by_name(cli, sweep):
    result = cli("jobs", "export", sweep["id"], "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "job_id", "circuit", "circuit_id", "observable", "observable_label", "parameter_set",
        "phi", "theta", "value", "std_error",
    ]  # fmt: skip
    assert len(rows) == 2 * 3
    for row in rows:  # every value is the job's, at its place in the nesting
        o, p = int(row["observable"]) - 1, int(row["parameter_set"]) - 1
        assert float(row["value"]) == sweep["results"][0][o][p]
        assert float(row["std_error"]) == sweep["uncertainties"][0][o][p]
        assert [float(row["phi"]), float(row["theta"])] == sweep["parameters"][0][p]
    assert {r["observable_label"] for r in rows} == {"ZZ", "0.5·XX - 0.5·YY"}


def test_json_records_to_a_file(cli, sweep, tmp_path):
    path = tmp_path / "out.json"
    result = cli("jobs", "export", sweep["id"], "-f", "json", "-O", str(path))
    assert result.exit_code == 0, result.output
    records = json.loads(path.read_text())
    assert len(records) == 6 and records[0]["job_id"] == sweep["id"]
    assert f"Wrote 6 rows to {path}" in result.stderr and result.stdout == ""


def test_parquet(cli, sweep, tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "out.parquet"
    assert cli("jobs", "export", sweep["id"], "-f", "parquet", "-O", str(path)).exit_code == 0
    table = pq.read_table(path)
    assert table.num_rows == 6 and table.column_names[-2:] == ["value", "std_error"]
    assert sorted(table.column("value").to_pylist()) == sorted(
        v for per_observable in sweep["results"][0] for v in per_observable
    )
    assert cli("jobs", "export", sweep["id"], "-f", "parquet").exit_code == 2  # binary: a file


def test_parquet_without_pyarrow_says_what_to_install(cli, sweep, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    result = cli("jobs", "export", sweep["id"], "-f", "parquet", "-O", str(tmp_path / "x.pq"))
    assert result.exit_code == 1
    assert "pip install 'qdispatch-cli[parquet]'" in result.stderr
    assert not (tmp_path / "x.pq").exists()


def test_counts_and_state_vectors(cli):
    counts = cli.finish(cli.submit(cli.qasm(BELL_QASM2), "-d", "dummy_simulator", "--shots", "50"))
    rows = list(csv.DictReader(io.StringIO(cli("jobs", "export", counts["id"]).stdout)))
    assert {r["bitstring"]: int(r["count"]) for r in rows} == counts["results"][0]
    assert "observable" not in rows[0] and "parameter_set" not in rows[0]
    state = cli.finish(cli.submit(cli.qasm(BELL_QASM2), "-d", "dummy_simulator", "--statevector"))
    records = json.loads(cli("jobs", "export", state["id"], "-f", "json").stdout)
    real, imag = state["results"][0]
    assert [r["amplitude_real"] for r in records] == real
    assert [r["amplitude_imag"] for r in records] == imag
    assert records[0]["basis_state"] == "00" and len(records) == 4


def test_a_job_without_results_is_a_409(cli):
    dry = cli.submit(cli.qasm(), "-d", "dummy_simulator", "--dry-run")
    result = cli("jobs", "export", dry)
    assert (
        result.exit_code == 1 and "error: 409 job" in result.stderr and "dry run" in result.stderr
    )
    assert cli("jobs", "export", dry, "--format", "xlsx").exit_code == 2

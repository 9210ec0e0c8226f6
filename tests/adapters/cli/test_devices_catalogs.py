"""`qdispatch devices` over every installed provider's committed catalog: one line per device
at 80 and 120 columns, filters, `devices show`, and a short price for every priced device."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from qdispatch_cli import output
from qdispatch_cli.device_views import short_price
from qdispatch_cli.main import app as cli_app
from qdispatch_core.registry import BackendRegistry


@pytest.fixture
def devices_cli(tmp_path, monkeypatch):
    """The real composition root, on an empty QDISPATCH_HOME (listing opens no database)."""
    monkeypatch.setenv("QDISPATCH_HOME", str(tmp_path))
    runner = CliRunner()

    def invoke(*args: str, columns: int = 200):
        monkeypatch.setenv("COLUMNS", str(columns))
        output.out.cache_clear()
        return runner.invoke(cli_app, list(args))

    yield invoke
    assert not (tmp_path / "data" / "qdispatch.db").exists()


@pytest.fixture(scope="module")
def catalog():
    """The listing's order: simulators first, then by provider and id."""
    devices = BackendRegistry().list_devices()
    return sorted(devices, key=lambda d: (not d.simulator, d.provider, d.id))


@pytest.mark.parametrize("columns", [80, 120])
def test_one_line_per_device_within_the_terminal(devices_cli, catalog, columns):
    result = devices_cli("devices", columns=columns)
    assert result.exit_code == 0, result.output
    lines = result.stdout.rstrip("\n").split("\n")
    assert len(lines) == len(catalog) + 1  # a header, then one line per device
    assert all(len(line.rstrip()) <= columns for line in lines)
    ids = [line.split()[0] for line in lines[1:]]
    assert sorted(ids) == sorted(d.id for d in catalog)  # no id cut or folded
    by_id = {line.split()[0]: line for line in lines[1:]}
    assert by_id["aer_simulator"].split()[1:3] == ["aer", "simulator"]
    assert by_id["ibm_aachen"].split()[1:5] == ["ibm", "QPU", "156", "unknown"]
    if columns == 120:  # wide enough for every price whole
        assert "$0.30/task + $0.08/shot" in by_id["aws_ionq_forte_1"]
        assert by_id["aer_simulator"].rstrip().endswith("free")
    else:
        assert "…" in by_id["aws_ionq_forte_1"]  # cut at the edge, never wrapped
    simulators_first = [d.simulator for d in catalog]
    assert simulators_first == sorted(simulators_first, reverse=True)


def test_every_priced_device_has_a_short_price(catalog):
    priced = [d for d in catalog if d.pricing is not None]
    assert priced
    for device in priced:
        text = short_price(device.pricing)
        assert text.startswith(("$", "?")) and "/" in text, (device.id, text)
        assert len(text) <= 50, (device.id, text)
    assert short_price(None) == "free"
    ibm = next(d for d in priced if d.provider == "ibm")
    assert short_price(ibm.pricing) == "$1.60/s"
    ionq = next(d for d in priced if d.id == "ionq_qpu_forte_1")
    assert short_price(ionq.pricing).endswith(", min $12.42")


@pytest.mark.parametrize(
    ("flags", "keeps"),
    [
        (["--provider", "ibm"], lambda d: d.provider == "ibm"),
        (["--simulators"], lambda d: d.simulator),
        (["--qpus"], lambda d: not d.simulator),
        (["--local"], lambda d: d.local),
        (["--min-qubits", "100"], lambda d: d.qubits >= 100),
        (["--qpus", "--provider", "braket", "--min-qubits", "30"],
         lambda d: not d.simulator and d.provider == "braket" and d.qubits >= 30),
    ],
)  # fmt: skip
def test_filters(devices_cli, catalog, flags, keeps):
    import json

    result = devices_cli("devices", *flags, "--json")
    assert result.exit_code == 0, result.output
    assert [d["id"] for d in json.loads(result.stdout)] == [d.id for d in catalog if keeps(d)]
    table = devices_cli("devices", *flags)
    assert len(table.stdout.strip().splitlines()) == 1 + sum(map(keeps, catalog))


def test_json_is_the_device_views_unchanged(devices_cli, catalog):
    import json

    from qdispatch_core.schemas import DeviceView

    result = devices_cli("devices", "--json")
    assert json.loads(result.stdout) == [DeviceView.of(d).model_dump(mode="json") for d in catalog]


def test_show_a_device_with_options_gates_coupling_and_pricing(devices_cli):
    result = devices_cli("devices", "show", "fake_manila", columns=100)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Options (--option KEY=VALUE)" in text
    assert "seed_simulator" in text and "int 1..4,294,967,295" in text
    assert "basis gates" in text and "cx" in text
    assert "4 connected qubit pairs, at most 2 neighbours per qubit" in text
    cloud = devices_cli("devices", "ibm_aachen", columns=100)
    assert cloud.exit_code == 0, cloud.output
    assert "ibm_quantum_token ($IBM_QUANTUM_TOKEN)" in cloud.stdout
    assert "Pricing" in cloud.stdout and "1.60 per second" in cloud.stdout
    assert "\\x0a" not in cloud.stdout  # the prose's own line breaks stay line breaks
    assert "all-to-all" in devices_cli("devices", "show", "aer_simulator").stdout


def test_a_mistyped_device_suggests_the_right_one(devices_cli):
    result = devices_cli("devices", "show", "aer_simulatr")
    assert result.exit_code == 1
    assert "did you mean 'aer_simulator'?" in result.stderr
    assert "`qdispatch devices`" in result.stderr


def test_on_a_terminal_statuses_are_coloured_and_lines_still_fit(catalog):
    import re

    from qdispatch_cli.device_views import listing

    lines = listing(catalog, 80, colour=True)
    assert lines[0].startswith("\x1b[1mdevice")  # a bold header
    visible = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    assert all(len(line) <= 80 for line in visible)
    assert visible == listing(catalog, 80)  # the same text, with colour
    online = next(line for line in lines if line.startswith("aer_simulator "))
    assert "\x1b[32monline\x1b[0m" in online
    unknown = next(line for line in lines if line.startswith("ibm_aachen "))
    assert "\x1b[33munknown\x1b[0m" in unknown

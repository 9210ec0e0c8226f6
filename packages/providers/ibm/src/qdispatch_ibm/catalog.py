"""What we know about IBM devices without asking anyone: a committed data file.

Listing devices must not import qiskit-ibm-runtime (a second of import time) nor touch the
network, so the facts of the runtime's fake backends (snapshots of real IBM processors: qubits,
operations, coupling map, shot limit, repetition delay) live in `devices.json`, written by
`python -m qdispatch_ibm.catalog` from the installed runtime. A test regenerates it and
compares, so an upgrade that adds, drops or changes a snapshot is caught.

The same file carries the cloud backends shown when no credentials are available: a dated,
hand-kept list of IBM's current processors, each described by the snapshot of the same
processor until the account's live list replaces it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qdispatch_ibm.sdk import quiet_sdk, require
from qdispatch_qiskit import committed

CATALOG_FILE = "devices.json"

# IBM's current cloud processors, as of the date below: the Heron and Nighthawk systems the
# runtime ships snapshots of. Shown with status `unknown` until credentials list the account's
# own backends (which then replace this list).
CLOUD_BACKENDS_AS_OF = "2026-11-24"
CLOUD_BACKENDS_SOURCE = "https://quantum.cloud.ibm.com/computers"
CLOUD_BACKENDS: tuple[str, ...] = (
    "ibm_aachen",
    "ibm_berlin",
    "ibm_boston",
    "ibm_fez",
    "ibm_kingston",
    "ibm_marrakesh",
    "ibm_miami",
    "ibm_pittsburgh",
    "ibm_torino",
)


def load_catalog() -> dict[str, Any]:
    """The committed facts (no SDK import)."""
    return committed.load("qdispatch_ibm", CATALOG_FILE)


def fake_facts(device_id: str) -> dict[str, Any] | None:
    return load_catalog()["fakes"].get(device_id)


def twin_of(cloud_name: str) -> str:
    """The fake snapshot of a cloud processor: ibm_torino -> fake_torino."""
    return "fake_" + cloud_name.removeprefix("ibm_")


# -- generation, from the installed runtime ---------------------------------------------------


def _processor(configuration: Any) -> str | None:
    kind = getattr(configuration, "processor_type", None)
    if not kind:
        return None
    return " ".join(str(kind[k]) for k in ("family", "revision", "segment") if kind.get(k))


def operations(configuration: Any) -> list[str]:
    """Every instruction the backend accepts: its basis gates, plus measure, reset, delay and
    control flow where it supports them. Read from the configuration, which (unlike the
    transpiler target) needs no calibration data, so a live listing costs one request less."""
    names = set(configuration.basis_gates) | {"measure"}
    names |= set(getattr(configuration, "supported_instructions", None) or ())
    return sorted(names)


def backend_facts(backend: Any) -> dict[str, Any]:
    """The facts a Device needs, from any BackendV2 with a configuration (fake or live)."""
    configuration = backend.configuration()
    coupling = configuration.coupling_map or []
    online = getattr(configuration, "online_date", None)
    return {
        "class": type(backend).__name__,
        "qubits": int(configuration.n_qubits),
        "operations": operations(configuration),
        "coupling_map": sorted([int(a), int(b)] for a, b in coupling),
        "max_shots": int(configuration.max_shots),
        "default_rep_delay": getattr(configuration, "default_rep_delay", None),
        "processor": _processor(configuration),
        "online_date": online.date().isoformat() if online is not None else None,
    }


def generate_catalog() -> dict[str, Any]:
    runtime = require("qiskit_ibm_runtime")
    fake_provider = require("qiskit_ibm_runtime.fake_provider")
    with quiet_sdk():
        backends = fake_provider.FakeProviderForBackendV2().backends()
        fakes = {b.name: backend_facts(b) for b in sorted(backends, key=lambda b: b.name)}
    missing = [name for name in CLOUD_BACKENDS if twin_of(name) not in fakes]
    if missing:
        raise ValueError(f"no snapshot for cloud backend(s) {', '.join(missing)}")
    return {
        "generated_by": "python -m qdispatch_ibm.catalog",
        "qiskit_ibm_runtime": runtime.__version__,
        "fakes": fakes,
    }


def _dumps(catalog: dict[str, Any]) -> str:
    # One line per device keeps the file diffable without spreading edge lists over pages.
    lines = ["{"]
    lines.append(f'  "generated_by": {json.dumps(catalog["generated_by"])},')
    lines.append(f'  "qiskit_ibm_runtime": {json.dumps(catalog["qiskit_ibm_runtime"])},')
    lines.append('  "fakes": {')
    entries = [
        f"    {json.dumps(name)}: {json.dumps(facts, sort_keys=True)}"
        for name, facts in catalog["fakes"].items()
    ]
    lines.append(",\n".join(entries))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_catalog(path: Path | None = None) -> Path:
    target = path or Path(__file__).with_name(CATALOG_FILE)
    return committed.write(generate_catalog(), target, _dumps)


if __name__ == "__main__":
    print(f"wrote {write_catalog()}")

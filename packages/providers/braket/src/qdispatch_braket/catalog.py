"""The device catalog: facts about every device, kept in a committed data file.

Listing devices must import neither the Braket SDK nor boto3 (seconds of import time), so the
facts live in `devices.json`, written by `python -m qdispatch_braket.catalog`: the local
simulators' facts come from the installed simulators themselves, the cloud devices are the
non-retired members of `braket.devices.Devices` with the figures of `cloud_facts`. A test
regenerates the catalog and compares, so an SDK upgrade that adds, retires or changes a device
is caught instead of silently misdescribed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from qdispatch_braket.cloud_facts import AS_OF, CLOUD_FACTS, EXCLUDED, SOURCES
from qdispatch_braket.sdk import require
from qdispatch_qiskit import committed

CATALOG_FILE = "devices.json"

# qdispatch device id -> (the SDK's local simulator name, display name, description)
LOCAL_DEVICES: dict[str, tuple[str, str, str]] = {
    "braket_local_sv": (
        "braket_sv",
        "Braket local state-vector simulator",
        "The Braket SDK's state-vector simulator, run in the worker's process: noiseless, "
        "free, offline. Exact state vectors and expectation values through shots=0 result "
        "types.",
    ),
    "braket_local_dm": (
        "braket_dm",
        "Braket local density-matrix simulator",
        "The Braket SDK's density-matrix simulator, run in the worker's process: free, "
        "offline, noiseless unless the options readout_error / depolarizing_error add noise.",
    ),
}


def load_catalog() -> dict[str, Any]:
    """The committed catalog (no SDK import)."""
    return committed.load("qdispatch_braket", CATALOG_FILE)


def device_id_for(arn: str) -> str:
    """A readable id from a device ARN: `aws_sv1`, `aws_ionq_forte_1`, `aws_iqm_garnet`."""
    vendor, name = arn_key(arn).split("/")
    words = name if vendor == "amazon" else f"{vendor}_{name}"
    return "aws_" + re.sub(r"[^a-z0-9]+", "_", words.lower()).strip("_")


def arn_key(arn: str) -> str:
    """'arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1' -> 'ionq/Forte-1'."""
    return "/".join(arn.split("/")[-2:])


def region_of(arn: str) -> str | None:
    """The region in a device ARN, or None for regionless ones (SV1, DM1)."""
    return arn.split(":")[3] or None


# -- generation, from the installed SDK -------------------------------------------------------


def active_device_arns() -> list[str]:
    """Every device ARN `braket.devices.Devices` lists whose member is not retired (retired
    members have names starting with '_', and providers whose class is private are gone)."""
    devices = require("braket.devices").Devices
    arns = []
    for provider in sorted(n for n in vars(devices) if not n.startswith("_")):
        members = getattr(devices, provider)
        arns += [m.value for m in members if not m.name.startswith("_")]
    return arns


def _local_facts(backend: str) -> dict[str, Any]:
    devices = require("braket.devices")
    action_types = require("braket.device_schema").DeviceActionType
    properties = devices.LocalSimulator(backend).properties
    program = properties.action[action_types.OPENQASM]
    program_set = properties.action.get(action_types.OPENQASM_PROGRAM_SET)
    return {
        "backend": backend,
        "qubits": int(properties.paradigm.qubitCount),
        "gates": sorted(program.supportedOperations),
        "result_types": sorted({r.name for r in program.supportedResultTypes}),
        "noise_pragmas": sorted(
            p.removeprefix("braket_noise_")
            for p in program.supportedPragmas
            if p.startswith("braket_noise_")
        ),
        "program_set": None
        if program_set is None
        else {
            "max_executables": int(program_set.maximumExecutables),
            "max_total_shots": int(program_set.maximumTotalShots),
        },
    }


def _cloud_entry(arn: str) -> dict[str, Any]:
    key = arn_key(arn)
    if key not in CLOUD_FACTS:
        raise KeyError(
            f"braket.devices.Devices lists {arn}, which qdispatch_braket.cloud_facts does not "
            "describe: add its facts (or list it in EXCLUDED with the reason)"
        )
    return {"arn": arn, "region": region_of(arn), "vendor": key.split("/")[0], **CLOUD_FACTS[key]}


def generate_catalog() -> dict[str, Any]:
    braket = require("braket._sdk")
    simulator = require("braket.default_simulator")
    arns = active_device_arns()
    return {
        "generated_by": "python -m qdispatch_braket.catalog",
        "amazon_braket_sdk": braket.__version__,
        "amazon_braket_default_simulator": simulator.__version__,
        "cloud_facts_as_of": AS_OF,
        "cloud_facts_sources": list(SOURCES),
        "local": {
            device_id: _local_facts(backend) for device_id, (backend, _, _) in LOCAL_DEVICES.items()
        },
        "cloud": {
            device_id_for(arn): _cloud_entry(arn) for arn in arns if arn_key(arn) not in EXCLUDED
        },
        "excluded": {arn: EXCLUDED[arn_key(arn)] for arn in arns if arn_key(arn) in EXCLUDED},
    }


def write_catalog(path: Path | None = None) -> Path:
    return committed.write(generate_catalog(), path or Path(__file__).with_name(CATALOG_FILE))


if __name__ == "__main__":
    print(f"wrote {write_catalog()}")

"""The committed device catalog (`devices.json`): the local simulators' facts and the cloud
devices' figures from AWS's pages, and the code that regenerates the file.

What the Braket SDK cannot say offline about the cloud devices, read from AWS's pages.

`braket.devices.Devices` lists the device ARNs (the catalog takes the list from it); qubit
counts, shot limits and gate sets live in each device's capabilities document, which needs
credentials and the network (GetDevice). These figures are for listing devices and dry runs;
a real submission reads the live capabilities and those win (gates, shot range, program sets,
connectivity). Update them when AWS changes a device, with the date.

The device catalog: facts about every device, kept in a committed data file.

Listing devices must import neither the Braket SDK nor boto3 (seconds of import time), so the
facts live in `devices.json`, written by `python -m qdispatch_braket.catalog`: the local
simulators' facts come from the installed simulators themselves, the cloud devices are the
non-retired members of `braket.devices.Devices` with the figures of `CLOUD_FACTS` (below). A test
regenerates the catalog and compares, so an SDK upgrade that adds, retires or changes a device
is caught instead of silently misdescribed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from qdispatch_braket.sdk import require
from qdispatch_qiskit import committed

AS_OF = "2026-11-24"
SOURCES = (
    "https://docs.aws.amazon.com/braket/latest/developerguide/braket-devices.html",
    "https://docs.aws.amazon.com/braket/latest/developerguide/braket-submit-tasks.html",
    "https://docs.aws.amazon.com/braket/latest/developerguide/braket-simulator-sv1.html",
    "https://docs.aws.amazon.com/braket/latest/developerguide/braket-batching-tasks.html",
)


def _names(text: str) -> list[str]:
    return text.split()


# Gates every Braket gate-model device documents (OpenQASM names). Lists below are kept to
# gates each device is documented to accept; a circuit is transpiled into them.
_SIMULATOR_GATES = _names(
    "ccnot cnot cphaseshift cswap cy cz h i iswap phaseshift rx ry rz s si swap t ti "
    "v vi x xx y yy z zz"
)
_IONQ_GATES = _names("x y z rx ry rz h cnot s si t ti v vi xx yy zz swap")
_IQM_GATES = _names("h x y z s si t ti v vi rx ry rz phaseshift cnot cz swap")
_RIGETTI_GATES = _names("h x y z s si t ti rx ry rz phaseshift cnot cz swap")
_AQT_GATES = _names("h x y z s si t ti rx ry rz cnot cz")

# Gate-model devices the SDK lists that qdispatch does not run: why.
EXCLUDED: dict[str, str] = {
    "quera/Aquila": "analog Hamiltonian simulation: it runs atom arrangements, not gate circuits",
}

# Key: the ARN's "<vendor>/<name>" tail.
#   program_sets: Braket runs program sets there ("all gate-based QPUs and the local
#   simulator"; the managed simulators run one program per task).
#   statevector: exact results at shots=0 (SV1: Expectation and Amplitude result types).
CLOUD_FACTS: dict[str, dict[str, Any]] = {
    "amazon/sv1": {
        "name": "Amazon Braket SV1 (managed state-vector simulator)",
        "simulator": True,
        "qubits": 34,
        "max_shots": 100_000,
        "gates": _SIMULATOR_GATES,
        "program_sets": False,
        "statevector": True,
    },
    "amazon/dm1": {
        "name": "Amazon Braket DM1 (managed density-matrix simulator)",
        "simulator": True,
        "qubits": 17,
        "max_shots": 100_000,
        "gates": _SIMULATOR_GATES,
        "program_sets": False,
        "statevector": False,
    },
    "aqt/Ibex-Q1": {
        "name": "AQT IBEX Q1 (trapped ions)",
        "simulator": False,
        "qubits": 12,
        "max_shots": 2_000,
        "gates": _AQT_GATES,
        "program_sets": True,
        "statevector": False,
    },
    "ionq/Forte-1": {
        "name": "IonQ Forte 1 (trapped ions)",
        "simulator": False,
        "qubits": 36,
        "max_shots": 10_000,
        "gates": _IONQ_GATES,
        "program_sets": True,
        "statevector": False,
    },
    "ionq/Forte-Enterprise-1": {
        "name": "IonQ Forte Enterprise 1 (trapped ions)",
        "simulator": False,
        "qubits": 36,
        "max_shots": 10_000,
        "gates": _IONQ_GATES,
        "program_sets": True,
        "statevector": False,
    },
    "iqm/Garnet": {
        "name": "IQM Garnet (superconducting)",
        "simulator": False,
        "qubits": 20,
        "max_shots": 20_000,
        "gates": _IQM_GATES,
        "program_sets": True,
        "statevector": False,
    },
    "iqm/Emerald": {
        "name": "IQM Emerald (superconducting)",
        "simulator": False,
        "qubits": 54,
        "max_shots": 20_000,
        "gates": _IQM_GATES,
        "program_sets": True,
        "statevector": False,
    },
    "rigetti/Cepheus-1-108Q": {
        "name": "Rigetti Cepheus-1-108Q (superconducting)",
        "simulator": False,
        "qubits": 108,
        "max_shots": 100_000,
        "gates": _RIGETTI_GATES,
        "program_sets": True,
        "statevector": False,
    },
}


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
            f"braket.devices.Devices lists {arn}, which qdispatch_braket.catalog does not "
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

"""The IonQ devices: a static catalog (no cirq, no network), and the account's backends from
`GET /v0.4/backends` when credentials are given.

IonQ's trapped-ion QPUs are fully connected, so no device has a coupling map. Every device runs
remotely on IonQ's cloud and needs an API key; the cloud simulator is free.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from qdispatch_core.domain import Device, DeviceStatus, OptionSpec, RunType
from qdispatch_core.ports.backend_settings import BackendSettings
from qdispatch_ionq.catalog import load_facts
from qdispatch_ionq.pricing import device_pricing

PROVIDER = "ionq"
CREDENTIALS = ("ionq_api_key",)
SIMULATOR_ID = "ionq_simulator"
SEED_MAX = 2**31 - 1
# IonQ publishes no per-job shot limit for API v0.4; these caps catch typos (a 10^7-shot QPU job
# would cost thousands of dollars) and can be raised when IonQ documents its limits.
QPU_MAX_SHOTS = 10_000
SIMULATOR_MAX_SHOTS = 1_000_000
DEBIAS_MIN_SHOTS = 500  # IonQ: debiasing needs at least 500 shots and is off below that

# Qubits per target, from IonQ's system pages (docs.ionq.com, read 2026-11-24). The ideal
# simulator takes 29; a noisy simulation takes the qubit limit of the QPU it models.
TARGET_QUBITS = {
    "simulator": 29,
    "qpu.aria-1": 25,
    "qpu.aria-2": 25,
    "qpu.forte-1": 36,
    "qpu.forte-enterprise-1": 36,
}
NOISE_MODEL_TARGETS = {"ideal": "simulator"} | {
    m: f"qpu.{m}" for m in ("aria-1", "aria-2", "forte-1", "forte-enterprise-1")
}


@dataclass(frozen=True, slots=True)
class Entry:
    device_id: str
    target: str  # what IonQ's API calls the backend
    name: str
    description: str


CATALOG = (
    Entry(
        SIMULATOR_ID,
        "simulator",
        "IonQ cloud simulator",
        "IonQ's cloud simulator, free: ideal by default, or noisy with the option noise_model "
        "(a model of one of IonQ's QPUs). Returns probabilities; qdispatch samples the shots "
        "of an ideal simulation itself.",
    ),
    Entry(
        "ionq_qpu_forte_1",
        "qpu.forte-1",
        "IonQ Forte 1",
        "IonQ's Forte trapped-ion QPU, 36 fully connected qubits.",
    ),
    Entry(
        "ionq_qpu_forte_enterprise_1",
        "qpu.forte-enterprise-1",
        "IonQ Forte Enterprise 1",
        "IonQ's Forte Enterprise trapped-ion QPU, 36 fully connected qubits.",
    ),
)

_COMMON_OPTIONS = (
    OptionSpec(
        "optimization_level", "int", "Qiskit transpiler level before compiling (default 1)", 0, 3
    ),
    OptionSpec("seed_transpiler", "int", "seed of the transpiler's random choices", 0, SEED_MAX),
)


def noise_models() -> tuple[str, ...]:
    return tuple(load_facts()["noise_models"])


def _simulator_options() -> tuple[OptionSpec, ...]:
    return (
        OptionSpec(
            "noise_model",
            "str",
            "simulate the noise of an IonQ QPU ('ideal': no noise, the default)",
            choices=noise_models(),
        ),
        OptionSpec(
            "seed_simulator",
            "int",
            "seed of the noise (noisy models) and of the shots qdispatch samples (ideal)",
            0,
            SEED_MAX,
        ),
        *_COMMON_OPTIONS,
    )


def device_id_for(target: str) -> str:
    """'qpu.aria-1' → 'ionq_qpu_aria_1'."""
    return "ionq_" + target.replace(".", "_").replace("-", "_")


def build_device(entry: Entry, qubits: int, status: DeviceStatus) -> Device:
    simulator = entry.target == "simulator"
    return Device(
        id=entry.device_id,
        provider=PROVIDER,
        name=entry.name,
        simulator=simulator,
        qubits=qubits,
        status=status,
        run_types=(RunType.RUN,),  # probabilities only: IonQ returns no amplitudes
        basis_gates=tuple(load_facts()["qis_gates"]),
        coupling_map=None,
        max_shots=SIMULATOR_MAX_SHOTS if simulator else QPU_MAX_SHOTS,
        credential_options=CREDENTIALS,
        pricing=None if simulator else device_pricing(),
        options=_simulator_options() if simulator else _COMMON_OPTIONS,
        local=False,
        noisy=not simulator,
        mitigation=(
            "readout-error mitigation with a noise_model (tensored: two calibration circuits in "
            "the same IonQ job); none needed on the ideal simulator"
            if simulator
            else f"IonQ debiasing (needs at least {DEBIAS_MIN_SHOTS} shots)"
        ),
        description=entry.description,
    )


def static_devices() -> tuple[Device, ...]:
    return tuple(build_device(e, TARGET_QUBITS[e.target], DeviceStatus.UNKNOWN) for e in CATALOG)


# -- the account's backends ---------------------------------------------------------------------

# `status` of GET /backends; anything else reads as unknown (a device status, not a job's).
BACKEND_STATUS = {
    "available": DeviceStatus.ONLINE,
    "running": DeviceStatus.ONLINE,
    "reserved": DeviceStatus.ONLINE,  # jobs are accepted and wait for the reservation to end
    "calibrating": DeviceStatus.ONLINE,
    "unavailable": DeviceStatus.OFFLINE,
    "offline": DeviceStatus.OFFLINE,
}


def _entry_for(target: str) -> Entry:
    known = next((e for e in CATALOG if e.target == target), None)
    if known is not None:
        return known
    label = target.removeprefix("qpu.").replace("-", " ").title()
    return Entry(device_id_for(target), target, f"IonQ {label}", f"IonQ QPU {target}.")


def account_devices(backends: Iterable[Mapping[str, Any]]) -> tuple[Device, ...]:
    """The catalog with live statuses, plus every QPU the account lists (retired ones left out)."""
    listed = {str(b.get("backend")): b for b in backends if isinstance(b, Mapping)}
    devices = []
    targets = [e.target for e in CATALOG] + sorted(t for t in listed if t.startswith("qpu."))
    for target in dict.fromkeys(targets):
        info = listed.get(target, {})
        if info.get("status") == "retired":
            continue
        qubits = info.get("qubits") or TARGET_QUBITS.get(target)
        if not isinstance(qubits, int) or qubits < 1:
            continue  # a QPU whose size we cannot tell cannot be validated against
        status = BACKEND_STATUS.get(str(info.get("status")), DeviceStatus.UNKNOWN)
        devices.append(build_device(_entry_for(target), qubits, status))
    return tuple(devices)


def catalog(
    credentials: Mapping[str, str] | None = None, *, settings: BackendSettings | None = None
) -> tuple[Device, ...] | None:
    """What `IonQBackend().list_devices(credentials)` returns, without building the backend;
    None when an API key is available, whose account only the backend can ask."""
    from qdispatch_ionq.session import api_key

    return None if api_key(credentials) else static_devices()

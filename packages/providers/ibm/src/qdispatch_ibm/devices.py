"""IBM devices as the core describes them: fake snapshots, and cloud backends (from the dated
list or from the account). Built from plain facts, so listing imports no SDK."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qdispatch_core.domain import Device, DeviceStatus, OptionSpec, RunType
from qdispatch_core.ports.backend_settings import BackendSettings
from qdispatch_ibm.catalog import (
    CLOUD_BACKENDS,
    CLOUD_BACKENDS_AS_OF,
    load_catalog,
    twin_of,
)
from qdispatch_ibm.pricing import PRICING
from qdispatch_ibm.session import CREDENTIAL_KEYS
from qdispatch_ibm.settings import (
    DEFAULT_OPTIMIZATION_LEVEL,
    DEFAULT_RESILIENCE_LEVEL,
    DEFAULT_SEED_TRANSPILER,
)

PROVIDER = "ibm"
SEED_MAX = 2**32 - 1

FAKE_MITIGATION = (
    "readout-error mitigation (mthree), calibrated on the snapshot's own noise model and cached "
    "per device; counts become quasi-probabilities"
)
CLOUD_MITIGATION = (
    "observables: IBM's Estimator at resilience_level 1 (TREX, twirled readout error "
    "extinction; 2 adds zero-noise extrapolation); counts: readout-error mitigation (mthree), "
    "calibration circuits run in the same job unless a calibration of the measured qubits from "
    "the last hour is cached, counts become quasi-probabilities"
)

TRANSPILE_OPTIONS = (
    OptionSpec(
        "optimization_level",
        "int",
        f"transpiler optimization level (default {DEFAULT_OPTIMIZATION_LEVEL})",
        0,
        3,
    ),
    OptionSpec(
        "seed_transpiler",
        "int",
        f"seed of the transpiler's layout and routing (default {DEFAULT_SEED_TRANSPILER}, so a "
        "circuit lands on the same qubits every time)",
        0,
        SEED_MAX,
    ),
)
FAKE_OPTIONS = (
    *TRANSPILE_OPTIONS,
    OptionSpec(
        "seed_simulator",
        "int",
        "seed of the noisy simulation (reproducible counts; 1 or more, because the runtime's "
        "local testing mode treats 0 as no seed)",
        1,
        SEED_MAX,
    ),
)

CLOUD_OPTIONS = (
    *TRANSPILE_OPTIONS,
    OptionSpec(
        "resilience_level",
        "int",
        "the Estimator's error mitigation for observables when use_mitigation is on (default "
        f"{DEFAULT_RESILIENCE_LEVEL}: TREX readout mitigation; 2: TREX plus zero-noise "
        "extrapolation, about three times the QPU time); without use_mitigation the Estimator "
        "runs at 0",
        1,
        2,
    ),
)


def _coupling(facts: Mapping[str, Any]) -> tuple[tuple[int, int], ...]:
    return tuple((int(a), int(b)) for a, b in facts["coupling_map"])


def _processor(facts: Mapping[str, Any]) -> str:
    return f"{facts['processor']} processor" if facts.get("processor") else "processor"


def fake_device(device_id: str, facts: Mapping[str, Any]) -> Device:
    return Device(
        id=device_id,
        provider=PROVIDER,
        name=f"{device_id} (noisy snapshot)",
        simulator=True,
        qubits=int(facts["qubits"]),
        status=DeviceStatus.ONLINE,
        run_types=(RunType.RUN, RunType.STATEVECTOR),
        basis_gates=tuple(facts["operations"]),
        coupling_map=_coupling(facts),
        max_shots=int(facts["max_shots"]),
        options=FAKE_OPTIONS,
        local=True,
        noisy=True,
        mitigation=FAKE_MITIGATION,
        description=(
            f"Local noisy twin of IBM's {_processor(facts)} ({facts['qubits']} qubits): the "
            f"qiskit-ibm-runtime snapshot's noise model simulated by Aer, free. Run samples "
            "counts; StatevectorRun gives exact expectation values of the noisy state (density "
            "matrix; observables required, a noisy device has no state vector)."
        ),
    )


def fake_devices() -> tuple[Device, ...]:
    return tuple(fake_device(i, f) for i, f in load_catalog()["fakes"].items())


def cloud_device(
    device_id: str,
    facts: Mapping[str, Any],
    status: DeviceStatus,
    description: str,
) -> Device:
    return Device(
        id=device_id,
        provider=PROVIDER,
        name=device_id,
        simulator=False,
        qubits=int(facts["qubits"]),
        status=status,
        run_types=(RunType.RUN,),
        basis_gates=tuple(facts["operations"]),
        coupling_map=_coupling(facts),
        max_shots=int(facts["max_shots"]),
        credential_options=CREDENTIAL_KEYS,
        pricing=PRICING,
        options=CLOUD_OPTIONS,
        local=False,
        noisy=True,
        mitigation=CLOUD_MITIGATION,
        description=description,
    )


def static_cloud_devices() -> tuple[Device, ...]:
    """IBM's processors as of CLOUD_BACKENDS_AS_OF, described by their snapshots."""
    fakes = load_catalog()["fakes"]
    devices = []
    for name in CLOUD_BACKENDS:
        facts = fakes[twin_of(name)]
        devices.append(
            cloud_device(
                name,
                facts,
                DeviceStatus.UNKNOWN,
                f"IBM Quantum {_processor(facts)} (cloud QPU). Listed from qdispatch's list of "
                f"{CLOUD_BACKENDS_AS_OF}, facts from the runtime's snapshot {twin_of(name)}; "
                "give ibm_quantum_token and ibm_quantum_instance (or save an account for "
                "qiskit-ibm-runtime) to see your account's backends and their status.",
            )
        )
    return tuple(devices)


def device_id_for(backend_name: str) -> str:
    """Device ids of IBM backends start with ibm_ (the registry routes by prefix)."""
    return backend_name if backend_name.startswith("ibm_") else f"ibm_{backend_name}"


def live_cloud_device(backend_name: str, facts: Mapping[str, Any], status: DeviceStatus) -> Device:
    return cloud_device(
        device_id_for(backend_name),
        facts,
        status,
        f"IBM Quantum {_processor(facts)} {backend_name} (cloud QPU), as your account lists it.",
    )


def catalog(
    credentials: Mapping[str, str] | None = None, *, settings: BackendSettings | None = None
) -> tuple[Device, ...] | None:
    """What `IBMBackend().list_devices(credentials)` returns, without building the backend;
    None when an account is available, whose backends only the backend can list."""
    from qdispatch_ibm.session import account_for

    if account_for(credentials) is not None:
        return None
    return (*fake_devices(), *static_cloud_devices())

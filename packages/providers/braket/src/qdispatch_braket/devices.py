"""The Braket devices, built from the committed catalog (no SDK import)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qdispatch_braket import prices
from qdispatch_braket.catalog import LOCAL_DEVICES, arn_key, load_catalog
from qdispatch_core.domain import Device, DeviceStatus, OptionSpec, Pricing, RunType
from qdispatch_core.ports.backend_settings import BackendSettings
from qdispatch_core.rules.options import CREDENTIAL_KEYS

PROVIDER = "braket"
CREDENTIALS = CREDENTIAL_KEYS[PROVIDER]
SEED_MAX = 2**32 - 1
# The local simulators accept any shot count; sampling costs time, so cap it like Aer does.
LOCAL_MAX_SHOTS = 1_000_000
# Noise the local density-matrix simulator can add (probabilities per qubit).
NOISE_OPTIONS = ("readout_error", "depolarizing_error")

MITIGATION_NONE = "none needed: noiseless simulator"
MITIGATION_LOCAL_DM = (
    "readout-error mitigation (tensored calibration on the simulator, cached) when "
    "readout_error or depolarizing_error adds noise; none needed otherwise"
)
MITIGATION_IONQ = (
    "IonQ debiasing (Braket's Debias error mitigation; at least 2500 shots, one task per "
    "executable)"
)
MITIGATION_READOUT = (
    "readout-error mitigation: circuits pinned to physical qubits, calibration circuits on "
    "the same qubits in the same task"
)


def _common_options() -> tuple[OptionSpec, ...]:
    return (
        OptionSpec(
            "optimization_level",
            "int",
            "Qiskit transpiler optimization level for translating into the device's gates "
            "(default 1)",
            0,
            3,
        ),
        OptionSpec(
            "seed_transpiler", "int", "seed of the transpiler's random choices", 0, SEED_MAX
        ),
    )


def _noise_options() -> tuple[OptionSpec, ...]:
    return (
        OptionSpec(
            "readout_error",
            "float",
            "probability that a measured bit is flipped (bit_flip noise before each measurement)",
            0.0,
            0.5,
        ),
        OptionSpec(
            "depolarizing_error",
            "float",
            "depolarizing probability after every gate, on each qubit it acts on",
            0.0,
            0.5,
        ),
    )


def _cloud_options() -> tuple[OptionSpec, ...]:
    return (
        OptionSpec(
            "s3_bucket",
            "str",
            "S3 bucket for task results (default: the SDK's amazon-braket-<region>-<account>)",
        ),
        OptionSpec("s3_prefix", "str", "S3 key prefix for task results (default: qdispatch)"),
    )


def _local_device(device_id: str, facts: Mapping[str, Any]) -> Device:
    _, name, description = LOCAL_DEVICES[device_id]
    statevector = "StateVector" in facts["result_types"]
    noisy_capable = bool(facts["noise_pragmas"])
    return Device(
        id=device_id,
        provider=PROVIDER,
        name=name,
        simulator=True,
        qubits=int(facts["qubits"]),
        status=DeviceStatus.ONLINE,
        run_types=(RunType.RUN, RunType.STATEVECTOR) if statevector else (RunType.RUN,),
        basis_gates=tuple(facts["gates"]),
        coupling_map=None,
        max_shots=LOCAL_MAX_SHOTS,
        pricing=None,
        options=_common_options() + (_noise_options() if noisy_capable else ()),
        local=True,
        noisy=False,
        mitigation=MITIGATION_LOCAL_DM if noisy_capable else MITIGATION_NONE,
        description=description,
    )


def _pricing(facts: Mapping[str, Any]) -> Pricing:
    key = arn_key(facts["arn"])
    source = prices.PRICING_URL
    if facts["simulator"]:
        rate = prices.per_minute(key)
        return Pricing(
            f"${rate} per minute of simulated time per task, billed by the millisecond with a "
            f"{prices.MINIMUM_BILLED_SECONDS:g}-second minimum per task",
            "s",
            prices.PRICES_AS_OF,
            source,
        )
    shot = prices.per_shot(key)
    fee = f"${prices.PER_TASK_USD:.2f} per task (a program set is one task)"
    if shot is None:
        return Pricing(
            f"{fee} + a per-shot fee qdispatch's price table does not know: estimates say "
            "pricing_available: false",
            "shots",
            prices.PRICES_AS_OF,
            source,
        )
    return Pricing(f"{fee} + ${shot} per shot", "shots", prices.PRICES_AS_OF, source)


def _cloud_mitigation(facts: Mapping[str, Any]) -> str:
    if facts["simulator"]:
        return MITIGATION_NONE
    return MITIGATION_IONQ if facts["vendor"] == "ionq" else MITIGATION_READOUT


def _cloud_device(device_id: str, facts: Mapping[str, Any]) -> Device:
    region = facts["region"] or "your session's region"
    kind = "managed simulator" if facts["simulator"] else "QPU"
    return Device(
        id=device_id,
        provider=PROVIDER,
        name=facts["name"],
        simulator=bool(facts["simulator"]),
        qubits=int(facts["qubits"]),
        # Listing needs no network; the live status is read when a job is submitted.
        status=DeviceStatus.UNKNOWN,
        run_types=(RunType.RUN, RunType.STATEVECTOR) if facts["statevector"] else (RunType.RUN,),
        basis_gates=tuple(facts["gates"]),
        coupling_map=None,  # Braket places and routes circuits on the device
        max_shots=int(facts["max_shots"]),
        credential_options=CREDENTIALS,
        pricing=_pricing(facts),
        options=_common_options() + _cloud_options(),
        local=False,
        noisy=not facts["simulator"],
        mitigation=_cloud_mitigation(facts),
        description=f"Amazon Braket {kind} {facts['arn']} ({region}); needs AWS credentials.",
    )


def build_devices(catalog: Mapping[str, Any] | None = None) -> tuple[Device, ...]:
    catalog = catalog or load_catalog()
    local = [_local_device(i, catalog["local"][i]) for i in LOCAL_DEVICES]
    cloud = [_cloud_device(i, f) for i, f in sorted(catalog["cloud"].items())]
    return tuple(local + cloud)


def catalog(
    credentials: Mapping[str, str] | None = None, *, settings: BackendSettings | None = None
) -> tuple[Device, ...]:
    """What `BraketBackend().list_devices()` returns (credentials change nothing), without
    building the backend."""
    return build_devices(load_catalog())

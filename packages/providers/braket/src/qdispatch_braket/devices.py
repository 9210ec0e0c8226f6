"""The Braket devices (built from the committed catalog, no SDK import) and what each can run.

What a device can run, from the committed catalog (listing, dry runs, estimates) or from
the live capabilities document Braket returns for it (submission, where they win).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qdispatch_braket import pricing
from qdispatch_braket.catalog import LOCAL_DEVICES, arn_key, load_catalog
from qdispatch_braket.sdk import require
from qdispatch_core.domain import Device, DeviceStatus, OptionSpec, Pricing, RunType
from qdispatch_core.ports.backend_settings import BackendSettings
from qdispatch_core.rules.options import CREDENTIAL_KEYS


# Assumed for cloud devices when estimating offline; the live document has the real figures.
@dataclass(frozen=True, slots=True)
class ProgramSetLimits:
    max_executables: int
    max_total_shots: int


DEFAULT_PROGRAM_SET_LIMITS = ProgramSetLimits(max_executables=100, max_total_shots=200_000)


@dataclass(frozen=True, slots=True)
class Capabilities:
    gates: tuple[str, ...]
    qubits: int
    program_sets: ProgramSetLimits | None
    statevector: str | None  # "state_vector", "amplitude" (SV1) or None
    exact_expectations: bool
    gphase: bool  # a `gphase` statement is accepted (local simulators)
    physical_qubits: bool  # `$n` qubits are accepted
    fully_connected: bool = True
    edges: tuple[tuple[int, int], ...] = ()  # device qubit labels, when not fully connected
    min_shots: int = 1
    max_shots: int | None = None


def from_local_facts(facts: Mapping[str, Any]) -> Capabilities:
    limits = facts["program_set"]
    return Capabilities(
        gates=tuple(facts["gates"]),
        qubits=int(facts["qubits"]),
        program_sets=None if limits is None else ProgramSetLimits(**limits),
        statevector="state_vector" if "StateVector" in facts["result_types"] else None,
        exact_expectations="Expectation" in facts["result_types"],
        gphase="GPhase" in facts["gates"],
        physical_qubits=False,
    )


def from_cloud_facts(facts: Mapping[str, Any]) -> Capabilities:
    return Capabilities(
        gates=tuple(facts["gates"]),
        qubits=int(facts["qubits"]),
        program_sets=DEFAULT_PROGRAM_SET_LIMITS if facts["program_sets"] else None,
        statevector="amplitude" if facts["statevector"] else None,
        exact_expectations=bool(facts["statevector"]),
        gphase=False,
        physical_qubits=False,
        max_shots=int(facts["max_shots"]),
    )


def _edges(connectivity: Any) -> tuple[tuple[int, int], ...]:
    graph = getattr(connectivity, "connectivityGraph", None) or {}
    pairs = {(int(a), int(b)) for a, targets in graph.items() for b in targets}
    return tuple(sorted(pairs | {(b, a) for a, b in pairs}))


def from_properties(properties: Any) -> Capabilities:
    """From an AwsDevice's parsed capabilities document."""
    kinds = require("braket.device_schema").DeviceActionType
    program = properties.action[kinds.OPENQASM]
    results = {r.name for r in (program.supportedResultTypes or [])}
    program_set = properties.action.get(kinds.OPENQASM_PROGRAM_SET)
    limits = None
    if program_set is not None:
        limits = ProgramSetLimits(
            int(program_set.maximumExecutables), int(program_set.maximumTotalShots)
        )
    connectivity = getattr(properties.paradigm, "connectivity", None)
    fully = connectivity is None or bool(getattr(connectivity, "fullyConnected", True))
    low, high = properties.service.shotsRange
    return Capabilities(
        gates=tuple(program.supportedOperations),
        qubits=int(properties.paradigm.qubitCount),
        program_sets=limits,
        statevector=_statevector_result(results),
        exact_expectations="Expectation" in results,
        gphase="gphase" in {g.lower() for g in program.supportedOperations},
        physical_qubits=bool(getattr(program, "supportPhysicalQubits", False)),
        fully_connected=fully,
        edges=() if fully else _edges(connectivity),
        min_shots=int(low),
        max_shots=int(high),
    )


def _statevector_result(results: set[str]) -> str | None:
    if "StateVector" in results:
        return "state_vector"
    return "amplitude" if "Amplitude" in results else None


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
    source = pricing.PRICING_URL
    if facts["simulator"]:
        rate = pricing.per_minute(key)
        return Pricing(
            f"${rate} per minute of simulated time per task, billed by the millisecond with a "
            f"{pricing.MINIMUM_BILLED_SECONDS:g}-second minimum per task",
            "s",
            pricing.PRICES_AS_OF,
            source,
        )
    shot = pricing.per_shot(key)
    fee = f"${pricing.PER_TASK_USD:.2f} per task (a program set is one task)"
    if shot is None:
        return Pricing(
            f"{fee} + a per-shot fee qdispatch's price table does not know: estimates say "
            "pricing_available: false",
            "shots",
            pricing.PRICES_AS_OF,
            source,
        )
    return Pricing(f"{fee} + ${shot} per shot", "shots", pricing.PRICES_AS_OF, source)


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

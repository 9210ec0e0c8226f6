"""The Aer devices, built from the committed facts (no Qiskit import)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qdispatch_aer.facts import DEVICES
from qdispatch_aer.memory import qubits_for_memory
from qdispatch_core.domain import Device, DeviceStatus, OptionSpec, RunType
from qdispatch_core.ports.backend_settings import BackendSettings

PROVIDER = "aer"
MITIGATION = "none needed: noiseless simulator"
SEED_MAX = 2**32 - 1


def _options(methods: Mapping[str, Any]) -> tuple[OptionSpec, ...]:
    return (
        OptionSpec("method", "str", "Aer simulation method", choices=tuple(methods)),
        OptionSpec(
            "seed_simulator", "int", "seed of the sampling (reproducible counts)", 0, SEED_MAX
        ),
        OptionSpec(
            "seed_transpiler", "int", "seed of the transpiler's random choices", 0, SEED_MAX
        ),
        OptionSpec("optimization_level", "int", "transpiler optimization level (default 1)", 0, 3),
        OptionSpec(
            "max_parallel_threads", "int", "CPU threads Aer may use (0: all cores)", 0, 1024
        ),
        OptionSpec("precision", "str", "floating point precision", choices=("double", "single")),
    )


def _run_types(capabilities: list[str]) -> tuple[RunType, ...]:
    run_types = []
    if "counts" in capabilities:
        run_types.append(RunType.RUN)
    if "statevector" in capabilities and "expectations" in capabilities:
        run_types.append(RunType.STATEVECTOR)
    return tuple(run_types)


def build_device(device_id: str, facts: Mapping[str, Any], memory_limit_bytes: int) -> Device:
    name, method, description = DEVICES[device_id]
    qubits = (
        facts["qubits"] if facts["qubits"] is not None else qubits_for_memory(memory_limit_bytes)
    )
    return Device(
        id=device_id,
        provider=PROVIDER,
        name=name,
        simulator=True,
        qubits=int(qubits),
        status=DeviceStatus.ONLINE,
        run_types=_run_types(facts["methods"][method]),
        basis_gates=tuple(facts["basis_gates"]),
        coupling_map=None,
        max_shots=int(facts["max_shots"]),
        pricing=None,
        options=_options(facts["methods"]),
        local=True,
        noisy=False,
        mitigation=MITIGATION,
        description=description,
    )


def build_devices(facts: Mapping[str, Any], memory_limit_bytes: int) -> tuple[Device, ...]:
    return tuple(
        build_device(device_id, facts["devices"][device_id], memory_limit_bytes)
        for device_id in DEVICES
    )


def default_method(device: Device) -> str:
    return DEVICES[device.id][1]


def catalog(
    credentials: Mapping[str, str] | None = None, *, settings: BackendSettings | None = None
) -> tuple[Device, ...]:
    """What `AerBackend().list_devices()` returns, without building the backend: the registry
    lists devices through this (entry point `qdispatch.catalogs`) so that listing imports only
    the device tables."""
    from qdispatch_aer.facts import load_facts

    return build_devices(load_facts(), (settings or BackendSettings()).simulation_memory_bytes)

"""The Aer devices, built from the committed facts (no Qiskit import), and how many qubits the
worker's memory budget allows each dense method.

Aer sizes its dense methods by memory (a state vector of n qubits is 16·2^n bytes, a density
matrix 16·4^n). The same rule, applied to the memory this worker may use rather than to the
host's, gives the `aer_simulator` device its qubit count. The sizes, the budget and the refusal
are the toolkit's (qdispatch_qiskit.memory).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from qdispatch_aer.catalog import DEVICES
from qdispatch_core.domain import Device, DeviceStatus, OptionSpec, RunType
from qdispatch_core.ports.backend_settings import BackendSettings
from qdispatch_qiskit.memory import DENSITY_MATRIX, STATEVECTOR


def qubits_for_memory(memory_bytes: int) -> int:
    """Aer's rule (qiskit_aer MAX_QUBITS_STATEVECTOR): the widest state vector that fits."""
    return max(1, int(math.log2(memory_bytes / 16)))


def dense_state(method: str, output_kind: str) -> str | None:
    """The dense state a run holds (STATEVECTOR or DENSITY_MATRIX), or None where its memory
    does not grow as 2^n.

    A statevector output is dense whatever the method. Sampling on `automatic` may run as a
    stabilizer simulation, and matrix product states grow with entanglement, not width; those
    are bounded by the device's qubit count instead.
    """
    if output_kind == "statevector":
        return STATEVECTOR
    if method == "density_matrix":
        return DENSITY_MATRIX
    if method == "statevector" or (method == "automatic" and output_kind == "expectations"):
        return STATEVECTOR
    return None


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
    from qdispatch_aer.catalog import load_facts

    return build_devices(load_facts(), (settings or BackendSettings()).simulation_memory_bytes)

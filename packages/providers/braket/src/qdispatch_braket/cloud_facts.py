"""What the Braket SDK cannot say offline about the cloud devices, read from AWS's pages.

`braket.devices.Devices` lists the device ARNs (the catalog takes the list from it); qubit
counts, shot limits and gate sets live in each device's capabilities document, which needs
credentials and the network (GetDevice). These figures are for listing devices and dry runs;
a real submission reads the live capabilities and those win (gates, shot range, program sets,
connectivity). Update them when AWS changes a device, with the date.
"""

from __future__ import annotations

from typing import Any

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

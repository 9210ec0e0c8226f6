"""`qiskit.QuantumCircuit` → OpenQASM text for the run contract, with its parameters' names.

Circuits without parameters are written as OpenQASM 2 when that loses nothing (checked by
reading the text back): qdispatch reads OpenQASM 2 about seventy times faster than OpenQASM 3,
which matters to loops that submit many circuits. Everything else is OpenQASM 3
(`qiskit.qasm3.dumps`), whose `input float[64]` declarations keep parameter names.

Names that are not OpenQASM identifiers (a `ParameterVector`'s `θ[0]`) are written the way
Qiskit's exporter escapes them (`_θ_0_`); `ExportedCircuit.names` maps each Qiskit parameter
to the name it has in the text, so callers can bind by `Parameter`, by Qiskit name or by
position in `circuit.parameters` order, whatever the stored circuit calls it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

_INPUT = re.compile(r"^input\s+float\[64\]\s+(\S+)\s*;\s*$", re.MULTILINE)
_DEFAULT_NAME = re.compile(r"^circuit-\d+$")


class ExportError(ValueError):
    """The circuit cannot be written as OpenQASM the way qdispatch needs."""


@dataclass(frozen=True)
class ExportedCircuit:
    qasm: str
    version: int
    # Qiskit parameters in `circuit.parameters` order → their names in `qasm`
    names: dict[Any, str]

    @property
    def ordered_names(self) -> list[str]:
        """The stored circuit's names in Qiskit's `circuit.parameters` order."""
        return list(self.names.values())

    def name_for(self, key: Any) -> str | None:
        """The name in the text of a `Parameter` or of a Qiskit parameter name; None if unknown."""
        if isinstance(key, str):
            for parameter, exported in self.names.items():
                if key in (parameter.name, exported):
                    return exported
            return None
        return self.names.get(key)


def user_name(circuit: QuantumCircuit) -> str:
    """The circuit's name unless it is Qiskit's generated default (`circuit-123`)."""
    name = circuit.name or ""
    return "" if _DEFAULT_NAME.match(name) else name


def export(circuit: QuantumCircuit) -> ExportedCircuit:
    """OpenQASM text for `circuit`; ExportError when Qiskit cannot write it."""
    if not circuit.parameters and not _has_global_phase(circuit):
        text = _qasm2_if_lossless(circuit)
        if text is not None:
            return ExportedCircuit(text, 2, {})
    return _qasm3(circuit)


def _has_global_phase(circuit: QuantumCircuit) -> bool:
    phase = circuit.global_phase
    if not isinstance(phase, (int, float)):
        return True  # a parameterised phase: OpenQASM 3 only
    return not math.isclose(math.remainder(phase, 2 * math.pi), 0.0, abs_tol=1e-12)


def _qasm2_if_lossless(circuit: QuantumCircuit) -> str | None:
    from qiskit import qasm2

    try:
        text = qasm2.dumps(circuit)
        back = qasm2.loads(
            text,
            custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS,
            include_path=(),  # "qelib1.inc" is built in; no file is ever read
        )
    except Exception:  # anything OpenQASM 2 cannot say (control flow, delays, ...)
        return None
    same = (
        back.num_qubits == circuit.num_qubits
        and back.num_clbits == circuit.num_clbits
        and dict(back.count_ops()) == dict(circuit.count_ops())
    )
    return text if same else None


def _qasm3(circuit: QuantumCircuit) -> ExportedCircuit:
    from qiskit import qasm3

    try:
        text = qasm3.dumps(circuit)
    except Exception as exc:
        raise ExportError(f"Qiskit cannot write this circuit as OpenQASM 3: {exc}") from exc
    declared = _INPUT.findall(text)
    parameters = list(circuit.parameters)
    if len(declared) != len(parameters):
        raise ExportError(
            f"the circuit has {len(parameters)} parameters but its OpenQASM 3 declares "
            f"{len(declared)} inputs; bind the parameters that are not plain gate angles"
        )
    # The exporter declares inputs in `circuit.parameters` order (checked by the tests).
    names = dict(zip(parameters, declared, strict=True))
    phase = circuit.global_phase
    if isinstance(phase, (int, float)) and _has_global_phase(circuit):
        # qasm3.dumps drops the global phase; a statevector keeps it (gphase is OpenQASM 3).
        text = text.rstrip("\n") + f"\ngphase({float(phase)!r});\n"
    return ExportedCircuit(text, 3, names)

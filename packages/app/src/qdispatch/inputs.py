"""What Python callers hand `Client.run`, turned into the run contract's request (§3, §4).

Besides the contract's own forms (OpenQASM text, stored circuit ids, nested lists) this accepts
what Qiskit and numpy users already hold: `QuantumCircuit`s, numpy arrays and scalars,
`Parameter` keys, `SparsePauliOp`, `Pauli`, Pauli strings and `[(label, coeff), ...]` term
lists. Everything becomes plain lists, numbers and strings here, so the core validates the
request exactly as it validates one from the CLI or an agent; what this module cannot place it
passes on unchanged and the core's 400 says what was expected.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qdispatch import qasm_export
from qdispatch._lazy import is_ndarray, is_numpy_scalar, loaded_instance
from qdispatch.qasm_export import ExportedCircuit
from qdispatch_core.errors import BadRequest

CIRCUIT_ID = re.compile(r"cir_[0-9A-Za-z]+")
PAULI_STRING = re.compile(r"\s*([+-]?)\s*([IXYZ]+)\s*")
IMAGINARY_TOLERANCE = 1e-10


def is_quantum_circuit(obj: Any) -> bool:
    return loaded_instance(obj, "qiskit.circuit", "QuantumCircuit")


# -- circuits ---------------------------------------------------------------------------------


@dataclass
class Circuits:
    """The contract's `circuit_ids` and `circuits_qasm`, and what each circuit in run order
    came from (its export, when it was a `QuantumCircuit`)."""

    circuit_ids: list[str] = field(default_factory=list)
    circuits_qasm: list[str] = field(default_factory=list)
    exported: list[ExportedCircuit | None] = field(default_factory=list)


def circuit_items(circuits: Any) -> list[Any]:
    """One circuit (text, id or QuantumCircuit) or a sequence of them, as a list."""
    if circuits is None:
        return []
    if isinstance(circuits, str) or is_quantum_circuit(circuits):
        return [circuits]  # a QuantumCircuit iterates over its instructions: never iterate it
    if is_ndarray(circuits):
        return list(circuits.ravel())
    if isinstance(circuits, Sequence):
        return list(circuits)
    raise BadRequest(
        f"circuits: expected OpenQASM text, a stored circuit id, a qiskit QuantumCircuit or a "
        f"list of these, got {type(circuits).__name__}",
        field="circuits",
    )


def split_circuits(circuits: Any, circuit_ids: Sequence[str] = ()) -> Circuits:
    """Stored ids into `circuit_ids`, sources into `circuits_qasm`, keeping the caller's order.

    The contract runs `circuit_ids` before `circuits_qasm`, so an id placed after a source
    cannot keep its place: that is a 400 rather than a silently reordered job.
    """
    out = Circuits(circuit_ids=list(circuit_ids), exported=[None] * len(circuit_ids))
    for i, item in enumerate(circuit_items(circuits)):
        where = f"circuits[{i}]"
        if isinstance(item, str) and CIRCUIT_ID.fullmatch(item.strip()):
            if out.circuits_qasm:
                raise BadRequest(
                    f"{where}: the stored circuit {item.strip()} comes after a circuit source, "
                    "but stored circuits run first (run contract §3); put stored ids before "
                    "sources and circuit objects",
                    field=where,
                )
            out.circuit_ids.append(item.strip())
            out.exported.append(None)
        elif isinstance(item, str):
            out.circuits_qasm.append(item)
            out.exported.append(None)
        elif is_quantum_circuit(item):
            exported = export_circuit(item, where)
            out.circuits_qasm.append(exported.qasm)
            out.exported.append(exported)
        else:
            raise BadRequest(
                f"{where}: expected OpenQASM text, a stored circuit id or a qiskit "
                f"QuantumCircuit, got {type(item).__name__}",
                field=where,
            )
    return out


def export_circuit(circuit: Any, where: str = "circuit") -> ExportedCircuit:
    try:
        return qasm_export.export(circuit)
    except qasm_export.ExportError as exc:
        raise BadRequest(f"{where}: {exc}", field=where) from None


# -- numbers and parameters ------------------------------------------------------------------


def plain(value: Any) -> Any:
    """numpy arrays and scalars as lists and Python numbers, recursively; keys untouched."""
    if is_ndarray(value):
        return value.tolist()
    if is_numpy_scalar(value):
        return value.item()
    if isinstance(value, Mapping):
        return {key: plain(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _swept(value: Any) -> Any:
    """`{name: [v1, v2, ...], ...}` (equal lengths) as one parameter set per position."""
    if isinstance(value, dict):
        lengths = {len(v) if isinstance(v, list) else -1 for v in value.values()}
        if value and len(lengths) == 1 and min(lengths) > 0:
            (n,) = lengths
            return [{key: v[i] for key, v in value.items()} for i in range(n)]
        return value
    if isinstance(value, list):
        return [_swept(v) for v in value]
    return value


def parameters(raw: Any, exported: Sequence[ExportedCircuit | None]) -> Any:
    """The contract's `parameters` from lists, numpy arrays, `{name or Parameter: value}` sets
    and `{name: values}` sweeps.

    For a circuit given as a `QuantumCircuit`, values by position follow Qiskit's
    `circuit.parameters` order and keys may be `Parameter` objects or Qiskit names; they are
    rewritten as `{name in the stored circuit: value}`, so they bind correctly whatever order
    and spelling the stored OpenQASM has. A flat list or 1-D array for such a circuit with one
    parameter is a sweep (one set per value).
    """
    if raw is None:
        return None
    value = _swept(plain(raw))
    if any(e is not None and e.names for e in exported):
        value = _by_stored_name(value, exported)
    return _names_as_strings(value)


def _is_set(x: Any) -> bool:
    return isinstance(x, dict) or (
        isinstance(x, list) and all(isinstance(v, (int, float)) for v in x)
    )


def _sets_of(entry: Any) -> list[Any] | None:
    if _is_set(entry):
        return [entry]
    if isinstance(entry, list) and entry and all(_is_set(s) for s in entry):
        return list(entry)
    return None


def _one_parameter_sweep(entry: Any, circuit: ExportedCircuit | None) -> Any:
    """`[v1, v2, ...]` for a circuit with one parameter can only be a sweep (as a single set it
    would have the wrong length): one set per value."""
    if (
        circuit is not None
        and len(circuit.names) == 1
        and isinstance(entry, list)
        and len(entry) > 1
        and all(isinstance(v, (int, float)) for v in entry)
    ):
        return [[v] for v in entry]
    return entry


def _by_stored_name(value: Any, exported: Sequence[ExportedCircuit | None]) -> Any:
    if len(exported) == 1:
        value = _one_parameter_sweep(value, exported[0])
        sets = _sets_of(value)
        if sets is None and isinstance(value, list) and len(value) == 1:
            sets = _sets_of(value[0])
        if sets is None:
            return value  # fits no shape: the core says so
        return [_rename_set(s, exported[0]) for s in sets]
    if not isinstance(value, list) or len(value) != len(exported):
        return value
    out = []
    for entry, circuit in zip(value, exported, strict=True):
        entry = _one_parameter_sweep(entry, circuit)
        sets = _sets_of(entry)
        out.append(entry if sets is None else [_rename_set(s, circuit) for s in sets])
    return out


def _rename_set(values: Any, circuit: ExportedCircuit | None) -> Any:
    if circuit is None or not circuit.names:
        return values
    if isinstance(values, dict):
        return {(circuit.name_for(key) or key): v for key, v in values.items()}
    if len(values) == len(circuit.names):
        return dict(zip(circuit.ordered_names, values, strict=True))
    return values  # the wrong length: the core names the circuit's parameters


def _names_as_strings(value: Any) -> Any:
    """`Parameter` keys left over (circuits given as text) become their names."""
    if isinstance(value, dict):
        return {
            (key if isinstance(key, str) else getattr(key, "name", key)): v
            for key, v in value.items()
        }
    if isinstance(value, list):
        return [_names_as_strings(v) for v in value]
    return value


# -- observables -------------------------------------------------------------------------------


def observables(raw: Any) -> Any:
    """The contract's `observables` from `SparsePauliOp`, `Pauli`, Pauli strings (`"ZZ"`,
    `"-XI"`), `[(label, coeff), ...]`, the contract's `[labels, coeffs]`, and lists of these
    (per circuit, as in run contract §4)."""
    if raw is None:
        return None
    return _observable_tree(raw)


def _observable_tree(x: Any) -> Any:
    single = single_observable(x)
    if single is not None:
        return single
    if is_ndarray(x):
        x = x.tolist()
    if loaded_instance(x, "qiskit.quantum_info", "PauliList"):
        x = list(x)
    if isinstance(x, (list, tuple)):
        return [_observable_tree(e) for e in x]
    return plain(x)  # the core explains the accepted shapes


def single_observable(x: Any) -> list[Any] | None:
    """One observable as `[labels, coefficients]`, or None when `x` is not one by itself."""
    if loaded_instance(x, "qiskit.quantum_info", "SparsePauliOp"):
        return _from_terms(zip(x.paulis.to_labels(), x.coeffs.tolist(), strict=True))
    if loaded_instance(x, "qiskit.quantum_info", "Pauli"):
        from qiskit.quantum_info import SparsePauliOp

        return single_observable(SparsePauliOp(x))
    if isinstance(x, str):
        match = PAULI_STRING.fullmatch(x)
        if match is None:
            raise BadRequest(
                f"observables: {x!r} is not a Pauli string; use the letters I, X, Y and Z, "
                "the rightmost acting on qubit 0 (a sign may lead: '-ZZ')",
                field="observables",
            )
        return [[match[2]], [-1.0 if match[1] == "-" else 1.0]]
    if _is_contract_observable(x):
        labels = list(x[0])
        coefficients = plain(x[1])
        named = labels + ["?"] * max(0, len(coefficients) - len(labels))
        return [labels, [_real(c, label) for c, label in zip(coefficients, named, strict=False)]]
    if _is_term_list(x):
        return _from_terms(x)
    return None


def _is_number(x: Any) -> bool:
    return (isinstance(x, (int, float, complex)) and not isinstance(x, bool)) or is_numpy_scalar(x)


def _is_contract_observable(x: Any) -> bool:
    return (
        isinstance(x, (list, tuple))
        and len(x) == 2
        and isinstance(x[0], (list, tuple))
        and all(isinstance(s, str) for s in x[0])
        and (isinstance(x[1], (list, tuple)) or is_ndarray(x[1]))
        and all(_is_number(c) for c in plain(x[1]))
    )


def _is_term_list(x: Any) -> bool:
    return (
        isinstance(x, (list, tuple))
        and len(x) > 0
        and all(
            isinstance(t, (list, tuple))
            and len(t) == 2
            and isinstance(t[0], str)
            and _is_number(t[1])
            for t in x
        )
    )


def _from_terms(terms: Any) -> list[Any]:
    labels, coefficients = [], []
    for label, coefficient in terms:
        labels.append(label)
        coefficients.append(_real(coefficient, label))
    return [labels, coefficients]


def _real(coefficient: Any, label: str) -> Any:
    """A coefficient as a real number; a 400 when it has a real imaginary part."""
    value = plain(coefficient)
    if isinstance(value, complex):
        if abs(value.imag) > IMAGINARY_TOLERANCE * max(1.0, abs(value.real)):
            raise BadRequest(
                f"observables: the coefficient of {label!r} is {value}; observables must be "
                "Hermitian, with real coefficients",
                field="observables",
            )
        return value.real
    return value


# -- the request --------------------------------------------------------------------------------


def shots(value: Any) -> Any:
    """numpy integers as int; anything else as given (the core checks it)."""
    try:
        return operator.index(value) if not isinstance(value, bool) else value
    except TypeError:
        return value

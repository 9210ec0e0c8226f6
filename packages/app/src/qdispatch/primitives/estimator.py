"""`EstimatorV2`: Qiskit's estimator interface on any qdispatch device.

Precision decides how each PUB runs (recorded in docs/decisions.md):
- `precision > 0`: a sampled `Run` with `ceil(1 / precision²)` shots, as Qiskit's
  `BackendEstimatorV2` does; qdispatch groups qubit-wise-commuting Pauli terms, so each group
  costs one measured circuit per parameter set.
- `precision == 0`: an exact `StatevectorRun`, like Qiskit's `StatevectorEstimator` (without
  its added noise), on devices that can run it; elsewhere a ValueError.
The default precision is Qiskit's `BackendEstimatorV2` default (0.015625, 4096 shots): these
primitives stand for devices, and exactness is asked for, not assumed.

A PUB's observables and parameter values are broadcast as Qiskit does. Each distinct
observable and parameter set is sent once (qdispatch computes every observable at every set of
a circuit), and the values are gathered back into the broadcast shape.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit.primitives import BaseEstimatorV2, PrimitiveResult, PubResult
from qiskit.primitives.containers import DataBin, EstimatorPubLike
from qiskit.primitives.containers.estimator_pub import EstimatorPub

from qdispatch.client import Client
from qdispatch.primitives.base import QDispatchPrimitive, export, parameter_rows, pub_metadata
from qdispatch.primitives.job import QDispatchPrimitiveJob
from qdispatch.qasm_export import ExportedCircuit
from qdispatch.results import RunResult

DEFAULT_PRECISION = 0.015625
PAULI_LETTERS = frozenset("IXYZ")


@dataclass
class _Prepared:
    """One PUB as parts of a qdispatch job, and how to gather its values back."""

    pub: EstimatorPub
    circuit: ExportedCircuit
    parameter_sets: np.ndarray  # distinct sets, rows in circuit.parameters order
    observables: list[list[Any]]  # distinct observables, as the contract's [labels, coeffs]
    set_index: np.ndarray  # broadcast shape → row of parameter_sets
    observable_index: np.ndarray  # broadcast shape → entry of observables


class EstimatorV2(QDispatchPrimitive, BaseEstimatorV2):
    """Estimates expectation values of PUBs `(circuit, observables, parameter_values,
    precision)` as qdispatch jobs.

    Args:
        client: The qdispatch client to submit through (default: a new `Client()`).
        device_id: Any qdispatch device.
        default_precision: Precision for PUBs and calls that give none; 0 asks for exact
            values (simulators that run StatevectorRun).
        options: Device options and credentials, as for `Client.run`.
        use_mitigation: Apply the error mitigation that fits the device.
        experiment: Where the jobs are filed.
    """

    def __init__(
        self,
        client: Client | None = None,
        device_id: str = "aer_simulator",
        *,
        default_precision: float = DEFAULT_PRECISION,
        options: Mapping[str, Any] | None = None,
        use_mitigation: bool = False,
        experiment: str = "primitives",
    ) -> None:
        QDispatchPrimitive.__init__(self, client, device_id, options, experiment, "EstimatorV2")
        self.default_precision = default_precision
        self.use_mitigation = use_mitigation

    def run(
        self, pubs: Iterable[EstimatorPubLike], *, precision: float | None = None
    ) -> QDispatchPrimitiveJob:
        if precision is None:
            precision = self.default_precision
        coerced = [EstimatorPub.coerce(pub, precision) for pub in pubs]
        if not coerced:
            raise ValueError("no PUBs to run")
        prepared = [_prepare(pub, i) for i, pub in enumerate(coerced)]
        batches: dict[tuple[str, int], list[int]] = {}
        for i, pub in enumerate(coerced):
            batches.setdefault(self._mode(pub.precision), []).append(i)
        handles, members = [], []
        for (run_type, shots), indices in batches.items():
            parts = [prepared[i] for i in indices]
            handles.append(
                self._submit(
                    [p.circuit for p in parts],
                    [p.parameter_sets for p in parts],
                    run_type=run_type,
                    shots=shots,
                    observables=[p.observables for p in parts],
                    use_mitigation=self.use_mitigation,
                )
            )
            members.append(indices)

        def assemble(results: list[RunResult]) -> PrimitiveResult:
            out: list[PubResult | None] = [None] * len(prepared)
            for result, indices in zip(results, members, strict=True):
                values, errors = result.expectation_values, result.standard_errors
                for position, i in enumerate(indices):
                    out[i] = _pub_result(prepared[i], values[position], errors[position], result)
            return PrimitiveResult(
                out, metadata={"version": 2, "job_ids": [r.job.id for r in results]}
            )

        return QDispatchPrimitiveJob(handles, assemble, device_id=self.device_id)

    def _mode(self, precision: float) -> tuple[str, int]:
        if precision == 0:
            if not self._device_runs_statevectors():
                raise ValueError(
                    f"precision 0 asks for exact values, which device {self.device_id!r} cannot "
                    "compute (it does not run StatevectorRun); give a precision larger than 0"
                )
            return "StatevectorRun", 1
        return "Run", math.ceil(1.0 / precision**2)


def _prepare(pub: EstimatorPub, index: int) -> _Prepared:
    circuit = export(pub.circuit, index)
    rows = parameter_rows(pub.parameter_values, pub.circuit)
    if rows.shape[1] == 0:  # no parameters: one empty set serves every position
        sets, set_inverse = rows[:1], np.zeros(len(rows), dtype=int)
    else:
        sets, set_inverse = np.unique(rows, axis=0, return_inverse=True)
    flat_observables = pub.observables.ravel().tolist()
    observables: list[Any] = []
    seen: dict[tuple[Any, ...], int] = {}
    observable_inverse: list[int] = []
    for terms in flat_observables:
        key = tuple(sorted(terms.items()))
        if key not in seen:
            seen[key] = len(observables)
            observables.append(_contract_observable(terms))
        observable_inverse.append(seen[key])
    set_index = np.asarray(set_inverse).reshape(pub.parameter_values.shape)
    observable_index = np.asarray(observable_inverse, dtype=int).reshape(pub.observables.shape)
    set_index, observable_index = np.broadcast_arrays(set_index, observable_index)
    return _Prepared(pub, circuit, sets, observables, set_index, observable_index)


def _contract_observable(terms: dict[str, float]) -> list[Any]:
    """`{label: coeff}` as `[labels, coeffs]`; labels with projectors (`0`, `1`, `+`, `-`,
    `r`, `l`) are expanded into Pauli terms first, since qdispatch measures Paulis."""
    if all(set(label) <= PAULI_LETTERS for label in terms):
        items = list(terms.items())
    else:
        from qiskit.quantum_info import SparseObservable, SparsePauliOp

        expanded = SparseObservable.from_list(list(terms.items())).as_paulis()
        items = SparsePauliOp.from_sparse_observable(expanded).simplify().to_list()
    labels = [label for label, _ in items]
    coefficients = []
    for label, coefficient in items:
        value = complex(coefficient)
        if abs(value.imag) > 1e-10:
            raise ValueError(f"observable term {label!r} has a complex coefficient {value}")
        coefficients.append(value.real)
    return [labels, coefficients]


def _pub_result(
    prepared: _Prepared, values: np.ndarray, errors: np.ndarray, result: RunResult
) -> PubResult:
    """values/errors: this circuit's [observable, parameter set] grid."""
    o, p = prepared.observable_index, prepared.set_index
    evs = np.asarray(values[o, p], dtype=float)
    stds = np.asarray(errors[o, p], dtype=float)
    pub = prepared.pub
    metadata = {
        "target_precision": pub.precision,
        "circuit_metadata": pub.circuit.metadata,
        "qdispatch": pub_metadata(result),
    }
    if result.job.run_type == "Run":
        metadata["shots"] = result.job.shots
    return PubResult(DataBin(evs=evs, stds=stds, shape=evs.shape), metadata=metadata)

"""What both qdispatch primitives share: a client, a device, and one qdispatch job per batch of
PUBs that can run together (same run type and shots)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from qiskit import QuantumCircuit

from qdispatch.client import Client, JobHandle
from qdispatch.inputs import export_circuit
from qdispatch.qasm_export import ExportedCircuit
from qdispatch.results import RunResult


class QDispatchPrimitive:
    """A device to run on, the client that submits, and where the jobs are filed."""

    def __init__(
        self,
        client: Client | None,
        device_id: str,
        options: Mapping[str, Any] | None,
        experiment: str,
        name: str,
    ) -> None:
        self._owns_client = client is None
        self.client = client if client is not None else Client(progress=False)
        self.device_id = device_id
        self.options = dict(options or {})
        self.experiment = experiment
        self.name = name
        self._experiment_id: str | None = None  # looked up (or created) on the first call
        self._statevectors: bool | None = None

    def close(self) -> None:
        """Close the client this primitive made (one handed in stays open)."""
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> QDispatchPrimitive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _submit(
        self,
        circuits: Sequence[ExportedCircuit],
        parameter_sets: Sequence[np.ndarray],
        *,
        run_type: str,
        shots: int,
        observables: Any = None,
        use_mitigation: bool = False,
    ) -> JobHandle:
        """One qdispatch job: circuit k bound to each row of `parameter_sets[k]`."""
        parameters = None
        if any(c.names or len(sets) > 1 for c, sets in zip(circuits, parameter_sets, strict=True)):
            # by name: the stored circuit's binding order may differ from circuit.parameters;
            # a circuit without parameters takes one empty set per position
            parameters = [
                [
                    dict(zip(c.ordered_names, row.tolist(), strict=True)) if c.names else []
                    for row in sets
                ]
                for c, sets in zip(circuits, parameter_sets, strict=True)
            ]
        if self._experiment_id is None:
            self._experiment_id = self.client.experiment(self.experiment).id
        return self.client.run(
            [c.qasm for c in circuits],
            self.device_id,
            run_type=run_type,  # type: ignore[arg-type]
            shots=shots,
            parameters=parameters,
            observables=observables,
            options=self.options,
            use_mitigation=use_mitigation,
            name=self.name,
            experiment_id=self._experiment_id,
        )

    def _device_runs_statevectors(self) -> bool:
        if self._statevectors is None:  # a device's run types do not change
            self._statevectors = "StatevectorRun" in self.client.device(self.device_id).run_types
        return self._statevectors


def export(circuit: QuantumCircuit, index: int) -> ExportedCircuit:
    return export_circuit(circuit, f"pubs[{index}].circuit")


def parameter_rows(values: Any, circuit: QuantumCircuit) -> np.ndarray:
    """A PUB's BindingsArray as rows [flat index, parameter] in `circuit.parameters` order."""
    if circuit.num_parameters == 0:
        return np.zeros((max(1, values.size), 0))
    array = values.as_array(circuit.parameters)
    return np.asarray(array, dtype=float).reshape(-1, circuit.num_parameters)


def pub_metadata(result: RunResult) -> dict[str, Any]:
    job = result.job
    cost = job.cost.model_dump() if job.cost is not None else None
    return {"job_id": job.id, "device_id": job.device_id, "cost": cost}

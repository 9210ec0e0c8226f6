"""`SamplerV2`: Qiskit's sampler interface on any qdispatch device.

Each PUB `(circuit, parameter_values, shots)` is one circuit of a qdispatch job, bound to every
parameter set of its (flattened) bindings array; a call whose PUBs ask for different shots runs
as one job per shot count. qdispatch keeps counts, not shot order, so each classical register's
`BitArray` is built from the counts: the shots are grouped by outcome, and registers of one
circuit are built from the same joint outcomes, so correlations between them are kept.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.primitives import BaseSamplerV2, PrimitiveResult, SamplerPubResult
from qiskit.primitives.containers import BitArray, DataBin, SamplerPubLike
from qiskit.primitives.containers.sampler_pub import SamplerPub

from qdispatch.client import Client
from qdispatch.primitives.base import QDispatchPrimitive, export, parameter_rows, pub_metadata
from qdispatch.primitives.job import QDispatchPrimitiveJob
from qdispatch.results import RunResult

DEFAULT_SHOTS = 1024


class SamplerV2(QDispatchPrimitive, BaseSamplerV2):
    """Samples PUBs `(circuit, parameter_values, shots)` as qdispatch jobs.

    Args:
        client: The qdispatch client to submit through (default: a new `Client()`).
        device_id: Any qdispatch device.
        default_shots: Shots for PUBs and calls that give none.
        options: Device options and credentials, as for `Client.run`.
        experiment: Where the jobs are filed.
    """

    def __init__(
        self,
        client: Client | None = None,
        device_id: str = "aer_simulator",
        *,
        default_shots: int = DEFAULT_SHOTS,
        options: Mapping[str, Any] | None = None,
        experiment: str = "primitives",
    ) -> None:
        QDispatchPrimitive.__init__(self, client, device_id, options, experiment, "SamplerV2")
        self.default_shots = default_shots

    def run(
        self, pubs: Iterable[SamplerPubLike], *, shots: int | None = None
    ) -> QDispatchPrimitiveJob:
        if shots is None:
            shots = self.default_shots
        coerced = [SamplerPub.coerce(pub, shots) for pub in pubs]
        if not coerced:
            raise ValueError("no PUBs to run")
        if any(len(pub.circuit.cregs) == 0 for pub in coerced):
            warnings.warn(
                "One of your circuits has no output classical registers; qdispatch needs "
                "measurements to sample it. Did you mean to add measurement instructions?",
                UserWarning,
                stacklevel=2,
            )
        exported = [export(pub.circuit, i) for i, pub in enumerate(coerced)]
        batches: dict[int, list[int]] = {}
        for i, pub in enumerate(coerced):
            batches.setdefault(pub.shots, []).append(i)
        handles, members = [], []
        for batch_shots, indices in batches.items():
            handles.append(
                self._submit(
                    [exported[i] for i in indices],
                    [
                        parameter_rows(coerced[i].parameter_values, coerced[i].circuit)
                        for i in indices
                    ],
                    run_type="Run",
                    shots=batch_shots,
                )
            )
            members.append(indices)

        def assemble(results: list[RunResult]) -> PrimitiveResult:
            out: list[SamplerPubResult | None] = [None] * len(coerced)
            for result, indices in zip(results, members, strict=True):
                for position, i in enumerate(indices):
                    out[i] = _pub_result(coerced[i], result, position)
            return PrimitiveResult(
                out, metadata={"version": 2, "job_ids": [r.job.id for r in results]}
            )

        return QDispatchPrimitiveJob(handles, assemble, device_id=self.device_id)


def _register_positions(circuit: QuantumCircuit) -> dict[str, list[int]]:
    """Each classical register's bits as positions among the circuit's clbits (bit 0 first)."""
    return {
        register.name: [circuit.find_bit(bit).index for bit in register]
        for register in circuit.cregs
    }


def _pub_result(pub: SamplerPub, result: RunResult, c: int) -> SamplerPubResult:
    circuit = pub.circuit
    registers = _register_positions(circuit)
    shape = pub.parameter_values.shape
    flat = max(1, int(np.prod(shape)))
    arrays: dict[str, list[np.ndarray]] = {name: [] for name in registers}
    for p in range(flat):
        counts = result.counts(c, p if result.has_parameters else 0)
        outcomes = list(counts)
        repeats = [counts[k] for k in outcomes]
        for name, positions in registers.items():
            # outcome strings have clbit 0 rightmost; a register's string has its bit 0 rightmost
            values = [
                "".join(key[len(key) - 1 - i] for i in reversed(positions)) for key in outcomes
            ]
            samples = np.repeat(np.array(values, dtype=object), repeats).tolist()
            bits = BitArray.from_samples(samples, num_bits=len(positions))
            arrays[name].append(bits.array)
    data = {
        name: BitArray(
            np.stack(found).reshape(shape + found[0].shape), num_bits=len(registers[name])
        )
        for name, found in arrays.items()
    }
    metadata = {
        "shots": pub.shots,
        "circuit_metadata": circuit.metadata,
        "qdispatch": pub_metadata(result),
    }
    return SamplerPubResult(DataBin(**data, shape=shape), metadata=metadata)

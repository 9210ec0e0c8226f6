"""Qiskit primitives backed by qdispatch: `SamplerV2` and `EstimatorV2` implement Qiskit's
`BaseSamplerV2` / `BaseEstimatorV2` on any qdispatch device, and every call is a qdispatch job
(persisted, costed, recovered after a crash) whose id is `job.job_id()`.

    from qdispatch.primitives import EstimatorV2

    estimator = EstimatorV2(device_id="aer_simulator")
    evs = estimator.run([(ansatz, hamiltonian, values)]).result()[0].data.evs

Importing this module imports Qiskit (the base classes live there).
"""

from qdispatch.primitives.estimator import EstimatorV2
from qdispatch.primitives.job import QDispatchPrimitiveJob
from qdispatch.primitives.sampler import SamplerV2

__all__ = ["EstimatorV2", "QDispatchPrimitiveJob", "SamplerV2"]

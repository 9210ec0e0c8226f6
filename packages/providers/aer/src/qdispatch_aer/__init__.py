"""qdispatch's Aer provider: the Qiskit Aer simulators as a `Backend` (`aer_simulator`,
`aer_simulator_mps`). Importing it does not import Qiskit; jobs do, when they first run."""

from qdispatch_aer.backend import AerBackend

__all__ = ["AerBackend"]

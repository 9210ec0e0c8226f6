"""qdispatch's Aer provider: the Qiskit Aer simulators as a `Backend` (`aer_simulator`,
`aer_simulator_mps`). Importing it does not import Qiskit; jobs do, when they first run."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qdispatch_aer.backend import AerBackend


def __getattr__(name: str) -> Any:
    # Imported on first use: listing devices reads only the device tables (`qdispatch.catalogs`)
    # and must not pay for the backend's modules.
    if name == "AerBackend":
        from qdispatch_aer.backend import AerBackend

        return AerBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["AerBackend"]

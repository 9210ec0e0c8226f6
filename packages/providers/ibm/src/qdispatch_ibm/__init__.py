"""qdispatch's IBM Quantum provider: the runtime's fake backends (`fake_<name>`, local, noisy,
free) and IBM Quantum cloud QPUs (`ibm_<name>`). Importing it does not import
qiskit-ibm-runtime; jobs and account listings do, when they first need it."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qdispatch_ibm.backend import IBMBackend


def __getattr__(name: str) -> Any:
    # Imported on first use: listing devices reads only the device tables (`qdispatch.catalogs`)
    # and must not pay for the backend's modules.
    if name == "IBMBackend":
        from qdispatch_ibm.backend import IBMBackend

        return IBMBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["IBMBackend"]

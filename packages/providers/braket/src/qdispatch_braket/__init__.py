"""qdispatch's Amazon Braket provider: the SDK's local simulators (`braket_local_sv`,
`braket_local_dm`) and Braket's cloud devices (`aws_sv1`, `aws_ionq_forte_1`, ...) as a
`Backend`. Importing it imports neither the Braket SDK nor boto3 nor Qiskit."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qdispatch_braket.backend import BraketBackend


def __getattr__(name: str) -> Any:
    # Imported on first use: listing devices reads only the device tables (`qdispatch.catalogs`)
    # and must not pay for the backend's modules.
    if name == "BraketBackend":
        from qdispatch_braket.backend import BraketBackend

        return BraketBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["BraketBackend"]

"""qdispatch's IonQ provider: IonQ's cloud simulator and QPUs through cirq-ionq, as a `Backend`
(`ionq_simulator`, `ionq_qpu_forte_1`, `ionq_qpu_forte_enterprise_1`, …). Importing it imports
neither cirq nor Qiskit; compiling the first circuit does."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qdispatch_ionq.backend import IonQBackend


def __getattr__(name: str) -> Any:
    # Imported on first use: listing devices reads only the device tables (`qdispatch.catalogs`)
    # and must not pay for the backend's modules.
    if name == "IonQBackend":
        from qdispatch_ionq.backend import IonQBackend

        return IonQBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["IonQBackend"]

"""qdispatch's IonQ provider: IonQ's cloud simulator and QPUs through cirq-ionq, as a `Backend`
(`ionq_simulator`, `ionq_qpu_forte_1`, `ionq_qpu_forte_enterprise_1`, …). Importing it imports
neither cirq nor Qiskit; compiling the first circuit does."""

from qdispatch_ionq.backend import IonQBackend

__all__ = ["IonQBackend"]

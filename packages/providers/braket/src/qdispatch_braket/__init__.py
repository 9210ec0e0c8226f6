"""qdispatch's Amazon Braket provider: the SDK's local simulators (`braket_local_sv`,
`braket_local_dm`) and Braket's cloud devices (`aws_sv1`, `aws_ionq_forte_1`, ...) as a
`Backend`. Importing it imports neither the Braket SDK nor boto3 nor Qiskit."""

from qdispatch_braket.backend import BraketBackend

__all__ = ["BraketBackend"]

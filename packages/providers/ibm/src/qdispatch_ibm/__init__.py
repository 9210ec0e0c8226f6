"""qdispatch's IBM Quantum provider: the runtime's fake backends (`fake_<name>`, local, noisy,
free) and IBM Quantum cloud QPUs (`ibm_<name>`). Importing it does not import
qiskit-ibm-runtime; jobs and account listings do, when they first need it."""

from qdispatch_ibm.backend import IBMBackend

__all__ = ["IBMBackend"]

"""What `validate` refuses before anything runs: memory, methods, non-deterministic states."""

from __future__ import annotations

import pytest

from qdispatch_aer import AerBackend
from qdispatch_core.domain import RunType
from qdispatch_core.errors import BadRequest
from tests.contract.backend_contract import make_spec
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, ghz

MiB = 2**20


@pytest.fixture(scope="module")
def small():
    """A backend that may use 1 MiB: 16 qubits, and state vectors of 15 with headroom."""
    backend = AerBackend(memory_limit_bytes=MiB)
    yield backend
    backend.close()


def validate(backend, toolkit, source, device_id="aer_simulator", **kwargs):
    spec = make_spec(toolkit, [source], device_id, **kwargs)
    backend.validate(backend.get_device(device_id), spec)


def test_statevector_run_must_fit_in_memory_with_headroom(small, qiskit_toolkit):
    assert small.get_device("aer_simulator").qubits == 16
    validate(small, qiskit_toolkit, ghz(15, measure=False), run_type=RunType.STATEVECTOR)
    with pytest.raises(BadRequest) as err:
        validate(small, qiskit_toolkit, ghz(16, measure=False), run_type=RunType.STATEVECTOR)
    message = err.value.message
    assert err.value.field == "run_type"
    assert "circuit 1 has 16 qubits" in message
    assert "16·2^16 bytes (1.0 MiB)" in message and "2.0 MiB in all" in message
    assert "more than the 1.0 MiB" in message and "QDISPATCH_SIMULATION_MEMORY_BYTES" in message


def test_exact_expectations_on_the_dense_method_are_checked_too(small, qiskit_toolkit):
    observables = [["Z" * 16], [1.0]]
    kwargs = {"run_type": RunType.STATEVECTOR, "observables": observables}
    with pytest.raises(BadRequest, match="needs a state vector"):
        validate(small, qiskit_toolkit, ghz(16, measure=False), **kwargs)
    # matrix product states grow with entanglement, not width
    validate(small, qiskit_toolkit, ghz(16, measure=False), "aer_simulator_mps", **kwargs)


def test_a_statevector_output_is_dense_on_every_method(small, qiskit_toolkit):
    with pytest.raises(BadRequest, match="16·2\\^16"):
        validate(
            small,
            qiskit_toolkit,
            ghz(16, measure=False),
            "aer_simulator_mps",
            run_type=RunType.STATEVECTOR,
        )


def test_sampling_is_bounded_by_the_device_width_not_by_this_check(small, qiskit_toolkit):
    validate(small, qiskit_toolkit, ghz(16), shots=10)  # automatic may pick the stabilizer method
    validate(small, qiskit_toolkit, ghz(50), "aer_simulator_mps", shots=10)


def test_an_explicit_dense_method_is_checked_for_sampling(small, qiskit_toolkit):
    with pytest.raises(BadRequest) as err:
        validate(small, qiskit_toolkit, ghz(16), shots=10, options={"method": "statevector"})
    assert err.value.field == "options['method']"
    validate(small, qiskit_toolkit, ghz(7), shots=10, options={"method": "density_matrix"})
    with pytest.raises(BadRequest, match="density matrix of 16·4\\^8 bytes"):
        validate(small, qiskit_toolkit, ghz(8), shots=10, options={"method": "density_matrix"})


@pytest.mark.parametrize(
    "method, run_type, observables",
    [
        ("density_matrix", RunType.STATEVECTOR, None),
        ("stabilizer", RunType.STATEVECTOR, None),
        ("extended_stabilizer", RunType.STATEVECTOR, [["ZZ"], [1.0]]),
    ],
)
def test_a_method_that_cannot_produce_the_output_is_refused(
    aer, qiskit_toolkit, method, run_type, observables
):
    with pytest.raises(BadRequest) as err:
        validate(
            aer,
            qiskit_toolkit,
            BELL_NO_MEASURE,
            run_type=run_type,
            observables=observables,
            options={"method": method},
        )
    assert err.value.field == "options['method']"
    assert f"{method!r} cannot" in err.value.message and "'statevector'" in err.value.message


def test_statevector_run_refuses_measurements_before_the_end(aer, qiskit_toolkit):
    mid = BELL_QASM2.replace("cx q[0], q[1];", "measure q[0] -> c[0];\ncx q[0], q[1];")
    with pytest.raises(BadRequest, match="circuit 1 has measure before its final measurements"):
        validate(aer, qiskit_toolkit, mid, run_type=RunType.STATEVECTOR)
    reset = BELL_QASM2.replace("h q[0];", "h q[0];\nreset q[0];")
    with pytest.raises(BadRequest, match="reset"):
        validate(aer, qiskit_toolkit, reset, run_type=RunType.STATEVECTOR)
    validate(aer, qiskit_toolkit, mid, shots=10)  # sampling a mid-circuit measurement is fine
    validate(aer, qiskit_toolkit, BELL_QASM2, run_type=RunType.STATEVECTOR)  # final ones drop

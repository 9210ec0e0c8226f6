"""Issue 16, item 1: what Qiskit and numpy users hold goes into `Client.run` and gives the same
stored job as the contract's own forms (OpenQASM text, nested lists)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector
from qiskit.quantum_info import Pauli, SparsePauliOp, Statevector

from qdispatch import inputs
from qdispatch.client import Client
from qdispatch_core.errors import BadRequest
from qdispatch_core.schemas import RunRequest
from tests.samples import BELL_QASM2, PARAM_2Q

REQUEST_FIELDS = ("run_type", "shots", "parameters", "observables", "options", "dry_run")


def bell() -> QuantumCircuit:
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    return circuit


def param_2q() -> tuple[QuantumCircuit, Parameter, Parameter]:
    """PARAM_2Q (tests.samples) built in Qiskit."""
    theta, phi = Parameter("theta"), Parameter("phi")
    circuit = QuantumCircuit(2, 2)
    circuit.rx(theta, 0)
    circuit.ry(phi, 1)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    return circuit, theta, phi


def stored(client: Client, handle) -> dict:
    """What the job stored of the request, and its circuits' analytics (ids aside: the same
    circuit written by hand and by Qiskit's exporter is different text, so another circuit)."""
    job = handle.job()
    circuits = [client.circuit(cid).analytics for cid in job.circuit_ids]
    return {"circuits": circuits, **{f: getattr(job, f) for f in REQUEST_FIELDS}}


def dry(client: Client, circuits, **request):
    return client.run(circuits, "aer_simulator", dry_run=True, experiment="inputs", **request)


def test_a_quantum_circuit_gives_the_job_of_its_qasm(aer_client):
    by_text = stored(aer_client, dry(aer_client, BELL_QASM2, shots=100))
    by_object = stored(aer_client, dry(aer_client, bell(), shots=np.int64(100)))
    assert by_object == by_text
    handle = dry(aer_client, bell())
    source = aer_client.circuit(handle.job().circuit_ids[0], with_source=True)
    assert source.qasm_version == 2  # no parameters, nothing lost: the fast reader's format


def test_a_list_of_circuits_and_texts_keeps_its_order(aer_client):
    stored_id = aer_client.add_circuit(PARAM_2Q, experiment="inputs").id
    x = QuantumCircuit(2, 2)
    x.x(1)
    x.measure([0, 1], [0, 1])
    handle = aer_client.run(
        [stored_id, bell(), BELL_QASM2, x],
        parameters=[[0.1, 0.2], [], [], []],
        shots=200,
        experiment="inputs",
    )
    job = handle.job()
    assert job.circuit_ids[0] == stored_id and len(job.circuit_ids) == 4
    result = handle.result(60)
    assert result.counts(3) == {"10": 200}  # x on qubit 1: clbit 1 is the left character
    assert set(result.counts(1)) <= {"00", "11"}


def test_a_stored_id_after_a_source_is_refused_naming_the_place(aer_client):
    stored_id = aer_client.add_circuit(BELL_QASM2, experiment="inputs").id
    with pytest.raises(BadRequest) as err:
        dry(aer_client, [bell(), stored_id])
    assert err.value.field == "circuits[1]" and "stored circuits run first" in err.value.message
    with pytest.raises(BadRequest) as err:
        dry(aer_client, [bell(), 7])
    assert err.value.field == "circuits[1]" and "got int" in err.value.message


def test_numpy_arrays_and_parameter_keys_give_the_lists_job(aer_client):
    circuit, theta, phi = param_2q()  # binding order is by name: phi, then theta
    as_lists = stored(aer_client, dry(aer_client, PARAM_2Q, parameters=[[0.1, 0.2], [0.3, 0.4]]))
    forms = [
        np.array([[0.1, 0.2], [0.3, 0.4]]),
        [np.array([0.1, 0.2]), np.array([0.3, 0.4])],
        [{phi: np.float64(0.1), theta: 0.2}, {"theta": 0.4, "phi": 0.3}],
        {"phi": np.array([0.1, 0.3]), "theta": [0.2, 0.4]},  # a sweep by name
    ]
    for parameters in forms:
        assert stored(aer_client, dry(aer_client, circuit, parameters=parameters)) == as_lists
    one_set = stored(aer_client, dry(aer_client, circuit, parameters=np.array([0.1, 0.2])))
    assert one_set["parameters"] == [[[0.1, 0.2]]]


def test_qiskit_order_binds_a_parameter_vector_whatever_its_stored_names(aer_client):
    """θ[10] sorts before θ[2] as text; positional values follow circuit.parameters."""
    angles = ParameterVector("θ", 12)
    circuit = QuantumCircuit(3)
    for k, angle in enumerate(angles):
        (circuit.ry if k % 2 else circuit.rx)(angle, k % 3)
        circuit.cx(k % 3, (k + 1) % 3)
    values = np.linspace(0.1, 1.2, 12)
    handle = aer_client.run(
        circuit, run_type="StatevectorRun", parameters=values, experiment="inputs"
    )
    result = handle.result(60)
    expected = Statevector(circuit.assign_parameters(values))
    assert np.allclose(result.statevector().data, expected.data, atol=1e-10)
    by_object = aer_client.run(
        circuit,
        run_type="StatevectorRun",
        parameters={angles[k]: v for k, v in enumerate(values)},
        experiment="inputs",
    )
    assert by_object.job().parameters == handle.job().parameters
    names = result.parameter_names()
    assert names == sorted(names) and "_θ_10_" in names  # the stored circuit's own order


def test_observable_forms_give_the_contracts_observables(aer_client):
    contract = [[["ZZ", "XX"], [1.0, 0.5]], [["IZ"], [-1.0]], [["XI"], [1.0]]]
    expected = stored(aer_client, dry(aer_client, BELL_QASM2, observables=contract))
    forms = [
        [SparsePauliOp(["ZZ", "XX"], [1, 0.5]), Pauli("-IZ"), "XI"],
        [[("ZZ", 1.0), ("XX", 0.5)], "-IZ", Pauli("XI")],
        [SparsePauliOp(["ZZ", "XX"], np.array([1 + 0j, 0.5])), [("IZ", -1)], [["XI"], [1]]],
        object_array([SparsePauliOp(["ZZ", "XX"], [1, 0.5]), SparsePauliOp("IZ", -1), "XI"]),
    ]
    for observables in forms:
        assert stored(aer_client, dry(aer_client, bell(), observables=observables)) == expected
    single = stored(aer_client, dry(aer_client, bell(), observables="ZZ"))
    assert single["observables"] == [[[["ZZ"], [1.0]]]]


def object_array(items: list) -> np.ndarray:
    array = np.empty(len(items), dtype=object)  # np.array() would turn operators into matrices
    array[:] = items
    return array


def test_observables_per_circuit(aer_client):
    handle = dry(aer_client, [bell(), bell()], observables=[["ZZ", "XX"], SparsePauliOp("IZ")])
    assert handle.job().observables == [
        [[["ZZ"], [1.0]], [["XX"], [1.0]]],
        [[["IZ"], [1.0]]],
    ]


def test_observables_that_are_not_hermitian_or_not_paulis_are_refused(aer_client):
    with pytest.raises(BadRequest) as err:
        dry(aer_client, bell(), observables=SparsePauliOp(["ZZ"], [1j]))
    assert err.value.field == "observables" and "Hermitian" in err.value.message
    with pytest.raises(BadRequest) as err:
        dry(aer_client, bell(), observables="ZQ")
    assert err.value.field == "observables" and "not a Pauli string" in err.value.message
    with pytest.raises(BadRequest) as err:  # a Pauli of the wrong size: the core's message
        dry(aer_client, bell(), observables=Pauli("ZZZ"))
    assert err.value.field.startswith("observables")


def test_nothing_is_stored_when_the_request_is_refused(aer_client):
    before = len(aer_client.jobs(limit=500))
    with pytest.raises(BadRequest):
        dry(aer_client, param_2q()[0], parameters=np.array([[0.1, 0.2, 0.3]]))
    assert len(aer_client.jobs(limit=500)) == before


def test_a_global_phase_survives_into_the_state_vector(aer_client):
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.global_phase = 0.7
    result = aer_client.run(circuit, run_type="StatevectorRun", experiment="inputs").result(60)
    assert np.allclose(result.statevector().data, Statevector.from_instruction(circuit).data)


def test_add_circuit_takes_a_quantum_circuit_and_its_name(aer_client):
    circuit, _, _ = param_2q()
    circuit.name = "ansatz"
    view = aer_client.add_circuit(circuit, experiment="add-circuit")
    assert view.name == "ansatz" and view.analytics["parameter_names"] == ["phi", "theta"]
    unnamed = aer_client.add_circuit(bell(), experiment="add-circuit")
    assert unnamed.name == ""  # Qiskit's generated circuit-NNN name is not kept
    by_text = aer_client.add_circuit(BELL_QASM2, experiment="add-circuit")
    assert unnamed.analytics == by_text.analytics


def test_run_keywords_default_like_the_contract():
    import inspect

    signature = inspect.signature(Client.run)
    for name in ("shots", "run_type", "use_mitigation", "dry_run", "name", "description"):
        assert signature.parameters[name].default == RunRequest.model_fields[name].default


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="IXYZ", min_size=3, max_size=3),
            st.floats(-5, 5, allow_nan=False).filter(lambda v: v != 0),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_every_observable_form_agrees_with_sparse_pauli_op(terms):
    operator = SparsePauliOp.from_list(terms)
    expected = [[label for label, _ in terms], [float(c) for _, c in terms]]
    assert inputs.single_observable(operator) == expected
    assert inputs.single_observable(terms) == expected
    assert inputs.single_observable([list(expected[0]), np.array(expected[1])]) == expected


def test_importing_qdispatch_loads_no_qiskit_numpy_pandas_or_matplotlib():
    code = (
        "import sys, qdispatch, qdispatch.client, qdispatch.results\n"
        "heavy = ('qiskit', 'numpy', 'pandas', 'matplotlib', 'tqdm', 'sqlalchemy')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"

"""IonQ debiasing: sent explicitly on or off to QPUs, recorded in the job, results kept as the
quasi-probabilities IonQ aggregates; never claimed on a simulator."""

from __future__ import annotations

import pytest

from tests.providers.ionq.conftest import run_job
from tests.providers.ionq.fake_ionq import FakeIonQ
from tests.samples import BELL_QASM2, ghz


@pytest.fixture(scope="module")
def noisy():
    from qdispatch_ionq import IonQBackend
    from tests.providers.ionq.conftest import API_KEY

    server = FakeIonQ(API_KEY, readout_error=0.05)
    yield server, IonQBackend(remote_host=server.url)
    server.close()


def _last_body(server):
    return server.bodies()[-1]


def _results_queries(server):
    return [r[2] for r in server.requests if "/results/" in r[1]]


def test_use_mitigation_turns_ionq_debiasing_on(noisy, qiskit_toolkit):
    server, backend = noisy
    _, execution = run_job(
        backend, qiskit_toolkit, [BELL_QASM2], "ionq_qpu_forte_1", shots=1000, use_mitigation=True
    )
    assert _last_body(server)["settings"]["error_mitigation"] == {"debiasing": True}
    assert _results_queries(server)[-1] == {"sharpen": ["false"]}  # averaged aggregation
    assert execution.mitigation == {
        "applied": True,
        "method": "IonQ debiasing",
        "setting": {"error_mitigation": {"debiasing": True}},
        "aggregation": "average",
        "raw_counts": "not available: IonQ returns only the aggregated distribution",
    }
    (quasi,) = execution.outputs
    assert all(isinstance(v, float) for v in quasi.values())
    assert sum(quasi.values()) == pytest.approx(1.0)
    assert execution.raw_outputs is None
    assert any("debiased distribution" in n for n in execution.notes)


def test_without_mitigation_debiasing_is_explicitly_off(noisy, qiskit_toolkit):
    server, backend = noisy
    _, execution = run_job(backend, qiskit_toolkit, [ghz(3)], "ionq_qpu_forte_1", shots=2000)
    assert _last_body(server)["settings"]["error_mitigation"] == {"debiasing": False}
    assert _results_queries(server)[-1] == {}
    assert execution.mitigation is None
    assert any("debiasing explicitly off" in n for n in execution.notes)
    (counts,) = execution.outputs  # IonQ's frequencies, as counts summing to the shots
    assert sum(counts.values()) == 2000 and all(isinstance(v, int) for v in counts.values())
    assert len(counts) > 2  # the readout errors of the noisy device show


@pytest.mark.parametrize(
    "options, reason",
    [
        ({}, "not needed: noiseless simulator"),
        ({"noise_model": "forte-1"}, "not available: IonQ offers no debiasing on its simulators"),
    ],
)
def test_simulators_record_why_nothing_was_applied(noisy, qiskit_toolkit, options, reason):
    server, backend = noisy
    _, execution = run_job(
        backend, qiskit_toolkit, [BELL_QASM2], shots=600, use_mitigation=True, options=options
    )
    assert execution.mitigation["applied"] is False
    assert execution.mitigation["reason"].startswith(reason)
    assert "settings" not in _last_body(server)  # nothing to turn on or off there

"""What a stream of jobs of one circuit does not redo (issue 15): a source accepted lately is
not checked again, and a worker thread does not read a circuit it read for an earlier job."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qdispatch_core.errors import BadRequest
from qdispatch_core.usecases import circuits as circuit_usecases
from qdispatch_core.usecases.circuits import parse_source
from qdispatch_core.usecases.execution import KNOWN_CIRCUITS, JobRunner, WorkerConfig
from tests.conftest import run_all
from tests.core.test_execution import job_of, submit
from tests.core.test_execution import setup as make_setup
from tests.samples import BELL_QASM2, BROKEN, ghz


def test_an_accepted_source_is_not_checked_again_a_refused_one_always_is(monkeypatch):
    services, *_ = make_setup()
    calls = []
    real = circuit_usecases._parse_source
    monkeypatch.setattr(
        circuit_usecases,
        "_parse_source",
        lambda *a: calls.append(a[1]) or real(*a),
    )
    source = ghz(3) + "// accepted once\n"
    first = parse_source(services, source, "circuits_qasm[0]")
    assert parse_source(services, source, "circuits_qasm[1]") is first
    assert calls == [source]
    for where in ("circuits_qasm[0]", "circuits_qasm[3]"):
        with pytest.raises(BadRequest) as refused:
            parse_source(services, BROKEN, where)
        assert refused.value.field == where  # named where it was given, each time
    assert calls == [source, BROKEN, BROKEN]
    # Other limits: checked again under them.
    tighter = replace(services.limits, circuit=replace(services.limits.circuit, qubits=2))
    with pytest.raises(BadRequest, match="qubits"):
        parse_source(replace(services, limits=tighter), source, "circuits_qasm[0]")


def test_the_accepted_sources_are_bounded():
    services, *_ = make_setup()
    for i in range(circuit_usecases._ACCEPTED.maxsize + 20):
        parse_source(services, BELL_QASM2 + f"// {i}\n", "circuits_qasm[0]")
    assert len(circuit_usecases._ACCEPTED) == circuit_usecases._ACCEPTED.maxsize


def test_a_worker_thread_reads_a_circuit_once_for_a_stream_of_its_jobs():
    services, user, experiment, _ = make_setup()
    ids = [submit(services, user, experiment) for _ in range(5)]
    other = submit(services, user, experiment, circuits_qasm=[ghz(3)])
    reads = []
    real_read = services.repository.read
    real_begin = services.repository.begin

    def counting(open_uow):
        def wrapped():
            uow = open_uow()
            real_get_many = uow.circuits.get_many

            def get_many(owner_id, circuit_ids):
                reads.append(list(circuit_ids))
                return real_get_many(owner_id, circuit_ids)

            uow.circuits.get_many = get_many
            return uow

        return wrapped

    services.repository.read = counting(real_read)
    services.repository.begin = counting(real_begin)
    run_all(JobRunner(services, WorkerConfig("w", batch_jobs=1)))
    for job_id in [*ids, other]:
        assert job_of(services, user, job_id).status == "Done"
    assert len(reads) == 2  # the Bell circuit once, the GHZ circuit once
    assert KNOWN_CIRCUITS >= 2

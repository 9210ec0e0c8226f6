"""The worker's doorbell: one submission wakes one idle thread; stopping wakes them all."""

import threading
import time
from dataclasses import replace

from qdispatch.worker import Doorbell, Worker
from tests.samples import BELL_QASM2 as BELL


def sleepers(bell: Doorbell, count: int, timeout: float = 5.0):
    woken: list[bool] = []
    lock = threading.Lock()

    def sleep() -> None:
        rung = bell.wait(timeout)
        with lock:
            woken.append(rung)

    threads = [threading.Thread(target=sleep) for _ in range(count)]
    for t in threads:
        t.start()
    return threads, woken


def settle(check, deadline: float = 5.0) -> None:
    end = time.monotonic() + deadline
    while not check():
        assert time.monotonic() < end, "the threads did not wake"
        time.sleep(0.01)


def test_one_ring_wakes_one_sleeping_thread():
    bell = Doorbell(4)
    threads, woken = sleepers(bell, 3, timeout=1.0)
    time.sleep(0.1)  # all three asleep
    bell.ring()
    settle(lambda: len(woken) >= 1)
    for t in threads:
        t.join()
    assert sorted(woken) == [False, False, True]  # the others slept until their timeout


def test_rings_are_kept_for_threads_not_yet_asleep_at_most_one_per_thread():
    bell = Doorbell(2)
    for _ in range(5):
        bell.ring()  # every thread is busy: the rings wait
    assert bell.wait(0) and bell.wait(0)
    assert not bell.wait(0)  # the three beyond one per thread were dropped


def test_ring_all_wakes_every_thread_until_reset():
    bell = Doorbell(4)
    threads, woken = sleepers(bell, 4)
    time.sleep(0.1)
    bell.ring_all()
    for t in threads:
        t.join()
    assert woken == [True] * 4
    assert bell.wait(0)  # stopping: a thread that sleeps again wakes at once
    bell.reset()
    assert not bell.wait(0)


def test_rings_while_a_thread_gathers_wake_nobody_else():
    """A thread woken by a submission waits a moment for the jobs right behind it (to claim
    them as a batch): their submissions ring nobody else meanwhile."""
    bell = Doorbell(4)
    bell.gathering(+1)
    for _ in range(3):
        bell.ring()
    assert not bell.wait(0)  # the gathering thread will see those jobs
    bell.gathering(-1)
    bell.ring()
    assert bell.wait(0)


def test_at_the_quick_bound_rings_wake_nobody_and_a_slot_given_back_rings_once():
    """At most `quick_threads` threads claim or run quick local jobs: at the bound no thread
    may take a slot and a submission wakes nobody (the holders claim what landed meanwhile);
    a slot given back rings once for the rings it dropped. No bound (0): slots are free."""
    bell = Doorbell(4)
    bell.bound_quick(2)
    assert bell.take_slot()
    bell.ring()
    assert bell.wait(0)  # one slot held: below the bound
    assert bell.take_slot()
    assert not bell.take_slot()
    for _ in range(3):
        bell.ring()
    assert not bell.wait(0)
    bell.give_slot()
    assert bell.wait(0)  # one ring for the three dropped
    assert not bell.wait(0)
    assert bell.take_slot()
    unbounded = Doorbell(4)
    assert all(unbounded.take_slot() for _ in range(10))
    unbounded.ring()
    assert unbounded.wait(0)


def test_a_stream_of_small_jobs_runs_on_at_most_quick_threads_threads_at_once(tmp_path):
    """Twelve worker threads, a bound of two: however the jobs land (each submission rings,
    idle threads also look on their own), no more than two threads claim or run quick jobs at
    once, and every job ends Done."""
    from qdispatch import App
    from qdispatch.settings import Settings
    from qdispatch_core.usecases import create_experiment, get_job, submit_run

    app = App(Settings.from_env({"QDISPATCH_HOME": str(tmp_path)}))
    try:
        config = replace(app.worker_config(), quick_threads=2)
        worker = Worker(app.services, threads=12, config=config, idle_sleep=(0.01, 0.05))
        seen, lock, at_once = [0], threading.Lock(), [0]
        bell = worker._bell
        take, give = bell.take_slot, bell.give_slot

        def counting_take() -> bool:
            taken = take()
            with lock:
                at_once[0] += taken
                seen[0] = max(seen[0], at_once[0])
            return taken

        def counting_give() -> None:
            with lock:
                at_once[0] -= 1
            give()

        bell.take_slot, bell.give_slot = counting_take, counting_give  # type: ignore[method-assign]
        worker.start()
        user = app.default_user
        experiment = create_experiment(app.services, user, "stream")
        request = {
            "experiment_id": experiment.id,
            "circuits_qasm": [BELL],
            "device_id": "aer_simulator",
            "shots": 100,
        }
        ids = []
        for _ in range(30):
            ids.append(submit_run(app.services, user, request).job_id)
            worker.notify()
        deadline = time.monotonic() + 120
        while worker.jobs_finished < 30 and time.monotonic() < deadline:
            worker.wait_for_a_finish(worker.jobs_finished, 1.0)
        worker.stop()
        assert worker.jobs_finished == 30
        assert all(get_job(app.services, user, i).job.status == "Done" for i in ids)
        assert 1 <= seen[0] <= 2
    finally:
        app.close()

"""The worker's doorbell: one submission wakes one idle thread; stopping wakes them all."""

import threading
import time

from qdispatch.worker import Doorbell


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

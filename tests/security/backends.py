"""Backends the security harness plugs into the installed server and worker
(QDISPATCH_EXTRA_BACKENDS=tests.security.backends:slow, …): the fake provider under other names,
with one hostile trait each.

- `slow`: `slow_simulator`, whose request-path check (`validate`) takes QDISPATCH_SLOW_SECONDS
  (default 3): heavy classical work a user can make the server do, without holding the GIL.
- `crashing`: `crash_simulator`, which kills its worker (SIGKILL) while the worker plans the
  job's shards: something in the worker's own interpreter that takes it down, every time.
  (A simulation that crashes no longer can: it runs in a simulation process, whose death ends
  the job in Error at once.)
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

from qdispatch_core.domain import Device
from qdispatch_core.ports.backend import JobSpec
from qdispatch_core.testing.backend import SIMULATOR, FakeBackend


class _Renamed(FakeBackend):
    device: Device

    def list_devices(self, credentials: Mapping[str, str] | None = None) -> Sequence[Device]:
        return [self.device]


class SlowBackend(_Renamed):
    provider = "slow"
    device = replace(SIMULATOR, id="slow_simulator", provider="slow", name="Slow simulator")

    def validate(self, device: Device, spec: JobSpec) -> None:
        time.sleep(float(os.environ.get("QDISPATCH_SLOW_SECONDS", "3")))


class CrashingBackend(_Renamed):
    provider = "crashing"
    device = replace(SIMULATOR, id="crash_simulator", provider="crashing", name="Crash simulator")

    def seconds_per_executable(self, device: Device, spec: JobSpec) -> float:
        os.kill(os.getpid(), signal.SIGKILL)  # asked by the worker, in its own process
        raise AssertionError("unreachable: the process is gone")


def slow() -> SlowBackend:
    return SlowBackend()


def crashing() -> CrashingBackend:
    return CrashingBackend()

"""A fake backend with a local and a remote device, deterministic well-formed outputs, and a
record of everything it received.

Local device `dummy_simulator` runs shards (optionally slowly, `delay` seconds per executable,
so progress, cancel and crash tests have something to catch). Remote device `dummy_qpu` behaves
like a cloud provider: queued, running, completed over successive polls, with state that can
live in a directory so a second process can re-attach to a job the first one submitted.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from qdispatch_core.domain import (
    Cost,
    Device,
    DeviceStatus,
    JobStatus,
    OptionSpec,
    Pricing,
    RunType,
    Shard,
)
from qdispatch_core.errors import BadRequest, ProviderError, UnknownProviderState
from qdispatch_core.ports.backend import (
    Backend,
    Credentials,
    DevicePlan,
    Execution,
    JobSpec,
    RemoteState,
    ShardResult,
)
from qdispatch_core.rules.expectation import exact_expectation
from qdispatch_core.rules.plan import Executable

PRICE_PER_SHOT = 0.001

# The fake provider's own state names, mapped explicitly like every real provider's.
REMOTE_STATUS = {
    "queued": JobStatus.QUEUED,
    "running": JobStatus.RUNNING,
    "completed": JobStatus.DONE,
    "failed": JobStatus.ERROR,
    "cancelled": JobStatus.CANCELLED,
}

SIMULATOR = Device(
    id="dummy_simulator",
    provider="fake",
    name="Dummy simulator",
    simulator=True,
    qubits=10,
    status=DeviceStatus.ONLINE,
    run_types=(RunType.RUN, RunType.STATEVECTOR),
    basis_gates=("h", "x", "cx", "rz", "measure"),
    coupling_map=None,
    max_shots=100_000,
    options=(OptionSpec("seed", "int", "seed of the fake outputs", 0, 2**31),),
    local=True,
    mitigation="none: noiseless simulator",
)
QPU = Device(
    id="dummy_qpu",
    provider="fake",
    name="Dummy QPU",
    simulator=False,
    qubits=5,
    status=DeviceStatus.ONLINE,
    run_types=(RunType.RUN,),
    basis_gates=("rz", "sx", "cx"),
    coupling_map=((0, 1), (1, 2), (2, 3), (3, 4)),
    max_shots=10_000,
    credential_options=("fake_token",),
    pricing=Pricing(f"${PRICE_PER_SHOT} per shot", "shots", "2026-11-24"),
    options=(OptionSpec("priority", "str", "queue priority", choices=("low", "high")),),
    noisy=True,
    mitigation="fake readout correction",
)


def _seed(spec: JobSpec, e: Executable) -> int:
    circuit = spec.circuits[e.circuit]
    cp = spec.plan.circuits[e.circuit]
    basis = cp.groups[e.group].basis if cp.groups is not None and e.group is not None else ""
    text = f"{circuit.qasm}|{cp.parameter_sets[e.parameter_set]}|{basis}|{spec.options}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def fake_output(spec: JobSpec, e: Executable) -> Any:
    """A well-formed, deterministic output for one executable."""
    n = spec.plan.circuits[e.circuit].qubits
    seed = _seed(spec, e)
    first, second = seed % (1 << n), (seed >> 20) % (1 << n)
    kind = spec.plan.output_kind
    if kind == "counts":
        minor = spec.shots // 3 if first != second else 0
        counts = {format(first, f"0{n}b"): spec.shots - minor}
        if minor:
            counts[format(second, f"0{n}b")] = minor
        return counts
    real = [0.0] * (1 << n)
    imag = [0.0] * (1 << n)
    real[first] = 1.0
    if kind == "statevector":
        return [real, imag]
    observables = spec.plan.circuits[e.circuit].observables or ()
    return [exact_expectation(real, imag, obs) for obs in observables]


class FakeBackend(Backend):
    provider = "fake"
    polling = (0.01, 0.05)

    def __init__(
        self,
        *,
        delay: float = 0.0,
        remote_steps: int = 2,
        fail_message: str | None = None,
        state_dir: str | Path | None = None,
        record_dir: str | Path | None = None,
    ) -> None:
        self.delay = delay
        self.remote_steps = remote_steps
        self.fail_message = fail_message
        self.state_dir = Path(state_dir) if state_dir else None
        self.record_dir = Path(record_dir) if record_dir else None
        self.submissions: list[JobSpec] = []
        self.credentials_seen: list[dict[str, str]] = []
        self.cancelled: list[str] = []
        self.fetched: list[str] = []
        self.shards_run: list[tuple[str, Shard]] = []  # (job id, shard), in this process
        self.finished: list[str] = []  # job ids finished locally, in this process
        self._remote: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    # -- devices and planning --------------------------------------------------------------

    def list_devices(self, credentials: Mapping[str, str] | None = None) -> Sequence[Device]:
        return [SIMULATOR, QPU]

    def validate(self, device: Device, spec: JobSpec) -> None:
        if spec.options.get("seed") == 13:
            raise BadRequest(
                "options['seed']: 13 is unlucky on the dummy devices", field="options['seed']"
            )

    def estimate_cost(
        self, device: Device, spec: JobSpec, *, credentials: Mapping[str, str] | None = None
    ) -> Cost:
        if device.pricing is None:
            return Cost.free()
        shots = spec.plan.total_shots
        return Cost.priced(shots, "shots", round(shots * PRICE_PER_SHOT, 6))

    def prepare(self, device: Device, spec: JobSpec) -> DevicePlan:
        return DevicePlan(
            tuple(
                {
                    "index": i,
                    "transpiled_depth": c.analytics.depth + 1,
                    "transpiled_2q_gates": c.analytics.gates_2q,
                }
                for i, c in enumerate(spec.circuits)
            )
        )

    # -- execution ----------------------------------------------------------------------

    # -- the local device: shards ------------------------------------------------------

    def seconds_per_executable(self, device: Device, spec: JobSpec) -> float:
        return max(self.delay, 1e-4)

    def run_shard(
        self, device: Device, spec: JobSpec, shard: Shard, credentials: Mapping[str, str]
    ) -> ShardResult:
        self.shards_run.append((spec.job_id, shard))
        self.credentials_seen.append(dict(credentials))
        self._record(f"shard:{shard.index}:{shard.first}:{shard.count}", spec.job_id, credentials)
        outputs = []
        for e in spec.plan.executables[shard.first : shard.stop]:
            if self.delay:
                time.sleep(self.delay)
            outputs.append(fake_output(spec, e))
        return ShardResult(outputs)

    def finish_local(
        self,
        device: Device,
        spec: JobSpec,
        outputs: Sequence[Any],
        notes: Sequence[str],
        credentials: Credentials,
    ) -> Execution:
        self.finished.append(spec.job_id)
        self._record("finish", spec.job_id, credentials)
        return super().finish_local(device, spec, outputs, notes, credentials)

    # -- the remote device ------------------------------------------------------------------

    def submit(
        self, device: Device, spec: JobSpec, credentials: Mapping[str, str]
    ) -> tuple[str, ...]:
        if device.local:
            return super().submit(device, spec, credentials)
        self.submissions.append(spec)
        self.credentials_seen.append(dict(credentials))
        self._record("submit", spec.job_id, credentials)
        job_id = f"{device.id}-{uuid.uuid4().hex[:12]}"
        self._put_remote(job_id, {"polls": 0, "state": "queued"})
        return (job_id,)

    def poll(
        self, device: Device, job_ids: Sequence[str], credentials: Mapping[str, str]
    ) -> RemoteState:
        job_id = job_ids[0]
        if device.local:
            raise ProviderError(f"unknown job id {job_id!r}: {device.id} runs shards, not jobs")
        record = self._get_remote(job_id)
        if record["state"] in ("queued", "running"):
            record["polls"] += 1
            if record["polls"] > self.remote_steps:
                record["state"] = "failed" if self.fail_message else "completed"
            elif record["polls"] > 1:
                record["state"] = "running"
            self._put_remote(job_id, record)
        status = REMOTE_STATUS.get(record["state"])
        if status is None:
            raise UnknownProviderState(f"fake provider state {record['state']!r} is not mapped")
        message = self.fail_message if status is JobStatus.ERROR else None
        return RemoteState(status, 0, message)

    def fetch(
        self, device: Device, spec: JobSpec, job_ids: Sequence[str], credentials: Mapping[str, str]
    ) -> Execution:
        job_id = job_ids[0]
        if device.local:
            return super().fetch(device, spec, job_ids, credentials)
        self.fetched.append(job_id)
        self._record("fetch", spec.job_id, credentials)
        if self._get_remote(job_id)["state"] != "completed":
            raise ProviderError(f"job {job_id} has no results")
        outputs = [fake_output(spec, e) for e in spec.plan.executables]
        cost = self.estimate_cost(device, spec)
        if spec.use_mitigation and spec.plan.output_kind == "counts":
            mitigated = [{k: v / spec.shots for k, v in o.items()} for o in outputs]
            return Execution(
                mitigated,
                cost=cost,
                raw_outputs=outputs,
                mitigation={"applied": True, "method": "fake readout correction"},
            )
        return Execution(outputs, cost=cost)

    def cancel(
        self, device: Device, job_ids: Sequence[str], credentials: Mapping[str, str]
    ) -> None:
        if device.local:
            return super().cancel(device, job_ids, credentials)
        self.cancelled.extend(job_ids)
        for job_id in job_ids:
            record = self._get_remote(job_id)
            if record["state"] in ("queued", "running"):
                record["state"] = "cancelled"
                self._put_remote(job_id, record)

    # -- remote state, in memory or in a directory shared between processes --------------

    def _get_remote(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            if self.state_dir is not None:
                path = self.state_dir / f"{job_id}.json"
                if not path.exists():
                    raise ProviderError(f"unknown job id {job_id!r}")
                remote: dict[str, Any] = json.loads(path.read_text())
                return remote
            if job_id not in self._remote:
                raise ProviderError(f"unknown job id {job_id!r}")
            return dict(self._remote[job_id])

    def _put_remote(self, job_id: str, record: dict[str, Any]) -> None:
        with self._lock:
            if self.state_dir is not None:
                self.state_dir.mkdir(parents=True, exist_ok=True)
                tmp = self.state_dir / f"{job_id}.tmp"
                tmp.write_text(json.dumps(record))
                tmp.replace(self.state_dir / f"{job_id}.json")
            else:
                self._remote[job_id] = dict(record)

    def _record(self, event: str, job_id: str, credentials: Mapping[str, str]) -> None:
        """Append `event job_id pid credential-fingerprint` to a log shared by processes.

        The fingerprint proves which credentials arrived without writing them anywhere.
        """
        if self.record_dir is None:
            return
        fingerprint = credential_fingerprint(credentials)
        self.record_dir.mkdir(parents=True, exist_ok=True)
        line = f"{event} {job_id} {os.getpid()} {fingerprint} {time.time()}\n"
        fd = os.open(self.record_dir / "events.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)


def recorded_events(record_dir: str | Path) -> list[tuple[str, str, int, str]]:
    """(event, job_id, pid, credential fingerprint) lines a FakeBackend recorded."""
    path = Path(record_dir) / "events.log"
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        event, job_id, pid, fingerprint, _ = line.split(" ")
        rows.append((event, job_id, int(pid), fingerprint))
    return rows


def credential_fingerprint(credentials: Mapping[str, str]) -> str:
    secret = "|".join(f"{k}={v}" for k, v in sorted(credentials.items()))
    return hashlib.sha256(secret.encode()).hexdigest()[:16] if secret else "-"


def from_environment() -> FakeBackend:
    """A FakeBackend configured by environment variables, for tests that run the worker in a
    subprocess. Plug it in with
    QDISPATCH_EXTRA_BACKENDS=qdispatch_core.testing.backend:from_environment
    """
    return FakeBackend(
        delay=float(os.environ.get("QDISPATCH_FAKE_DELAY", "0")),
        remote_steps=int(os.environ.get("QDISPATCH_FAKE_REMOTE_STEPS", "2")),
        state_dir=os.environ.get("QDISPATCH_FAKE_STATE_DIR") or None,
        record_dir=os.environ.get("QDISPATCH_FAKE_RECORD_DIR") or None,
    )

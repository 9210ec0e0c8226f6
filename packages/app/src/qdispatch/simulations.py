"""The pool of warm child processes that runs local simulations (docs/workers.md, "Processes").

The worker never simulates in its own interpreter: Aer holds the GIL for seconds at a time,
which would starve lease renewals, reads and the doors that host an in-process worker. Each
shard (and a job's finishing step, where it simulates) goes to a child process instead:

- Children fork from a `forkserver` that has imported Qiskit and Aer once (`PRELOAD`), so a new
  child starts in milliseconds, warm; a child then keeps its backends, compiled circuits and
  simulators across shards and jobs until it has been idle for `idle_seconds`.
- Each child has a pipe of its own: one piece of work at a time, nothing shared between
  children, so terminating one (cancel, budget, a stopping worker) cannot disturb the others.
  The pool replaces it in the background. (The standard ProcessPoolExecutor cannot terminate
  one task's process without breaking the whole pool; see docs/decisions.md.)
- A child's address space is capped at the simulation memory budget plus what the imported
  libraries reserve (`address_space_limit`), and it dies with the worker: the forkserver exits
  when its parent does, and each child asks the kernel for SIGKILL when its parent goes.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from qdispatch_core.errors import ProviderError, QDispatchError
from qdispatch_core.ports.backend_settings import BackendSettings
from qdispatch_core.ports.executor import LocalBatch, LocalExecutor, LocalRun, LocalWork
from qdispatch_core.registry import BackendRegistry

log = logging.getLogger(__name__)

GIB = 1024**3
# Modules the forkserver imports once, so that every child starts with them loaded.
PRELOAD = ("qiskit", "qiskit_aer", "qiskit_aer.primitives", "qdispatch_qiskit", "qdispatch_aer")
# What a child's address space holds besides the simulation: imported libraries, thread stacks
# and malloc arenas (Qiskit and Aer alone reserve ~1.7 GiB of virtual memory on 2 cores).
BASE_ADDRESS_SPACE = 4 * GIB
PER_CORE_ADDRESS_SPACE = 256 * 1024**2
TERMINATE_GRACE = 1.0  # seconds between SIGTERM and SIGKILL


CHILD_NAME = "qdispatch-simulation"


def _without_the_main_module() -> None:
    """Simulation processes never import the parent's `__main__`.

    A child started by forkserver or spawn normally re-imports the parent's main script (the
    reason multiprocessing asks for `if __name__ == "__main__":`). Our children run a function
    of this module and need nothing from the script, and a user's script using
    `qdispatch.Client` at top level must not run again in every simulation process. So the
    preparation data of *our* processes (by name) leaves the main module out.
    """
    from multiprocessing import spawn

    original = spawn.get_preparation_data
    if getattr(original, "_qdispatch", False):
        return

    def preparation(name: str) -> dict[str, Any]:
        data = original(name)
        if name == CHILD_NAME:
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
        return data

    preparation._qdispatch = True  # type: ignore[attr-defined]
    spawn.get_preparation_data = preparation


_without_the_main_module()


def address_space_limit(memory_bytes: int) -> int:
    """RLIMIT_AS of a child: the simulation's budget (with the simulator's working memory
    counted in it, as the refusal at submission counts it) plus the libraries' reservations."""
    cores = os.cpu_count() or 1
    return memory_bytes + BASE_ADDRESS_SPACE + cores * PER_CORE_ADDRESS_SPACE


@dataclass(frozen=True)
class ChildConfig:
    environment: Mapping[str, str] = field(default_factory=dict)
    address_space: int | None = None
    backend_settings: BackendSettings = field(default_factory=BackendSettings)


# -- the child side -----------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent (the forkserver) exits."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def _let_the_forkserver_go() -> None:
    """The forkserver exits when every holder of its "alive" pipe has gone; each child it
    forks inherits one end. Ours close theirs, so the worker is the only holder: when it dies
    the forkserver exits, and with it (PR_SET_PDEATHSIG) every simulation process."""
    with contextlib.suppress(Exception):
        from multiprocessing import forkserver

        server = forkserver._forkserver
        # A private attribute of CPython's forkserver (no public way to close it).
        fd = getattr(server, "_forkserver_alive_fd", None)
        if fd is not None:
            os.close(fd)
            setattr(server, "_forkserver_alive_fd", None)  # noqa: B010


def _cap_address_space(limit: int) -> None:
    """RLIMIT_AS at `limit`, or at the limit the worker itself runs under when that is lower
    (a limit can only go down)."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _prepare_child(config: ChildConfig) -> None:
    _let_the_forkserver_go()
    _die_with_parent()
    if os.getppid() == 1:  # the forkserver (our parent) is already gone: so is the worker
        os._exit(0)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # terminate means now, even inside Aer
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the worker's to handle
    os.environ.update(config.environment)
    if config.address_space:
        _cap_address_space(config.address_space)


def child_registry(settings: BackendSettings) -> BackendRegistry:
    from qdispatch_core.registry import load_object

    registry = BackendRegistry(settings=settings)
    for spec in filter(None, os.environ.get("QDISPATCH_EXTRA_BACKENDS", "").split(",")):
        backend = load_object(spec.strip())
        registry.add(backend() if callable(backend) else backend)  # type: ignore[arg-type]
    return registry


def _portable(exc: BaseException, work: LocalWork | LocalBatch) -> BaseException:
    """An exception the parent can unpickle and show: ours as they are, anything else as a
    ProviderError naming its type (its traceback goes to this process's stderr)."""
    if isinstance(exc, MemoryError):
        return ProviderError(
            "the simulation ran out of the memory a simulation may use here "
            "(QDISPATCH_SIMULATION_MEMORY_BYTES)"
        )
    if isinstance(exc, ProviderError | QDispatchError):
        return exc
    secrets = _credentials(work)
    log.error(
        "%s failed in simulation process %d:\n%s",
        work.what,
        os.getpid(),
        _masked("".join(traceback.format_exception(exc)), secrets),
    )
    message = _masked(str(exc), secrets)
    return ProviderError(f"the simulation failed ({type(exc).__name__}): {message}")


def _credentials(work: LocalWork | LocalBatch) -> list[str]:
    pieces = work.works if isinstance(work, LocalBatch) else (work,)
    return [value for piece in pieces for value in piece.credentials.values()]


def _masked(text: str, secrets: list[str]) -> str:
    for value in secrets:
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text


def child_main(conn: Any, config: ChildConfig) -> None:
    """A simulation process: takes one piece of work at a time from `conn`, until the pipe
    closes or it is terminated."""
    from qdispatch_core.usecases.local_work import perform

    _prepare_child(config)
    registry = child_registry(config.backend_settings)
    specs: dict[str, Any] = {}  # the last job's spec: the parent sends it once per child
    while True:
        try:
            work: LocalWork | LocalBatch = conn.recv()
        except (EOFError, OSError):
            return
        if isinstance(work, LocalWork):
            if work.spec is None:
                work = replace(work, spec=specs[work.provider])
            else:
                specs[work.provider] = work.spec
        try:
            reply: tuple[str, Any] = ("ok", perform(work, registry, _portable))
        except BaseException as exc:
            reply = ("error", _portable(exc, work))
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


# -- the parent side ----------------------------------------------------------------------------


class _Child:
    def __init__(self, process: Any, conn: Any) -> None:
        self.process = process
        self.conn = conn
        self.spec_of: tuple[str, str] | None = None  # (provider, job id) of the spec it holds
        self.idle_since = time.monotonic()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def stop(self) -> None:
        """Terminate now; SIGKILL if it has not gone within TERMINATE_GRACE."""
        with contextlib.suppress(Exception):
            self.conn.close()
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(TERMINATE_GRACE)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(TERMINATE_GRACE)


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "it stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (the system may have run out of memory)" if -code == signal.SIGKILL else ""
        return f"it was killed by {name}{hint}"
    return f"it exited with status {code}"


class _ProcessRun(LocalRun):
    def __init__(self, pool: ProcessExecutor, child: _Child) -> None:
        self.pool = pool
        self.child = child
        self.pid = child.pid
        self._reply: tuple[str, Any] | None = None

    def wait(self, timeout: float) -> bool:
        if self._reply is not None:
            return True
        try:
            ready = self.child.conn.poll(max(0.0, timeout))
        except (EOFError, OSError):
            ready = True
        if ready:
            self._receive()
        return ready

    def _receive(self) -> None:
        try:
            self._reply = self.child.conn.recv()
        except (EOFError, OSError):
            self.child.process.join(TERMINATE_GRACE)
            why = _describe_exit(self.child.process.exitcode)
            self._reply = ("error", ProviderError(f"the simulation process died: {why}"))
            self.pool._discard(self.child)
        else:
            self.pool._give_back(self.child)

    def result(self) -> Any:
        while not self.wait(3600):
            pass
        assert self._reply is not None
        kind, value = self._reply
        if kind == "error":
            raise value
        return value

    def cancel(self) -> None:
        if self._reply is not None:
            return
        self._reply = ("error", ProviderError("cancelled: the simulation process was stopped"))
        self.pool._discard(self.child)


class ProcessExecutor(LocalExecutor):
    """At most `processes` children; idle ones are kept warm for `idle_seconds`."""

    def __init__(
        self,
        processes: int,
        *,
        memory_bytes: int | None = None,
        environment: Mapping[str, str] | None = None,
        backend_settings: BackendSettings | None = None,
        idle_seconds: float = 300.0,
        preload: tuple[str, ...] = PRELOAD,
    ) -> None:
        self.processes = max(1, processes)
        self.idle_seconds = idle_seconds
        self.config = ChildConfig(
            dict(environment or {}),
            address_space_limit(memory_bytes) if memory_bytes else None,
            backend_settings or BackendSettings(),
        )
        methods = multiprocessing.get_all_start_methods()
        self._context = (
            multiprocessing.get_context("forkserver")
            if "forkserver" in methods
            else multiprocessing.get_context("spawn")
        )
        if "forkserver" in methods:
            self._context.set_forkserver_preload(list(preload))
        self._idle: list[_Child] = []
        self._busy: set[_Child] = set()
        self._starting = 0
        self._lock = threading.Condition()
        self._closed = False
        self.started = 0  # children started so far (for tests and diagnostics)

    # -- children -------------------------------------------------------------------------

    def _spawn(self) -> _Child:
        parent_end, child_end = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=child_main,
            args=(child_end, self.config),
            daemon=True,
            name=CHILD_NAME,
        )
        process.start()
        child_end.close()
        self.started += 1
        log.debug("simulation process %s started", process.pid)
        return _Child(process, parent_end)

    def _checkout(self) -> _Child:
        with self._lock:
            while True:
                if self._closed:
                    raise ProviderError("the worker is stopping; the simulation did not start")
                self._reap()
                if self._idle:
                    child = self._idle.pop()
                    if child.process.is_alive():
                        self._busy.add(child)
                        return child
                    child.stop()
                    continue
                if len(self._busy) + self._starting < self.processes:
                    self._starting += 1
                    break
                self._lock.wait(1.0)
        try:
            child = self._spawn()
        finally:
            with self._lock:
                self._starting -= 1
        with self._lock:
            self._busy.add(child)
        return child

    def _give_back(self, child: _Child) -> None:
        with self._lock:
            self._busy.discard(child)
            if self._closed:
                child.stop()
                return
            child.idle_since = time.monotonic()
            self._idle.append(child)
            self._lock.notify()

    def _discard(self, child: _Child) -> None:
        """Terminate a child (cancelled, or dead) and start its replacement in the
        background, so the next shard finds a warm process."""
        child.stop()
        with self._lock:
            self._busy.discard(child)
            replace_it = not self._closed
            self._lock.notify()
        if replace_it:
            threading.Thread(target=self._prestart, daemon=True).start()

    def _prestart(self) -> None:
        with self._lock:
            if self._closed or len(self._busy) + len(self._idle) + self._starting >= self.processes:
                return
            self._starting += 1
        try:
            child = self._spawn()
        except Exception:
            log.exception("starting a simulation process failed")
            return
        finally:
            with self._lock:
                self._starting -= 1
        self._give_back(child)

    def _reap(self) -> None:
        """Stop children idle for longer than idle_seconds (called under the lock)."""
        now = time.monotonic()
        keep = []
        for child in self._idle:
            if now - child.idle_since > self.idle_seconds or not child.process.is_alive():
                child.stop()
            else:
                keep.append(child)
        self._idle = keep

    def warm(self) -> None:
        """Start one simulation process in the background (and with it the forkserver, which
        imports Qiskit and Aer), so the first local job does not wait for those imports."""
        threading.Thread(target=self._prestart, daemon=True, name="qdispatch-warm").start()

    # -- the port ---------------------------------------------------------------------------

    def start(self, work: LocalWork | LocalBatch, backends: BackendRegistry) -> LocalRun:
        for _ in range(3):  # a child that died while idle is replaced
            child = self._checkout()
            # A job's shards share its spec (megabytes for a big sweep): sent once per child.
            key = (work.provider, work.spec.job_id) if isinstance(work, LocalWork) else None
            message = replace(work, spec=None) if key and child.spec_of == key else work  # type: ignore[arg-type]
            try:
                child.conn.send(message)
            except (EOFError, OSError):
                self._discard(child)
                continue
            if key is not None:
                child.spec_of = key
            return _ProcessRun(self, child)
        raise ProviderError("no simulation process could be started")

    def has_room(self) -> bool:
        with self._lock:
            return len(self._busy) + self._starting < self.processes

    @property
    def pids(self) -> list[int]:
        """Process ids of the live children (for tests and diagnostics)."""
        with self._lock:
            children = [*self._idle, *self._busy]
        return [c.pid for c in children if c.pid is not None and c.process.is_alive()]

    @property
    def busy_pids(self) -> list[int]:
        """Process ids of the children running work now."""
        with self._lock:
            children = list(self._busy)
        return [c.pid for c in children if c.pid is not None and c.process.is_alive()]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            children = [*self._idle, *self._busy]
            self._idle, self._busy = [], set()
            self._lock.notify_all()
        for child in children:
            child.stop()

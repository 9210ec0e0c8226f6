"""Local simulations on a Dask cluster (`qdispatch worker --dask ADDRESS`, issue 15).

The executor port (`qdispatch_core.ports.executor`) through `dask.distributed.Client`: each
shard this worker claims (and a job's finishing step, where it simulates) becomes one Dask
task; its outputs come back to the worker, which stores them: the database stays the system of
record, and Dask only lends its processes (on Slurm through dask-jobqueue, on Kubernetes...).

A Dask worker that dies mid-task is Dask's to handle: the scheduler runs the task again on
another worker (its `allowed-failures`). A task that raises is retried once (`retries=1`),
then the shard fails as it would in a local process. Dask cannot interrupt a task that has
started: a cancelled shard's task is released, and its result ignored if it still ends.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Mapping
from typing import Any

from qdispatch_core.errors import ProviderError, QDispatchError
from qdispatch_core.ports.backend_settings import BackendSettings
from qdispatch_core.ports.executor import LocalBatch, LocalExecutor, LocalRun, LocalWork
from qdispatch_core.registry import BackendRegistry

INSTALL_HINT = (
    "the Dask executor needs the `dask` extra: pip install 'qdispatch[dask]' "
    "(or uv pip install 'qdispatch[dask]')"
)
CONNECT_TIMEOUT_S = 30


def require_dask() -> None:
    """Fail early, with the install hint, where `distributed` is missing."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise QDispatchError(INSTALL_HINT) from None


# -- the Dask worker's side ---------------------------------------------------------------

_registries: dict[tuple[tuple[tuple[str, str], ...], BackendSettings], BackendRegistry] = {}
_registries_lock = threading.Lock()


def run_on_dask(
    work: LocalWork | LocalBatch, environment: Mapping[str, str], settings: BackendSettings
) -> Any:
    """One shard (or finishing step, or batch of small jobs) in a Dask worker: the same
    `perform` a simulation process runs, with the backend settings of the qdispatch worker
    that sent it."""
    from qdispatch.simulations import _portable, child_registry
    from qdispatch_core.usecases.local_work import perform

    key = (tuple(sorted(environment.items())), settings)
    with _registries_lock:
        registry = _registries.get(key)
        if registry is None:
            os.environ.update(environment)  # the vendors' own variables, as the parent had them
            registry = _registries[key] = child_registry(settings)
    try:
        return perform(work, registry, _portable)
    except BaseException as exc:
        raise _portable(exc, work) from None


# -- the qdispatch worker's side ----------------------------------------------------------


class _DaskRun(LocalRun):
    def __init__(self, future: Any) -> None:
        self.future = future
        self._ended = threading.Event()
        # Called from the client's thread when the task ends, either way (or is cancelled).
        future.add_done_callback(lambda _: self._ended.set())

    def wait(self, timeout: float) -> bool:
        return self._ended.wait(timeout)

    def result(self) -> Any:
        try:
            return self.future.result()
        except (ProviderError, QDispatchError):
            raise
        except Exception as exc:  # KilledWorker, CancelledError, a lost scheduler
            raise ProviderError(
                f"the Dask cluster did not run the simulation ({type(exc).__name__}: {exc})"
            ) from None

    def cancel(self) -> None:
        self.future.cancel()


class DaskExecutor(LocalExecutor):
    def __init__(
        self,
        address: str,
        environment: Mapping[str, str] | None = None,
        backend_settings: BackendSettings | None = None,
    ) -> None:
        require_dask()
        from distributed import Client

        self.address = address
        self.environment = dict(environment or {})
        self.backend_settings = backend_settings or BackendSettings()
        self.client = Client(address, set_as_default=False, timeout=CONNECT_TIMEOUT_S)

    def start(self, work: LocalWork | LocalBatch, backends: BackendRegistry) -> LocalRun:
        future = self.client.submit(
            run_on_dask,
            work,
            self.environment,
            self.backend_settings,
            key=f"qdispatch-{_task_name(work)}-{uuid.uuid4().hex[:8]}",
            pure=False,
            retries=1,
        )
        return _DaskRun(future)

    def close(self) -> None:
        self.client.close()


def _task_name(work: LocalWork | LocalBatch) -> str:
    if isinstance(work, LocalBatch):
        return f"batch-{len(work.works)}"
    shard = "finish" if work.shard is None else f"shard-{work.shard.index}"
    return f"{work.spec.job_id}-{shard}"

"""The composition root: settings in, wired use-case services out. The only place that knows
which adapter implements which port.

Parts are built on first use, so `qdispatch devices` never opens the database and nothing
imports Qiskit until a circuit has to be read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from qdispatch.registry import build_registry
from qdispatch.settings import CIRCUIT_LIMITS, REQUEST_LIMITS, Settings
from qdispatch_core.domain import ParsedCircuit, User
from qdispatch_core.files import private_dir, tighten
from qdispatch_core.ports import (
    Backend,
    Cipher,
    CircuitToolkit,
    LocalExecutor,
    LocalRun,
    LocalWork,
    Repository,
    UnitOfWork,
)
from qdispatch_core.registry import BackendRegistry
from qdispatch_core.rules.limits import CircuitLimits
from qdispatch_core.usecases import Limits, Services, authenticate, ensure_user

if TYPE_CHECKING:
    from qdispatch.worker import Worker
    from qdispatch_core.ports.executor import LocalBatch
    from qdispatch_core.usecases.execution import WorkerConfig

log = logging.getLogger(__name__)


class LazyQiskitToolkit(CircuitToolkit):
    """Imports the Qiskit toolkit (and Qiskit) the first time a circuit is read."""

    def __init__(self) -> None:
        self._toolkit: CircuitToolkit | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> CircuitToolkit:
        return self.prepare()

    def prepare(self, *warm_up: str) -> CircuitToolkit:
        """The toolkit, loaded now if it is not yet, and given the sources `warm_up` to read
        before any other caller may use it: the MCP server warms it up in the background while
        requests arrive, and a request that needs it meanwhile waits for the warm-up rather
        than reading its circuit beside it (issue 18)."""
        if self._toolkit is None:
            with self._lock:
                if self._toolkit is None:
                    from qdispatch_qiskit import QiskitToolkit

                    toolkit = QiskitToolkit()
                    for source in warm_up:
                        toolkit.inspect(source)
                    self._toolkit = toolkit
        return self._toolkit

    def inspect(self, qasm: str, limits: CircuitLimits | None = None) -> ParsedCircuit:
        return self._loaded().inspect(qasm, limits)

    def draw(self, qasm: str) -> str | None:
        """Qiskit's text drawing, for the dashboard (which never imports Qiskit itself)."""
        return self._loaded().draw(qasm)


class DeferredRepository(Repository):
    """The app's repository, built at the first unit of work: `qdispatch devices` needs
    services but no database, and importing SQLAlchemy alone costs half a second."""

    def __init__(self, app: App) -> None:
        self._app = app

    def begin(self) -> UnitOfWork:
        return self._app.repository.begin()

    def read(self) -> UnitOfWork:
        return self._app.repository.read()

    def listen(self, wake: Callable[[], None]) -> Callable[[], None] | None:
        return self._app.repository.listen(wake)

    def close(self) -> None:
        pass  # the App closes the repository it built


class DeferredCipher(Cipher):
    """The app's cipher, built when a credential is first sealed or opened: most commands
    seal nothing, and importing `cryptography` costs tens of milliseconds."""

    def __init__(self, app: App) -> None:
        self._app = app

    def seal(self, plaintext: bytes) -> bytes:
        return self._app.cipher.seal(plaintext)

    def open(self, sealed: bytes) -> bytes:
        return self._app.cipher.open(sealed)


class DeferredExecutor(LocalExecutor):
    """The app's simulation executor, built when a worker starts or a local job first needs
    it: `qdispatch devices` needs services but runs nothing, and the process pool's module
    (multiprocessing, its forkserver set-up) cost it about a tenth of a second (issue 17)."""

    def __init__(self, app: App) -> None:
        self._app = app

    def start(self, work: LocalWork | LocalBatch, backends: BackendRegistry) -> LocalRun:
        return self._app.executor.start(work, backends)

    def has_room(self) -> bool:
        return self._app.executor.has_room()

    def warm(self) -> None:
        """The worker asks for this when it starts: build the executor and warm it if it can."""
        warm = getattr(self._app.executor, "warm", None)
        if warm is not None:
            warm()

    def close(self) -> None:
        pass  # the App closes the executor it built


def build_limits(settings: Settings) -> Limits:
    """The use cases' limits: defaults, with the QDISPATCH_LIMIT_* settings applied."""
    given = dict(settings.limits)
    circuit = {k: v for k, v in given.items() if k in CIRCUIT_LIMITS}
    request = {k: v for k, v in given.items() if k in REQUEST_LIMITS}
    return Limits(
        simulation_memory_bytes=settings.simulation_memory_bytes,
        circuit=CircuitLimits(**circuit),
        **request,
    )


class App:
    """Everything a door needs, wired once from settings (or from parts handed in by tests)."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        repository: Repository | None = None,
        backends: BackendRegistry | None = None,
        toolkit: CircuitToolkit | None = None,
        cipher: Cipher | None = None,
        executor: LocalExecutor | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self._lock = threading.RLock()
        if repository is not None:
            self.__dict__["repository"] = repository
        if backends is not None:
            self.__dict__["backends"] = backends
        if toolkit is not None:
            self.__dict__["toolkit"] = toolkit
        if cipher is not None:
            self.__dict__["cipher"] = cipher
        if executor is None and backends is not None:
            # Backend instances handed in live in this process only: no child could build
            # them, so their simulations run in threads here (tests).
            from qdispatch_core.usecases.local_work import ThreadExecutor

            executor = ThreadExecutor()
        if executor is not None:
            self.__dict__["executor"] = executor
        self._worker: Worker | None = None

    # -- parts, built on first use ----------------------------------------------------------

    @cached_property
    def repository(self) -> Repository:
        with self._lock:
            from qdispatch_sql import SqlRepository

            if self.settings.is_sqlite:
                # qdispatch's own data directory is private, even one an older version made.
                private_dir(self.settings.data_dir, tighten_existing=True)
            # The key file is read only when a credential is first sealed or opened, maybe
            # never in this process: one an older version left readable is tightened now.
            if self.settings.secret_key is None:
                tighten(self.settings.config_dir)
                tighten(self.settings.key_file)

            return SqlRepository(self.settings.database_url)

    @cached_property
    def backends(self) -> BackendRegistry:
        return build_registry(self.settings)

    @cached_property
    def toolkit(self) -> CircuitToolkit:
        return LazyQiskitToolkit()

    @cached_property
    def cipher(self) -> Cipher:
        from qdispatch.crypto import FernetCipher, load_or_create_key

        key = self.settings.secret_key or load_or_create_key(self.settings.key_file)
        return FernetCipher(key)

    @cached_property
    def executor(self) -> LocalExecutor:
        """The pool of child processes local simulations run in (started on first use), or
        the Dask cluster at QDISPATCH_DASK_ADDRESS."""
        settings = self.settings
        if settings.dask_address:
            from qdispatch.dask_executor import DaskExecutor

            return DaskExecutor(
                settings.dask_address,
                settings.child_environment(),
                backend_settings=settings.backend_settings(),
            )
        from qdispatch.simulations import ProcessExecutor

        return ProcessExecutor(
            settings.processes,
            memory_bytes=settings.simulation_memory_bytes,
            environment=settings.child_environment(),
            backend_settings=settings.backend_settings(),
        )

    @cached_property
    def services(self) -> Services:
        with self._lock:
            limits = build_limits(self.settings)
            return Services(
                repository=DeferredRepository(self),
                backends=self.backends,
                circuits=self.toolkit,
                cipher=self.cipher if "cipher" in self.__dict__ else DeferredCipher(self),
                limits=limits,
                executor=self.executor if "executor" in self.__dict__ else DeferredExecutor(self),
            )

    def worker_config(self) -> WorkerConfig:
        """What every worker thread of this app runs by (its id is set per thread)."""
        from qdispatch.settings import BUDGET_HINT, available_cores
        from qdispatch_core.usecases.execution import WorkerConfig  # the schemas: only for jobs

        settings = self.settings
        return WorkerConfig(
            "",
            lease_seconds=settings.lease_seconds,
            shard_seconds=settings.shard_seconds,
            budget_seconds=settings.budget_seconds,
            device_budgets=dict(settings.device_budgets),
            budget_hint=BUDGET_HINT,
            crash_retries=settings.job_crash_retries,
            # Quick local jobs are CPU work in this process and its simulation processes:
            # more threads at them than cores only splits their batches.
            quick_threads=available_cores(),
        )

    # -- users ------------------------------------------------------------------------------

    @cached_property
    def default_user(self) -> User:
        """The local user of the CLI and of MCP over stdio, created on first use."""
        return ensure_user(self.services, self.settings.default_user, self.settings.default_credits)

    def user_for_key(self, api_key: str | None) -> User:
        return authenticate(self.services, api_key)

    # -- the in-process worker ----------------------------------------------------------------

    def worker(self, *, start: bool = True, threads: int | None = None) -> Worker:
        """The worker inside this process (MCP server, `run --wait`, the library client, and
        the standalone `qdispatch worker`)."""
        with self._lock:
            if self._worker is None:
                from qdispatch.worker import Worker

                self._worker = Worker(
                    self.services,
                    threads=threads or self.settings.worker_threads,
                    lease_seconds=self.settings.lease_seconds,
                    idle_sleep=(
                        min(0.02, self.settings.worker_poll_seconds),
                        self.settings.worker_poll_seconds,
                    ),
                    config=self.worker_config(),
                )
            if start:
                self._worker.start()
            return self._worker

    @property
    def running_worker(self) -> Worker | None:
        """The in-process worker, when one has been started."""
        return self._worker

    def backend(self, name: str) -> Backend:
        return self.backends.get(name)

    def close(self) -> None:
        """Stop the worker (its jobs are handed back at once), the simulation processes, the
        backends and the database connections."""
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        if "executor" in self.__dict__:
            self.executor.close()
        if "backends" in self.__dict__:
            self.backends.close()
        if "repository" in self.__dict__:
            self.repository.close()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

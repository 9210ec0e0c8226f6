"""Settings from the environment, with defaults that make the embedded setup work untouched.

| variable | default |
|---|---|
| QDISPATCH_DATABASE_URL | SQLite file `qdispatch.db` in the user's data directory |
| QDISPATCH_SECRET_KEY | a Fernet key generated once into the user's config directory (0600) |
| QDISPATCH_HOME | overrides both directories (data and config live under it) |
| QDISPATCH_WORKER_THREADS | 4: jobs one worker process runs at once |
| QDISPATCH_LEASE_SECONDS | 30: how long a silent worker keeps a job |
| QDISPATCH_DEFAULT_USER | "local": the user of the CLI and of MCP over stdio |
| QDISPATCH_DEFAULT_CREDITS | 0: the default user's starting balance in USD |
| QDISPATCH_SIMULATION_MEMORY_BYTES | min(8 GiB, 3/4 of this machine's memory): per simulation |
| QDISPATCH_SIMULATION_PROCESSES | the worker threads: child processes that run simulations |
| QDISPATCH_SHARD_SECONDS | 5: seconds of simulation a shard of a local job aims at |
| QDISPATCH_SIMULATION_BUDGET_SECONDS | 14400 (4 h): wall-clock budget of one local job |
| QDISPATCH_SIMULATION_BUDGETS | per-device budgets, `device=seconds,...` (override the above) |
| QDISPATCH_MPS_MAX_BOND_DIMENSION | 256: bond-dimension bound of matrix-product-state runs |
| QDISPATCH_CACHE_DIR | the user cache directory: files providers may rebuild (calibrations) |
| QDISPATCH_IONQ_HOST | IonQ's API address (else cirq-ionq's variables, else the public API) |
| QDISPATCH_EXTRA_BACKENDS | comma-separated `module:factory` backends to add (tests, plugins) |
| QDISPATCH_JOB_CRASH_RETRIES | 2: re-claims of a job whose worker died before it ends Error |
| QDISPATCH_MCP_RESULT_BYTES | 524288: an MCP tool result above this is paged (`results_page`) |
| QDISPATCH_MCP_CALLS_PER_USER | 8: one user's tool calls running at once over HTTP |
| QDISPATCH_MCP_CALL_WAIT_SECONDS | 5: how long a call beyond that waits before a 429 |
| QDISPATCH_MCP_SESSIONS_PER_USER | 16: one user's open MCP sessions over HTTP |
| QDISPATCH_MCP_AUTH_THREADS | 8: threads that check API keys, apart from the tool calls' |
| QDISPATCH_MCP_SHUTDOWN_GRACE_SECONDS | 3: how long SIGTERM waits for open HTTP streams |
| QDISPATCH_WORKER_POLL_SECONDS | 1: an idle worker's longest wait between looks for work |
| QDISPATCH_DASK_ADDRESS | none: run simulations on the Dask scheduler at this address |
| QDISPATCH_LIMIT_<NAME> | what one request may ask for: `LIMIT_NAMES`, docs/security.md |

docs/security.md explains each limit. Providers read none of these: the composition root hands
each backend `backend_settings()` (one BackendSettings), the same values the core checks by.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from qdispatch_core.ports.backend_settings import DEFAULT_MPS_BOND_DIMENSION, BackendSettings
from qdispatch_core.rules.limits import SETTING_PREFIX, CircuitLimits

GIB = 1024**3
DEFAULT_BUDGET_SECONDS = 4 * 3600.0
BUDGET_HINT = (
    "raise it with QDISPATCH_SIMULATION_BUDGET_SECONDS (every device) or "
    "QDISPATCH_SIMULATION_BUDGETS=<device>=<seconds> (one device)"
)


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def available_cores() -> int:
    """The cores this process may run on (its affinity, where the system tells)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # macOS, Windows
        return os.cpu_count() or 1


def default_simulation_memory() -> int:
    physical = _physical_memory()
    return min(8 * GIB, physical * 3 // 4) if physical else 8 * GIB


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if not value > 0:
        raise ValueError(f"{name} must be above 0, got {raw!r}")
    return value


def parse_budgets(raw: str) -> dict[str, float]:
    """`device=seconds,device=seconds` → {device: seconds}."""
    budgets: dict[str, float] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        device, sep, seconds = item.partition("=")
        try:
            value = float(seconds)
        except ValueError:
            value = -1.0
        if not sep or not device.strip() or not value > 0:
            raise ValueError(
                "QDISPATCH_SIMULATION_BUDGETS takes device=seconds pairs separated by commas, "
                f"e.g. aer_simulator_mps=600; got {item[:40]!r}"
            )
        budgets[device.strip()] = value
    return budgets


# Simulation processes need no credential, key or database address: those never go to them.
_NOT_FOR_CHILDREN = ("KEY", "SECRET", "TOKEN", "PASSWORD", "DATABASE_URL")


def _for_children(name: str) -> bool:
    return name.startswith("QDISPATCH_") and not any(w in name for w in _NOT_FOR_CHILDREN)


def _dirs(env: Mapping[str, str]) -> tuple[Path, Path]:
    home = env.get("QDISPATCH_HOME")
    if home:
        return Path(home) / "data", Path(home) / "config"
    import platformdirs  # cheap, but only needed when no override is set

    return (
        Path(platformdirs.user_data_dir("qdispatch")),
        Path(platformdirs.user_config_dir("qdispatch")),
    )


# The request-wide limits of `qdispatch_core.usecases.Limits` an operator may set; the circuit
# limits are every field of `CircuitLimits`.
REQUEST_LIMITS = (
    "circuits",
    "request_bytes",
    "pauli_characters",
    "parameter_sets",
    "executables",
    "shots",
    "result_bytes",
)
CIRCUIT_LIMITS = tuple(f.name for f in fields(CircuitLimits))
LIMIT_NAMES = CIRCUIT_LIMITS + REQUEST_LIMITS


def limits_from_env(env: Mapping[str, str]) -> dict[str, int]:
    """The QDISPATCH_LIMIT_<NAME> settings as {name: value}; a misspelt name or a value that is
    not a positive integer stops the start with a message (a typo must not leave a limit at its
    default unnoticed)."""
    found: dict[str, int] = {}
    for key, raw in env.items():
        if not key.startswith(SETTING_PREFIX):
            continue
        name = key[len(SETTING_PREFIX) :].lower()
        if name not in LIMIT_NAMES:
            accepted = ", ".join(SETTING_PREFIX + n.upper() for n in LIMIT_NAMES)
            raise ValueError(f"{key}: unknown limit; the limits are {accepted}")
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value < 1:
            raise ValueError(f"{key}: expected a positive integer")
        found[name] = value
    return found


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    config_dir: Path
    secret_key: str | None = None  # None: use (or create) the key file in config_dir
    worker_threads: int = 4
    lease_seconds: float = 30.0
    default_user: str = "local"
    default_credits: str = "0"
    simulation_memory_bytes: int = field(default_factory=default_simulation_memory)
    extra_backends: tuple[str, ...] = ()
    job_crash_retries: int = 2
    mcp_result_bytes: int = 512 * 1024
    mcp_calls_per_user: int = 8
    mcp_call_wait_seconds: float = 5.0
    mcp_sessions_per_user: int = 16
    mcp_auth_threads: int = 8
    mcp_shutdown_grace_seconds: float = 3.0
    limits: Mapping[str, int] = field(default_factory=dict)  # QDISPATCH_LIMIT_* given
    simulation_processes: int | None = None  # None: as many as worker threads
    shard_seconds: float = 5.0
    budget_seconds: float = DEFAULT_BUDGET_SECONDS
    device_budgets: tuple[tuple[str, float], ...] = ()
    mps_max_bond_dimension: int = DEFAULT_MPS_BOND_DIMENSION
    cache_dir: Path | None = None  # None: the user cache directory
    ionq_host: str | None = None
    worker_poll_seconds: float = 1.0
    dask_address: str | None = None
    # QDISPATCH_* variables the settings were read from: simulation processes get them too
    # (the testing backend of QDISPATCH_EXTRA_BACKENDS reads its own from the environment).
    environment: tuple[tuple[str, str], ...] = ()

    @property
    def processes(self) -> int:
        return max(1, self.simulation_processes or self.worker_threads)

    @property
    def small_simulation_threads(self) -> int:
        """Each simulation process's share of the cores, for small simulations: their
        simulator's thread pool would otherwise take every core in every process, and on a
        busy worker the pools spin against each other (issue 15: three times the CPU of the
        simulations themselves for a stream of small jobs). Big ones still get every core."""
        return max(1, available_cores() // self.processes)

    def backend_settings(self) -> BackendSettings:
        """What every backend factory and device catalog is handed (in simulation processes
        too): the budget the core refuses by is the one the backends advertise and enforce."""
        return BackendSettings(
            simulation_memory_bytes=self.simulation_memory_bytes,
            mps_max_bond_dimension=self.mps_max_bond_dimension,
            cache_dir=self.cache_dir,
            ionq_host=self.ionq_host,
            small_simulation_threads=self.small_simulation_threads,
        )

    def child_environment(self) -> dict[str, str]:
        """What a simulation process's environment must hold (its backends get
        `backend_settings()` with the work instead)."""
        env = dict(self.environment)
        env["QDISPATCH_EXTRA_BACKENDS"] = ",".join(self.extra_backends)
        return env

    @property
    def key_file(self) -> Path:
        return self.config_dir / "secret.key"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, database_url: str | None = None
    ) -> Settings:
        env = os.environ if env is None else env
        data_dir, config_dir = _dirs(env)
        url = (
            database_url
            or env.get("QDISPATCH_DATABASE_URL")
            or f"sqlite:///{data_dir / 'qdispatch.db'}"
        )
        extra = tuple(
            s.strip() for s in env.get("QDISPATCH_EXTRA_BACKENDS", "").split(",") if s.strip()
        )
        return cls(
            database_url=url,
            data_dir=data_dir,
            config_dir=config_dir,
            secret_key=env.get("QDISPATCH_SECRET_KEY") or None,
            worker_threads=int(env.get("QDISPATCH_WORKER_THREADS", "4")),
            lease_seconds=float(env.get("QDISPATCH_LEASE_SECONDS", "30")),
            default_user=env.get("QDISPATCH_DEFAULT_USER", "local"),
            default_credits=env.get("QDISPATCH_DEFAULT_CREDITS", "0"),
            simulation_memory_bytes=int(
                _positive(env, "QDISPATCH_SIMULATION_MEMORY_BYTES", default_simulation_memory())
            ),
            extra_backends=extra,
            **_door_limits(env),
            limits=limits_from_env(env),
            simulation_processes=int(env.get("QDISPATCH_SIMULATION_PROCESSES") or 0) or None,
            shard_seconds=_positive(env, "QDISPATCH_SHARD_SECONDS", 5.0),
            budget_seconds=_positive(
                env, "QDISPATCH_SIMULATION_BUDGET_SECONDS", DEFAULT_BUDGET_SECONDS
            ),
            device_budgets=tuple(
                parse_budgets(env.get("QDISPATCH_SIMULATION_BUDGETS", "")).items()
            ),
            mps_max_bond_dimension=int(
                _positive(env, "QDISPATCH_MPS_MAX_BOND_DIMENSION", DEFAULT_MPS_BOND_DIMENSION)
            ),
            cache_dir=Path(env["QDISPATCH_CACHE_DIR"]) if env.get("QDISPATCH_CACHE_DIR") else None,
            ionq_host=env.get("QDISPATCH_IONQ_HOST") or None,
            worker_poll_seconds=_positive(env, "QDISPATCH_WORKER_POLL_SECONDS", 1.0),
            dask_address=env.get("QDISPATCH_DASK_ADDRESS") or None,
            environment=tuple((k, v) for k, v in sorted(env.items()) if _for_children(k)),
        )


# The largest MCP result page: the official client refuses a server-sent event over 1 MiB, and
# one event carries the page plus the job's other fields and JSON-RPC's envelope.
MCP_RESULT_BYTES_MAX = 768 * 1024

# Settings of the doors' and the worker's limits: (environment variable, type, smallest value,
# largest value or None).
_LIMITS: dict[str, tuple[str, type, float, float | None]] = {
    "job_crash_retries": ("QDISPATCH_JOB_CRASH_RETRIES", int, 0, None),
    "mcp_result_bytes": ("QDISPATCH_MCP_RESULT_BYTES", int, 16 * 1024, MCP_RESULT_BYTES_MAX),
    "mcp_calls_per_user": ("QDISPATCH_MCP_CALLS_PER_USER", int, 1, None),
    "mcp_call_wait_seconds": ("QDISPATCH_MCP_CALL_WAIT_SECONDS", float, 0, None),
    "mcp_sessions_per_user": ("QDISPATCH_MCP_SESSIONS_PER_USER", int, 1, None),
    "mcp_auth_threads": ("QDISPATCH_MCP_AUTH_THREADS", int, 1, None),
    "mcp_shutdown_grace_seconds": ("QDISPATCH_MCP_SHUTDOWN_GRACE_SECONDS", float, 0, None),
}


def _door_limits(env: Mapping[str, str]) -> dict[str, Any]:
    """The limits set in the environment; a value that is not a number, or below the smallest
    that makes sense, stops the process at start with the variable's name."""
    # Any: each value has its own field's type (the `kind` of its row in _LIMITS).
    found: dict[str, Any] = {}
    for name, (variable, kind, smallest, largest) in _LIMITS.items():
        raw = env.get(variable)
        if raw is None or raw.strip() == "":
            continue
        try:
            value = kind(raw)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise ValueError(f"{variable}: expected {what}, got {raw!r}") from None
        if not value >= smallest:  # also refuses NaN
            raise ValueError(f"{variable}: expected at least {smallest}, got {raw!r}")
        if largest is not None and value > largest:
            raise ValueError(f"{variable}: expected at most {largest}, got {raw!r}")
        found[name] = value
    return found

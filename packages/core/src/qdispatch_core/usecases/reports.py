"""Read-only views for people looking at their work: experiments with their counts, a filtered
and sorted job listing, spending from the ledger, balance and open reservations, a circuit's
drawing. The dashboard uses them; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from qdispatch_core.domain import Circuit, JobStatus, User
from qdispatch_core.errors import BadRequest
from qdispatch_core.ports import (
    ExperimentSummary,
    JobListing,
    JobQuery,
    JobSort,
    Reservation,
    SpendRow,
)
from qdispatch_core.usecases.services import Services

MAX_OFFSET = 1_000_000
MAX_REPORT_DAYS = 3660
# A text drawing of a bigger circuit is pages of wrapped lines nobody reads, and takes seconds.
DRAW_MAX_GATES = 2000
DRAW_MAX_QUBITS = 64


def experiment_overview(services: Services, user: User) -> list[ExperimentSummary]:
    with services.repository.read() as uow:
        return uow.reports.experiment_summaries(user.id)


# -- the job listing -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobPage:
    items: list[JobListing]
    has_more: bool
    query: JobQuery


def _choice(value: object, allowed: Iterable[str], field: str) -> str:
    names = list(allowed)
    if value not in names:
        raise BadRequest(f"{field}: expected one of {', '.join(names)}, got {value!r}", field=field)
    return str(value)


def parse_statuses(value: object) -> tuple[JobStatus, ...]:
    """None, one status, a comma-separated string of them, or a sequence of them."""
    if value is None or value == "":
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, Iterable):
        raise BadRequest(f"status: expected a job status, got {value!r}", field="status")
    names = [s.value for s in JobStatus]
    return tuple(JobStatus(_choice(str(i).strip(), names, "status")) for i in items)


_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")


def parse_flag(value: object, field: str) -> bool | None:
    """None or "" (either), a bool, or true/false/yes/no/1/0."""
    if value is None or value == "" or isinstance(value, bool):
        return value if isinstance(value, bool) else None
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise BadRequest(f"{field}: expected true or false, got {value!r}", field=field)


def parse_day(value: object, field: str) -> date | None:
    """None, a date, or an ISO date (YYYY-MM-DD)."""
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise BadRequest(
            f"{field}: expected a date YYYY-MM-DD, got {value!r}", field=field
        ) from None


def _bounded(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value)) if not isinstance(value, int) else value
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise BadRequest(
            f"{field}: expected a whole number {low}..{high}, got {value!r}", field=field
        )
    return number


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), tzinfo=UTC)


def job_query(
    services: Services,
    *,
    experiment_id: str | None = None,
    status: object = None,
    device_id: str | None = None,
    dry_run: object = None,
    circuit_id: str | None = None,
    created_from: object = None,
    created_to: object = None,
    sort: object = "created",
    order: object = "desc",
    limit: object = 50,
    offset: object = 0,
) -> JobQuery:
    """A JobQuery from what a door received (strings from a URL, or values); a 400 names the
    first field that does not fit. `created_from` and `created_to` are UTC days, inclusive."""
    first = parse_day(created_from, "created_from")
    last = parse_day(created_to, "created_to")
    if first is not None and last is not None and last < first:
        raise BadRequest("created_to: expected a day on or after created_from", field="created_to")
    return JobQuery(
        experiment_id=experiment_id or None,
        statuses=parse_statuses(status),
        device_id=device_id or None,
        dry_run=parse_flag(dry_run, "dry_run"),
        circuit_id=circuit_id or None,
        created_from=_midnight(first),
        created_before=_midnight(last + timedelta(days=1)) if last is not None else None,
        sort=JobSort(_choice(sort, (s.value for s in JobSort), "sort")),
        descending=_choice(order, ("asc", "desc"), "order") == "desc",
        limit=_bounded(limit, "limit", 1, services.limits.list_max),
        offset=_bounded(offset, "offset", 0, MAX_OFFSET),
    )


def search_jobs(services: Services, user: User, query: JobQuery) -> JobPage:
    """One page of the user's jobs; an experiment or circuit filter of another user is a 404."""
    one_more = JobQuery(**{**_fields(query), "limit": query.limit + 1})
    with services.repository.read() as uow:
        if query.experiment_id:
            uow.experiments.get(user.id, query.experiment_id)
        if query.circuit_id:
            uow.circuits.get(user.id, query.circuit_id)
        rows = uow.reports.search_jobs(user.id, one_more)
    return JobPage(rows[: query.limit], len(rows) > query.limit, query)


def _fields(query: JobQuery) -> dict[str, Any]:
    return {name: getattr(query, name) for name in JobQuery.__dataclass_fields__}


# -- money -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spend:
    key: str | None  # a device or experiment id; None: the job is gone from the database
    usd: Decimal
    jobs: int


@dataclass(frozen=True, slots=True)
class SpendingReport:
    first_day: date
    last_day: date
    by_day: list[tuple[date, Decimal]]  # every day of the period, oldest first, zeros included
    by_device: list[Spend]  # most spent first
    by_experiment: list[Spend]
    total: Decimal


def summarise_spending(rows: Sequence[SpendRow], first_day: date, last_day: date) -> SpendingReport:
    """Group ledger charges by day, by device and by experiment; each grouping adds up to the
    same total."""
    days = {
        first_day + timedelta(days=i): Decimal(0) for i in range((last_day - first_day).days + 1)
    }
    devices: dict[str | None, list[Any]] = {}
    experiments: dict[str | None, list[Any]] = {}
    for row in rows:
        days[row.day] = days.get(row.day, Decimal(0)) + row.usd
        for groups, key in ((devices, row.device_id), (experiments, row.experiment_id)):
            acc = groups.setdefault(key, [Decimal(0), 0])
            acc[0] += row.usd
            acc[1] += row.jobs

    def ranked(groups: dict[str | None, list[Any]]) -> list[Spend]:
        spends = [Spend(k, usd, n) for k, (usd, n) in groups.items()]
        return sorted(spends, key=lambda s: (-s.usd, s.key or ""))

    return SpendingReport(
        first_day=first_day,
        last_day=last_day,
        by_day=sorted(days.items()),
        by_device=ranked(devices),
        by_experiment=ranked(experiments),
        total=sum((r.usd for r in rows), Decimal(0)),
    )


def spending_report(services: Services, user: User, days: object = 30) -> SpendingReport:
    """What the ledger charged the user over the last `days` UTC days, today included."""
    count = _bounded(days, "days", 1, MAX_REPORT_DAYS)
    last_day = services.clock().astimezone(UTC).date()
    first_day = last_day - timedelta(days=count - 1)
    since = _midnight(first_day)
    until = _midnight(last_day + timedelta(days=1))
    assert since is not None and until is not None
    with services.repository.read() as uow:
        rows = uow.reports.spending(user.id, since, until)
    return summarise_spending(rows, first_day, last_day)


@dataclass(frozen=True, slots=True)
class Account:
    balance: Decimal  # available: what is held for running jobs is already taken out
    reservations: list[Reservation]

    @property
    def held(self) -> Decimal:
        return sum((r.held_usd for r in self.reservations), Decimal(0))


def account_overview(services: Services, user: User) -> Account:
    with services.repository.read() as uow:
        return Account(uow.billing.balance(user.id), uow.reports.open_reservations(user.id))


# -- circuits --------------------------------------------------------------------------------


def get_circuits(services: Services, user: User, circuit_ids: Sequence[str]) -> list[Circuit]:
    """The user's circuits in the order asked (a job's, say); 404 naming the first missing."""
    if not circuit_ids:
        return []
    with services.repository.read() as uow:
        return uow.circuits.get_many(user.id, circuit_ids)


@dataclass(frozen=True, slots=True)
class CircuitDrawing:
    text: str | None
    reason: str = ""  # why there is no drawing


def circuit_drawing(services: Services, user: User, circuit_id: str) -> CircuitDrawing:
    """A text drawing of one of the user's circuits, from the circuit toolkit (Qiskit's text
    drawer in the app); none for circuits too big to read as a drawing."""
    with services.repository.read() as uow:
        circuit = uow.circuits.get(user.id, circuit_id)
    facts = circuit.analytics
    if facts.gates_total > DRAW_MAX_GATES or facts.qubits > DRAW_MAX_QUBITS:
        return CircuitDrawing(
            None,
            f"not drawn: {facts.qubits} qubits and {facts.gates_total} gates; drawings stop at "
            f"{DRAW_MAX_QUBITS} qubits and {DRAW_MAX_GATES} gates",
        )
    text = services.circuits.draw(circuit.qasm)
    return CircuitDrawing(text, "" if text is not None else "this installation cannot draw")

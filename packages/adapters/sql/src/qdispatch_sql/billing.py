"""The USD ledger (run contract §9): append-only entries whose sum is the balance.

Amounts are stored as whole micro-dollars, so sums are exact on both databases. An amount
finer than a micro-dollar is rounded in the house's favour: holds and charges up, credits down.

Every write that depends on the balance or on a job's earlier entries first locks the user's
row (SELECT ... FOR NO KEY UPDATE on PostgreSQL), so concurrent reservations queue up and each sees
the ones before it: the balance can never be overspent. SQLite has no row locks; it runs one
writing transaction at a time (see `qdispatch_sql.engine`), which gives the same guarantee.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal

from sqlalchemy import Connection, func, insert, select

from qdispatch_core.errors import PaymentRequired
from qdispatch_core.ports import Billing
from qdispatch_core.ports.billing import EntryKind, LedgerEntry, held_for_job
from qdispatch_core.usecases.services import utcnow
from qdispatch_sql.schema import ledger_entries, users

MICROS_PER_USD = Decimal(1_000_000)
# Wide enough for any int64 count of micro-dollars, whatever the caller's decimal context.
_EXACT = Context(prec=40)


def to_micros(amount: Decimal, rounding: str) -> int:
    return int(_EXACT.multiply(amount, MICROS_PER_USD).to_integral_value(rounding))


def from_micros(micros: int) -> Decimal:
    # Exact division picks the shortest form: 5500000 → 5.5, 10000000 → 10.
    return _EXACT.divide(Decimal(micros), MICROS_PER_USD)


def _entry_from_row(row) -> LedgerEntry:
    return LedgerEntry(
        user_id=row.user_id,
        kind=EntryKind(row.kind),
        amount=from_micros(row.amount_micros),
        job_id=row.job_id,
        note=row.note,
        created_at=row.created_at,
    )


class SqlBilling(Billing):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- reading ------------------------------------------------------------------------

    def _balance_micros(self, user_id: str) -> int:
        total = func.coalesce(func.sum(ledger_entries.c.amount_micros), 0)
        query = select(total).where(ledger_entries.c.user_id == user_id)
        return int(self.conn.execute(query).scalar_one())

    def balance(self, user_id: str) -> Decimal:
        return from_micros(self._balance_micros(user_id))

    def entries(self, user_id: str) -> list[LedgerEntry]:
        query = (
            select(ledger_entries)
            .where(ledger_entries.c.user_id == user_id)
            .order_by(ledger_entries.c.id)
        )
        return [_entry_from_row(r) for r in self.conn.execute(query)]

    def _job_entries(self, user_id: str, job_id: str) -> list[LedgerEntry]:
        # Scoped to the user too: a job id from another account can never move this one's money.
        query = (
            select(ledger_entries)
            .where(ledger_entries.c.job_id == job_id, ledger_entries.c.user_id == user_id)
            .order_by(ledger_entries.c.id)
        )
        return [_entry_from_row(r) for r in self.conn.execute(query)]

    # -- writing ------------------------------------------------------------------------

    def _lock(self, user_id: str) -> None:
        # FOR NO KEY UPDATE, not FOR UPDATE: storing a job or an entry takes a key-share lock on
        # the owner's row (the foreign key), which FOR UPDATE would wait for, so two
        # submissions of one user would deadlock; NO KEY UPDATE queues them instead.
        lock = select(users.c.id).where(users.c.id == user_id).with_for_update(key_share=True)
        self.conn.execute(lock)

    def _append(
        self, user_id: str, kind: EntryKind, micros: int, job_id: str | None, note: str
    ) -> None:
        row = {
            "user_id": user_id,
            "kind": kind.value,
            "amount_micros": micros,
            "job_id": job_id,
            "note": note,
            "created_at": utcnow(),
        }
        self.conn.execute(insert(ledger_entries), [row])

    def credit(self, user_id: str, amount: Decimal, note: str = "") -> None:
        micros = to_micros(amount, ROUND_FLOOR) if amount > 0 else 0
        if micros <= 0:
            raise ValueError(f"a credit must be at least $0.000001, got ${amount}")
        self._append(user_id, EntryKind.CREDIT, micros, None, note)

    def reserve(self, user_id: str, job_id: str, amount: Decimal) -> None:
        if amount <= 0:
            return
        micros = to_micros(amount, ROUND_CEILING)
        self._lock(user_id)
        available = self._balance_micros(user_id)
        if available < micros:
            raise PaymentRequired(
                f"the balance is ${from_micros(available)} (reservation needs ${amount})",
                field="billing",
            )
        self._append(user_id, EntryKind.RESERVE, -micros, job_id, "reserved for the job")

    def charge(self, user_id: str, job_id: str, amount: Decimal) -> Decimal:
        self._lock(user_id)
        job_entries = self._job_entries(user_id, job_id)
        if any(e.kind is EntryKind.CHARGE for e in job_entries):
            return Decimal(0)
        held = to_micros(held_for_job(job_entries, job_id), ROUND_CEILING)
        charged = min(to_micros(amount, ROUND_CEILING), held)
        if charged <= 0:
            return Decimal(0)
        # A charge converts part of the reservation: release it, then take the cost.
        self._append(user_id, EntryKind.RELEASE, charged, job_id, "reservation used")
        self._append(user_id, EntryKind.CHARGE, -charged, job_id, "actual cost")
        return from_micros(charged)

    def release(self, user_id: str, job_id: str) -> Decimal:
        self._lock(user_id)
        held = to_micros(held_for_job(self._job_entries(user_id, job_id), job_id), ROUND_CEILING)
        if held > 0:
            self._append(user_id, EntryKind.RELEASE, held, job_id, "unused reservation")
        return from_micros(held)

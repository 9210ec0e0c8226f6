"""The billing port: a per-user USD ledger (run contract §9).

Entries are append-only and the balance is their sum. A reservation holds funds while a job
runs; at the end the actual cost is charged and the rest released. Amounts are Decimals so the
ledger adds up exactly.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class EntryKind(StrEnum):
    CREDIT = "credit"
    RESERVE = "reserve"
    RELEASE = "release"
    CHARGE = "charge"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    user_id: str
    kind: EntryKind
    amount: Decimal  # signed: credits and releases add, reservations and charges subtract
    job_id: str | None
    note: str
    created_at: datetime


class Billing(ABC):
    """Bound to one unit of work: its writes commit or roll back with the job that caused them."""

    @abstractmethod
    def balance(self, user_id: str) -> Decimal:
        """Available USD: the sum of the user's entries."""

    @abstractmethod
    def credit(self, user_id: str, amount: Decimal, note: str = "") -> None:
        """Add funds (amount > 0)."""

    @abstractmethod
    def reserve(self, user_id: str, job_id: str, amount: Decimal) -> None:
        """Hold `amount` for the job; PaymentRequired if the balance is too small.

        Concurrent reservations must never overspend.
        """

    @abstractmethod
    def charge(self, user_id: str, job_id: str, amount: Decimal) -> Decimal:
        """Charge the job's actual cost, at most what it reserved; at most once per job.

        Written as a release of the used part of the reservation plus a charge entry.
        Returns what was charged (0 when the job was charged before).
        """

    @abstractmethod
    def release(self, user_id: str, job_id: str) -> Decimal:
        """Give back what is left of the job's reservation; returns the amount released."""

    @abstractmethod
    def entries(self, user_id: str) -> list[LedgerEntry]:
        """The user's entries, oldest first."""


def held_for_job(entries: list[LedgerEntry], job_id: str) -> Decimal:
    """What is still reserved for a job: reserved minus released.

    A charge is always written as a release of the used part plus a charge, so reservations
    and releases alone say what is still held.
    """
    held = Decimal(0)
    for e in entries:
        if e.job_id == job_id and e.kind in (EntryKind.RESERVE, EntryKind.RELEASE):
            held -= e.amount  # reservations are negative, releases positive
    return max(held, Decimal(0))

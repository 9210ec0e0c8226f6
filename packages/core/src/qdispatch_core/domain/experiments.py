from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Experiment:
    """A named container of circuits and jobs; the name is unique per owner."""

    id: str
    owner_id: str
    name: str
    description: str
    created_at: datetime

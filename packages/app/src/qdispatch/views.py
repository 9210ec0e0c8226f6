"""The library's job views: the core's `JobView` and `JobSummary` with a one-line repr and a
notebook card. Same fields, same validation; only how they show themselves differs."""

from __future__ import annotations

from typing import Any

from qdispatch import display
from qdispatch_core import schemas


def _copy(cls: type[Any], view: Any) -> Any:
    """The core view's fields in the library class, without validating or copying them again."""
    return cls.model_construct(_fields_set=view.model_fields_set, **dict(view))


class JobView(schemas.JobView):
    """A whole job (run contract §1); `repr` is one line, notebooks show a card."""

    @classmethod
    def from_core(cls, view: schemas.JobView) -> JobView:
        return _copy(cls, view)

    def __repr__(self) -> str:
        return display.job_repr(self)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        return display.job_html(self)


class JobSummary(schemas.JobSummary):
    """A job in a listing."""

    @classmethod
    def from_core(cls, view: schemas.JobSummary) -> JobSummary:
        return _copy(cls, view)

    def __repr__(self) -> str:
        return display.job_repr(self)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        return display.summaries_html([self])


class JobList(list):
    """`Client.jobs()`: a list of summaries that a notebook shows as one table."""

    def _repr_html_(self) -> str:
        return display.summaries_html(list(self))

"""A job as the job tools return it: whole when it fits one reply, else with its results in
pages (`pages.py`), read once and kept for the next pages.

Why a tool argument (`results_page`) rather than an MCP resource template: every client that
can call a tool can page this way, and agents' hosts pass tool results to the model but often
do not offer resources to it at all; the page also keeps the job's status and context beside
the data, and the same argument works on wait_for_job, whose reply is the job.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from pydantic import Field

from qdispatch_core.domain import User
from qdispatch_core.domain.enums import FINAL_STATUSES
from qdispatch_core.errors import BadRequest
from qdispatch_core.schemas import JobResponse, JobView
from qdispatch_core.usecases import Services, get_job
from qdispatch_mcp.pages import FIELDS, PAGE_OVERHEAD, PagedResults, ResultsPage, json_size

# Decoded pages of the jobs read last, by (owner, job): a caller reading 170 pages of a state
# vector decodes it once. Final jobs never change, so nothing here goes stale.
CACHE_BYTES = 256 * 1024 * 1024
# The request's echo (parameters, observables) is left out of a paged reply above this share
# of the page: a 10,000-set sweep's parameters would not leave room for any results.
ECHO_SHARE = 0.5
ECHO_FIELDS = ("parameters", "observables")


class JobOut(JobView):
    """The whole job (run contract §1) flat, as the seed returns it, with a context text and,
    when the results are too large for one reply, a page of them beside the job's fields."""

    context: str = Field(description="What this job is and which tool to call next, in words.")
    results_page: ResultsPage | None = Field(
        default=None,
        description="Only when the results are too large for one reply: then results, "
        "uncertainties and raw_results are null, and this holds one page of them. "
        "Ask for page n with results_page=n; next_page says which comes next.",
    )

    @classmethod
    def flat(cls, job: JobView, context: str, page: ResultsPage | None = None) -> JobOut:
        # No second validation of the job's (possibly very large) fields: they are a JobView's.
        fields = {name: getattr(job, name) for name in JobView.model_fields}
        return cls.model_construct(**fields, context=context, results_page=page)

    def bare(self) -> JobView:
        """The job's own fields, without the context and page."""
        return JobView.model_construct(**{n: getattr(self, n) for n in JobView.model_fields})


@dataclass
class Paged:
    """A final job whose results come in pages: everything but the results, and the pages."""

    job: JobView
    context: str
    results: PagedResults
    omitted: tuple[str, ...]

    def out(self, number: int) -> JobOut:
        pages = len(self.results.pages)
        if not 1 <= number <= pages:
            raise BadRequest(
                f"results_page: expected 1..{pages} for job {self.job.id}, got {number}",
                field="results_page",
            )
        page = self.results.page(number)
        return JobOut.flat(self.job, self._context(page), page)

    def _context(self, page: ResultsPage) -> str:
        size = page.summary.bytes
        text = (
            f"{self.context} The results are too large for one reply (about {size / 1e6:.1f} "
            f"MB even in a compact encoding): they come in {page.pages} pages, and this reply "
            f"holds page {page.page}."
        )
        if page.next_page is not None:
            text += (
                f" Next: call this tool again with job_id={self.job.id} and "
                f"results_page={page.next_page}."
            )
        text += (
            " Each part is a slice [start, stop) of one leaf at `path` (circuit, observable, "
            "parameter set): counts sorted by count, largest first; state vectors as base64 "
            "little-endian float64 real and imag arrays; values as listed."
        )
        return self.note(text)

    def note(self, text: str) -> str:
        if self.omitted:
            text += (
                f" {' and '.join(self.omitted)} are left out of this reply (too large for "
                "it); they are exactly as submitted."
            )
        return text


class Pager:
    """Shapes job reads for the job tools, with a page budget in bytes (`mcp_result_bytes`)."""

    def __init__(self, budget: int, cache_bytes: int = CACHE_BYTES) -> None:
        self.budget = budget
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[tuple[str, str], tuple[int, Paged]] = OrderedDict()
        self._lock = threading.Lock()
        # One decode per job at a time: callers of the same job wait for the first.
        self._building: dict[tuple[str, str], _ForgettingLock] = {}

    # -- the use case the tools call (in a worker thread) -----------------------------------

    def read(self, services: Services, user: User, job_id: str, page: int | None) -> JobOut:
        key = (user.id, job_id)
        found = self._cached(key)
        if found is not None:
            return found.out(page or 1)
        with self._builder(key):
            found = self._cached(key)
            if found is not None:
                return found.out(page or 1)
            return self.shape(get_job(services, user, job_id), page, key)

    def shape(
        self, response: JobResponse, page: int | None, key: tuple[str, str] | None = None
    ) -> JobOut:
        job = response.job
        if self._fits(response):
            if page not in (None, 1):
                raise BadRequest(
                    f"results_page: job {job.id} fits in one reply; omit results_page",
                    field="results_page",
                )
            return JobOut.flat(job, response.context)
        paged = self._paged(response)
        if not paged.results.leaves:  # no results (yet): only the request's echo was large
            return JobOut.flat(paged.job, paged.note(response.context))
        if key is not None and job.status in FINAL_STATUSES:
            self._keep(key, paged)
        return paged.out(page or 1)

    # -- sizes --------------------------------------------------------------------------------

    def _fits(self, response: JobResponse) -> bool:
        job = response.job
        rest = json_size(job.model_dump(mode="json", exclude=set(FIELDS)), self.budget)
        limit = self.budget - rest - len(response.context) - PAGE_OVERHEAD
        if limit < 0:
            return False
        used = 0
        for f in FIELDS:
            used += json_size(getattr(job, f), limit - used + 1)
            if used > limit:
                return False
        return True

    def _paged(self, response: JobResponse) -> Paged:
        job = response.job
        values = {f: getattr(job, f) for f in FIELDS}
        bare = job.model_copy(update=dict.fromkeys(FIELDS))
        echo = json_size(bare.model_dump(mode="json"), self.budget)
        omitted: tuple[str, ...] = ()
        if echo > self.budget * ECHO_SHARE:
            omitted = tuple(f for f in ECHO_FIELDS if getattr(job, f) is not None)
            bare = bare.model_copy(update=dict.fromkeys(omitted))
            echo = len(json.dumps(bare.model_dump(mode="json")))
        room = self.budget - echo - len(response.context) - 2 * PAGE_OVERHEAD
        depth = None
        if job.run_type == "StatevectorRun" and job.observables is None:
            depth = 1 + (job.parameters is not None)
        results = PagedResults.of(values, depth, max(room, self.budget // 4))
        return Paged(bare, response.context, results, omitted)

    # -- the cache ------------------------------------------------------------------------

    def _cached(self, key: tuple[str, str]) -> Paged | None:
        with self._lock:
            found = self._cache.get(key)
            if found is None:
                return None
            self._cache.move_to_end(key)
            return found[1]

    def _keep(self, key: tuple[str, str], paged: Paged) -> None:
        size = paged.results.memory_bytes
        if size > self.cache_bytes:
            return
        with self._lock:
            self._cache[key] = (size, paged)
            total = sum(s for s, _ in self._cache.values())
            while total > self.cache_bytes and len(self._cache) > 1:
                _, (dropped, _) = self._cache.popitem(last=False)
                total -= dropped

    def _builder(self, key: tuple[str, str]) -> _ForgettingLock:
        with self._lock:
            return self._building.setdefault(key, _ForgettingLock(self, key))

    def _forget_builder(self, key: tuple[str, str], lock: _ForgettingLock) -> None:
        with self._lock:
            if self._building.get(key) is lock:
                del self._building[key]


class _ForgettingLock:
    """A lock for one job's first read that leaves the table once released, so the table
    holds only the reads in progress."""

    def __init__(self, pager: Pager, key: tuple[str, str]) -> None:
        self.pager = pager
        self.key = key
        self.lock = threading.Lock()

    def __enter__(self) -> None:
        self.lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
        self.pager._forget_builder(self.key, self)


def compact_ran(out: JobOut) -> JobOut:
    """The reply with each program's text in plan.ran replaced by its size."""
    plan = out.plan or {}
    ran = plan.get("ran")
    if not isinstance(ran, dict) or not ran.get("programs"):
        return out
    sizes = {
        k: f"{len(v)} characters (include_programs=true returns it)"
        for k, v in ran["programs"].items()
    }
    return out.model_copy(update={"plan": {**plan, "ran": {**ran, "programs": sizes}}})

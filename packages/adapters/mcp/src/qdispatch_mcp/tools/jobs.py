"""Tools for jobs once submitted: read, wait, cancel, list."""

from __future__ import annotations

from typing import Annotated, Literal

import anyio
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from qdispatch_core import usecases
from qdispatch_core.usecases.following import Backoff, follow_job_async
from qdispatch_mcp.calls import Runtime, respond, runtime_of, use_case
from qdispatch_mcp.models import JobList
from qdispatch_mcp.results import JobOut, compact_ran

# One wait_for_job call returns after this long at most: MCP clients time requests out
# (often at 60 s), and an agent that gets the job back can decide what to do next.
MAX_WAIT_S = 60.0
# Polling starts fast (a simulator job often ends in milliseconds) and backs off as the core's
# `Backoff` does (×1.5 up to 0.5 s).
FIRST_POLL_S = 0.02
# A progress notification at least this often, so a client sees the wait is alive.
HEARTBEAT_S = 5.0

JobId = Annotated[
    str,
    Field(description="A job id (job_…) from run_circuits_on_qpu_or_simulator or list_jobs."),
]
ResultsPageNumber = Annotated[
    int | None,
    Field(
        ge=1,
        description="Only for results too large for one reply (the reply then has a "
        "results_page with its pages count and next_page): which page to return, from 1.",
    ),
]
StatusName = Literal[
    "Submitted", "Initializing", "Validating", "Queued", "Running", "Done", "Error", "Cancelled"
]


IncludePrograms = Annotated[
    bool,
    Field(
        strict=True,
        description="Also return the text of each program that ran (plan.ran.programs: "
        "OpenQASM 3 as sent to the device). By default only their ids and sizes; layouts, "
        "seeds and SDK versions are always there.",
    ),
]


async def get_job_results_and_status(
    ctx: Context[Runtime],
    job_id: JobId,
    results_page: ResultsPageNumber = None,
    include_programs: IncludePrograms = False,
) -> Annotated[CallToolResult, JobOut]:
    """Read a job as it stands: the whole job, its fields at the top level (id, status,
    results, …) with a context text that summarises it. Status runs Submitted → Initializing →
    Validating → Queued → Running → Done, or Error, or Cancelled; the job also has progress
    (executables done/total), results, uncertainties, estimated and actual cost, mitigation
    applied, plan (dry runs), error message, logs and timestamps.

    results are nested circuits → observables → parameter sets (a layer only when that input
    was given); leaves are counts {bitstring: shots} (rightmost bit = classical bit 0), state
    vectors [real_parts, imag_parts], or expectation values (uncertainties then holds their
    standard errors in the same shape; mitigation.uncertainties says how they were obtained).
    plan.ran records what ran: programs as sent (ids and sizes unless include_programs=true),
    layouts (virtual → physical qubits, classical bits → physical qubits), seeds, SDK versions.
    A job that is not yours reads as 404. While the job is
    not final, call wait_for_job instead of polling this in a tight loop.

    Results too large for one reply (a big histogram, a state vector of many qubits) come in
    pages: results is then null and results_page, beside the job's fields, holds page 1 with
    parts (counts sorted by count, state vectors as base64 little-endian float64 real/imag
    arrays) and next_page; call again with results_page=2, 3, … for the rest.
    """

    async def work() -> JobOut:
        out = await use_case(ctx, runtime_of(ctx).pager.read, job_id, results_page)
        return out if include_programs else compact_ran(out)

    return await respond("get_job_results_and_status", work)


async def wait_for_job(
    ctx: Context[Runtime],
    job_id: JobId,
    timeout_s: Annotated[
        float,
        Field(
            ge=0,
            strict=True,
            description=f"Seconds to wait; values above {MAX_WAIT_S:g} are clamped to "
            f"{MAX_WAIT_S:g}.",
        ),
    ] = 30.0,
    results_page: ResultsPageNumber = None,
) -> Annotated[CallToolResult, JobOut]:
    """Wait until a job is final (Done, Error or Cancelled) or timeout_s has passed, then
    return the job as it stands, exactly as get_job_results_and_status does.

    One call waits at most 60 seconds (larger timeout_s values are clamped); if the job is still
    running when it returns, call it again. While waiting it sends progress notifications
    (elapsed seconds of the wait, with the job's status and executables done in the message).
    Call it right after run_circuits_on_qpu_or_simulator. Large results come in pages, as
    get_job_results_and_status describes (results_page).
    """

    async def work() -> JobOut:
        # As get_job_results_and_status answers by default: programs that ran by size only.
        return compact_ran(await _wait(ctx, job_id, min(timeout_s, MAX_WAIT_S), results_page))

    return await respond("wait_for_job", work)


async def _wait(ctx: Context[Runtime], job_id: str, limit: float, page: int | None) -> JobOut:
    """The core's wait loop (`follow_job_async`, its `Backoff`), with MCP's progress
    notifications between reads."""
    pager = runtime_of(ctx).pager
    backoff = Backoff(limit, first=FIRST_POLL_S)
    last_note, last_sent = "", -HEARTBEAT_S

    async def read() -> JobOut:
        return await use_case(ctx, pager.read, job_id, page)

    async def notify(job: JobOut) -> None:
        nonlocal last_note, last_sent
        elapsed = backoff.elapsed
        note = (
            f"{job.id} is {job.status}: {job.progress.done}/{job.progress.total} executables done"
        )
        if note != last_note or elapsed - last_sent >= HEARTBEAT_S:
            # The progress value is the time waited: it always grows, as MCP requires, even
            # while the job's own progress stands still.
            await ctx.report_progress(round(elapsed, 3), limit, note)
            last_note, last_sent = note, elapsed

    response, final = await follow_job_async(read, backoff, pause=anyio.sleep, on_wait=notify)
    if final:
        return response
    note = (
        f"Still {response.status} after waiting {backoff.elapsed:.0f} s (at most 60 s per call). "
    )
    return response.model_copy(update={"context": note + response.context})


async def cancel_job(ctx: Context[Runtime], job_id: JobId) -> Annotated[CallToolResult, JobOut]:
    """Cancel a job and return it. A job no provider holds yet is Cancelled at once (nothing is
    charged); one already running is flagged, and the worker cancels it at the provider (its
    status becomes Cancelled shortly, or Done if the provider finished first). Cancelling a
    final job changes nothing. Use wait_for_job to see the outcome. (Cancelling a job that is
    already Done returns it with page 1 of its results when they are too large for one reply.)
    """
    pager = runtime_of(ctx).pager

    def cancel(services, user, job_id: str) -> JobOut:
        return pager.shape(usecases.cancel_job(services, user, job_id), None)

    async def work() -> JobOut:
        return await use_case(ctx, cancel, job_id)

    return await respond("cancel_job", work)


async def list_jobs(
    ctx: Context[Runtime],
    experiment_id: Annotated[
        str | None, Field(description="Only jobs of this experiment (exp_…).")
    ] = None,
    status: Annotated[StatusName | None, Field(description="Only jobs in this status.")] = None,
    limit: Annotated[int, Field(strict=True, description="At most this many jobs, 1..1000.")] = 50,
) -> Annotated[CallToolResult, JobList]:
    """List your jobs, newest first, as summaries (id, name, experiment, device, run type,
    status, progress, costs); every filter is optional. For results, call
    get_job_results_and_status with a job's id."""

    async def work() -> JobList:
        return JobList.of(await use_case(ctx, usecases.list_jobs, experiment_id, status, limit))

    return await respond("list_jobs", work)

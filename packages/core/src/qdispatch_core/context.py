"""Short texts that tell a reader (person or agent) what a job is and what to do next."""

from __future__ import annotations

from qdispatch_core.domain import Cost, Job, JobStatus


def money(cost: Cost | None) -> str:
    if cost is None:
        return "unknown"
    if not cost.pricing_available:
        return f"not available ({cost.reason})"
    usd = cost.usd or 0.0
    return "free" if usd == 0 else f"${usd:,.4f}".rstrip("0").rstrip(".")


def _size(job: Job) -> str:
    circuits = len(job.circuit_ids)
    return (
        f"{circuits} circuit{'s' if circuits != 1 else ''}, "
        f"{job.progress.total} executable{'s' if job.progress.total != 1 else ''}"
    )


def submitted(job: Job) -> str:
    if job.dry_run:
        return (
            f"Dry run {job.id} on {job.device_id}: validated, stored and planned ({_size(job)}); "
            f"estimated cost {money(job.estimated_cost)}. Nothing was executed or charged. "
            "The plan is in get_job_results_and_status; submit again with dry_run=false to run."
        )
    return (
        f"Job {job.id} submitted to {job.device_id} ({_size(job)}, run type "
        f"{job.run_type.value}); estimated cost {money(job.estimated_cost)}. It runs in the "
        f"background: call get_job_results_and_status with job_id={job.id} for its status and "
        f"results, or wait_for_job with job_id={job.id} to wait for it."
    )


def _result_shape(job: Job) -> str:
    layers = ["circuit"]
    if job.observables is not None:
        layers.append("observable")
    if job.parameters is not None:
        layers.append("parameter set")
    if job.observables is not None:
        leaf = "expectation values (uncertainties hold standard errors)"
    elif job.run_type.value == "StatevectorRun":
        leaf = "state vectors [real_parts, imag_parts]"
    elif job.mitigation and job.mitigation.get("applied"):
        leaf = "mitigated quasi-probabilities (raw counts in raw_results)"
    else:
        leaf = "counts {bitstring: shots}, rightmost bit = classical bit 0"
    return f"results are nested {' → '.join(layers)}; leaves are {leaf}"


def describe(job: Job) -> str:
    head = f"Job {job.id} on {job.device_id} is {job.status.value}"
    progress = f" ({job.progress.done}/{job.progress.total} executables done)"
    if job.status is JobStatus.DONE:
        if job.dry_run:
            return (
                f"{head}: dry run, nothing executed; estimated cost "
                f"{money(job.estimated_cost)}; the plan is in `plan`."
            )
        cost = money(job.cost if job.cost is not None else job.estimated_cost)
        return f"{head}{progress}; cost {cost}; {_result_shape(job)}."
    if job.status is JobStatus.ERROR:
        return (
            f"{head}: {job.error}. Nothing was charged beyond work done; fix the cause and "
            "submit a new job."
        )
    if job.status is JobStatus.CANCELLED:
        return f"{head}; it has no results."
    wait = f"call wait_for_job with job_id={job.id} or get_job_results_and_status again later"
    if job.cancel_requested:
        return f"{head}{progress}; cancellation was requested and is in progress; {wait}."
    return f"{head}{progress}; {wait}."

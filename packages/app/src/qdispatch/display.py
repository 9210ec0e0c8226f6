"""Short reprs and notebook HTML for jobs and results.

A repr is one line (the whole JobView used to print 8,000 characters). The HTML is a compact
card: status, device, progress, cost, then a small histogram (counts, probabilities) or a table
of values (expectation values, amplitudes). Plain HTML and inline CSS: no JavaScript, no
matplotlib, so it renders anywhere a notebook renders HTML (and in saved notebooks).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qdispatch.results import RunResult
    from qdispatch_core.schemas import CostView, JobSummary, JobView

MAX_DISTRIBUTIONS = 4  # histograms in a card
MAX_BARS = 16  # outcomes per histogram
MAX_ROWS = 24  # rows of a value table
STATUS_COLOURS = {"Done": "#2e7d32", "Error": "#c62828", "Cancelled": "#757575"}


def cost_text(cost: CostView | None) -> str:
    if cost is None:
        return "unknown"
    if not cost.pricing_available:
        return f"no price ({cost.reason})" if cost.reason else "no price"
    converted = (cost.converted or {}).get("amount")
    if converted is None:
        native = cost.native or {}
        return f"{native.get('amount')} {native.get('unit', '')}".strip()
    amount = float(converted)
    return f"${amount:.2f}" if amount == 0 or amount >= 0.01 else f"${amount:.2g}"


def shape_text(job: JobView | JobSummary) -> str:
    """`2 circuits × 3 observables × 5 parameter sets` for a view that has the request."""
    circuits = len(getattr(job, "circuit_ids", []) or [])
    parts = [f"{circuits} circuit{'s' if circuits != 1 else ''}"] if circuits else []
    observables = getattr(job, "observables", None)
    if observables:
        n = sum(len(o) for o in observables)
        parts.append(f"{n} observable{'s' if n != 1 else ''}")
    parameters = getattr(job, "parameters", None)
    if parameters:
        n = sum(len(p) for p in parameters)
        parts.append(f"{n} parameter set{'s' if n != 1 else ''}")
    return " × ".join(parts)


def progress_text(job: JobView | JobSummary) -> str:
    done, total = job.progress.done, job.progress.total
    return f"{done}/{total}" if total else "—"


def job_repr(job: JobView | JobSummary) -> str:
    cost = job.cost if job.cost is not None else job.estimated_cost
    label = "cost" if job.cost is not None else "estimate"
    parts = [
        f"{type(job).__name__}({job.id!r}",
        f"status={str(job.status)!r}",  # "Done", not the enum's repr
        f"device={job.device_id!r}",
        f"progress={progress_text(job)}",
        f"{label}={cost_text(cost)}",
    ]
    shape = shape_text(job)
    if shape:
        parts.append(shape)
    return ", ".join(parts) + ")"


def result_repr(result: RunResult) -> str:
    job = result.job
    text = f"RunResult({job.id!r}, kind={result.kind!r}, {shape_text(job)}"
    preview = _preview(result)
    return text + (f", first={preview}" if preview else "") + ")"


def _preview(result: RunResult) -> str:
    kind = result.kind
    if kind == "expectation":
        return f"{result.expectation_value():.6g}"
    if kind == "counts":
        counts = result.counts()
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
        more = ", …" if len(counts) > len(top) else ""
        return "{" + ", ".join(f"{b!r}: {n}" for b, n in top) + more + "}"
    if kind == "quasi":
        likeliest = sorted(result.quasi_dist().items(), key=lambda kv: -kv[1])[:4]
        return "{" + ", ".join(f"{b!r}: {v:.3f}" for b, v in likeliest) + "}"
    real, _ = result._leaf(result.raw, 0, None, 0)
    return f"{len(real)} amplitudes"


# -- HTML ---------------------------------------------------------------------------------------

_CARD = (
    "<div class='qdispatch' style='font-family:system-ui,sans-serif;font-size:13px;"
    "border:1px solid #ddd;border-radius:6px;padding:8px 12px;max-width:760px'>{}</div>"
)
_CELL = "style='padding:2px 10px 2px 0;text-align:left;vertical-align:top'"


def _badge(status: str) -> str:
    colour = STATUS_COLOURS.get(status, "#1565c0")
    return (
        f"<span style='background:{colour};color:white;border-radius:3px;padding:1px 6px'>"
        f"{escape(status)}</span>"
    )


def _facts(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th {_CELL}>{escape(k)}</th><td {_CELL}>{v}</td></tr>" for k, v in rows)
    return f"<table style='border-collapse:collapse;margin:4px 0'>{body}</table>"


def _progress_bar(job: JobView | JobSummary) -> str:
    done, total = job.progress.done, job.progress.total
    if not total:
        return "—"
    width = round(120 * done / total)
    return (
        "<span style='display:inline-block;width:120px;height:8px;background:#eee;"
        f"vertical-align:middle'><span style='display:block;width:{width}px;height:8px;"
        f"background:#4c72b0'></span></span> {done}/{total} executables"
    )


def job_html(job: JobView, result: RunResult | None = None) -> str:
    rows = [
        ("status", _badge(job.status)),
        ("device", escape(f"{job.device_id} ({job.provider})")),
        (
            "run",
            escape(f"{job.run_type}, {job.shots} shots" if job.run_type == "Run" else job.run_type)
            + escape(f" · {shape_text(job)}"),
        ),
        ("progress", _progress_bar(job)),
    ]
    if job.cost is not None:
        rows.append(("cost", escape(cost_text(job.cost))))
    elif job.estimated_cost is not None:
        rows.append(("estimated cost", escape(cost_text(job.estimated_cost))))
    if job.dry_run:
        rows.append(("dry run", escape(f"plan: {job.plan}")))
    if job.error:
        rows.append(("error", f"<span style='color:#c62828'>{escape(job.error)}</span>"))
    title = f"<b>{escape(job.id)}</b>" + (f" · {escape(job.name)}" if job.name else "")
    body = title + _facts(rows)
    if result is not None:
        body += result_body(result)
    return _CARD.format(body)


def summaries_html(jobs: list[JobSummary]) -> str:
    head = "".join(
        f"<th {_CELL}>{h}</th>" for h in ("job", "name", "device", "status", "progress", "cost")
    )
    rows = "".join(
        f"<tr><td {_CELL}><code>{escape(j.id)}</code></td><td {_CELL}>{escape(j.name)}</td>"
        f"<td {_CELL}>{escape(j.device_id)}</td><td {_CELL}>{_badge(j.status)}</td>"
        f"<td {_CELL}>{escape(progress_text(j))}</td>"
        f"<td {_CELL}>{escape(cost_text(j.cost or j.estimated_cost))}</td></tr>"
        for j in jobs
    )
    return _CARD.format(f"<table style='border-collapse:collapse'><tr>{head}</tr>{rows}</table>")


def result_html(result: RunResult) -> str:
    return job_html(result.job, result)


def result_body(result: RunResult) -> str:
    if result.kind == "expectation":
        return _value_table(result)
    return _histograms(result)


def _parameters_text(result: RunResult, c: int, p: int) -> str:
    if not result.has_parameters:
        return ""
    values = result.job.parameters[c][p]
    names = result.parameter_names(c)
    if len(names) == len(values) and names:
        return ", ".join(f"{n}={v:.4g}" for n, v in zip(names, values, strict=True))
    return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"


def _value_table(result: RunResult) -> str:
    head = "".join(
        f"<th {_CELL}>{h}</th>"
        for h in ("circuit", "observable", "parameters", "value", "std error")
    )
    rows: list[str] = []
    total = 0
    for c in range(result.num_circuits):
        labels = result.observable_labels(c)
        for o in range(result.num_observables(c)):
            for p in range(result.num_parameter_sets(c)):
                total += 1
                if len(rows) >= MAX_ROWS:
                    continue
                rows.append(
                    f"<tr><td {_CELL}>{c}</td><td {_CELL}>{escape(labels[o])}</td>"
                    f"<td {_CELL}>{escape(_parameters_text(result, c, p))}</td>"
                    f"<td {_CELL}>{result.expectation_value(c, o, p):.6g}</td>"
                    f"<td {_CELL}>{result.standard_error(c, o, p):.3g}</td></tr>"
                )
    more = (
        f"<div style='color:#666'>first {len(rows)} of {total} values; "
        "<code>to_dataframe()</code> has them all</div>"
        if total > len(rows)
        else ""
    )
    return f"<table style='border-collapse:collapse'><tr>{head}</tr>{''.join(rows)}</table>{more}"


def _histograms(result: RunResult) -> str:
    places = [
        (c, p) for c in range(result.num_circuits) for p in range(result.num_parameter_sets(c))
    ]
    parts = [_histogram(result, c, p) for c, p in places[:MAX_DISTRIBUTIONS]]
    if len(places) > MAX_DISTRIBUTIONS:
        parts.append(
            f"<div style='color:#666'>first {MAX_DISTRIBUTIONS} of {len(places)} "
            "distributions; <code>to_dataframe()</code> has them all</div>"
        )
    return "".join(parts)


def _histogram(result: RunResult, c: int, p: int) -> str:
    kind = result.kind
    if kind == "counts":
        values: dict[str, Any] = result.counts(c, p)
        shown: Callable[[Any], str] = str
    elif kind == "quasi":
        values = result.quasi_dist(c, p)
        shown = "{:.4f}".format
    else:
        values = result.probabilities(c, p)
        shown = "{:.4f}".format
    top = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_BARS]
    peak = max((abs(v) for _, v in top), default=1) or 1
    caption = f"circuit {c}"
    parameters = _parameters_text(result, c, p)
    if parameters:
        caption += f" · {parameters}"
    label = {"counts": "count", "quasi": "quasi-probability"}.get(kind, "probability")
    rows = "".join(
        f"<tr><td {_CELL}><code>{escape(b)}</code></td><td {_CELL}>{escape(shown(v))}</td>"
        f"<td {_CELL}><span style='display:inline-block;height:10px;background:#4c72b0;"
        f"width:{max(1, round(160 * abs(v) / peak))}px'></span></td></tr>"
        for b, v in top
    )
    more = (
        f"<tr><td colspan='3' style='color:#666'>… {len(values) - len(top)} more outcomes</td></tr>"
        if len(values) > len(top)
        else ""
    )
    return (
        f"<div style='margin-top:6px'><i>{escape(caption)}</i>"
        f"<table style='border-collapse:collapse'><tr><th {_CELL}>outcome</th>"
        f"<th {_CELL}>{label}</th><th {_CELL}></th></tr>{rows}{more}</table></div>"
    )

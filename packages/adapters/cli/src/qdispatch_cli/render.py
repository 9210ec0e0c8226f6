"""Tables and summaries for people. Everything here takes the core's views (pydantic models)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from qdispatch_cli import output

if TYPE_CHECKING:
    from decimal import Decimal

    from rich.table import Table

    from qdispatch_core.domain import User
    from qdispatch_core.schemas import (
        CircuitView,
        CostView,
        ExperimentView,
        JobSummary,
        JobView,
    )


UNBROKEN = frozenset({"created", "status", "progress", "device", "run type", "cost"})


def table(*columns: str) -> Table:
    from rich.table import Table

    t = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
    for i, column in enumerate(columns):
        # The first column holds the ids people copy; those and timestamps never break.
        t.add_column(column, no_wrap=i == 0 or column in UNBROKEN, overflow="fold")
    return t


def fields(rows: Iterable[tuple[str, Any]]) -> Table:
    """A two-column grid of labels and values; rows whose value is None are left out."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for label, value in rows:
        if value is not None:
            grid.add_row(label, value if not isinstance(value, (int, float)) else str(value))
    return grid


def when(moment: datetime | None, *, seconds: bool = True) -> str:
    """A UTC timestamp in the reader's local time."""
    if moment is None:
        return "—"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else ""))


def money(cost: CostView | None) -> str:
    """A cost in the contract's format, for a person: "free", "$0.3", "n/a (why)"."""
    if cost is None:
        return "—"
    if not cost.pricing_available:
        return esc(f"n/a ({cost.reason})")
    usd = float((cost.converted or {}).get("amount") or 0.0)
    if usd == 0:
        return "free"
    text = f"${usd:,.6f}".rstrip("0").rstrip(".")
    native = cost.native or {}
    return f"{text} ({native.get('amount', 0):g} {native.get('unit', '')})".rstrip()


# -- jobs ------------------------------------------------------------------------------------


# Dropped, in this order, when the listing is wider than the terminal: ids never are.
OPTIONAL_JOB_COLUMNS = ("run type", "created", "progress", "name", "device")


def jobs(summaries: Sequence[JobSummary], filters: str = "") -> None:
    """The jobs listing; `filters` says in words what narrowed it (for an empty result)."""
    from rich.markup import escape

    named = any(j.name for j in summaries)  # a column of dashes is noise
    rows = [
        {
            "job": j.id,
            "name": output.clean(j.name) or "—",
            "status": ("dry run", "cyan") if j.dry_run else (j.status, _status_style(j.status)),
            "device": output.clean(j.device_id),
            "run type": j.run_type,
            "progress": "—" if j.dry_run else f"{j.progress.done}/{j.progress.total}",
            "created": when(j.created_at, seconds=False),
            "cost": listed_cost(j),
        }
        for j in summaries
    ]
    columns = ["job", *(["name"] if named else []), "status", "device", "run type"]
    columns += ["progress", "created", "cost"]
    columns = fit(columns, rows, output.out().width, OPTIONAL_JOB_COLUMNS)
    t = table(*columns)
    for row in rows:
        cells = []
        for column in columns:
            value = row[column]
            cells.append(f"[{value[1]}]{value[0]}[/]" if column == "status" else escape(str(value)))
        t.add_row(*cells)
    output.out().print(t)
    if summaries:
        return
    if filters:
        output.hint(f"no jobs match {filters}")
    else:
        output.hint("no jobs yet: qdispatch run FILE.qasm --device aer_simulator")


def _status_style(status: str) -> str:
    return output.STATUS_STYLES.get(status, "cyan")


def fit(
    columns: list[str], rows: Sequence[dict[str, Any]], width: int, optional: Sequence[str]
) -> list[str]:
    """The columns that fit in `width` (two spaces between them), dropping `optional` ones in
    order until they do."""
    from rich.cells import cell_len

    def text(value: Any) -> str:
        return value[0] if isinstance(value, tuple) else str(value)

    widths = {c: max([cell_len(c), *(cell_len(text(row[c])) for row in rows)]) for c in columns}
    kept = list(columns)
    for column in optional:
        if sum(widths[c] for c in kept) + 2 * (len(kept) - 1) <= width:
            break
        if column in kept:
            kept.remove(column)
    return kept


def listed_cost(job: JobSummary) -> str:
    """What a job cost, or `est. $…` while the figure is an estimate (dry runs, unfinished
    jobs): a dry run's price is never read as money spent."""
    if job.cost is not None and not job.dry_run:
        return short_money(job.cost)
    estimate = short_money(job.estimated_cost)
    return estimate if estimate in ("free", "—") else f"est. {estimate}"


def short_money(cost: CostView | None) -> str:
    if cost is None:
        return "—"
    if not cost.pricing_available:
        return "n/a"
    usd = float((cost.converted or {}).get("amount") or 0.0)
    if usd == 0:
        return "free"
    return f"${usd:,.2f}" if usd >= 0.01 else f"${usd:.2g}"  # cents, or what a tiny sum has


def _timing(job: JobView) -> str:
    text = f"created {when(job.created_at)}"
    if job.started_at:
        text += f", started {when(job.started_at)}"
    if job.finished_at:
        text += f", finished {when(job.finished_at)}"
        began = job.started_at or job.created_at
        text += f" ({(job.finished_at - began).total_seconds():.2f} s)"
    return text


def job(job: JobView) -> None:
    """Everything about a job but its results."""
    runs = job.run_type + (f", {job.shots} shots" if job.run_type == "Run" else "")
    status = output.status_text(job.status)
    if job.cancel_requested and job.status not in output.FINAL_STATUSES:
        status += " (cancellation requested)"
    cost = f"{money(job.cost)} (estimated {money(job.estimated_cost)})"
    rows: list[tuple[str, Any]] = [
        ("job", job.id + (f"  {esc(job.name)}" if job.name else "")),
        ("status", status),
        ("device", f"{job.device_id} ({job.provider}) · {runs}"),
        ("experiment", job.experiment_id),
        ("circuits", ", ".join(job.circuit_ids)),
        ("progress", None if job.dry_run else f"{job.progress.done}/{job.progress.total} done"),
        ("time", _timing(job)),
        ("cost", cost if job.cost is not None else f"estimated {money(job.estimated_cost)}"),
        ("options", esc(", ".join(f"{k}={v}" for k, v in job.options.items())) or None),
        ("mitigation", _mitigation(job)),
        ("dry run", "yes: validated and planned, nothing executed" if job.dry_run else None),
        ("description", esc(job.description, multiline=True) or None),
    ]
    if job.error:
        rows.append(("error", f"[red]{esc(job.error, multiline=True)}[/]"))
    output.out().print(fields(rows))


def _mitigation(job: JobView) -> str | None:
    if job.mitigation is None:
        return "requested" if job.use_mitigation else None
    applied = job.mitigation.get("applied")
    detail = job.mitigation.get("method") or job.mitigation.get("reason") or ""
    return esc(f"{'applied' if applied else 'not applied'}{': ' + str(detail) if detail else ''}")


def esc(text: str, *, multiline: bool = False) -> str:
    """User text (names, descriptions, provider messages) shown literally: never as markup,
    and with control characters made visible (old data may hold them)."""
    from rich.markup import escape

    return escape(output.clean(text, multiline=multiline))


def plan(plan: dict[str, Any] | None) -> None:
    """The dry-run plan: totals, then what transpiling did to each circuit."""
    if not plan:
        return
    console = output.out()
    circuits = plan.get("circuits") or []
    notes = plan.get("notes") or []
    totals = [
        (k.replace("_", " "), _plain(v)) for k, v in plan.items() if k not in ("circuits", "notes")
    ]
    console.print("\n[bold]Plan[/]")
    console.print(fields(totals))
    if circuits:
        columns = list(dict.fromkeys(k for c in circuits for k in c))
        t = table(*(c.replace("_", " ") for c in columns))
        for c in circuits:
            t.add_row(*(_plain(c.get(k)) for k in columns))
        console.print(t)
    for note in notes:
        console.print(f"  • {esc(str(note))}")


def ran(record: dict[str, Any] | None) -> None:
    """What ran (issue 23): settings, one row per executed program, then each distinct
    program's text."""
    console = output.out()
    if not record:
        console.print("No record of what ran (the job has not run, or its provider keeps none).")
        return
    seeds = record.get("seeds") or {}
    versions = record.get("versions") or {}
    console.print("[bold]What ran[/]")
    console.print(
        fields(
            [
                ("device", _plain(record.get("device"))),
                ("format", _plain(record.get("format"))),
                ("optimization level", _plain(record.get("optimization_level"))),
                *((k.replace("_", " "), _plain(v)) for k, v in seeds.items()),
                *((k, _plain(v)) for k, v in versions.items()),
            ]
        )
    )
    t = table("circuit", "group", "executables", "program", "virtual → physical", "bit → physical")
    for e in record.get("executed") or []:
        first, count = e["executables"]
        t.add_row(
            str(e["circuit"] + 1),
            _plain(e.get("group")),
            f"{first + 1}–{first + count}",
            _plain(e.get("program")),
            _mapping(e.get("virtual_to_physical"), "q"),
            _mapping(e.get("clbit_to_physical"), "c"),
        )
    console.print(t)
    for digest, text in (record.get("programs") or {}).items():
        console.print(f"\n[bold]program {esc(digest)}[/]")
        console.print(esc(str(text), multiline=True), highlight=False)


def _mapping(values: list[Any] | None, prefix: str) -> str:
    if values is None:
        return "—"
    return ", ".join(f"{prefix}{i}→{v}" for i, v in enumerate(values))


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "—" if value is None else str(value)


def logs(lines: Sequence[str]) -> None:
    console = output.out()
    console.print("\n[bold]Log[/]")
    for line in lines:
        console.print(f"  {esc(line)}")


# -- experiments, circuits, users -------------------------------------------------------------


def experiments(views: Sequence[ExperimentView]) -> None:
    t = table("experiment", "name", "created", "description")
    for e in views:
        t.add_row(e.id, esc(e.name), when(e.created_at, seconds=False), esc(e.description) or "—")
    output.out().print(t)
    if not views:
        output.hint("no experiments yet: qdispatch experiments create NAME")


def experiment(view: ExperimentView) -> None:
    output.out().print(
        fields(
            [
                ("experiment", view.id),
                ("name", esc(view.name)),
                ("created", when(view.created_at)),
                ("description", esc(view.description, multiline=True) or None),
            ]
        )
    )


def circuits(views: Sequence[CircuitView], where: str = "") -> None:
    t = table("circuit", "name", "qubits", "depth", "2q gates", "gates", "parameters", "created")
    for c in views:
        a = c.analytics
        t.add_row(
            c.id,
            esc(c.name) or "—",
            str(a["qubits"]),
            str(a["depth"]),
            str(a["gates_2q"]),
            str(a["gates_total"]),
            ", ".join(a["parameter_names"]) or "—",
            when(c.created_at, seconds=False),
        )
    output.out().print(t)
    if not views:
        output.hint(f"no circuits {where or 'yet'}: qdispatch circuits add FILE.qasm")


def circuit(view: CircuitView) -> None:
    a = view.analytics
    operations = ", ".join(f"{name} {count}" for name, count in sorted(a["operations"].items()))
    rows: list[tuple[str, Any]] = [
        ("circuit", view.id + (f"  {esc(view.name)}" if view.name else "")),
        ("experiment", view.experiment_id),
        ("source", f"OpenQASM {view.qasm_version}, sha256 {view.content_hash[:16]}…"),
        ("created", when(view.created_at)),
        ("description", esc(view.description, multiline=True) or None),
        ("qubits / clbits", f"{a['qubits']} / {a['clbits']}"),
        ("depth", f"{a['depth']} (two-qubit depth {a['depth_2q']})"),
        ("gates", f"{a['gates_total']}: {a['gates_1q']} one-qubit, {a['gates_2q']} two-qubit"),
        ("operations", operations or "—"),
        ("parameters", ", ".join(a["parameter_names"]) or "none"),
        ("measurements", "yes" if a["has_measurements"] else "no"),
    ]
    output.out().print(fields(rows))


def users(rows: Sequence[tuple[User, Decimal]]) -> None:
    t = table("user", "id", "balance (USD)", "created")
    for user, balance in rows:
        t.add_row(esc(user.name), user.id, f"{balance:,.2f}", when(user.created_at, seconds=False))
    output.out().print(t)

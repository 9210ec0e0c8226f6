"""Results for people: the run contract's nesting (circuits → observables → parameter sets)
walked into labelled leaves, then counts as sorted tables with bars, expectation values with
their standard errors, and state vectors as amplitudes.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qdispatch_cli import output
from qdispatch_cli.render import table

if TYPE_CHECKING:
    from qdispatch_core.schemas import JobView

TOP = 16  # rows shown per distribution; the rest are summed into one line
BAR_WIDTH = 30


@dataclass(frozen=True)
class Leaf:
    circuit: int
    observable: int | None  # None: the job has no observable layer
    parameter_set: int | None  # None: the job has no parameter layer
    value: Any
    error: float | None  # the standard error of an expectation value


def leaves(job: JobView) -> list[Leaf]:
    """Every result with its place in the nesting. The layers exist exactly when the request
    gave observables / parameters (run contract §5); their canonical forms say how many."""
    found = []
    uncertainties = job.uncertainties
    for c, per_circuit in enumerate(job.results or []):
        observables = job.observables[c] if job.observables is not None else [None]
        parameter_sets = job.parameters[c] if job.parameters is not None else [None]
        for o in range(len(observables)):
            o_index = o if job.observables is not None else None
            values = per_circuit[o] if o_index is not None else per_circuit
            errors = _pick(uncertainties, c, o_index)
            for p in range(len(parameter_sets)):
                p_index = p if job.parameters is not None else None
                value = values[p] if p_index is not None else values
                error = errors[p] if p_index is not None and errors is not None else errors
                found.append(Leaf(c, o_index, p_index, value, error))
    return found


def _pick(uncertainties: Any, c: int, o: int | None) -> Any:
    if uncertainties is None:
        return None
    return uncertainties[c][o] if o is not None else uncertainties[c]


def kind(job: JobView) -> str:
    """'expectation', 'statevector', 'quasi' (mitigated) or 'counts'."""
    if job.observables is not None:
        return "expectation"
    if job.run_type == "StatevectorRun":
        return "statevector"
    if job.mitigation and job.mitigation.get("applied"):
        return "quasi"
    return "counts"


# -- labels -------------------------------------------------------------------------------


def parameter_label(values: Sequence[float], names: Sequence[str] = ()) -> str:
    if not values:
        return "no parameters"
    if len(names) == len(values):
        return ", ".join(f"{n}={v:g}" for n, v in zip(names, values, strict=True))
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


def observable_label(observable: Sequence[Any]) -> str:
    """The core's label; imported when first used because importing qdispatch_core loads its
    pydantic domain, which `--help` and the other fast commands must not pay for."""
    from qdispatch_core.rules.labels import observable_label as label

    return label(observable)


def leaf_title(job: JobView, leaf: Leaf, names: Mapping[str, Sequence[str]]) -> str:
    """ "circuit 1 (cir_…) · observable 2: ZZ + 0.5·XX · parameter set 3: theta=0.1"."""
    circuit_id = job.circuit_ids[leaf.circuit]
    parts = [f"circuit {leaf.circuit + 1} ({circuit_id})"]
    if leaf.observable is not None:
        observable = job.observables[leaf.circuit][leaf.observable]
        parts.append(f"observable {leaf.observable + 1}: {observable_label(observable)}")
    if leaf.parameter_set is not None:
        values = job.parameters[leaf.circuit][leaf.parameter_set]
        label = parameter_label(values, names.get(circuit_id, ()))
        parts.append(f"parameter set {leaf.parameter_set + 1}: {label}")
    return " · ".join(parts)


# -- rendering ------------------------------------------------------------------------------


SECTIONS = 8  # distributions drawn one by one before the rest need --all
SWEEP_AT = 5  # a distribution sweep of this many parameter sets or more becomes one table


def show(
    job: JobView,
    parameter_names: Mapping[str, Sequence[str]] | None = None,
    *,
    all_rows: bool = False,
) -> None:
    """Print a job's results; nothing when it has none (not done, a dry run, an error).

    Long listings show their head and tail unless `all_rows`; a line under them says how
    many were left out, and a hint on stderr says how to see them all."""
    if job.results is None:
        return
    from qdispatch_cli import sweeps

    names = parameter_names or {}
    found = leaves(job)
    console = output.out()
    what = kind(job)
    console.print()
    noun = "parameter sets"
    if what == "expectation":
        left_out = _tables(sweeps.expectation_tables(job, found, names, all_rows))
        _how_uncertain(job)
    elif job.parameters is not None and _most_sets(job) >= SWEEP_AT:
        left_out = _tables(sweeps.distribution_tables(job, found, what, names, all_rows))
    else:
        left_out, noun = _sections(job, found, what, names, all_rows), "results"
    if left_out:
        output.hint(
            f"{left_out:,} {noun} left out: qdispatch jobs show {job.id} --all shows them, "
            f"qdispatch jobs export {job.id} --format csv writes every value"
        )


def _how_uncertain(job: JobView) -> None:
    """Under mitigated expectation values: how their standard errors were obtained."""
    from rich.text import Text

    how = (job.mitigation or {}).get("uncertainties")
    if job.mitigation and job.mitigation.get("applied") and how:
        output.out().print(Text(f"Standard errors: {output.clean(str(how))}", style="dim"))


def _most_sets(job: JobView) -> int:
    return max((len(sets) for sets in job.parameters or []), default=0)


def _tables(made: Sequence[tuple[str, Any, int]]) -> int:
    """Print each (title, table, rows left out); the total left out."""
    from rich.text import Text

    console = output.out()
    total = 0
    for i, (title, rendered, left_out) in enumerate(made):
        if i:
            console.print()
        console.print(Text(title, style="bold"))
        console.print(rendered)
        if left_out:
            console.print(Text(f"({left_out:,} parameter sets not shown at ⋮)", style="dim"))
        total += left_out
    return total


def _sections(
    job: JobView,
    found: Sequence[Leaf],
    what: str,
    names: Mapping[str, Sequence[str]],
    all_rows: bool,
) -> int:
    """One labelled table per distribution; the first SECTIONS unless `all_rows`."""
    from rich.text import Text

    console = output.out()
    shown = found if all_rows else found[:SECTIONS]
    for leaf in shown:
        console.rule(Text(leaf_title(job, leaf, names)), align="left", style="dim")
        if what == "statevector":
            console.print(statevector_table(leaf.value))
        else:
            console.print(distribution_table(leaf.value, quasi=what == "quasi"))
    left_out = len(found) - len(shown)
    if left_out:
        console.print(Text(f"… {left_out:,} more results not shown", style="dim"))
    return left_out


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar with eighth-block resolution."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("▏▎▍▌▋▊▉"[rest - 1] if rest else "")


def ranked(distribution: Mapping[str, float]) -> list[tuple[str, float]]:
    """Outcomes by weight, heaviest first; ties by bitstring."""
    return sorted(distribution.items(), key=lambda kv: (-kv[1], kv[0]))


def distribution_table(distribution: Mapping[str, float], *, quasi: bool = False):
    """Counts (or mitigated quasi-probabilities) as a sorted table with a bar per bitstring."""
    rows = ranked(distribution)
    total = sum(distribution.values()) or 1
    peak = max((v for _, v in rows), default=1) or 1
    t = table("outcome", "quasi-probability" if quasi else "count", "share", "")
    for bitstring, value in rows[:TOP]:
        shown = f"{value:.4f}" if quasi else str(value)
        t.add_row(bitstring, shown, f"{value / total:.1%}", f"[cyan]{bar(value / peak)}[/]")
    rest = rows[TOP:]
    if rest:
        weight = sum(v for _, v in rest)
        summed = f"{weight:.4f}" if quasi else f"{weight:g} shots"
        t.add_row(f"… {len(rest)} more", summed, f"{weight / total:.1%}", "")
    return t


def basis_states(state: Sequence[Sequence[float]]) -> dict[str, complex]:
    """`[real_parts, imag_parts]` → amplitude by basis state (Qiskit order: qubit 0 rightmost)."""
    real, imag = state
    n = max(1, (len(real) - 1).bit_length())
    return {
        format(i, f"0{n}b"): complex(re, im)
        for i, (re, im) in enumerate(zip(real, imag, strict=True))
    }


def probabilities(state: Sequence[Sequence[float]]) -> dict[str, float]:
    """The basis states' probabilities, zeros left out."""
    return {k: abs(a) ** 2 for k, a in basis_states(state).items() if abs(a) ** 2 > 1e-12}


def statevector_table(state: Sequence[Sequence[float]]):
    """The state as basis states by probability, with amplitudes (zeros left out).

    One pass over the amplitudes keeping the TOP largest: a 22-qubit state is 4 million
    amplitudes, and a table of every basis state (as `basis_states` builds) would take
    gigabytes to show sixteen rows."""
    real, imag = state
    width = max(1, (len(real) - 1).bit_length())
    shown: list[tuple[float, int]] = []  # (probability, -index): ties go to the lower index
    nonzero = 0
    for index, p in _probabilities(real, imag):
        nonzero += 1
        if len(shown) < TOP:
            heapq.heappush(shown, (p, -index))
        elif (p, -index) > shown[0]:
            heapq.heapreplace(shown, (p, -index))
    t = table("basis state", "amplitude", "probability", "")
    for p, negative in sorted(shown, reverse=True):
        a = complex(real[-negative], imag[-negative])
        label = format(-negative, f"0{width}b")
        t.add_row(f"|{label}⟩", f"{a.real:+.4f}{a.imag:+.4f}i", f"{p:.4f}", f"[cyan]{bar(p)}[/]")
    if nonzero > len(shown):
        top = {-negative for _, negative in shown}
        rest = math.fsum(p for i, p in _probabilities(real, imag) if i not in top)
        t.add_row(f"… {nonzero - len(shown)} more", "", f"{rest:.4f}", "")
    if len(real) > nonzero:
        t.add_row(f"({len(real) - nonzero} zero amplitudes)", "", "", "")
    return t


def _probabilities(real: Sequence[float], imag: Sequence[float]):
    """(index, probability) of the non-zero amplitudes, computed as `probabilities` does."""
    for index, (re, im) in enumerate(zip(real, imag, strict=True)):
        p = abs(complex(re, im)) ** 2
        if p > 1e-12:
            yield index, p

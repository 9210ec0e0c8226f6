"""Large results in the CLI: the state-vector table is the same as one built from every basis
state, without building that; `--json` prints exactly the contract's JSON, serialised straight
from the model."""

from __future__ import annotations

import io
import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from qdispatch_cli import output, results


def rendered(renderable) -> str:
    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(renderable)
    return console.file.getvalue()


def reference_table(state):
    """The table as built before, from every basis state in a dict, ranked (with the rest
    summed exactly: math.fsum, so that the order of summation cannot change a digit)."""
    amplitudes = results.basis_states(state)
    rows = results.ranked(results.probabilities(state))
    t = results.table("basis state", "amplitude", "probability", "")
    for bitstring, p in rows[: results.TOP]:
        a = amplitudes[bitstring]
        bar = results.bar(p)
        t.add_row(f"|{bitstring}⟩", f"{a.real:+.4f}{a.imag:+.4f}i", f"{p:.4f}", f"[cyan]{bar}[/]")
    rest = rows[results.TOP :]
    zeros = len(amplitudes) - len(rows)
    if rest:
        t.add_row(f"… {len(rest)} more", "", f"{math.fsum(p for _, p in rest):.4f}", "")
    if zeros:
        t.add_row(f"({zeros} zero amplitudes)", "", "", "")
    return t


amplitude = st.sampled_from([0.0, 0.5, -0.5, 0.25, 1e-7, 0.125, -0.125])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 6).flatmap(
        lambda q: st.tuples(*[st.lists(amplitude, min_size=2**q, max_size=2**q)] * 2)
    )
)
def test_the_state_vector_table_matches_the_table_of_every_basis_state(state):
    real, imag = state
    assert rendered(results.statevector_table([real, imag])) == rendered(
        reference_table([real, imag])
    )


def test_json_output_is_the_contracts_json(capsys):
    from qdispatch_core.schemas import ProgressView

    output.print_json(ProgressView(done=3, total=4))
    assert json.loads(capsys.readouterr().out) == {"done": 3, "total": 4}

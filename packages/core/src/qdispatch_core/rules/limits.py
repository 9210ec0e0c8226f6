"""How much work one request may ask of the server, and the refusals that say so.

Every limit is checked before the step it protects (the parser, the converter, the transpiler,
the grouping, the simulator), and a refusal is a 400 that names the field, the figure asked for
and the limit with the setting that raises it. Defaults are far above what a researcher's
circuits need (docs/security.md lists each with its reasoning); an operator raises them with
the `QDISPATCH_LIMIT_…` environment variables.
"""

from __future__ import annotations

from dataclasses import dataclass

from qdispatch_core.errors import BadRequest

KIB = 1024
MIB = 1024**2


@dataclass(frozen=True, slots=True)
class CircuitLimits:
    """What reading one circuit may cost. The circuit port gets these, so every place that
    parses (the request path and the worker) applies the same bounds."""

    # Source text per circuit. OpenQASM 3's reference parser (ANTLR, pure Python) reads about
    # 15 kB/s, a hundred times slower than Qiskit's OpenQASM 2 parser: its bound is tighter.
    qasm2_bytes: int = 1 * MIB
    qasm3_bytes: int = 64 * KIB
    # Bits a circuit may declare, all registers together: checked before anything is allocated
    # (`qubit[100000000] q;` is 40 bytes of text and 19 GB of Qiskit objects).
    qubits: int = 10_000
    clbits: int = 100_000
    # Operations once every gate definition and `for` loop is unrolled: what the transpiler
    # and the simulator would face (41 nested two-call definitions are 2^41 operations).
    operations: int = 1_000_000
    # Gate definitions nested in each other: Qiskit's recursion breaks between 150 and 200.
    gate_nesting: int = 64
    # Operations that OpenQASM 3 gate modifiers (inv, ctrl, pow) expand while the source is
    # read: Qiskit builds modified gates eagerly, at about ten microseconds each.
    modified_operations: int = 20_000


# The setting (environment variable) that raises each limit: refusals name it.
SETTING_PREFIX = "QDISPATCH_LIMIT_"


def setting_name(limit: str) -> str:
    return SETTING_PREFIX + limit.upper()


def over_limit(what: str, figure: int, limit: int, name: str) -> str:
    """The one wording of a refused limit: what was asked, the limit and its setting."""
    return f"{what}: {figure:,}; the limit is {limit:,} (setting {setting_name(name)})"


def refuse(where: str, what: str, figure: int, limit: int, name: str) -> BadRequest:
    return BadRequest(f"{where}: {over_limit(what, figure, limit, name)}", field=where)


def check_limit(where: str, what: str, figure: int, limit: int, name: str) -> None:
    if figure > limit:
        raise refuse(where, what, figure, limit, name)


_BYTE_UNITS = (("B", 1, 0), ("KiB", 1024, 1), ("MiB", 1024**2, 1), ("GiB", 1024**3, 1))


def human_bytes(n: float) -> str:
    """A byte count for people: whole bytes below 1 KiB, else one decimal in KiB … TiB.

    The unit is the largest whose figure, as printed, stays below 1024, so a figure never
    reads "1,024.0 KiB" or "0.0 MiB"; beyond that everything is TiB.
    """
    if n < 0:
        raise ValueError(f"a byte count cannot be negative: {n}")
    for unit, size, decimals in _BYTE_UNITS:
        figure = f"{n / size:,.{decimals}f}"
        if float(figure.replace(",", "")) < 1024:
            return f"{figure} {unit}"
    return f"{n / 1024**4:,.1f} TiB"


def statevector_bytes(qubits: int) -> int:
    """Memory of a double-precision complex state vector: 16·2^n bytes."""
    return 16 * (1 << qubits)

"""Random programs of `const`, `for` and `def` from a small grammar lower to the circuit their
direct expansion gives.

Each generated piece carries its OpenQASM text and how to expand it: the expansion is written
here in Python, independently of the front end, and both circuits are compared as operators.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator

from qdispatch_core.rules.limits import CircuitLimits
from qdispatch_qiskit.parsing import parse_qasm_checked

Env = dict[str, int]


@dataclass(frozen=True)
class Expr:
    text: str
    value: Callable[[Env], int]


@dataclass(frozen=True)
class Stmt:
    text: str
    apply: Callable[[QuantumCircuit, Env, dict], None]


def index_expressions(names: tuple[str, ...]) -> st.SearchStrategy[Expr]:
    """An integer expression of the loop indices and constants in scope, taken modulo n so it
    always names a qubit."""
    leaves = [st.integers(0, 6).map(lambda k: Expr(str(k), lambda env, k=k: k))]
    leaves += [st.just(Expr(name, lambda env, name=name: env[name])) for name in names]
    leaf = st.one_of(leaves)

    def combine(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        return st.tuples(children, st.sampled_from("+*-"), children).map(
            lambda t: Expr(
                f"({t[0].text} {t[1]} {t[2].text})",
                lambda env, a=t[0], op=t[1], b=t[2]: {
                    "+": a.value(env) + b.value(env),
                    "*": a.value(env) * b.value(env),
                    "-": a.value(env) - b.value(env),
                }[op],
            )
        )

    return st.recursive(leaf, combine, max_leaves=3)


def wrapped(expression: Expr, size: str) -> Expr:
    # OpenQASM's % keeps the dividend's sign; adding the size first keeps it positive here
    return Expr(
        f"(({expression.text}) % {size} + {size}) % {size}",
        lambda env, e=expression, size=size: math.fmod(e.value(env), env[size]) % env[size],
    )


@st.composite
def gate(draw, names: tuple[str, ...], register: str, size: str) -> Stmt:
    a = wrapped(draw(index_expressions(names)), size)
    kind = draw(st.sampled_from(["h", "x", "rz", "cx"]))
    if kind == "cx":
        b = wrapped(draw(index_expressions(names)), size)
        offset = Expr(
            f"(({a.text}) + 1 + ({b.text}) % ({size} - 1)) % {size}",
            lambda env, a=a, b=b, size=size: int(
                (a.value(env) + 1 + b.value(env) % (env[size] - 1)) % env[size]
            ),
        )
        return Stmt(
            f"cx {register}[{a.text}], {register}[{offset.text}];",
            lambda qc, env, q, a=a, o=offset: qc.cx(q[int(a.value(env))], q[o.value(env)]),
        )
    if kind == "rz":
        angle = draw(index_expressions(names))
        return Stmt(
            f"rz(0.25 * {angle.text}) {register}[{a.text}];",
            lambda qc, env, q, a=a, t=angle: qc.rz(0.25 * t.value(env), q[int(a.value(env))]),
        )
    return Stmt(
        f"{kind} {register}[{a.text}];",
        lambda qc, env, q, a=a, kind=kind: getattr(qc, kind)(q[int(a.value(env))]),
    )


@st.composite
def loop(draw, names: tuple[str, ...], depth: int, calls: tuple[str, ...]) -> Stmt:
    var = f"i{depth}"
    start = draw(st.integers(-2, 3))
    stop = draw(st.integers(-2, 4))
    step = draw(st.sampled_from([1, 2, -1]))
    header = f"[{start}:{stop}]" if step == 1 else f"[{start}:{step}:{stop}]"
    indices = list(range(start, stop + (1 if step > 0 else -1), step))
    if draw(st.booleans()):
        indices = draw(st.lists(st.integers(0, 5), min_size=1, max_size=3))
        header = "{" + ", ".join(map(str, indices)) + "}"
    body = draw(st.lists(statement((*names, var), depth + 1, calls), min_size=1, max_size=2))

    def apply(qc, env, q, var=var, indices=indices, body=body):
        for i in indices:
            inner = {**env, var: i}
            for s in body:
                s.apply(qc, inner, q)

    text = f"for int {var} in {header} {{ " + " ".join(s.text for s in body) + " }"
    return Stmt(text, apply)


@st.composite
def call(draw, names: tuple[str, ...], calls: tuple[str, ...]) -> Stmt:
    name = draw(st.sampled_from(calls))
    first = wrapped(draw(index_expressions(names)), "n")
    argument = draw(index_expressions(names))

    def apply(qc, env, q, name=name, first=first, argument=argument):
        a = int(first.value(env))
        pair = [q[a], q[(a + 1) % env["n"]]]
        SUBROUTINES[name](qc, pair, argument.value(env))

    text = f"{name}(q[{first.text}], q[(({first.text}) + 1) % n], {argument.text});"
    return Stmt(text, apply)


def statement(
    names: tuple[str, ...], depth: int, calls: tuple[str, ...]
) -> st.SearchStrategy[Stmt]:
    options = [gate(names, "q", "n")]
    if depth < 2:
        options.append(loop(names, depth, calls))
    if calls:
        options.append(call(names, calls))
    return st.one_of(options)


# The subroutines a program may call, as OpenQASM and as their direct expansion.
SUBROUTINE_TEXT = {
    "ladder": "def ladder(qubit a, qubit b, int k) { h a; cx a, b; rz(0.5 * k) b; }",
    "swirl": "def swirl(qubit a, qubit b, int k) "
    "{ for int j in [0:1] { rz(0.1 * (k + j)) a; cx b, a; } }",
}
SUBROUTINES = {
    "ladder": lambda qc, pair, k: (qc.h(pair[0]), qc.cx(pair[0], pair[1]), qc.rz(0.5 * k, pair[1])),
    "swirl": lambda qc, pair, k: [
        (qc.rz(0.1 * (k + j), pair[0]), qc.cx(pair[1], pair[0])) for j in range(2)
    ],
}


@st.composite
def programs(draw) -> tuple[str, QuantumCircuit]:
    n = draw(st.integers(2, 4))
    shift = draw(st.integers(0, 3))
    calls = tuple(draw(st.lists(st.sampled_from(sorted(SUBROUTINES)), unique=True, max_size=2)))
    body = draw(st.lists(statement(("n", "shift"), 0, calls), min_size=1, max_size=4))
    text = "\n".join(
        [
            "OPENQASM 3.0;",
            'include "stdgates.inc";',
            f"const int n = {n};",
            f"const int shift = {shift};",
            *(SUBROUTINE_TEXT[name] for name in calls),
            "qubit[n] q;",
            *(s.text for s in body),
        ]
    )
    expected = QuantumCircuit(n)
    for s in body:
        s.apply(expected, {"n": n, "shift": shift}, expected.qubits)
    return text, expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_generated_programs_lower_to_their_direct_expansion(program):
    text, expected = program
    circuit = parse_qasm_checked(text, CircuitLimits()).circuit
    assert Operator(circuit) == Operator(expected), text

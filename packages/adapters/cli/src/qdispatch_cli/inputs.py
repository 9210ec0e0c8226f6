"""Turning command-line text into the run contract's request fields.

Usage mistakes here (malformed JSON, KEY=VALUE without '=') are Typer's BadParameter: exit 2.
Everything that parses is handed to the core unchanged, so its rules and 400 messages apply.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

READABLE_TERM = re.compile(r"^\s*([A-Za-z]+)\s*(?::\s*(\S+))?\s*$")
CIRCUIT_PREFIX = re.compile(r"^\s*(\d+)\s*=(.*)$", re.S)


def read_qasm(path: Path) -> str:
    """A circuit file's text; `-` reads standard input."""
    try:
        return sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise typer.BadParameter(f"no file {str(path)!r}", param_hint="FILE.qasm") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise typer.BadParameter(f"cannot read {path}: {reason}", param_hint="FILE.qasm") from None


def file_label(path: Path) -> str:
    return "<stdin>" if str(path) == "-" else str(path)


@contextmanager
def naming_files(fields: Sequence[tuple[str, Path]]) -> Iterator[None]:
    """A refusal of a circuit read from a file names the file instead of the request field
    it became: `ghz6.qasm: line 3, column 5: …` rather than `circuits_qasm[0]: …`."""
    from qdispatch_core.errors import QDispatchError

    try:
        yield
    except QDispatchError as exc:
        for field, path in fields:
            prefix = f"{field}: "
            if exc.field == field and exc.message.startswith(prefix):
                exc.message = f"{file_label(path)}: {exc.message[len(prefix) :]}"
                exc.args = (exc.message,)
                break
        raise


def circuit_name(path: Path) -> str:
    """A circuit stored from a file is named after it (`ansatz.qasm` → `ansatz`); standard
    input gives no name."""
    return "" if str(path) == "-" else path.stem


def load_json(text: str, option: str) -> Any:
    """JSON text, or `@path` for a file holding it."""
    source = "the value"
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise typer.BadParameter(f"cannot read {path}: {exc}", param_hint=option) from None
        source = str(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(
            f"{source} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",
            param_hint=option,
        ) from None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def parse_options(items: list[str]) -> dict[str, Any]:
    """`KEY=VALUE` pairs; a value that reads as JSON (3, 0.5, true, "x") is that JSON value,
    anything else is the string as typed.

    A malformed item is never quoted back: it may be a credential typed with `:` for `=`."""
    options: dict[str, Any] = {}
    for position, item in enumerate(items, start=1):
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            problem = "has ':' where '=' belongs" if ":" in item and not sep else "is malformed"
            raise typer.BadParameter(
                f"the {_ordinal(position)} --option {problem}: write KEY=VALUE (its text is "
                "not shown, as it may hold a credential; keep credentials off the command line "
                "with --credentials-file or environment variables)",
                param_hint="--option",
            )
        try:
            value: Any = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        options[key.strip()] = value
    return options


def is_observable(value: Any) -> bool:
    """One observable of the contract: `[[pauli strings], [coefficients]]`."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], list)
        and all(isinstance(s, str) for s in value[0])
        and isinstance(value[1], list)
    )


def parse_readable(text: str) -> list[Any]:
    """`"ZZ:1.0,XX:0.5"` → `[["ZZ", "XX"], [1.0, 0.5]]`; a term without `:coefficient` weighs 1."""
    paulis: list[str] = []
    coefficients: list[float] = []
    for term in text.split(","):
        match = READABLE_TERM.match(term)
        if match is None:
            raise typer.BadParameter(
                f"cannot read term {term.strip()!r} of {text!r}; write PAULI:COEFFICIENT terms "
                'separated by commas, e.g. "ZZ:1.0,XX:0.5", or the contract\'s JSON',
                param_hint="--observable",
            )
        pauli, coefficient = match.groups()
        try:
            value = float(coefficient) if coefficient is not None else 1.0
        except ValueError:
            raise typer.BadParameter(
                f"coefficient {coefficient!r} of {pauli} is not a number",
                param_hint="--observable",
            ) from None
        paulis.append(pauli)
        coefficients.append(value)
    return [paulis, coefficients]


def parse_observable(spec: str) -> tuple[int | None, Any]:
    """One `--observable`: an optional `N=` circuit prefix, then JSON (or `@file`) or the
    readable form."""
    circuit = None
    if match := CIRCUIT_PREFIX.match(spec):
        circuit, spec = int(match.group(1)), match.group(2)
    body = spec.strip()
    json_like = body[:1] in ("[", "{", "@")
    value = load_json(body, "--observable") if json_like else parse_readable(body)
    return circuit, value


def build_observables(specs: list[str], n_circuits: int) -> Any:
    """The request's `observables` from repeated `--observable` values.

    Each value is one observable. Without a prefix it is measured on every circuit (the CLI
    repeats it once per circuit, as the contract asks); with `N=` only on circuit N (1-based).
    A single value that is JSON but not one observable is the contract's whole `observables`
    field and passes through unchanged.
    """
    if not specs:
        return None
    parsed = [parse_observable(s) for s in specs]
    if len(parsed) == 1 and parsed[0][0] is None and not is_observable(parsed[0][1]):
        return parsed[0][1]
    per_circuit: list[list[Any]] = [[] for _ in range(n_circuits)]
    for (circuit, value), spec in zip(parsed, specs, strict=True):
        if not is_observable(value):
            raise typer.BadParameter(
                f"{spec!r} is not one observable [[paulis], [coefficients]]; with several "
                "--observable each gives one (pass a whole nested structure as the only one)",
                param_hint="--observable",
            )
        if circuit is None:
            for observables in per_circuit:
                observables.append(value)
        elif 1 <= circuit <= n_circuits:
            per_circuit[circuit - 1].append(value)
        else:
            raise typer.BadParameter(
                f"{spec!r} names circuit {circuit}; there are {n_circuits} (numbered from 1)",
                param_hint="--observable",
            )
    missing = [str(i + 1) for i, observables in enumerate(per_circuit) if not observables]
    if missing:
        raise typer.BadParameter(
            f"circuit {', '.join(missing)} has no observable; every circuit needs one when "
            "observables are given (prefix N= targets circuit N, no prefix means every circuit)",
            param_hint="--observable",
        )
    return per_circuit[0] if n_circuits == 1 else per_circuit

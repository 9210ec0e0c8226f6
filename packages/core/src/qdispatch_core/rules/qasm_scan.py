"""A look at OpenQASM text before any parser reads it: what it includes and what it declares.

A few bytes of text can make a parser do harm: an `include` reads a file of the server's, a
register size allocates (`qubit[100000000] q;` is 19 GB of Qiskit objects), and an integer
beyond 64 bits panics Qiskit's OpenQASM 2 parser. These regular expressions follow both
grammars' comments and strings, find those statements, and refuse them before any parser
runs. They are the first line of defence: the circuit toolkit checks again, exactly, inside
the parser (docs/security.md).

Where the scan and a parser could disagree, the scan errs towards seeing more: it reads block
comments in OpenQASM 2 (where they are a syntax error the parser stops at, so nothing after
them is ever reached) and counts every `bit[n]` as a declaration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.limits import CircuitLimits, over_limit

# The only includes a circuit may name: both are built into the parsers, no file is read.
BUILT_IN_INCLUDE = {2: "qelib1.inc", 3: "stdgates.inc"}

INCLUDE_REFUSED = (
    'only the built-in include "qelib1.inc" (OpenQASM 2) or "stdgates.inc" (OpenQASM 3) '
    "is allowed; no other file can be included: put the gate definitions in the source itself"
)

_COMMENT_OR_STRING = re.compile(r"//[^\n]*|/\*.*?\*/|\"[^\"\n]*\"|'[^'\n]*'", re.DOTALL)
_INCLUDE = re.compile(r"(?<![\w$])include(?![\w$])\s*(\"[^\"\n]*\"|'[^'\n]*')?")
_REGISTER = re.compile(r"(?<![\w$])(qreg|creg)\s+[A-Za-z_]\w*\s*\[([^\]]*)\]")
_SIZED = re.compile(r"(?<![\w$])(qubit|bit)\s*\[([^\]]*)\]")
_SINGLE = re.compile(r"(?<![\w$])(qubit|bit)\s+[A-Za-z_]")
_HARDWARE_QUBIT = re.compile(r"\$([0-9][0-9_]*)")
_BRACKETED_INTEGER = re.compile(r"\[\s*([0-9]+)")
_INTEGER = re.compile(r"[0-9][0-9_]*")

# Qiskit's OpenQASM 2 parser reads sizes and indices as unsigned 64-bit integers and panics
# beyond; nothing that large can be a valid size or index anyway.
_NATIVE_INTEGER_LIMIT = 2**63
# int() refuses strings of more than 4300 digits; far fewer already exceed every limit.
_MAX_DIGITS = 30


@dataclass(frozen=True, slots=True)
class Declared:
    """Bits the text declares in registers whose sizes are literal numbers."""

    qubits: int
    clbits: int


def blank_comments(qasm: str) -> str:
    """The text with every comment replaced by blanks (its line breaks kept, so line numbers
    stay right); strings are kept as they are."""

    def blank(match: re.Match[str]) -> str:
        text = match.group(0)
        if text[0] in "\"'":
            return text
        return "\n" * text.count("\n") or " "

    return _COMMENT_OR_STRING.sub(blank, qasm)


def _where(text: str, position: int) -> str:
    """'line L, column C' (both 1-based) of a character offset, as the parsers say it."""
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f"line {line}, column {column}"


def _literal(text: str) -> int | None:
    """An integer literal's value (None when `text` is an expression); huge ones are capped,
    which is enough to compare them with any limit."""
    text = text.strip()
    if not _INTEGER.fullmatch(text):
        return None
    digits = text.replace("_", "")
    return int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS


def check_includes(text: str, version: int) -> None:
    """Refuse every include but the version's built-in one, with one message whatever the path
    names, so the answer says nothing about the server's files."""
    for match in _INCLUDE.finditer(text):
        quoted = match.group(1)
        if quoted is None or quoted[1:-1] != BUILT_IN_INCLUDE.get(version):
            raise BadRequest(f"{_where(text, match.start())}: {INCLUDE_REFUSED}")


def declared(text: str) -> Declared:
    qubits = clbits = 0
    for match in _REGISTER.finditer(text):
        size = _literal(match.group(2)) or 0
        if match.group(1) == "qreg":
            qubits += size
        else:
            clbits += size
    for match in _SIZED.finditer(text):
        size = _literal(match.group(2)) or 0
        if match.group(1) == "qubit":
            qubits += size
        else:
            clbits += size
    for match in _SINGLE.finditer(text):
        if match.group(1) == "qubit":
            qubits += 1
        else:
            clbits += 1
    hardware = [_literal(m.group(1)) or 0 for m in _HARDWARE_QUBIT.finditer(text)]
    return Declared(max(qubits, max(hardware, default=-1) + 1), clbits)


def _check_native_integers(text: str) -> None:
    for match in _BRACKETED_INTEGER.finditer(text):
        value = _literal(match.group(1))
        if value is not None and value >= _NATIVE_INTEGER_LIMIT:
            raise BadRequest(
                f"{_where(text, match.start())}: the integer in brackets has "
                f"{len(match.group(1))} digits; sizes and indices must be below 2^63"
            )


def check_source(qasm: str, version: int, limits: CircuitLimits) -> Declared:
    """Refuse, before any parser runs, a source that includes a file, declares more bits than
    `limits` allow, or holds an integer Qiskit's parser cannot read. BadRequest without a
    field: the caller names the circuit."""
    text = blank_comments(qasm)
    check_includes(text, version)
    if version == 2:
        _check_native_integers(text)
    found = declared(text)
    if found.qubits > limits.qubits:
        raise BadRequest(over_limit("qubits declared", found.qubits, limits.qubits, "qubits"))
    if found.clbits > limits.clbits:
        raise BadRequest(
            over_limit("classical bits declared", found.clbits, limits.clbits, "clbits")
        )
    return found

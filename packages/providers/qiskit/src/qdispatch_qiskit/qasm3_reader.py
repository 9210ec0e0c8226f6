"""OpenQASM 3 through the reference parser, quietly, with every error located.

`qiskit.qasm3.loads` leaves ANTLR's console listeners in place (they print to stderr), and its
syntax errors carry their position in three different ways. Here the lexer and the parser
raise at the first error with ANTLR's own message and position, and the AST is converted by
qiskit-qasm3-import exactly as `qiskit.qasm3.loads` would.
"""

from __future__ import annotations

import re

from antlr4 import CommonTokenStream, InputStream
from antlr4.error.ErrorListener import ErrorListener
from openqasm3 import parser as oq3
from qiskit import QuantumCircuit
from qiskit_qasm3_import import ConversionError, convert

_LOCATED = re.compile(r"^\s*L?(\d+)[,:]C?(\d+):\s*(.*)$", re.DOTALL)


class Qasm3Error(Exception):
    """A parse or conversion error; `column` is 0-based, as ANTLR counts."""

    def __init__(self, line: int | None, column: int | None, text: str) -> None:
        super().__init__(text)
        self.line = line
        self.column = column
        self.text = text


class _RaiseAtFirstError(ErrorListener):
    def syntaxError(self, recognizer, offendingSymbol, line, column, msg, e):
        if msg.startswith("missing "):
            # ANTLR points at the token after the gap; the gap itself is where a user must type.
            line, column = _end_of_previous_token(recognizer, line, column)
        raise Qasm3Error(line, column, msg)


def _end_of_previous_token(recognizer, line: int, column: int) -> tuple[int, int]:
    stream = getattr(recognizer, "getTokenStream", lambda: None)()
    previous = stream.LT(-1) if stream is not None else None
    if previous is None or previous.text is None or "\n" in previous.text:
        return line, column
    return previous.line, previous.column + len(previous.text)


def _located(message: str) -> Qasm3Error:
    """Split 'L4:C7: text' (parser) or '4,7: text' (converter) into a located error."""
    match = _LOCATED.match(message)
    if match is None:
        return Qasm3Error(None, None, message.strip())
    return Qasm3Error(int(match[1]), int(match[2]), match[3].strip())


def _syntax_tree(source: str):
    lexer = oq3.qasm3Lexer(InputStream(source))
    lexer.removeErrorListeners()
    lexer.addErrorListener(_RaiseAtFirstError())
    parser = oq3.qasm3Parser(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(_RaiseAtFirstError())
    return parser.program()


def load_qasm3(source: str) -> QuantumCircuit:
    """Parse OpenQASM 3 into a circuit; raises Qasm3Error with the position when it can't."""
    tree = _syntax_tree(source)
    try:
        program = oq3.QASMNodeVisitor().visitProgram(tree)
    except oq3.QASM3ParsingError as exc:
        raise _located(str(exc)) from None
    try:
        return convert(program)
    except ConversionError as exc:
        raise _located(exc.message) from None

"""OpenQASM 3 through the reference parser, quietly, with every error located and every cost
bounded.

`qiskit.qasm3.loads` leaves ANTLR's console listeners in place (they print to stderr), and its
syntax errors carry their position in three different ways. Here the lexer and the parser
raise at the first error with ANTLR's own message and position, and the AST is converted by
qiskit-qasm3-import as `qiskit.qasm3.loads` would, with four changes (docs/security.md):

- includes: only "stdgates.inc" (built into the converter; no file is ever read), refused
  with one message whatever the path;
- declared bits are counted against the limits before each register is allocated, hardware
  qubits (`$n`) before the converter creates n of them;
- a user-defined gate's definition is built when first asked for, from its body, instead of a
  deep copy at every call: the converter copies definitions recursively, so 18 nested
  definitions took a minute and 41 never finish;
- gate modifiers (inv, ctrl, pow), which Qiskit applies eagerly by expanding the gate, get a
  budget of expanded operations; `pow` only on gates of at most 4 qubits, each operation
  counting 200 (it builds the gate's matrix).
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterator
from typing import Any

from antlr4 import CommonTokenStream, InputStream
from antlr4.error.ErrorListener import ErrorListener
from openqasm3 import ast
from openqasm3 import parser as oq3
from qiskit import QuantumCircuit
from qiskit.circuit import ClassicalRegister, Clbit, Gate
from qiskit.converters import circuit_to_dag, dag_to_circuit
from qiskit.transpiler import Layout
from qiskit.transpiler.layout import TranspileLayout
from qiskit_qasm3_import import ConversionError
from qiskit_qasm3_import.converter import ConvertVisitor, GateBuilder
from qiskit_qasm3_import.state import State, add_dummy_parameter_reference

from qdispatch_core.rules.limits import CircuitLimits, over_limit
from qdispatch_core.rules.qasm_scan import BUILT_IN_INCLUDE, INCLUDE_REFUSED
from qdispatch_qiskit import expansion, qasm3_conditions
from qdispatch_qiskit.qasm3_lowering import STANDARD_GATES, LoweringError, lower

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
        return Qasm3Error(None, None, _in_words(message.strip()))
    return Qasm3Error(int(match[1]), int(match[2]), _in_words(match[3].strip()))


_REDECLARED = re.compile(r"Symbol '([^']+)' already inserted in symbol table in this scope.*")


def _in_words(text: str) -> str:
    """The importer's internal words for a name declared twice, said as a user would
    (`input float t;` next to stdgates.inc's gate t)."""
    match = _REDECLARED.fullmatch(text)
    if match is None:
        return text
    name = match[1]
    gate = " (stdgates.inc defines a gate of that name)" if name in STANDARD_GATES else ""
    return f"'{name}' is already declared{gate}; give it another name"


def _syntax_tree(source: str):
    lexer = oq3.qasm3Lexer(InputStream(source))
    lexer.removeErrorListeners()
    lexer.addErrorListener(_RaiseAtFirstError())
    parser = oq3.qasm3Parser(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(_RaiseAtFirstError())
    return parser.program()


# `pow` builds the gate's unitary matrix (4^n entries), one operator per operation of the
# gate, about 15 ms each: in the modifier budget an operation under `pow` counts this much.
POW_MAX_QUBITS = 4
POW_COST = 200
_LOOP_BOUND = 2**62

# Definitions are built from shared bodies; one at a time, so no two threads ever read a body
# at once (docs/security.md, H5).
_DEFINING = threading.Lock()


class DeferredGate(Gate):
    """A user-defined gate whose definition is its body with the call's parameters bound,
    built when first asked for. Copies share the body (never changed once the gate is
    defined), so copying a circuit of deferred gates costs its own size, not its expansion."""

    def __init__(self, name: str, body: QuantumCircuit, order: tuple[Any, ...], params: list):
        super().__init__(name, body.num_qubits, params)
        self.deferred_body = body
        self._order = order

    def _define(self) -> None:
        with _DEFINING:
            if self.params:
                values = dict(zip(self._order, self.params, strict=True))
                self._definition = self.deferred_body.assign_parameters(values, inplace=False)
            else:
                self._definition = self.deferred_body.copy()


class _DeferredBuilder:
    """What a gate name is bound to in the converter's symbol table: calls make gates."""

    def __init__(self, builder: GateBuilder) -> None:
        self._name = builder._name
        self._body = builder._definition
        self._order = builder._order

    def __call__(self, *parameters: Any) -> DeferredGate:
        if len(parameters) != len(self._order):
            raise ConversionError(
                f"incorrect number of parameters in call. Expecting {len(self._order)}, "
                f"got {len(parameters)}."
            )
        return DeferredGate(self._name, self._body, self._order, list(parameters))


class _BoundedConverter(ConvertVisitor):
    def __init__(self, limits: CircuitLimits | None) -> None:
        super().__init__()
        self.limits = limits
        self.qubits = 0
        self.clbits = 0
        self.modified = 0
        self.costs: dict[Any, int] = {}

    def convert(self, node: ast.Program, *, source: str | None = None):  # type: ignore[override]
        """Lower the program's classical layer (`qasm3_lowering`) and convert what it
        produces statement by statement, as the base class converts a program."""
        self._check_tree(node)
        state = State(source)

        def sink(statement: ast.Statement) -> None:
            nonlocal state
            try:
                state = self.visit(statement, state)
            except ConversionError as exc:
                error = _located(exc.message)
                position = None if error.line is None else (error.line, error.column or 0)
                raise LoweringError(statement, error.text, position) from None
            except (LoweringError, qasm3_conditions.ConditionError):
                raise
            except Exception as exc:  # Qiskit's own checks: still located at the statement
                raise LoweringError(statement, f"Qiskit refused this statement: {exc}") from None

        data = lower(node, sink, self.limits)
        state = finish(state)
        if data:
            state.circuit = without_bits(state.circuit, [state.symbol_table.get(n) for n in data])
        return state

    def _resolve_condition(self, node, context):
        """Qiskit's importer reads `bit == true` and `register == n`; anything else on
        measured bits (`c0 == 1`, `c != 0`, `a && b`, `c < 4`) becomes a classical
        expression (qiskit.circuit.classical.expr)."""
        try:
            return super()._resolve_condition(node, context)
        except ConversionError:
            return qasm3_conditions.expression(
                node, lambda n: self._resolve_generic(n, context, strict=True), context
            )

    def _check_tree(self, program: ast.Program) -> None:
        """Includes and hardware qubits, found anywhere in the tree before anything runs."""
        for node in _nodes(program):
            if isinstance(node, ast.Include):
                if node.filename != BUILT_IN_INCLUDE[3]:
                    _raise_at(node, INCLUDE_REFUSED)
            elif isinstance(node, ast.Identifier) and node.name.startswith("$"):
                index = node.name[1:]
                if self.limits is not None and (
                    len(index) > 18 or int(index) >= self.limits.qubits
                ):
                    _raise_at(
                        node,
                        f"hardware qubit {node.name[:24]}: "
                        + over_limit("qubits", int(index[:19]) + 1, self.limits.qubits, "qubits"),
                    )

    # -- declarations: counted before the converter allocates them -----------------------

    def visit_QubitDeclaration(self, node, context):
        size = 1 if node.size is None else self._resolve_constant_int(node.size, context)
        self.qubits += max(size, 0)
        if self.limits is not None and self.qubits > self.limits.qubits:
            _raise_at(
                node, over_limit("qubits declared", self.qubits, self.limits.qubits, "qubits")
            )
        return super().visit_QubitDeclaration(node, context)

    def visit_ClassicalDeclaration(self, node, context):
        size_node = getattr(node.type, "size", None)
        if isinstance(node.type, ast.BitType):
            size = 1 if size_node is None else self._resolve_constant_int(size_node, context)
            self.clbits += max(size, 0)
            if self.limits is not None and self.clbits > self.limits.clbits:
                _raise_at(
                    node,
                    over_limit(
                        "classical bits declared", self.clbits, self.limits.clbits, "clbits"
                    ),
                )
        return super().visit_ClassicalDeclaration(node, context)

    # -- loops: a range's size is checked before Qiskit stores it --------------------------

    def visit_ForInLoop(self, node, context):
        indexset, _ = self._resolve_generic(node.set_declaration, context, strict=True)
        if isinstance(indexset, slice) and None not in (indexset.start, indexset.stop):
            ends = (indexset.start, indexset.stop, indexset.step or 1)
            if any(not isinstance(e, int) or abs(e) >= _LOOP_BOUND for e in ends):
                # Qiskit's native code aborts the process on ranges beyond 64 bits.
                _raise_at(node, "a for-loop range must lie within ±2^62")
            runs = expansion.iterations(range(*ends)) if ends[2] else 0
            if self.limits is not None and runs > self.limits.operations:
                _raise_at(
                    node,
                    over_limit("for-loop iterations", runs, self.limits.operations, "operations"),
                )
        return super().visit_ForInLoop(node, context)

    # -- gates ----------------------------------------------------------------------------

    def _define_gate(self, name, definition, n_parameters, n_qubits, definer, context):
        if isinstance(definition, GateBuilder):
            definition = _DeferredBuilder(definition)
        return super()._define_gate(name, definition, n_parameters, n_qubits, definer, context)

    def _apply_gate_modifier(self, modifier, gate, context):
        if self.limits is not None:
            self._charge(modifier, gate, context)
        return super()._apply_gate_modifier(modifier, gate, context)

    def _charge(self, modifier, gate, context) -> None:
        """Refuse a modifier whose eager expansion would cost more than the budget left."""
        limits = self.limits
        assert limits is not None
        qubits = gate.num_qubits
        name = modifier.modifier.name
        if name in ("ctrl", "negctrl") and modifier.argument is not None:
            controls = self._resolve_constant_int(modifier.argument, context)
            qubits += max(controls, 0)
            if qubits > limits.qubits:
                _raise_at(
                    modifier,
                    over_limit(f"qubits of a {name} gate", qubits, limits.qubits, "qubits"),
                )
        if name == "pow" and qubits > POW_MAX_QUBITS:
            _raise_at(
                modifier,
                f"pow applies to gates on at most {POW_MAX_QUBITS} qubits (it builds their "
                f"matrix); this one acts on {qubits}",
            )
        cost = expansion.gate_cost(gate, self.costs)
        self.modified += cost * (POW_COST if name == "pow" else 1)
        if self.modified > limits.modified_operations:
            _raise_at(
                modifier,
                over_limit(
                    "operations expanded by gate modifiers (inv, ctrl, pow)",
                    self.modified,
                    limits.modified_operations,
                    "modified_operations",
                ),
            )


def finish(state: State) -> State:
    """What `ConvertVisitor.convert` does once every statement is converted: a layout for
    programs on hardware qubits, and every declared input kept as a parameter."""
    if state.addressing_mode.is_physical():
        state.circuit._layout = TranspileLayout(
            initial_layout=Layout.from_qubit_list(state.circuit.qubits),
            input_qubit_mapping={bit: i for i, bit in enumerate(state.circuit.qubits)},
            final_layout=None,
        )
    for parameter in state.all_parameters - set(state.circuit.parameters):
        add_dummy_parameter_reference(state.circuit, parameter)
    return state


def without_bits(circuit: QuantumCircuit, symbols: list[Any]) -> QuantumCircuit:
    """The circuit without the bit registers (or single bits) of `symbols`, which no
    instruction uses: the lowering decided everything that read them."""
    dag = circuit_to_dag(circuit)
    registers = [s.data for s in symbols if isinstance(s.data, ClassicalRegister)]
    bits = [s.data for s in symbols if isinstance(s.data, Clbit)]
    bits += [bit for register in registers for bit in register]
    dag.remove_cregs(*registers)
    dag.remove_clbits(*bits)
    out = dag_to_circuit(dag, copy_operations=False)
    out._layout = circuit._layout
    return out


def _nodes(program: ast.Program) -> Iterator[Any]:
    stack: list[Any] = [program]
    while stack:
        node = stack.pop()
        yield node
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            if isinstance(value, list):
                stack.extend(v for v in value if dataclasses.is_dataclass(v))
            elif dataclasses.is_dataclass(value) and not isinstance(value, type):
                stack.append(value)


def _raise_at(node: Any, message: str) -> None:
    span = getattr(node, "span", None)
    if span is None:
        raise Qasm3Error(None, None, message)
    raise Qasm3Error(span.start_line, span.start_column, message)


def load_qasm3(source: str, limits: CircuitLimits | None = None) -> QuantumCircuit:
    """Parse OpenQASM 3 into a circuit; raises Qasm3Error with the position when it can't, or
    when reading it would cost more than `limits` allow."""
    tree = _syntax_tree(source)
    try:
        program = oq3.QASMNodeVisitor().visitProgram(tree)
    except oq3.QASM3ParsingError as exc:
        raise _located(str(exc)) from None
    try:
        return _BoundedConverter(limits).convert(program).circuit
    except ConversionError as exc:
        raise _located(exc.message) from None
    except LoweringError as exc:
        line, column = exc.position if exc.position is not None else (None, None)
        raise Qasm3Error(line, column, exc.text) from None
    except qasm3_conditions.ConditionError as exc:
        raise Qasm3Error(exc.line, exc.column, exc.text) from None

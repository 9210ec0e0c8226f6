"""OpenQASM 3's static features lowered into what Qiskit's importer reads.

Qiskit's importer (qiskit-qasm3-import) reads gates, registers, measurements and control flow
on measured bits, but none of the classical language around them: `const`, integer and float
variables, `for` loops indexing qubits, subroutines (`def`), casts, `output`. Everything in
that classical layer that is known before the circuit runs is computed here, on the reference
AST (the `openqasm3` package), and what remains is a program of gates, measurements, resets,
barriers and `if`/`while` on measured bits, handed to the importer statement by statement:

- `const` and classical declarations are evaluated (`qasm3_values`); sized integers wrap;
- `for` loops are unrolled (ranges, sets, bit registers) with their index arithmetic;
- `def` subroutines are inlined; qubit and bit arguments are passed by reference, classical
  ones by value; a returned measurement is written straight into the caller's bits;
- `if`, `while` and `switch` whose condition is known are decided here; those on measured bits
  stay control flow for the device (a `while` runs as peeled iterations while its condition is
  known, then as a loop);
- gate broadcasts are expanded into one statement per qubit;
- `output bit` declarations are plain bit registers; `input float`/`input angle` stay circuit
  parameters (Qiskit orders them by name);
- bit registers set to known values and never measured are data, left out of the circuit;
- a program with no include reads as if it included stdgates.inc, with Amazon Braket's gate
  names (`cnot`, `v`, `i`, …) read as the standard gates they are; `#pragma braket result` is
  skipped.

What cannot be computed before the run (classical arithmetic on measured bits, `extern`
functions, pulse-level `defcal`/`cal`, timing variables) is refused at its line and column,
saying why.

**Bounded.** Every statement executed while lowering (each loop iteration, each inlined
statement) and every statement produced counts against the circuit's `operations` limit, and a
`for` loop is refused *before* it is unrolled when its iterations times its body's size exceed
what is left; subroutine calls nest at most `gate_nesting` deep. Nothing reads a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, NoReturn

from openqasm3 import ast

from qdispatch_core.rules.limits import CircuitLimits, over_limit
from qdispatch_qiskit import qasm3_values as values
from qdispatch_qiskit.qasm3_scope import (
    Atom,
    Binding,
    Bits,
    Dynamic,
    Extern,
    Qubits,
    Register,
    Scope,
    Static,
    Subroutine,
    Symbolic,
    atom_expression,
    atoms_expression,
    bits_value,
    node_at,
)
from qdispatch_qiskit.qasm3_values import Kind, StaticBits, Uncomputable, Value

DEFAULT_CALL_DEPTH = 64
# Ranges beyond this are refused whatever the limits (Qiskit's native code aborts on them).
LOOP_BOUND = 2**62

RUNTIME_CLASSICAL = (
    "a value computed from measurement results while the circuit runs; qdispatch computes "
    "classical code before the run, and the circuit itself can only compare measured bits with "
    "constants in `if`/`while` conditions"
)
PULSE_LEVEL = (
    "pulse-level calibrations (defcalgrammar, defcal, cal) program a device's control "
    "electronics; qdispatch runs gate-level circuits"
)
TIMING = (
    "timing variables (duration, stretch, durationof) need a device's timing model; "
    "qdispatch reads literal delays such as `delay[100ns] q;`"
)


class LoweringError(Exception):
    """A construct that cannot be lowered, at `line` and 0-based `column` (when known)."""

    def __init__(self, node: Any, text: str, position: tuple[int, int] | None = None) -> None:
        super().__init__(text)
        span = _span(node)
        if position is None and span is not None:
            position = (span.start_line, span.start_column)
        self.position = position
        self.text = text


def refuse(node: Any, text: str) -> NoReturn:
    raise LoweringError(node, text)


# -- values of expressions --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sym:
    """An expression of input parameters (a float or angle), for the importer."""

    expression: ast.Expression


@dataclass(frozen=True, slots=True)
class Runtime:
    """A condition on measured bits, for the importer."""

    expression: ast.Expression


Result = Value | Sym | Runtime


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Return(Exception):
    def __init__(self, value: Result | Bits | None) -> None:
        super().__init__()
        self.value = value


@dataclass(slots=True)
class _Frame:
    """One inlined subroutine call."""

    name: str
    call: Any  # the calling node
    target: Bits | None  # where a returned measurement goes
    returned: str | None  # the local bit variable the body returns, bound to `target`
    scope: Scope


class Budget:
    """Statements executed and produced, against the operations limit."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.used = 0

    def spend(self, node: Any, amount: int = 1) -> None:
        self.used += amount
        if self.limit is not None and self.used > self.limit:
            refuse(node, self.refusal(self.used))

    def check_unroll(self, node: Any, planned: int) -> None:
        if self.limit is not None and self.used + planned > self.limit:
            refuse(node, self.refusal(self.used + planned))

    def refusal(self, figure: int) -> str:
        assert self.limit is not None
        return over_limit(
            "statements once loops and subroutines are unrolled",
            figure,
            self.limit,
            "operations",
        )


def source_names(program: ast.Program) -> set[str]:
    """Every identifier the program spells, so the registers lowering adds never clash."""
    names: set[str] = set()
    stack: list[Any] = [program]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Identifier):
            names.add(node.name)
        for f in fields(node):
            value = getattr(node, f.name)
            if isinstance(value, list):
                stack.extend(v for v in value if is_dataclass(v))
            elif is_dataclass(value) and not isinstance(value, type):
                stack.append(value)
    return names


def _span(node: Any) -> ast.Span | None:
    return getattr(node, "span", None)


def _size_expression(type_node: ast.ClassicalType) -> ast.Expression | None:
    """The width expression of `int[n]`, `bit[n]` and the like: only those subclasses of
    ClassicalType have a `size` field (`bool` has none)."""
    size: ast.Expression | None = getattr(type_node, "size", None)
    return size


def _line(span: ast.Span | None) -> str:
    """A node's line for a message; the parser spans every statement, `?` guards nodes built
    without one."""
    return "?" if span is None else str(span.start_line)


def _kind(type_node: Any, size: int | None) -> Kind:
    name = values.kind_name(type_node)
    assert name is not None
    return Kind(name, size)


class Lowerer:
    """Walks a program and hands each lowered top-level statement to `sink` (the importer),
    so a long unrolled loop is never held as one big syntax tree."""

    def __init__(
        self,
        program: ast.Program,
        sink: Callable[[ast.Statement], None],
        limits: CircuitLimits | None,
    ) -> None:
        self.sink = sink
        self.budget = Budget(limits.operations if limits is not None else None)
        self.max_depth = limits.gate_nesting if limits is not None else DEFAULT_CALL_DEPTH
        self.globals = Scope(None)
        self.scope = self.globals
        self.blocks: list[list[ast.Statement]] = []
        self.frames: list[_Frame] = []
        self.loops: list[int] = []  # the runtime level at each enclosing unrolled loop
        self.registers: dict[str, Register] = {}
        self.sizes: dict[str, int] = {}
        self.taken = source_names(program)
        self.in_gate = False
        self.sizes_memo: dict[str, int] = {}
        self.renamed_gates: dict[str, str] = {}
        # how many parameters each gate the program can call takes (U is built in)
        self.gate_parameters: dict[str, int] = {"U": 3}

    # -- driving --------------------------------------------------------------------------

    def lower(self, program: ast.Program) -> frozenset[str]:
        """Lower the program; returns the bit registers that are compile-time data (see
        `_compile_time_registers`), for the caller to leave out of the circuit."""
        implicit = implicit_gates(program)
        if implicit.include:
            self.declare(node_at(ast.Include, None, filename=STANDARD_INCLUDE))
            self.gate_parameters.update(STANDARD_GATE_PARAMETERS)
        self.renamed_gates = implicit.renamed
        self.statements(program.statements)
        return self._compile_time_registers()

    def statements(self, statements: list[Any]) -> None:
        for statement in statements:
            self.budget.spend(statement)
            handler = getattr(self, "on_" + type(statement).__name__, None)
            if handler is None:
                refuse(statement, _unsupported(statement))
            handler(statement)

    def emit(self, statement: ast.Statement) -> None:
        self.budget.spend(statement)
        if self.blocks:
            self.blocks[-1].append(statement)
        else:
            self.sink(statement)

    def declare(self, statement: ast.Statement) -> None:
        """Declarations are global in Qiskit's importer, wherever the source has them."""
        self.sink(statement)

    @contextmanager
    def scoped(self, scope: Scope) -> Iterator[None]:
        outer = self.scope
        self.scope = scope
        try:
            yield
        finally:
            self.scope = outer

    def block(self, statements: list[Any], runtime: int | None = None) -> list[ast.Statement]:
        """Lower `statements` in a new scope into a list (a body of control flow)."""
        self.blocks.append([])
        try:
            with self.scoped(self.scope.child(runtime)):
                self.statements(statements)
        finally:
            out = self.blocks.pop()
        return out

    @property
    def runtime(self) -> int:
        return self.scope.runtime

    def bind(self, node: Any, name: str, binding: Binding) -> None:
        if name in self.scope.names and self.scope is not self.globals:
            refuse(node, f"'{name}' is already declared in this scope")
        self.scope.names[name] = binding

    def lookup(self, node: Any, name: str) -> Binding:
        found = self.scope.lookup(name)
        if found is None:
            refuse(node, f"'{name}' is not declared")
        return found[0]

    def fresh_name(self, stem: str) -> str:
        k = 1
        name = f"{stem}_{k}"
        while name in self.taken:
            k += 1
            name = f"{stem}_{k}"
        self.taken.add(name)
        return name

    # -- declarations ---------------------------------------------------------------------

    def on_Include(self, node: ast.Include) -> None:
        self.declare(node)
        if node.filename == STANDARD_INCLUDE:
            self.gate_parameters.update(STANDARD_GATE_PARAMETERS)

    def on_QubitDeclaration(self, node: ast.QubitDeclaration) -> None:
        name = node.qubit.name
        if node.size is None:
            self.declare(node)
            self.bind(node, name, Qubits(((name, None),), single=True))
            return
        size = self.constant_int(node.size, "a register's size")
        if size < 0:
            refuse(node.size, f"a register's size must not be negative, not {size}")
        self.declare(
            node_at(
                ast.QubitDeclaration,
                node.span,
                qubit=node.qubit,
                size=node_at(ast.IntegerLiteral, node.size.span, value=size),
            )
        )
        self.sizes[name] = size
        self.bind(node, name, Qubits(tuple((name, i) for i in range(size))))

    def new_register(self, node: Any, name: str, size: int | None) -> Bits:
        """Declare a bit register of the circuit (a single bit when `size` is None)."""
        width = 1 if size is None else size
        if width < 0:
            refuse(node, f"a register's size must not be negative, not {width}")
        kind_size = None if size is None else node_at(ast.IntegerLiteral, _span(node), value=size)
        self.declare(
            node_at(
                ast.ClassicalDeclaration,
                _span(node),
                type=node_at(ast.BitType, _span(node), size=kind_size),
                identifier=node_at(ast.Identifier, _span(node), name=name),
                init_expression=None,
            )
        )
        self.registers[name] = Register(name, width, [0] * width, _span(node))
        if size is None:
            return Bits(((name, None),), single=True)
        self.sizes.setdefault(name, width)
        return Bits(tuple((name, i) for i in range(width)))

    def on_ClassicalDeclaration(self, node: ast.ClassicalDeclaration) -> None:
        kind_name = values.kind_name(node.type)
        if kind_name is None:
            refuse(node, _unsupported_type(node.type))
        if kind_name == "bit":
            self.declare_bits(
                node, node.identifier.name, _size_expression(node.type), node.init_expression
            )
            return
        kind = Kind(kind_name, self.type_width(node.type))
        name = node.identifier.name
        if node.init_expression is None:
            self.bind(node, name, Static(values.coerce(0, kind), kind))
            return
        self.bind(node, name, self.assigned(node.init_expression, kind, node.identifier.name))

    def declare_bits(self, node: Any, name: str, size_node: Any, init: Any) -> None:
        size = None if size_node is None else self.constant_int(size_node, "a register's size")
        frame = self.frames[-1] if self.frames else None
        if frame is not None and frame.returned == name and frame.scope is self.scope:
            target = frame.target
            assert target is not None
            if len(target.atoms) != (size or 1):
                refuse(
                    node,
                    f"'{name}' has {size or 1} bits; the caller assigns it to {len(target.atoms)}",
                )
            bits = target
        else:
            local = self.scope is not self.globals or self.frames
            register = self.fresh_name(name) if local else name
            self.taken.add(register)
            bits = self.new_register(node, register, size)
        self.bind(node, name, bits)
        if init is not None:
            self.write_bits(node, bits, init)

    def on_ConstantDeclaration(self, node: ast.ConstantDeclaration) -> None:
        kind_name = values.kind_name(node.type)
        if kind_name is None:
            refuse(node, _unsupported_type(node.type))
        kind = Kind(kind_name, self.type_width(node.type))
        value = self.static(node.init_expression, f"the constant '{node.identifier.name}'")
        self.bind(node, node.identifier.name, Static(values.coerce(value, kind), kind, const=True))

    def on_IODeclaration(self, node: ast.IODeclaration) -> None:
        name = node.identifier.name
        kind_name = values.kind_name(node.type)
        if node.io_identifier is ast.IOKeyword.output:
            if kind_name != "bit":
                refuse(
                    node,
                    f"an output of type {type(node.type).__name__[:-4].lower()}: a circuit's "
                    "results are its measured bits, so only `output bit` (or `output bit[n]`) "
                    "declarations can be returned",
                )
            self.declare_bits(node, name, _size_expression(node.type), None)
            return
        if kind_name not in ("float", "angle"):
            refuse(
                node,
                f"an input of type {type(node.type).__name__[:-4].lower()}: inputs become "
                "circuit parameters, which are real numbers bound per run; declare it "
                "`input float` or `input angle`, or make it a `const`",
            )
        self.declare(node)
        self.bind(
            node,
            name,
            Symbolic(node_at(ast.Identifier, node.identifier.span, name=name), Kind(kind_name)),
        )

    def on_AliasStatement(self, node: ast.AliasStatement) -> None:
        target = self.reference(node.value)
        self.bind(node, node.target.name, target)

    def on_SubroutineDefinition(self, node: ast.SubroutineDefinition) -> None:
        if self.scope is not self.globals:
            refuse(node, "subroutines can only be defined at the top level")
        self.bind(node, node.name.name, Subroutine(node))

    def on_ExternDeclaration(self, node: ast.ExternDeclaration) -> None:
        self.bind(node, node.name.name, Extern(node))

    def on_QuantumGateDefinition(self, node: ast.QuantumGateDefinition) -> None:
        if self.scope is not self.globals:
            refuse(node, "gates can only be defined at the top level")
        self.gate_parameters[node.name.name] = len(node.arguments)
        scope = Scope(self.globals)
        for argument in node.arguments:
            scope.names[argument.name] = Symbolic(argument, Kind("angle"))
        for qubit in node.qubits:
            scope.names[qubit.name] = Qubits(((qubit.name, None),), single=True)
        self.in_gate = True
        self.blocks.append([])
        try:
            with self.scoped(scope):
                self.statements(node.body)
        finally:
            self.in_gate = False
            body = self.blocks.pop()
        self.declare(
            node_at(
                ast.QuantumGateDefinition,
                node.span,
                name=node.name,
                arguments=node.arguments,
                qubits=node.qubits,
                body=body,
            )
        )

    # -- quantum statements -----------------------------------------------------------------

    def on_QuantumGate(self, node: ast.QuantumGate) -> None:
        found = self.scope.lookup(node.name.name)
        if found is not None and isinstance(found[0], Subroutine):
            self.inline(found[0], node, list(node.arguments), list(node.qubits), None)
            return
        self._check_parameter_count(node)
        arguments = [self.parameter(a) for a in node.arguments]
        modifiers = [self.modifier(m) for m in node.modifiers]
        name = node.name
        if name.name in self.renamed_gates:
            *inverted, standard = self.renamed_gates[name.name].split(" @ ")
            name = node_at(ast.Identifier, name.span, name=standard)
            if inverted:  # the inverse applies innermost, so it goes last
                modifiers.append(
                    node_at(ast.QuantumGateModifier, None, modifier=INVERSE, argument=None)
                )
        for qubits in self.broadcast(node, node.qubits):
            self.emit(
                node_at(
                    ast.QuantumGate,
                    node.span,
                    modifiers=modifiers,
                    name=name,
                    arguments=arguments,
                    qubits=qubits,
                    duration=node.duration,
                )
            )

    def _check_parameter_count(self, node: ast.QuantumGate) -> None:
        # Qiskit's importer passes a surplus parameter on as the gate's label ("label expects a
        # string or None"): say what is wrong instead
        name = self.renamed_gates.get(node.name.name, node.name.name).split(" @ ")[-1]
        expected = self.gate_parameters.get(name)
        if expected is not None and len(node.arguments) != expected:
            refuse(
                node,
                f"gate '{node.name.name}' takes {expected} parameter(s), not {len(node.arguments)}",
            )

    def on_QuantumPhase(self, node: ast.QuantumPhase) -> None:
        argument = self.parameter(node.argument)
        modifiers = [self.modifier(m) for m in node.modifiers]
        if not node.qubits:
            self.emit(
                node_at(
                    ast.QuantumPhase, node.span, modifiers=modifiers, argument=argument, qubits=[]
                )
            )
            return
        for qubits in self.broadcast(node, node.qubits):
            self.emit(
                node_at(
                    ast.QuantumPhase,
                    node.span,
                    modifiers=modifiers,
                    argument=argument,
                    qubits=qubits,
                )
            )

    def modifier(self, node: ast.QuantumGateModifier) -> ast.QuantumGateModifier:
        if node.argument is None:
            return node
        argument = self.parameter(node.argument)
        return node_at(
            ast.QuantumGateModifier, node.span, modifier=node.modifier, argument=argument
        )

    def broadcast(self, node: Any, operands: list[Any]) -> Iterator[list[ast.Expression]]:
        """One operand list per gate application: registers apply the gate wire by wire."""
        resolved = [self.qubit_atoms(q) for q in operands]
        widths = {len(atoms) for atoms in resolved if len(atoms) != 1}
        if len(widths) > 1:
            refuse(node, "the registers of a broadcast gate have different sizes")
        count = widths.pop() if widths else 1
        self.budget.check_unroll(node, count)
        for i in range(count):
            yield [
                atom_expression(atoms[0] if len(atoms) == 1 else atoms[i], _span(q))
                for atoms, q in zip(resolved, operands, strict=True)
            ]

    def on_QuantumReset(self, node: ast.QuantumReset) -> None:
        for atom in self.qubit_atoms(node.qubits):
            self.emit(node_at(ast.QuantumReset, node.span, qubits=atom_expression(atom, node.span)))

    def on_QuantumBarrier(self, node: ast.QuantumBarrier) -> None:
        atoms = [a for q in node.qubits for a in self.qubit_atoms(q)]
        self.emit(
            node_at(
                ast.QuantumBarrier, node.span, qubits=[atom_expression(a, node.span) for a in atoms]
            )
        )

    def on_DelayInstruction(self, node: ast.DelayInstruction) -> None:
        if not isinstance(node.duration, ast.DurationLiteral):
            refuse(node.duration, TIMING)
        atoms = [a for q in node.qubits for a in self.qubit_atoms(q)]
        self.emit(
            node_at(
                ast.DelayInstruction,
                node.span,
                duration=node.duration,
                qubits=[atom_expression(a, node.span) for a in atoms],
            )
        )

    def on_Box(self, node: ast.Box) -> None:
        if node.duration is not None and not isinstance(node.duration, ast.DurationLiteral):
            refuse(node.duration, TIMING)
        body = self.block(node.body)
        self.emit(
            node_at(
                ast.Box, node.span, annotations=node.annotations, duration=node.duration, body=body
            )
        )

    def on_QuantumMeasurementStatement(self, node: ast.QuantumMeasurementStatement) -> None:
        if node.target is None:
            refuse(
                node,
                "a measurement must store its result in a bit (`c = measure q;` or "
                "`measure q -> c;`): a circuit's results are its measured bits",
            )
        self.measure(node, node.measure, self.bits_reference(node.target))

    def measure(self, node: Any, measurement: ast.QuantumMeasurement, target: Bits) -> None:
        qubits = self.qubit_atoms(measurement.qubit)
        if len(qubits) != len(target.atoms):
            refuse(
                node,
                f"{len(qubits)} qubit(s) are measured into {len(target.atoms)} bit(s); the "
                "sizes must match",
            )
        for qubit, bit in zip(qubits, target.atoms, strict=True):
            self.registers[bit[0]].known[bit[1] or 0] = None
            self.emit(
                node_at(
                    ast.QuantumMeasurementStatement,
                    _span(node),
                    measure=node_at(
                        ast.QuantumMeasurement,
                        _span(measurement),
                        qubit=atom_expression(qubit, _span(measurement)),
                    ),
                    target=atom_expression(bit, _span(node)),
                )
            )

    # -- classical statements -----------------------------------------------------------------

    def on_ClassicalAssignment(self, node: ast.ClassicalAssignment) -> None:
        name = node.lvalue.name if isinstance(node.lvalue, ast.IndexedIdentifier) else node.lvalue
        binding = self.lookup(node.lvalue, name.name)
        if isinstance(binding, Bits):
            target = self.bits_reference(node.lvalue)
            if node.op.name == "=":
                self.write_bits(node, target, node.rvalue)
            else:
                operator = node.op.name[:-1]
                compound = node_at(
                    ast.BinaryExpression,
                    node.span,
                    op=ast.BinaryOperator[operator],
                    lhs=node.lvalue,
                    rhs=node.rvalue,
                )
                self.write_bits(node, target, compound)
            return
        if isinstance(binding, Static) and binding.const:
            refuse(node, f"'{name.name}' is a constant")
        if not isinstance(binding, Static | Symbolic | Dynamic):
            refuse(node, f"'{name.name}' is not a classical variable")
        found = self.scope.lookup(name.name)
        assert found is not None
        owner = found[1]
        rvalue = node.rvalue
        if node.op.name != "=":
            rvalue = node_at(
                ast.BinaryExpression,
                node.span,
                op=ast.BinaryOperator[node.op.name[:-1]],
                lhs=node.lvalue,
                rhs=rvalue,
            )
        if isinstance(node.lvalue, ast.IndexedIdentifier):
            rvalue = self.with_bit_set(node, binding, node.lvalue, rvalue)
        new = self.assigned(rvalue, binding.kind, name.name)
        if owner.runtime < self.runtime and not isinstance(new, Dynamic):
            new = Dynamic(
                binding.kind,
                f"'{name.name}' is assigned at line {_line(node.span)} under a condition on "
                "measured bits, so its value is only known while the circuit runs",
            )
        owner.names[name.name] = new

    def with_bit_set(
        self, node: Any, binding: Binding, lvalue: ast.IndexedIdentifier, rvalue: Any
    ) -> Any:
        """`x[i] = b` for an integer variable: the whole new value, as a literal."""
        if not isinstance(binding, Static) or len(lvalue.indices) != 1:
            refuse(node, "only a known integer's single bits can be assigned")
        (index_list,) = lvalue.indices
        if isinstance(index_list, ast.DiscreteSet) or len(index_list) != 1:
            refuse(node, "only single bits of an integer can be assigned")
        index = self.constant_int(index_list[0], "a bit index")
        bit = int(values.truthy(self.static(rvalue, "the assigned bit")))
        whole = int(values.numeric(binding.value))
        return values.literal((whole & ~(1 << index)) | (bit << index), node.span)

    def assigned(self, expression: Any, kind: Kind, name: str) -> Binding:
        """What a variable of `kind` holds after `name = expression`."""
        if isinstance(expression, ast.QuantumMeasurement):
            refuse(expression, f"a measurement is stored in bits, not in a {kind.pretty()}")
        try:
            result = self.evaluate(expression)
        except _DynamicRead as read:
            return Dynamic(kind, read.why)
        if isinstance(result, Runtime):
            return Dynamic(
                kind,
                f"'{name}' is computed from measured bits at line {_line(expression.span)}",
            )
        if isinstance(result, Sym):
            if kind.name not in ("float", "angle"):
                refuse(
                    expression, f"a {kind.pretty()} cannot hold an expression of input parameters"
                )
            return Symbolic(result.expression, kind)
        try:
            return Static(values.coerce(result, kind), kind)
        except Uncomputable as exc:
            refuse(expression, str(exc))

    def write_bits(self, node: Any, target: Bits, expression: Any) -> None:
        if isinstance(expression, ast.QuantumMeasurement):
            self.measure(node, expression, target)
            return
        if isinstance(expression, ast.FunctionCall):
            found = self.scope.lookup(expression.name.name)
            if found is not None and isinstance(found[0], Subroutine):
                result = self.inline(found[0], expression, list(expression.arguments), None, target)
                if isinstance(result, Bits) and result.atoms == target.atoms:
                    return
                if result is None:
                    refuse(expression, f"subroutine '{expression.name.name}' returns nothing")
                if isinstance(result, Bits):
                    known = bits_value(result.atoms, self.registers)
                    if known is None:
                        refuse(
                            expression,
                            "copying measured bits into other bits; " + RUNTIME_CLASSICAL,
                        )
                    result = known
                self.set_known(node, target, result)
                return
        try:
            result = self.evaluate(expression)
        except _DynamicRead as read:
            refuse(expression, read.why)
        if isinstance(result, Runtime):
            refuse(expression, "assigning " + RUNTIME_CLASSICAL)
        if isinstance(result, Sym):
            refuse(expression, "bits cannot hold an expression of input parameters")
        self.set_known(node, target, result)

    def set_known(self, node: Any, target: Bits, value: Any) -> None:
        if self.runtime:
            refuse(
                node,
                "setting bits to a constant under a condition on measured bits; "
                + RUNTIME_CLASSICAL,
            )
        bits = values.coerce(value, Kind("bit", len(target.atoms)))
        assert isinstance(bits, StaticBits)
        for i, (name, index) in enumerate(target.atoms):
            register = self.registers[name]
            if register.known[index or 0] is None:
                refuse(
                    node,
                    "setting bits that a measurement already wrote: the circuit has no classical "
                    "storage to copy values into; measure into fresh bits instead",
                )
            register.known[index or 0] = bits.bit(i)
            register.assigned = True

    def on_ExpressionStatement(self, node: ast.ExpressionStatement) -> None:
        expression = node.expression
        if isinstance(expression, ast.FunctionCall):
            found = self.scope.lookup(expression.name.name)
            if found is not None and isinstance(found[0], Subroutine):
                self.inline(found[0], expression, list(expression.arguments), None, None)
                return
        try:
            self.evaluate(expression)
        except _DynamicRead as read:
            refuse(expression, read.why)

    def on_Pragma(self, node: ast.Pragma) -> None:
        # Braket's result pragmas only say what to return, which run_type and observables
        # decide here: skipping them changes nothing the circuit does. Other pragmas (noise,
        # verbatim boxes, other vendors') would change what runs if skipped.
        if node.command.split()[:2] == ["braket", "result"]:
            return
        refuse(
            node,
            "a #pragma is an instruction to one vendor's compiler; qdispatch reads only "
            "`#pragma braket result …` (and skips it: run_type and observables decide what is "
            "returned): remove the pragma",
        )

    def on_CalibrationGrammarDeclaration(self, node: Any) -> None:
        refuse(node, PULSE_LEVEL)

    on_CalibrationDefinition = on_CalibrationGrammarDeclaration
    on_CalibrationStatement = on_CalibrationGrammarDeclaration

    # -- control flow -----------------------------------------------------------------------

    def on_BranchingStatement(self, node: ast.BranchingStatement) -> None:
        condition = self.condition(node.condition)
        if isinstance(condition, Runtime):
            if self.in_gate:
                refuse(node.condition, "a gate's body cannot depend on measured bits")
            inner = self.runtime + 1
            if_block = self.block(node.if_block, inner)
            else_block = self.block(node.else_block, inner) if node.else_block else []
            self.emit(
                node_at(
                    ast.BranchingStatement,
                    node.span,
                    condition=condition.expression,
                    if_block=if_block,
                    else_block=else_block,
                )
            )
            return
        chosen = node.if_block if condition else node.else_block
        with self.scoped(self.scope.child()):
            self.statements(chosen)

    def on_WhileLoop(self, node: ast.WhileLoop) -> None:
        self.loops.append(self.runtime)
        try:
            while True:
                condition = self.condition(node.while_condition)
                if isinstance(condition, Runtime):
                    self.runtime_while(node)
                    return
                if not condition:
                    return
                self.budget.spend(node)
                try:
                    with self.scoped(self.scope.child()):
                        self.statements(node.block)
                except _Continue:
                    continue
                except _Break:
                    return
        finally:
            self.loops.pop()

    def runtime_while(self, node: ast.WhileLoop) -> None:
        """The rest of the loop runs on the device: what its body writes is unknown from the
        first iteration on, since the body may run any number of times."""
        if self.in_gate:
            refuse(node, "a gate's body cannot depend on measured bits")
        self.forget_writes(node.block)
        # read again now that the body's writes are unknown; forgetting values cannot make a
        # condition on measured bits static
        condition = self.condition(node.while_condition)
        assert isinstance(condition, Runtime)
        self.loops.append(self.runtime + 1)
        try:
            body = self.block(node.block, self.runtime + 1)
        finally:
            self.loops.pop()
        self.emit(
            node_at(ast.WhileLoop, node.span, while_condition=condition.expression, block=body)
        )

    def forget_writes(self, statements: list[Any]) -> None:
        for node in _walk(statements):
            if isinstance(node, ast.ClassicalAssignment):
                name = (
                    node.lvalue.name
                    if isinstance(node.lvalue, ast.IndexedIdentifier)
                    else node.lvalue
                )
                found = self.scope.lookup(name.name)
                if found is None:
                    continue
                binding, owner = found
                if isinstance(binding, Static | Symbolic) and not getattr(binding, "const", False):
                    owner.names[name.name] = Dynamic(
                        binding.kind,
                        f"'{name.name}' is assigned in a while loop on measured bits (line "
                        f"{_line(node.span)}), so its value is only known while it runs",
                    )
                elif isinstance(binding, Bits):
                    for bit_name, index in binding.atoms:
                        self.registers[bit_name].known[index or 0] = None
            elif isinstance(node, ast.QuantumMeasurementStatement) and node.target is not None:
                try:
                    target = self.bits_reference(node.target)
                except LoweringError:
                    continue
                for bit_name, index in target.atoms:
                    self.registers[bit_name].known[index or 0] = None

    def on_ForInLoop(self, node: ast.ForInLoop) -> None:
        kind_name = values.kind_name(node.type)
        if kind_name is None:
            refuse(node, _unsupported_type(node.type))
        kind = Kind(kind_name, self.type_width(node.type))
        count, items = self.iteration(node.set_declaration)
        self.budget.check_unroll(node, count * self.static_size(node.block))
        self.loops.append(self.runtime)
        try:
            for item in items:
                self.budget.spend(node)
                scope = self.scope.child()
                scope.names[node.identifier.name] = Static(values.coerce(item, kind), kind)
                try:
                    with self.scoped(scope):
                        self.statements(node.block)
                except _Continue:
                    continue
                except _Break:
                    break
        finally:
            self.loops.pop()

    def iteration(self, node: Any) -> tuple[int, Iterator[Value]]:
        if isinstance(node, ast.RangeDefinition):
            if node.start is None or node.end is None:
                refuse(node, "a loop's range needs a start and an end")
            start = self.constant_int(node.start, "a range's start")
            end = self.constant_int(node.end, "a range's end")
            step = 1 if node.step is None else self.constant_int(node.step, "a range's step")
            if step == 0:
                refuse(node, "a range's step must not be 0")
            if any(abs(v) >= LOOP_BOUND for v in (start, end, step)):
                refuse(node, "a for-loop range must lie within ±2^62")
            span = range(start, end + (1 if step > 0 else -1), step)
            return len(span), iter(span)
        if isinstance(node, ast.DiscreteSet):
            items = [self.static(v, "a set's element") for v in node.values]
            return len(items), iter(items)
        value = self.static(node, "the collection a loop runs over")
        if isinstance(value, StaticBits):
            return value.width, (StaticBits(value.bit(i), 1) for i in range(value.width))
        refuse(node, "a loop runs over a range [a:b], a set {a, b} or a bit register")

    def static_size(self, statements: list[Any]) -> int:
        """About how many statements one pass over `statements` produces: nested loops with
        known ranges multiply, subroutine calls count their bodies. Checked before unrolling."""
        total = 0
        for statement in statements:
            if isinstance(statement, ast.ForInLoop):
                total += 1 + self.nested_count(statement) * self.static_size(statement.block)
            elif isinstance(statement, ast.BranchingStatement):
                total += 1 + max(
                    self.static_size(statement.if_block), self.static_size(statement.else_block)
                )
            elif isinstance(statement, ast.WhileLoop | ast.Box):
                body = statement.block if isinstance(statement, ast.WhileLoop) else statement.body
                total += 1 + self.static_size(body)
            elif isinstance(
                statement, ast.QuantumGate | ast.ExpressionStatement | ast.ClassicalAssignment
            ):
                total += 1 + self.call_size(statement)
            else:
                total += 1
        return total

    def nested_count(self, loop: ast.ForInLoop) -> int:
        try:
            count, _ = self.iteration(loop.set_declaration)
        except (LoweringError, _DynamicRead):
            return 1  # depends on an enclosing loop's index: checked when it is reached
        return count

    def call_size(self, statement: Any) -> int:
        name = getattr(statement, "name", None)
        if isinstance(statement, ast.ExpressionStatement | ast.ClassicalAssignment):
            call = getattr(statement, "expression", None) or getattr(statement, "rvalue", None)
            name = call.name if isinstance(call, ast.FunctionCall) else None
        if not isinstance(name, ast.Identifier):
            return 0
        found = self.scope.lookup(name.name)
        if found is None or not isinstance(found[0], Subroutine):
            return 0
        if name.name not in self.sizes_memo:
            self.sizes_memo[name.name] = 1  # a recursive call counts once here
            self.sizes_memo[name.name] = self.static_size(found[0].node.body)
        return self.sizes_memo[name.name]

    def on_BreakStatement(self, node: ast.BreakStatement) -> None:
        self.loop_control(node)
        raise _Break

    def on_ContinueStatement(self, node: ast.ContinueStatement) -> None:
        self.loop_control(node)
        raise _Continue

    def loop_control(self, node: Any) -> None:
        if not self.loops:
            refuse(node, "break and continue belong in a loop")
        if self.runtime > self.loops[-1]:
            refuse(
                node,
                "break or continue under a condition on measured bits: loops are unrolled before "
                "the circuit runs, so leaving one early must be decided from known values",
            )

    def on_SwitchStatement(self, node: ast.SwitchStatement) -> None:
        target = self.evaluate_or_refuse(node.target)
        if isinstance(target, Runtime | Sym):
            refuse(node.target, "a switch on measured bits or parameters; use if/else on bits")
        for labels, body in node.cases:
            for label in labels:
                if values.numeric(self.static(label, "a case label")) == values.numeric(target):
                    with self.scoped(self.scope.child()):
                        self.statements(body.statements)
                    return
        if node.default is not None:
            with self.scoped(self.scope.child()):
                self.statements(node.default.statements)

    def on_CompoundStatement(self, node: ast.CompoundStatement) -> None:
        with self.scoped(self.scope.child()):
            self.statements(node.statements)

    def on_EndStatement(self, node: Any) -> None:
        refuse(node, "`end` stops the program at run time; qdispatch runs whole circuits")

    # -- subroutines --------------------------------------------------------------------------

    def inline(
        self,
        subroutine: Subroutine,
        call: Any,
        arguments: list[Any],
        qubit_arguments: list[Any] | None,
        target: Bits | None,
    ) -> Result | Bits | None:
        definition = subroutine.node
        name = definition.name.name
        if self.in_gate:
            refuse(call, f"a gate's body cannot call the subroutine '{name}'")
        if len(self.frames) >= self.max_depth:
            refuse(
                call,
                over_limit(
                    "subroutine calls nested in each other",
                    len(self.frames) + 1,
                    self.max_depth,
                    "gate_nesting",
                ),
            )
        parameters = definition.arguments
        if qubit_arguments is not None:  # old call syntax: `f(a, b) q, r;`
            classical = iter(arguments)
            quantum = iter(qubit_arguments)
            try:
                arguments = [
                    next(quantum) if isinstance(p, ast.QuantumArgument) else next(classical)
                    for p in parameters
                ]
            except StopIteration:
                refuse(call, f"'{name}' takes {len(parameters)} arguments")
        if len(arguments) != len(parameters):
            refuse(call, f"'{name}' takes {len(parameters)} arguments, not {len(arguments)}")
        scope = Scope(self.globals, self.runtime)
        for parameter, argument in zip(parameters, arguments, strict=True):
            scope.names[parameter.name.name] = self.argument(name, parameter, argument)
        frame = _Frame(name, call, target, _returned_local(definition) if target else None, scope)
        self.frames.append(frame)
        loops, self.loops = self.loops, []
        try:
            with self.scoped(scope):
                self.statements(definition.body)
        except _Return as returned:
            return returned.value
        except LoweringError as exc:
            where = _span(call)
            if where is not None:
                exc.text += f" (in subroutine '{name}' called at line {where.start_line})"
            raise
        finally:
            self.frames.pop()
            self.loops = loops
        return None

    def argument(self, name: str, parameter: Any, argument: Any) -> Binding:
        if isinstance(parameter, ast.QuantumArgument):
            atoms = self.qubit_atoms(argument)
            width = 1 if parameter.size is None else self.constant_int(parameter.size, "a size")
            if len(atoms) != width:
                refuse(
                    argument,
                    f"'{name}' takes {width} qubit(s) as '{parameter.name.name}', not {len(atoms)}",
                )
            return Qubits(tuple(atoms), single=parameter.size is None)
        kind_name = values.kind_name(parameter.type)
        if kind_name is None:
            refuse(parameter, _unsupported_type(parameter.type))
        size = self.type_width(parameter.type)
        if kind_name == "bit":
            reference = self.reference(argument)
            if isinstance(reference, Bits):
                if len(reference.atoms) != (size or 1):
                    refuse(
                        argument, f"'{name}' takes {size or 1} bit(s) as '{parameter.name.name}'"
                    )
                return reference
        return self.assigned(argument, Kind(kind_name, size), parameter.name.name)

    def on_ReturnStatement(self, node: ast.ReturnStatement) -> None:
        if not self.frames:
            refuse(node, "return belongs in a subroutine")
        frame = self.frames[-1]
        if self.runtime > frame.scope.runtime:
            refuse(node, "returning under a condition on measured bits; " + RUNTIME_CLASSICAL)
        expression = node.expression
        if expression is None:
            raise _Return(None)
        if isinstance(expression, ast.QuantumMeasurement):
            target = frame.target
            if target is None:
                width = len(self.qubit_atoms(expression.qubit))
                target = self.new_register(
                    node, self.fresh_name(frame.name), None if width == 1 else width
                )
            self.measure(node, expression, target)
            raise _Return(target)
        if isinstance(expression, ast.Identifier | ast.IndexExpression):
            base = _base_name(expression)
            found = None if base is None else self.scope.lookup(base)
            if found is not None and isinstance(found[0], Bits):
                raise _Return(self.bits_reference(expression))
        raise _Return(self.evaluate_or_refuse(expression))

    # -- references -------------------------------------------------------------------------

    def reference(self, node: Any) -> Qubits | Bits:
        """Qubits or bits that `node` names (an alias's value, a bit argument)."""
        base = _base_name(node)
        binding = self.lookup(node, base) if base is not None else None
        if isinstance(binding, Qubits) or (base and base.startswith("$")):
            return Qubits(tuple(self.qubit_atoms(node)))
        if isinstance(binding, Bits):
            return self.bits_reference(node)
        refuse(node, "expected qubits or bits")

    def qubit_atoms(self, node: Any) -> list[Atom]:
        if isinstance(node, ast.Identifier):
            if node.name.startswith("$"):
                return [(node.name, None)]
            binding = self.lookup(node, node.name)
            if not isinstance(binding, Qubits):
                refuse(node, f"'{node.name}' is not a qubit or qubit register")
            return list(binding.atoms)
        if isinstance(node, ast.Concatenation):
            return self.qubit_atoms(node.lhs) + self.qubit_atoms(node.rhs)
        if isinstance(node, ast.IndexExpression):
            return self.select(self.qubit_atoms(node.collection), node.index, node)
        if isinstance(node, ast.IndexedIdentifier):
            # the reference parser gives the name inside an IndexedIdentifier a wrong column:
            # errors about it point at the whole reference
            binding = self.lookup(node, node.name.name)
            if not isinstance(binding, Qubits):
                refuse(node, f"'{node.name.name}' is not a qubit or qubit register")
            atoms = list(binding.atoms)
            for index in node.indices:
                atoms = self.select(atoms, index, node)
            return atoms
        refuse(node, "expected a qubit or qubit register")

    def bits_reference(self, node: Any) -> Bits:
        if isinstance(node, ast.Identifier):
            binding = self.lookup(node, node.name)
            if not isinstance(binding, Bits):
                refuse(node, f"'{node.name}' is not a bit or bit register")
            return binding
        if isinstance(node, ast.Concatenation):
            lhs, rhs = self.bits_reference(node.lhs), self.bits_reference(node.rhs)
            return Bits(lhs.atoms + rhs.atoms)
        if isinstance(node, ast.IndexExpression):
            base = self.bits_reference(node.collection)
            atoms = self.select(list(base.atoms), node.index, node)
            return Bits(tuple(atoms), single=_is_single_index(node.index))
        if isinstance(node, ast.IndexedIdentifier):
            binding = self.lookup(node, node.name.name)  # not node.name: see qubit_atoms
            if not isinstance(binding, Bits):
                refuse(node, f"'{node.name.name}' is not a bit or bit register")
            atoms = list(binding.atoms)
            single = False
            for index in node.indices:
                atoms = self.select(atoms, index, node)
                single = _is_single_index(index)
            return Bits(tuple(atoms), single=single)
        refuse(node, "expected a bit or bit register")

    def select(self, atoms: list[Atom], index: Any, node: Any) -> list[Atom]:
        if isinstance(index, ast.DiscreteSet):
            return [self.pick(atoms, self.constant_int(v, "an index"), v) for v in index.values]
        if len(index) != 1:
            refuse(node, "registers have one dimension: index them as q[i]")
        (item,) = index
        if isinstance(item, ast.RangeDefinition):
            start = 0 if item.start is None else self.constant_int(item.start, "a slice's start")
            step = 1 if item.step is None else self.constant_int(item.step, "a slice's step")
            end = (
                (len(atoms) - 1 if step > 0 else 0)
                if item.end is None
                else self.constant_int(item.end, "a slice's end")
            )
            if step == 0:
                refuse(item, "a slice's step must not be 0")
            start, end = _wrapped(start, len(atoms)), _wrapped(end, len(atoms))
            picked = range(start, end + (1 if step > 0 else -1), step)
            return [self.pick(atoms, i, item) for i in picked]
        return [self.pick(atoms, self.constant_int(item, "an index"), item)]

    @staticmethod
    def pick(atoms: list[Atom], index: int, node: Any) -> Atom:
        if not -len(atoms) <= index < len(atoms):
            refuse(node, f"index {index} is out of range for a register of {len(atoms)}")
        return atoms[index]

    # -- expressions --------------------------------------------------------------------------

    def type_width(self, type_node: ast.ClassicalType) -> int | None:
        """The width a sized type declares (`int[8]` is 8); None where it declares none."""
        size = _size_expression(type_node)
        return None if size is None else self.constant_int(size, "a width")

    def constant_int(self, node: Any, what: str) -> int:
        value = self.static(node, what)
        number = values.numeric(value)
        if not isinstance(number, int):
            if isinstance(number, float) and number.is_integer():
                return int(number)
            refuse(node, f"{what} must be an integer, not {number!r}")
        return number

    def static(self, node: Any, what: str) -> Value:
        result = self.evaluate_or_refuse(node)
        if isinstance(result, Sym):
            refuse(
                node,
                f"{what} must be known before the circuit runs, not depend on an input parameter",
            )
        if isinstance(result, Runtime):
            refuse(
                node, f"{what} must be known before the circuit runs; it depends on measured bits"
            )
        return result

    def evaluate_or_refuse(self, node: Any) -> Result:
        try:
            return self.evaluate(node)
        except _DynamicRead as read:
            refuse(node, read.why)

    def parameter(self, node: Any) -> ast.Expression:
        """A gate argument: a literal when known, else an expression of input parameters."""
        result = self.evaluate_or_refuse(node)
        if isinstance(result, Runtime):
            refuse(node, "a gate's angle that depends on measured bits; " + RUNTIME_CLASSICAL)
        if isinstance(result, Sym):
            return result.expression
        try:
            return values.literal(values.numeric(result), _span(node))
        except Uncomputable as exc:
            refuse(node, str(exc))

    def condition(self, node: Any) -> bool | Runtime:
        result = self.evaluate_or_refuse(node)
        if isinstance(result, Sym):
            refuse(
                node,
                "a condition on an input parameter: parameters are bound when the circuit "
                "runs; use a const",
            )
        if isinstance(result, Runtime):
            return result
        return values.truthy(result)

    def evaluate(self, node: Any) -> Result:
        handler = getattr(self, "value_" + type(node).__name__, None)
        if handler is None:
            refuse(node, _unsupported(node))
        try:
            return handler(node)
        except Uncomputable as exc:
            refuse(node, str(exc))

    def value_IntegerLiteral(self, node: ast.IntegerLiteral) -> Result:
        return values.checked_int(node.value)

    def value_FloatLiteral(self, node: ast.FloatLiteral) -> Result:
        return node.value

    def value_BooleanLiteral(self, node: ast.BooleanLiteral) -> Result:
        return node.value

    def value_BitstringLiteral(self, node: ast.BitstringLiteral) -> Result:
        return StaticBits(node.value, node.width)

    def value_DurationLiteral(self, node: Any) -> Result:
        refuse(node, TIMING)

    def value_Identifier(self, node: ast.Identifier) -> Result:
        found = self.scope.lookup(node.name)
        if found is None:
            if node.name in values.CONSTANTS:
                return values.CONSTANTS[node.name]
            refuse(node, f"'{node.name}' is not declared")
        binding = found[0]
        if isinstance(binding, Static):
            return binding.value
        if isinstance(binding, Symbolic):
            return Sym(binding.expression)
        if isinstance(binding, Dynamic):
            raise _DynamicRead(binding.why)
        if isinstance(binding, Bits):
            return self.bits_value(binding, node)
        refuse(node, f"'{node.name}' is not a classical value")

    def bits_value(self, bits: Bits, node: Any) -> Result:
        known = bits_value(bits.atoms, self.registers)
        if known is not None:
            return known  # a single bit is StaticBits(v, 1)
        if any(self.registers[n].known[i or 0] == 1 for n, i in bits.atoms):
            refuse(
                node,
                "these bits mix measured bits with bits set to 1 before the run; a circuit's "
                "bits start at 0, so set them by measuring",
            )
        try:
            return Runtime(atoms_expression(bits.atoms, bits.single, self.sizes, _span(node)))
        except LookupError:
            refuse(node, "a condition on bits of several registers at once; compare each register")

    def value_IndexExpression(self, node: ast.IndexExpression) -> Result:
        base = _base_name(node)
        found = self.scope.lookup(base) if base else None
        if found is not None and isinstance(found[0], Bits):
            return self.bits_value(self.bits_reference(node), node)
        if found is not None and isinstance(found[0], Qubits):
            refuse(node, "qubits are not classical values")
        collection = self.evaluate(node.collection)
        return self.index_value(collection, node.index, node)

    def index_value(self, collection: Result, index: Any, node: Any) -> Result:
        if isinstance(collection, Sym | Runtime):
            refuse(node, "only known integers and bit registers can be indexed here")
        if (
            isinstance(index, ast.DiscreteSet)
            or len(index) != 1
            or isinstance(index[0], ast.RangeDefinition)
        ):
            refuse(node, "only single bits of an integer can be read (x[i])")
        position = self.constant_int(index[0], "an index")
        number = values.numeric(collection)
        if not isinstance(number, int):
            refuse(node, "only integers and bit registers can be indexed")
        width = collection.width if isinstance(collection, StaticBits) else None
        if width is not None and not -width <= position < width:
            refuse(node, f"index {position} is out of range for {width} bits")
        if width is not None and position < 0:
            position += width
        return StaticBits((number >> position) & 1, 1)

    def value_BinaryExpression(self, node: ast.BinaryExpression) -> Result:
        op = node.op.name
        lhs = self.evaluate(node.lhs)
        if op in ("&&", "||") and not isinstance(lhs, Sym | Runtime):
            # short-circuit: `known && x` needs x only when known is true
            if (op == "&&") != values.truthy(lhs):
                return op == "||"
            rhs = self.evaluate(node.rhs)
            if isinstance(rhs, Sym | Runtime):
                return rhs
            return values.truthy(rhs)
        rhs = self.evaluate(node.rhs)
        if isinstance(lhs, Runtime) or isinstance(rhs, Runtime):
            return Runtime(self.runtime_binary(node, lhs, rhs))
        if isinstance(lhs, Sym) or isinstance(rhs, Sym):
            if op not in ("+", "-", "*", "/"):
                refuse(node, f"'{op}' on an input parameter: parameters support + - * / only")
            return Sym(
                node_at(
                    ast.BinaryExpression,
                    node.span,
                    op=node.op,
                    lhs=self.as_expression(lhs, node.lhs),
                    rhs=self.as_expression(rhs, node.rhs),
                )
            )
        return values.binary(op, lhs, rhs)

    def runtime_binary(
        self, node: ast.BinaryExpression, lhs: Result, rhs: Result
    ) -> ast.Expression:
        op = node.op.name
        if isinstance(lhs, Sym) or isinstance(rhs, Sym):
            refuse(node, "a condition mixing measured bits and input parameters")
        if op not in ("==", "!=", "<", "<=", ">", ">=", "&&", "||"):
            refuse(node, f"'{op}' on measured bits; " + RUNTIME_CLASSICAL)
        if op in ("&&", "||"):
            lhs = lhs if isinstance(lhs, Runtime) else values.truthy(lhs)
            rhs = rhs if isinstance(rhs, Runtime) else values.truthy(rhs)
        elif isinstance(lhs, Runtime) and isinstance(rhs, Runtime):
            refuse(node, "comparing measured bits with measured bits; compare them with constants")
        return node_at(
            ast.BinaryExpression,
            node.span,
            op=node.op,
            lhs=self.as_expression(lhs, node.lhs),
            rhs=self.as_expression(rhs, node.rhs),
        )

    def as_expression(self, result: Result, node: Any) -> ast.Expression:
        if isinstance(result, Sym | Runtime):
            return result.expression
        try:
            return values.literal(result, _span(node))
        except Uncomputable as exc:
            refuse(node, str(exc))

    def value_UnaryExpression(self, node: ast.UnaryExpression) -> Result:
        operand = self.evaluate(node.expression)
        op = node.op.name
        if isinstance(operand, Runtime):
            if op not in ("!", "~"):
                refuse(node, f"'{op}' on measured bits; " + RUNTIME_CLASSICAL)
            return Runtime(
                node_at(
                    ast.UnaryExpression,
                    node.span,
                    op=ast.UnaryOperator["!"],
                    expression=operand.expression,
                )
            )
        if isinstance(operand, Sym):
            if op != "-":
                refuse(node, f"'{op}' on an input parameter")
            return Sym(
                node_at(ast.UnaryExpression, node.span, op=node.op, expression=operand.expression)
            )
        return values.unary(op, operand)

    def value_Cast(self, node: ast.Cast) -> Result:
        operand = self.evaluate(node.argument)
        kind_name = values.kind_name(node.type)
        if kind_name is None:
            refuse(node, _unsupported_type(node.type))
        if isinstance(operand, Runtime):
            # comparing a register cast to an integer compares the register itself
            if kind_name in ("int", "uint", "bool", "bit"):
                return operand
            refuse(node, f"a cast of measured bits to {kind_name}; " + RUNTIME_CLASSICAL)
        if isinstance(operand, Sym):
            if kind_name in ("float", "angle"):
                return operand
            refuse(
                node,
                f"a cast of an input parameter to {kind_name}: its value is only known per run",
            )
        return values.coerce(operand, Kind(kind_name, self.type_width(node.type)))

    def value_FunctionCall(self, node: ast.FunctionCall) -> Result:
        name = node.name.name
        found = self.scope.lookup(name)
        if found is not None and isinstance(found[0], Subroutine):
            result = self.inline(found[0], node, list(node.arguments), None, None)
            if result is None:
                refuse(node, f"subroutine '{name}' returns nothing")
            if isinstance(result, Bits):
                return self.bits_value(result, node)
            return result
        if found is not None and isinstance(found[0], Extern):
            refuse(
                node,
                f"extern function '{name}' runs on the device's controller while the circuit "
                "runs; qdispatch can only compute classical code before the run",
            )
        if name == "sizeof":
            refuse(node, "sizeof applies to arrays, which qdispatch does not read")
        if name not in values.FUNCTIONS:
            refuse(node, f"'{name}' is not a function qdispatch knows")
        arity, function = values.FUNCTIONS[name]
        if len(node.arguments) != arity:
            refuse(node, f"{name} takes {arity} argument(s)")
        arguments = [self.evaluate(a) for a in node.arguments]
        if any(isinstance(a, Sym | Runtime) for a in arguments):
            refuse(
                node,
                f"{name}() of an input parameter or measured bits: it must be computable "
                "before the run",
            )
        return function(*arguments)

    def value_QuantumMeasurement(self, node: Any) -> Result:
        refuse(
            node, "a measurement inside an expression; store it in a bit first (`c = measure q;`)"
        )

    def value_DurationOf(self, node: Any) -> Result:
        refuse(node, TIMING)

    def value_SizeOf(self, node: Any) -> Result:
        refuse(node, "sizeof applies to arrays, which qdispatch does not read")

    def value_Concatenation(self, node: ast.Concatenation) -> Result:
        return self.bits_value(self.bits_reference(node), node)

    def value_IndexedIdentifier(self, node: ast.IndexedIdentifier) -> Result:
        found = self.scope.lookup(node.name.name)
        if found is not None and isinstance(found[0], Bits):
            return self.bits_value(self.bits_reference(node), node)
        result = self.evaluate(node.name)
        for index in node.indices:
            result = self.index_value(result, index, node)
        return result

    # -- the end --------------------------------------------------------------------------

    def _compile_time_registers(self) -> frozenset[str]:
        """Registers the program sets to known values and no measurement writes (`bit[4] s =
        "1011";` read by `if (s[i])`) hold data the lowering has used up: they are not results.
        A register that mixes measured bits with bits set to 1 cannot be a circuit's (whose
        bits start at 0)."""
        data = set()
        for register in self.registers.values():
            if register.assigned and None not in register.known:
                data.add(register.name)
            elif any(bit == 1 for bit in register.known):
                span = register.declared_at
                raise LoweringError(
                    None,
                    f"'{register.name}' is set to a nonzero value and no measurement overwrites "
                    "it; a circuit's bits start at 0 and only measurements write them",
                    None if span is None else (span.start_line, span.start_column),
                )
        return frozenset(data)


class _DynamicRead(Exception):
    """A read of a variable whose value is only known while the circuit runs."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        # A value computed from another run-time value carries that one's reason, already
        # ending in this phrase: said once.
        self.why = why if why.endswith(_NOT_BEFORE_THE_RUN) else why + _NOT_BEFORE_THE_RUN


_NOT_BEFORE_THE_RUN = "; it cannot be used where a value must be known before the run"


STANDARD_INCLUDE = "stdgates.inc"
STANDARD_GATE_PARAMETERS = {
    **dict.fromkeys(("p", "phase", "u1", "rx", "ry", "rz", "cp", "cphase", "crx", "cry"), 1),
    **dict.fromkeys(("crz",), 1),
    "u2": 2,
    "u3": 3,
    "cu": 4,
    **dict.fromkeys(("x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "id", "cx", "cy"), 0),
    **dict.fromkeys(("cz", "ch", "swap", "ccx", "cswap", "CX"), 0),
}
STANDARD_GATES = frozenset(
    {
        *("p", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "id"),
        *("cx", "cy", "cz", "cp", "crx", "cry", "crz", "ch", "swap", "ccx", "cswap", "cu"),
        *("phase", "cphase", "u1", "u2", "u3"),
    }
)


INVERSE = ast.GateModifierName.inv

# Amazon Braket's names for standard gates (its simulators and examples use them without an
# include), each the same matrix as the stdgates.inc gate it maps to.
BRAKET_NAMES = {
    "cnot": "cx",
    "ccnot": "ccx",
    "i": "id",
    "v": "sx",
    "vi": "inv @ sx",  # stdgates.inc has no sxdg
    "si": "sdg",
    "ti": "tdg",
    "phaseshift": "p",
    "cphaseshift": "cp",
}


@dataclass(frozen=True)
class ImplicitGates:
    """How a program with no include reads: as if it included stdgates.inc, and with
    Braket's names for standard gates renamed."""

    include: bool
    renamed: dict[str, str]


def implicit_gates(program: ast.Program) -> ImplicitGates:
    """A program with no include that calls standard gates it does not define (Amazon
    Braket's examples are written so: its simulators know them) reads as if it included
    "stdgates.inc", with Braket's own names (`cnot`, `v`, `i`, …) read as the standard gates
    they are; one that defines any standard name itself is left as it is, and a name it
    defines (as a gate or a subroutine) is never renamed."""
    statements = program.statements
    none = ImplicitGates(False, {})
    if any(isinstance(s, ast.Include) for s in statements):
        return none
    defined = {
        s.name.name
        for s in statements
        if isinstance(s, ast.QuantumGateDefinition | ast.SubroutineDefinition)
    }
    if defined & STANDARD_GATES:
        return none
    called = {n.name.name for n in _walk(statements) if isinstance(n, ast.QuantumGate)}
    renamed = {name: BRAKET_NAMES[name] for name in called & BRAKET_NAMES.keys() - defined}
    if not (called & STANDARD_GATES or renamed):
        return none
    return ImplicitGates(True, renamed)


def _returned_local(definition: ast.SubroutineDefinition) -> str | None:
    """The local bit variable a subroutine returns at its end, if that is how it returns."""
    body = definition.body
    if not body or not isinstance(body[-1], ast.ReturnStatement):
        return None
    returned = body[-1].expression
    if not isinstance(returned, ast.Identifier):
        return None
    declared = any(
        isinstance(s, ast.ClassicalDeclaration)
        and isinstance(s.type, ast.BitType)
        and s.identifier.name == returned.name
        for s in body
    )
    return returned.name if declared else None


def _base_name(node: Any) -> str | None:
    while True:
        if isinstance(node, ast.Identifier):
            return node.name
        if isinstance(node, ast.IndexExpression):
            node = node.collection
        elif isinstance(node, ast.IndexedIdentifier):
            node = node.name
        elif isinstance(node, ast.Concatenation):
            node = node.lhs
        else:
            return None


def _is_single_index(index: Any) -> bool:
    return (
        not isinstance(index, ast.DiscreteSet)
        and len(index) == 1
        and not isinstance(index[0], ast.RangeDefinition)
    )


def _wrapped(index: int, size: int) -> int:
    return index + size if index < 0 else index


def _walk(statements: list[Any]) -> Iterator[Any]:
    stack = list(statements)
    while stack:
        node = stack.pop()
        yield node
        for f in fields(node):
            value = getattr(node, f.name)
            if isinstance(value, list):
                stack.extend(v for v in value if is_dataclass(v))
            elif is_dataclass(value) and not isinstance(value, type):
                stack.append(value)


def _unsupported_type(node: Any) -> str:
    name = type(node).__name__.removesuffix("Type").lower()
    if name in ("duration", "stretch"):
        return TIMING
    if name in ("array", "arrayreference"):
        return "arrays are not supported; use bit registers or separate constants"
    return (
        f"the type {name} is not supported; qdispatch reads int, uint, float, angle, bool and bit"
    )


def _unsupported(node: Any) -> str:
    name = type(node).__name__
    if name.startswith("Calibration") or name in ("CalibrationGrammarDeclaration",):
        return PULSE_LEVEL
    if name in ("DurationOf", "StretchType", "DurationType"):
        return TIMING
    return f"{name} is not supported"


def lower(
    program: ast.Program, sink: Callable[[ast.Statement], None], limits: CircuitLimits | None
) -> frozenset[str]:
    """Lower `program`, handing each top-level statement to `sink` in order; returns the
    names of the bit registers that are compile-time data, not results."""
    return Lowerer(program, sink, limits).lower(program)

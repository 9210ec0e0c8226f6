"""Storing circuits: parse, compute analytics, deduplicate by content hash per experiment."""

from __future__ import annotations

from dataclasses import dataclass

from qdispatch_core.domain import Circuit, ParsedCircuit, User
from qdispatch_core.errors import BadRequest, Conflict
from qdispatch_core.ids import new_id
from qdispatch_core.lru import LruCache
from qdispatch_core.ports import UnitOfWork
from qdispatch_core.rules.circuits import canonical_source, content_hash, likely_version
from qdispatch_core.rules.limits import CircuitLimits, check_limit
from qdispatch_core.rules.qasm_scan import check_source
from qdispatch_core.rules.text import check_text, is_count, storable
from qdispatch_core.usecases.services import Services


@dataclass(frozen=True, slots=True)
class ParsedSource:
    qasm: str
    parsed: ParsedCircuit
    content_hash: str


# Sources accepted lately, by (toolkit, limits, text): a researcher's loop submits the same
# circuit again and again, and its checks, canonical form and hash depend on nothing else. A
# refused source raises, so nothing is kept for it.
_ACCEPTED: LruCache[ParsedSource] = LruCache(maxsize=128)


def parse_source(services: Services, qasm: object, where: str) -> ParsedSource:
    """Parse one QASM source; a failure is a 400 naming `where` and the parser's position.

    The source is put in canonical form first (`canonical_source`), and that one text is
    what is scanned, parsed, hashed and stored: a circuit's identity is always the text that
    was parsed (docs/decisions.md, "Hash what you parse"). A source accepted lately with the
    same limits and toolkit is not checked again (a refused one always is).
    """
    if not isinstance(qasm, str) or not qasm.strip():
        raise BadRequest(f"{where}: expected OpenQASM 2.0 or 3.0 source text", field=where)
    key = (services.circuits, services.limits.circuit, qasm)
    return _ACCEPTED.get_or_create(key, lambda: _parse_source(services, qasm, where))


def _parse_source(services: Services, qasm: str, where: str) -> ParsedSource:
    limits = services.limits.circuit
    _check_size(qasm, limits, where)
    if not storable(qasm):
        raise BadRequest(f"{where}: contains a NUL character or invalid Unicode", field=where)
    text = canonical_source(qasm)
    version = likely_version(text)
    try:
        if version in (2, 3):  # other versions: the toolkit says which it reads
            check_source(text, version, limits)
        parsed = services.circuits.inspect(text, limits)
    except BadRequest as exc:
        raise BadRequest(f"{where}: {exc.message}", field=where) from None
    return ParsedSource(text, parsed, content_hash(text))


def _check_size(qasm: str, limits: CircuitLimits, where: str) -> None:
    version = 2 if likely_version(qasm) == 2 else 3
    limit, name = (
        (limits.qasm2_bytes, "qasm2_bytes") if version == 2 else (limits.qasm3_bytes, "qasm3_bytes")
    )
    # Characters never outnumber UTF-8 bytes: only a text within the limit is worth encoding.
    size = len(qasm) if len(qasm) > limit else len(qasm.encode("utf-8", "surrogatepass"))
    check_limit(where, f"OpenQASM {version} source bytes", size, limit, name)


def store_circuit(
    uow: UnitOfWork,
    services: Services,
    user: User,
    experiment_id: str,
    source: ParsedSource,
    name: str = "",
    description: str = "",
) -> Circuit:
    """The experiment's circuit with this content, added inside `uow` if it is new."""
    existing = uow.circuits.by_hash(user.id, experiment_id, source.content_hash)
    if existing is not None:
        return existing
    circuit = Circuit(
        id=new_id("cir"),
        owner_id=user.id,
        experiment_id=experiment_id,
        name=name,
        description=description,
        qasm=source.qasm,
        qasm_version=source.parsed.qasm_version,
        content_hash=source.content_hash,
        analytics=source.parsed.analytics,
        created_at=services.clock(),
    )
    uow.circuits.add(circuit)
    return circuit


def submit_circuit(
    services: Services,
    user: User,
    experiment_id: str,
    qasm: str,
    name: str = "",
    description: str = "",
) -> Circuit:
    """Store a QASM circuit in an experiment (the same source twice is one circuit)."""
    limits = services.limits
    name = check_text(name, "name", max_length=limits.name_max)
    description = check_text(
        description, "description", max_length=limits.description_max, multiline=True
    )
    with services.repository.read() as uow:
        uow.experiments.get(user.id, experiment_id)  # 404 before parsing: cheaper, clearer
    source = parse_source(services, qasm, "circuit_qasm")
    for _ in range(2):  # a concurrent insert of the same content makes the first try conflict
        try:
            with services.repository.begin() as uow:
                circuit = store_circuit(
                    uow, services, user, experiment_id, source, name, description
                )
                uow.commit()
                return circuit
        except Conflict:
            continue
    raise Conflict("circuit_qasm: could not store the circuit; try again")


def get_circuit(services: Services, user: User, circuit_id: str) -> Circuit:
    with services.repository.read() as uow:
        return uow.circuits.get(user.id, circuit_id)


def list_circuits(
    services: Services, user: User, experiment_id: str | None, limit: int = 50
) -> list[Circuit]:
    """An experiment's circuits, newest first; every experiment's when `experiment_id` is
    None."""
    if not is_count(limit) or not 1 <= limit <= services.limits.list_max:
        raise BadRequest(f"limit: expected 1..{services.limits.list_max}", field="limit")
    with services.repository.read() as uow:
        if experiment_id is not None:
            uow.experiments.get(user.id, experiment_id)
        return uow.circuits.list(user.id, experiment_id, limit)

"""Rules about circuit sources that need no parser."""

from __future__ import annotations

import hashlib
import re

_VERSION = re.compile(r"^\s*OPENQASM\s+(\d+)(?:\.\d+)?\s*;", re.MULTILINE)


def canonical_source(qasm: str) -> str:
    """Line endings and trailing whitespace do not make a different circuit."""
    lines = qasm.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip() + "\n"


def content_hash(qasm: str) -> str:
    return hashlib.sha256(canonical_source(qasm).encode()).hexdigest()


def qasm_version(qasm: str) -> int | None:
    """The major version from the `OPENQASM x.y;` header, or None when there is none."""
    # Strip comments first so a commented-out header does not count.
    text = re.sub(r"//[^\n]*|/\*.*?\*/", "", qasm, flags=re.DOTALL)
    match = _VERSION.search(text)
    return int(match.group(1)) if match else None


def statevector_bytes(qubits: int) -> int:
    """Memory of a double-precision complex state vector: 16·2^n bytes."""
    return 16 * (1 << qubits)

"""Rules about circuit sources that need no parser."""

from __future__ import annotations

import re

# Defined with the memory limits, which a device listing reads without this module's patterns
from qdispatch_core.rules.limits import statevector_bytes as statevector_bytes

_VERSION = re.compile(r"^\s*OPENQASM\s+(\d+)(?:\.\d+)?\s*;", re.MULTILINE)


def canonical_source(qasm: str) -> str:
    """Line endings and trailing whitespace do not make a different circuit."""
    lines = qasm.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip() + "\n"


def content_hash(qasm: str) -> str:
    # hashlib loads OpenSSL: imported here, since `qdispatch devices` imports this module (for
    # `statevector_bytes`) and hashes nothing (its start-up, issue 17)
    import hashlib

    return hashlib.sha256(canonical_source(qasm).encode()).hexdigest()


def qasm_version(qasm: str) -> int | None:
    """The major version from the `OPENQASM x.y;` header, or None when there is none."""
    # Strip comments first so a commented-out header does not count.
    text = re.sub(r"//[^\n]*|/\*.*?\*/", "", qasm, flags=re.DOTALL)
    match = _VERSION.search(text)
    return int(match.group(1)) if match else None


# Without a version line, these decide how a source is read (docs/decisions.md, issue 20).
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_QELIB1 = re.compile(r"\binclude\s*\"qelib1\.inc\"")
_STDGATES = re.compile(r"\binclude\s*\"stdgates\.inc\"")
_QASM2_WORDS = re.compile(r"\b(qreg|creg|opaque|CX)\b")
_QASM3_WORDS = re.compile(
    r"\b(qubit|bit|int|uint|float|angle|bool|complex|const|def|for|while|input|output|let|box|"
    r"switch|extern|array|duration|stretch|ctrl|negctrl|inv|pow|gphase|measure\s*\w+\s*;)\b"
    r"|@|(?<![=!<>])=(?!=)"
)


def version_candidates(qasm: str) -> tuple[int, ...]:
    """The OpenQASM versions to read a source as, in order.

    A version line decides. Without one: a source that includes "qelib1.inc" is OpenQASM 2 and
    one that includes "stdgates.inc" is OpenQASM 3; a source that uses only OpenQASM 2's
    statements (qreg, creg, opaque, CX; none of OpenQASM 3's declarations, assignments or
    modifiers) is tried as OpenQASM 2 first, then 3 (which also has qreg and creg); any other
    is tried as OpenQASM 3 first (its specification makes the version line optional), then 2.
    """
    version = qasm_version(qasm)
    if version is not None:
        return (version,)
    text = _COMMENTS.sub(" ", qasm)
    if _QELIB1.search(text):
        return (2,)
    if _STDGATES.search(text):
        return (3,)
    qasm2, qasm3 = bool(_QASM2_WORDS.search(text)), bool(_QASM3_WORDS.search(text))
    if qasm3 and not qasm2:
        return (3,)
    if qasm2 and not qasm3:
        return (2, 3)
    return (3, 2)


def likely_version(qasm: str) -> int:
    """The version a source is read as first (see `version_candidates`)."""
    return version_candidates(qasm)[0]

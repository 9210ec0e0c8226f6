"""Facts about devices, kept in a JSON file committed inside a provider's package.

Listing devices must not import a vendor SDK (seconds of import time), so each provider writes
what it needs to know from the installed SDK once (`python -m qdispatch_<name>.<module>`),
commits the file next to its code, and reads it back here; a test regenerates the facts and
compares, so an SDK upgrade that changes them is caught. Nothing here imports Qiskit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


def _indented(data: Any) -> str:
    return json.dumps(data, indent=2) + "\n"


@cache
def load(package: str, name: str) -> dict[str, Any]:
    """The file `name` of `package`, parsed once per process (callers must not change it)."""
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


def write(data: Any, path: Path, dumps: Callable[[Any], str] = _indented) -> Path:
    """Write freshly generated facts to `path` (indented JSON unless `dumps` says otherwise)."""
    path.write_text(dumps(data), encoding="utf-8")
    return path

"""Facts about devices, kept in a JSON file committed inside a provider's package.

Listing devices must not import a vendor SDK (seconds of import time), so each provider writes
what it needs to know from the installed SDK once (`python -m qdispatch_<name>.<module>`),
commits the file next to its code, and reads it back here; a test regenerates the facts and
compares, so an SDK upgrade that changes them is caught. Nothing here imports Qiskit.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any


def _indented(data: Any) -> str:
    return json.dumps(data, indent=2) + "\n"


@cache
def load(package: str, name: str) -> dict[str, Any]:
    """The file `name` of `package`, parsed once per process (callers must not change it)."""
    return json.loads(_text(package, name))


def _text(package: str, name: str) -> str:
    """Read from the package's directory when it is one on disk, which is what
    importlib.resources would read too; importing importlib.resources (and its readers) costs
    `qdispatch devices` about a twentieth of its start-up (issue 17). A package that is not
    plain files (a zipped install) goes through importlib.resources."""
    origin = getattr(importlib.import_module(package), "__file__", None)
    path = Path(origin).parent / name if origin else None
    if path is not None and path.is_file():
        return path.read_text(encoding="utf-8")
    from importlib import resources

    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def write(data: Any, path: Path, dumps: Callable[[Any], str] = _indented) -> Path:
    """Write freshly generated facts to `path` (indented JSON unless `dumps` says otherwise)."""
    path.write_text(dumps(data), encoding="utf-8")
    return path

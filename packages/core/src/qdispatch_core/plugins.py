"""The installed entry points of some groups, read without importing `importlib.metadata`.

`importlib.metadata` imports the `email` package, `zipfile`, `csv` and `socket` (it parses
METADATA files) and builds a path object per installed distribution: together about a tenth of
what `qdispatch devices` may spend starting (issue 17), for a list of four names. The entry
points live in plain files (`<name>-<version>.dist-info/entry_points.txt` in each directory of
`sys.path`), so the usual case is read here directly, by the rules `importlib.metadata` follows
(Python 3.11–3.13): directories in `sys.path` order, distributions of one normalized name
grouped in the order their first directory was listed, the first distribution of a name found
wins, `[group]` sections of `name = value` lines. Anything else (a zip file or an `.egg` on
`sys.path`, an import hook that finds distributions, a metadata directory whose name does not
tell its distribution) is handed to `importlib.metadata` itself, so the answer is always the
one it would give.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator

EntryPoint = tuple[str, str]  # (name, value: "module:attribute")
_METADATA_DIRS = (".dist-info", ".egg-info")


class _Unusual(Exception):
    """Something only `importlib.metadata` knows how to read."""


def entry_points(*groups: str) -> dict[str, list[EntryPoint]]:
    """Each group's entry points as (name, value) pairs, in `importlib.metadata`'s order."""
    try:
        return _scan(groups, sys.path)
    except _Unusual:
        return _from_importlib(groups)


def _from_importlib(groups: Iterable[str]) -> dict[str, list[EntryPoint]]:
    from importlib.metadata import entry_points as installed

    found = installed()  # one scan of the installed packages serves every group
    return {group: [(ep.name, ep.value) for ep in found.select(group=group)] for group in groups}


def _scan(groups: tuple[str, ...], path: Iterable[str]) -> dict[str, list[EntryPoint]]:
    _check_finders()
    found: dict[str, list[EntryPoint]] = {group: [] for group in groups}
    seen: set[str] = set()
    for directory in path:
        for name, metadata_dir in _distributions(directory):
            if name in seen:  # an earlier directory's copy of this distribution wins
                continue
            seen.add(name)
            for group, entry in _read(os.path.join(metadata_dir, "entry_points.txt")):
                if group in found:
                    found[group].append(entry)
    return found


def _check_finders() -> None:
    """Only the standard path finder may know where distributions are."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and getattr(finder, "find_distributions", None):
            raise _Unusual


def _distributions(directory: str) -> Iterator[tuple[str, str]]:
    """(normalized name, metadata directory) for each distribution in one `sys.path` entry,
    grouped by name in the order each name first appears in the listing."""
    if not isinstance(directory, str) or directory.lower().endswith(".egg"):
        raise _Unusual
    try:
        children = os.listdir(directory or ".")
    except FileNotFoundError:
        return
    except OSError:  # a file (a zip importable by zipimport), or unreadable: not ours to judge
        raise _Unusual from None
    by_name: dict[str, list[str]] = {}
    for child in children:
        stem, dot, extension = child.rpartition(".")
        if not dot or "." + extension.lower() not in _METADATA_DIRS:
            continue
        name = _normalize(stem.partition("-")[0])
        if "." + extension not in _METADATA_DIRS or not name:
            raise _Unusual  # importlib.metadata would read the name from METADATA
        by_name.setdefault(name, []).append(child)
    for name, found in by_name.items():
        for child in found:
            yield name, os.path.join(directory, child)


def _normalize(name: str) -> str:
    """PEP 503 normalization, dashes as underscores (importlib.metadata's `Prepared`)."""
    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def _read(path: str) -> Iterator[tuple[str, EntryPoint]]:
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return
    group = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line.strip("[]")
        elif group is not None:
            name, equals, value = line.partition("=")
            if not equals:
                raise _Unusual  # importlib.metadata fails on it: let it say how
            yield group, (name.strip(), value.strip())

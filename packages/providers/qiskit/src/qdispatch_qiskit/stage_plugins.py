"""Transpiler stage plugins imported when asked for by name, not all at once.

Qiskit's preset pass managers build a `PassManagerStagePluginManager`, whose stevedore managers
import and instantiate every installed plugin of every stage. qiskit-ibm-runtime registers
translation plugins, so with it installed every `generate_preset_pass_manager` call imports the
whole IBM runtime (over a second) even for an Aer job that never uses them. `install()` puts a
manager in the preset modules' place that lists the same entry points but imports a plugin
only when a pass manager asks for it by name; what it builds is unchanged.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points
from typing import Any

STAGES = {
    "init_plugins": "qiskit.transpiler.init",
    "layout_plugins": "qiskit.transpiler.layout",
    "routing_plugins": "qiskit.transpiler.routing",
    "translation_plugins": "qiskit.transpiler.translation",
    "optimization_plugins": "qiskit.transpiler.optimization",
    "scheduling_plugins": "qiskit.transpiler.scheduling",
}
# The modules that construct a PassManagerStagePluginManager by that global name.
PRESET_MODULES = (
    "qiskit.transpiler.preset_passmanagers.plugin",
    "qiskit.transpiler.preset_passmanagers.level0",
    "qiskit.transpiler.preset_passmanagers.level1",
    "qiskit.transpiler.preset_passmanagers.level2",
    "qiskit.transpiler.preset_passmanagers.level3",
    "qiskit.transpiler.preset_passmanagers.builtin_plugins",
    "qiskit.transpiler.preset_passmanagers.clifford_t",
)

_lock = threading.Lock()
_groups: dict[str, dict[str, EntryPoint]] | None = None
_loaded: dict[tuple[str, str], Extension] = {}
_installed = False


@dataclass(frozen=True)
class Extension:
    """What the preset pass managers read of a stevedore extension: its name and `obj`."""

    name: str
    entry_point: EntryPoint
    plugin: Any
    obj: Any


def _entry_points(group: str) -> dict[str, EntryPoint]:
    global _groups
    if _groups is None:  # one scan of the installed distributions serves every stage
        found = entry_points()
        _groups = {g: {ep.name: ep for ep in found.select(group=g)} for g in STAGES.values()}
    return _groups[group]


class LazyStage:
    """One stage's plugins: names from the entry points, each imported on first use."""

    def __init__(self, group: str) -> None:
        self.namespace = group

    def names(self) -> list[str]:
        return list(_entry_points(self.namespace))

    def __contains__(self, name: object) -> bool:
        return name in _entry_points(self.namespace)

    def __iter__(self):  # as stevedore's managers do: every extension (imports them all)
        return iter([self[name] for name in self.names()])

    def __getitem__(self, name: str) -> Extension:
        key = (self.namespace, name)
        with _lock:
            if key not in _loaded:
                entry_point = _entry_points(self.namespace)[name]
                plugin = entry_point.load()
                _loaded[key] = Extension(name, entry_point, plugin, plugin())
            return _loaded[key]


def install() -> None:
    """Make the preset pass managers load stage plugins lazily (idempotent). If this Qiskit
    lays its modules out differently, nothing is changed and plugins load as before."""
    global _installed
    if _installed:
        return
    with _lock:
        if _installed:
            return
        try:
            modules = [import_module(name) for name in PRESET_MODULES]
            original = modules[0].PassManagerStagePluginManager
        except (ImportError, AttributeError):
            _installed = True
            return

        class LazyStagePluginManager(original):  # type: ignore[misc,valid-type]
            def __init__(self) -> None:  # no super(): that is what imports every plugin
                for attribute, group in STAGES.items():
                    setattr(self, attribute, LazyStage(group))

        for module in modules:
            if getattr(module, "PassManagerStagePluginManager", None) is original:
                setattr(module, "PassManagerStagePluginManager", LazyStagePluginManager)  # noqa: B010
        _installed = True

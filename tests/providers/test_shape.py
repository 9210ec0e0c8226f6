"""Every provider has one shape (docs/architecture.md, "Provider skeleton"): the same module
for the same role, and no module whose role the table does not name.

Providers are found through their `qdispatch.backends` entry points, so a new provider is
checked without touching this file. Modules are listed from the package's directory
(`importlib.util.find_spec` + `pkgutil.iter_modules`), which imports nothing: no vendor SDK,
not even the provider itself.
"""

from __future__ import annotations

import importlib.util
import pkgutil
from collections.abc import Iterable
from importlib.metadata import entry_points

import pytest

# The roles every provider has.
REQUIRED = {
    "__init__",  # the package: lazy `Backend` export, nothing imported at import time
    "backend",  # the Backend class: routes each call once (to local.py or cloud.py)
    "devices",  # device tables and `catalog(...)`, the listing entry point (no SDK import)
    "catalog",  # the committed facts file (devices.json) and the code that regenerates it
    "programs",  # circuits into the vendor's program, compiled once and cached
    "batches",  # a plan's executables grouped into vendor calls (jobs, tasks, PUBs)
    "checks",  # what `validate` refuses before anything runs
    "session",  # the vendor client (credentials, connections, shared simulator instances)
    "settings",  # a job's runtime options, resolved
    "provenance",  # what ran (issue 23)
    "sdk",  # lazy vendor-SDK imports with the install hint
}
# Roles a provider has only where it does that work.
OPTIONAL = {
    "local",  # jobs run here, shard by shard (simulators)
    "cloud",  # jobs run at the vendor, followed by id
    "status",  # the vendor's job states onto qdispatch's
    "pricing",  # prices and cost estimates
    "outputs",  # vendor results into the contract's outputs
    "mitigation",  # what `use_mitigation` does on each device
    "calibration",  # readout calibrations qdispatch measures itself
    "errors",  # vendor failures into ProviderErrors a user can act on
}
EXPECTED_PROVIDERS = {"qdispatch_aer", "qdispatch_braket", "qdispatch_ibm", "qdispatch_ionq"}


def providers() -> dict[str, str]:
    """Each provider package, with its catalog entry point's module (`pkg.devices`)."""
    backends = {ep.value.split(".")[0] for ep in entry_points(group="qdispatch.backends")}
    catalogs = {
        ep.value.split(".")[0]: ep.value.split(":")[0]
        for ep in entry_points(group="qdispatch.catalogs")
    }
    return {package: catalogs.get(package, "") for package in sorted(backends)}


def modules_of(package: str) -> list[tuple[str, bool]]:
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.submodule_search_locations, package
    found = [(m.name, m.ispkg) for m in pkgutil.iter_modules(spec.submodule_search_locations)]
    return [("__init__", False), *found]


def shape_problems(modules: Iterable[tuple[str, bool]]) -> list[str]:
    """What keeps a list of (module, is_package) from the skeleton; empty when it fits."""
    names = {name for name, _ in modules}
    problems = [f"no {role}.py" for role in sorted(REQUIRED - names)]
    problems += [f"{n}.py has no role in the table" for n in sorted(names - REQUIRED - OPTIONAL)]
    problems += [f"{name}/ is a subpackage" for name, is_package in modules if is_package]
    if not names & {"local", "cloud"}:
        problems.append("neither local.py nor cloud.py: where do jobs run?")
    return problems


def test_every_expected_provider_is_installed_and_checked():
    assert set(providers()) == EXPECTED_PROVIDERS


@pytest.mark.parametrize("package", sorted(EXPECTED_PROVIDERS))
def test_provider_has_the_skeleton_modules_and_no_others(package):
    assert shape_problems(modules_of(package)) == []


@pytest.mark.parametrize("package", sorted(EXPECTED_PROVIDERS))
def test_devices_module_is_the_listing_entry_point(package):
    assert providers()[package] == f"{package}.devices"


def test_a_missing_role_or_an_unknown_module_is_reported():
    fits = [(name, False) for name in sorted(REQUIRED)] + [("cloud", False)]
    assert shape_problems(fits) == []
    misnamed = [m for m in fits if m[0] != "checks"] + [("statuses", False)]
    assert shape_problems(misnamed) == [
        "no checks.py",
        "statuses.py has no role in the table",
    ]
    assert shape_problems([*fits, ("engine", True)]) == [
        "engine.py has no role in the table",
        "engine/ is a subpackage",
    ]
    nowhere = [m for m in fits if m[0] != "cloud"]
    assert shape_problems(nowhere) == ["neither local.py nor cloud.py: where do jobs run?"]

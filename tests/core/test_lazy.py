"""Packages whose names load their module on first use (`qdispatch_core.lazy`)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_a_name_loads_its_module_alone_and_an_unknown_name_is_an_attribute_error():
    code = (
        "import sys\n"
        "from qdispatch_core.ports import JobSpec\n"
        "import qdispatch_core.ports as ports\n"
        "assert JobSpec.__module__ == 'qdispatch_core.ports.backend'\n"
        "assert 'qdispatch_core.ports.repository' not in sys.modules\n"
        "assert 'Repository' in dir(ports)\n"
        "from qdispatch_core.usecases import list_devices\n"
        "assert 'qdispatch_core.usecases.runs' not in sys.modules\n"
        "try:\n"
        "    ports.Nothing\n"
        "except AttributeError as e:\n"
        "    assert 'Nothing' in str(e)\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_core_and_its_domain_load_the_one_model_asked_for():
    """`qdispatch devices` needs `Device` alone (issue 17): the root package and the domain
    package import no other model, and every name still resolves to its defining module."""
    code = (
        "import sys\n"
        "from qdispatch_core.domain import Device\n"
        "loaded = {m for m in sys.modules if m.startswith('qdispatch_core.')}\n"
        "assert loaded <= {'qdispatch_core.lazy', 'qdispatch_core.domain',\n"
        "    'qdispatch_core.domain.devices', 'qdispatch_core.domain.enums'}, loaded\n"
        "import qdispatch_core\n"
        "from qdispatch_core import Job, NotFound\n"
        "assert Job.__module__ == 'qdispatch_core.domain.jobs'\n"
        "assert NotFound.__module__ == 'qdispatch_core.errors'\n"
        "assert 'qdispatch_core.schemas' not in sys.modules\n"
        "assert 'RunRequest' in dir(qdispatch_core)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "package",
    ["qdispatch_core", "qdispatch_core.domain", "qdispatch_core.ports", "qdispatch_core.usecases"],
)
def test_every_exported_name_resolves(package):
    module = __import__(package, fromlist=["__all__"])
    for name in module.__all__:
        assert getattr(module, name) is not None

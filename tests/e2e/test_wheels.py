"""Issue 16, item 5: installable outside the checkout. The README's "Use it in your own project"
commands, run as written in a copy of the clone: every workspace package builds a wheel, pip
(no uv, no workspace) installs `qdispatch[aer]` from them into a fresh virtual environment, and
the installed `qdispatch` command and library each run a Bell job.

Slow (a build and a pip install that downloads the dependencies the first time) and it needs
the package registry, like CI's own install does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
BLOCK = re.compile(
    r"<!-- qdispatch:own-project:begin -->(.*?)<!-- qdispatch:own-project:end -->", re.S
)
PACKAGES = {
    "qdispatch",
    "qdispatch-core",
    "qdispatch-qiskit",
    "qdispatch-aer",
    "qdispatch-ibm",
    "qdispatch-braket",
    "qdispatch-ionq",
    "qdispatch-sql",
    "qdispatch-cli",
    "qdispatch-mcp",
    "qdispatch-web",
}

pytestmark = pytest.mark.slow


def readme_section() -> tuple[list[str], str]:
    """The section's shell commands and its Python program, as the README shows them."""
    block = BLOCK.search((ROOT / "README.md").read_text()).group(1)
    shell = re.search(r"```sh\n(.*?)```", block, re.S).group(1)
    python = re.search(r"```python\n(.*?)```", block, re.S).group(1)
    return [line for line in shell.splitlines() if line.strip()], python


def copy_clone(target: Path) -> Path:
    """The files a clone has (tracked ones), without this checkout's builds and environments."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def run(command: str, cwd: Path, env: dict, timeout: float = 900) -> str:
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{command!r} failed ({done.returncode}):\n{output[-4000:]}"
    return output


def wheel_metadata(wheel: Path) -> dict:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        message = Parser().parsestr(archive.read(name).decode())
    return {
        "name": message["Name"],
        "version": message["Version"],
        "requires": message.get_all("Requires-Dist") or [],
        "extras": message.get_all("Provides-Extra") or [],
        "readme": message.get_payload(),
        "python": message["Requires-Python"],
    }


def test_the_readme_installs_qdispatch_from_wheels_with_pip(tmp_path):
    clone = copy_clone(tmp_path / "clone")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_PROJECT"))}
    uv = shutil.which("uv")
    assert uv is not None, "the README's commands need uv on PATH (pip install uv)"
    env["PATH"] = os.pathsep.join(
        [str(Path(uv).parent), str(Path(sys.executable).parent), env["PATH"]]
    )
    env["QDISPATCH_HOME"] = str(tmp_path / "home")
    for variable in ("QDISPATCH_DATABASE_URL", "QDISPATCH_SECRET_KEY", "PYTHONPATH"):
        env.pop(variable, None)
    commands, program = readme_section()
    build, venv, install, command = commands

    run(build, clone, env)
    wheels = sorted((clone / "dist").glob("*.whl"))
    metadata = {m["name"]: m for m in map(wheel_metadata, wheels)}
    assert set(metadata) == PACKAGES  # every workspace package, one wheel each
    for name, meta in metadata.items():
        assert meta["version"] == "0.1.0" and meta["python"] == ">=3.11", name
        assert name in meta["readme"], f"{name} has no readme"
        for requirement in meta["requires"]:
            if requirement.split("==")[0].split(";")[0].strip() in PACKAGES:
                assert "==0.1.0" in requirement, requirement  # released in lockstep
    app = metadata["qdispatch"]
    assert {"aer", "ibm", "braket", "ionq", "notebook", "dask", "all"} <= set(app["extras"])

    run(venv, clone, env)
    installed = run(install, clone, env)
    assert "does not provide the extra" not in installed
    bin_dir = tmp_path / "my-project" / ".venv" / "bin"
    assert "No broken requirements" in run(f"{bin_dir}/pip check", clone, env)
    where = run(f"{bin_dir}/python -c 'import qdispatch; print(qdispatch.__file__)'", clone, env)
    assert str(tmp_path / "my-project" / ".venv") in where  # the wheel, not this checkout

    shown = run(command, clone, env, timeout=300)
    assert "Done" in shown and re.search(r"\b00\b", shown) and re.search(r"\b11\b", shown)

    script = tmp_path / "my-project" / "bell.py"
    script.write_text(program)
    printed = run(f"{bin_dir}/python {script}", clone, env, timeout=300)
    counts = eval(printed.strip().splitlines()[-1], {})  # the dict print() wrote
    assert set(counts) <= {"00", "11"} and sum(counts.values()) == 1000

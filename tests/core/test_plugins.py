"""The entry points the registry finds (`qdispatch_core.plugins`) are the ones
`importlib.metadata` finds: in this environment, and in made-up `sys.path`s with the awkward
cases (a distribution installed twice, old egg-info, comments, a zip, a malformed file)."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from qdispatch_core import plugins

GROUPS = ("qdispatch.backends", "qdispatch.catalogs", "console_scripts", "pytest11")


def importlib_answer(groups: tuple[str, ...], path: list[str]) -> dict[str, list[tuple[str, str]]]:
    found = importlib.metadata.entry_points()
    return {g: [(ep.name, ep.value) for ep in found.select(group=g)] for g in groups}


def test_this_environment_is_read_directly_and_as_importlib_reads_it():
    # Whatever finders earlier tests (or plugins) added, the public answer is importlib's.
    assert plugins.entry_points(*GROUPS) == importlib_answer(GROUPS, sys.path)
    # The direct read, in a fresh interpreter: this environment as installed, before any test
    # added a distribution finder or a path (either sends `_scan` to importlib.metadata).
    code = (
        "import json, sys\n"
        "from qdispatch_core import plugins\n"
        f"groups = {GROUPS!r}\n"
        "direct = plugins._scan(groups, sys.path)\n"
        "from importlib.metadata import entry_points\n"
        "found = entry_points()\n"
        "expected = {g: [(e.name, e.value) for e in found.select(group=g)] for g in groups}\n"
        "print(json.dumps([direct, expected]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    direct, expected = json.loads(done.stdout)
    assert direct == expected and direct["qdispatch.backends"]
    found = plugins.entry_points("qdispatch.backends")["qdispatch.backends"]
    assert {name for name, _ in found} >= {"aer", "ibm", "braket", "ionq"}


def test_listing_devices_does_not_import_importlib_metadata():
    code = (
        "import sys\n"
        "from qdispatch_core.registry import BackendRegistry\n"
        "assert BackendRegistry().names()\n"
        "assert 'importlib.metadata' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def dist(directory: Path, name: str, entry_points: str | None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    info = directory / name
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name.partition('-')[0]}\n")
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)


def compare(monkeypatch: pytest.MonkeyPatch, path: list[str]) -> dict[str, list]:
    """Both answers over `path` alone; they must agree."""
    monkeypatch.setattr(sys, "path", path)
    importlib.invalidate_caches()
    expected = importlib_answer(("demo", "other"), path)
    assert plugins.entry_points("demo", "other") == expected
    return expected


def test_made_up_paths_give_the_same_answer(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    dist(first, "Demo_Pkg-1.0.dist-info", "# a comment\n[demo]\nb = demo.b:make\n\n a = demo.a \n")
    dist(second, "demo.pkg-2.0.dist-info", "[demo]\nshadowed = demo.old:make\n")  # same name
    dist(second, "other-0.1.dist-info", "[other]\nx = other:x\n[demo]\nb = other.b:make\n")
    dist(second, "legacy.egg-info", "[demo]\nlegacy = legacy:main\n")
    dist(second, "plain-1.0.dist-info", None)
    (second / "nested.dist-info").write_text("not a directory")
    found = compare(monkeypatch, [str(first), str(tmp_path / "missing"), str(second)])
    assert [name for name, _ in found["demo"]] == ["b", "a", "b", "legacy"]
    assert found["other"] == [("x", "other:x")]


def test_anything_unusual_is_read_by_importlib_metadata(tmp_path, monkeypatch):
    plain = tmp_path / "plain"
    dist(plain, "demo-1.0.dist-info", "[demo]\na = demo:a\n")
    archive = tmp_path / "packed.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("zipped-1.0.dist-info/entry_points.txt", "[demo]\nz = zipped:z\n")
        packed.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\n")
    path = [str(plain), str(archive)]
    monkeypatch.setattr(sys, "path", path)
    with pytest.raises(plugins._Unusual):
        plugins._scan(("demo",), path)
    assert plugins.entry_points("demo")["demo"] == [("a", "demo:a"), ("z", "zipped:z")]
    compare(monkeypatch, path)


@pytest.mark.parametrize("odd", ["Odd-1.0.DIST-INFO", "-1.0.dist-info", ".dist-info"])
def test_a_metadata_directory_whose_name_tells_nothing_is_left_to_importlib(
    odd, tmp_path, monkeypatch
):
    """importlib.metadata reads such a distribution's name from its METADATA."""
    dist(tmp_path, "demo-1.0.dist-info", "[demo]\na = demo:a\n")
    dist(tmp_path, odd, "[demo]\nodd = odd:main\n")
    with pytest.raises(plugins._Unusual):
        plugins._scan(("demo",), [str(tmp_path)])
    compare(monkeypatch, [str(tmp_path)])


def test_a_malformed_file_fails_as_importlib_metadata_fails(tmp_path, monkeypatch):
    dist(tmp_path, "broken-1.0.dist-info", "[demo]\nno equals sign here\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    with pytest.raises(Exception) as theirs:
        importlib_answer(("demo",), sys.path)
    with pytest.raises(Exception) as ours:
        plugins.entry_points("demo")
    assert type(ours.value) is type(theirs.value)


def test_an_import_hook_that_finds_distributions_is_left_to_importlib(monkeypatch):
    class Finder:
        @staticmethod
        def find_distributions(context=None):
            return iter(())

        @staticmethod
        def find_spec(*args):
            return None

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder])
    with pytest.raises(plugins._Unusual):
        plugins._scan(("demo",), [])
    assert plugins.entry_points(*GROUPS) == importlib_answer(GROUPS, sys.path)

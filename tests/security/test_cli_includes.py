"""C1 at the CLI door: a circuit file's `include` reads no file of the machine. The installed
`qdispatch` answers an include of an existing file, a missing one and one up the tree with the
same words (the file named as the user gave it, never the included path or its text), for
OpenQASM 2 and 3, in `circuits add` and in a dry run, and stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.cli.test_e2e import QDISPATCH, Terminal

pytestmark = pytest.mark.skipif(QDISPATCH is None, reason="the qdispatch command is not installed")

SECRET = "PLANTEDc4e8a1f0"


def sources(planted: Path) -> dict[str, str]:
    paths = {
        "existing": str(planted),
        "missing": str(planted.parent / "missing.key"),
        "up the tree": "../" * 16 + str(planted).lstrip("/"),
    }
    texts = {}
    for name, path in paths.items():
        texts[f"2, {name}"] = f'OPENQASM 2.0;\ninclude "{path}";\nqreg q[1];\nplanted q[0];\n'
        texts[f"3, {name}"] = f'OPENQASM 3.0;\ninclude "{path}";\nqubit[1] q;\nplanted q[0];\n'
    return texts


def test_every_include_gets_one_answer_and_nothing_of_the_file(tmp_path):
    planted = tmp_path / "server" / "secret.key"
    planted.parent.mkdir()
    planted.write_text(f"{SECRET};\ngate planted a {{ x a; }}\n")
    shell = Terminal(tmp_path / "home", autostart=False)
    answers = set()
    for name, text in sources(planted).items():
        circuit = tmp_path / "circuit.qasm"
        circuit.write_text(text)
        added = shell("circuits", "add", str(circuit), "--experiment", "c1", expect=1)
        dry = shell("run", str(circuit), "-d", "aer_simulator", "--dry-run", expect=1)
        for said in (added.stdout + added.stderr, dry.stdout + dry.stderr):
            assert SECRET not in said and str(planted.parent) not in said, (name, said)
            assert f"400 {circuit}" in said, (name, said)  # the user's file, by name
        answers.add(added.stderr)
        answers.add(dry.stderr)
    assert len(answers) == 1, answers
    assert shell.json("circuits", "list") == []  # nothing stored

"""Shared pieces of the end-to-end tests against the real default (SQLite + Aer)."""

from __future__ import annotations

import math

import pytest

SECRET = "ibm-PLANTED-9f4e2a7c1d"

BELL_THETA = """OPENQASM 3.0;
include "stdgates.inc";
input float theta;
qubit[2] q;
bit[2] c;
ry(theta) q[0];
cx q[0], q[1];
c = measure q;
"""

ZZ = [["ZZ"], [1.0]]
XX = [["XX"], [1.0]]
ANGLES = [[0.0], [math.pi / 2]]


def require_the_real_default() -> None:
    pytest.importorskip("qdispatch_sql", reason="the SQL repository is not installed")
    pytest.importorskip("qdispatch_aer.backend", reason="the Aer provider is not installed")


def check_bell_sweep(job: dict) -> None:
    """ry(θ)·CX makes cos(θ/2)|00⟩ + sin(θ/2)|11⟩: ⟨ZZ⟩ = 1 and ⟨XX⟩ = sin θ."""
    assert job["status"] == "Done", job["error"]
    (per_observable,) = job["results"]  # one circuit
    zz, xx = per_observable  # two observables
    assert len(zz) == len(xx) == 2  # two parameter sets
    assert zz == pytest.approx([1.0, 1.0], abs=0.08)
    assert xx == pytest.approx([0.0, 1.0], abs=0.08)
    (errors,) = job["uncertainties"]
    assert [len(e) for e in errors] == [2, 2]
    assert all(0 <= e < 0.05 for e in errors[1])

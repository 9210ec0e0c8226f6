"""Readout-corrected expectation values on Braket's noisy simulator carry the corrected
estimator's standard errors (issue 23): the rates each bit was corrected with reach the core."""

from __future__ import annotations

import pytest

from qdispatch_braket import BraketBackend
from qdispatch_core.rules.plan import assemble
from qdispatch_core.rules.readout_errors import HOW, uncertainties_of
from tests.contract.backend_contract import make_spec
from tests.providers.braket.conftest import run_job
from tests.samples import BELL_NO_MEASURE

NOISE = {"readout_error": 0.08}


def test_mitigated_errors_are_the_raw_shot_noise_amplified_by_the_correction(
    qiskit_toolkit, seeded_braket
):
    seeded_braket(3)
    backend = BraketBackend()
    kwargs = {"observables": [[["ZZ"], [1.0]], [["XX"], [1.0]]], "shots": 4000, "options": NOISE}
    try:
        execution = run_job(
            backend,
            qiskit_toolkit,
            [BELL_NO_MEASURE],
            "braket_local_dm",
            use_mitigation=True,
            **kwargs,
        )
    finally:
        backend.close()
    spec = make_spec(qiskit_toolkit, [BELL_NO_MEASURE], "braket_local_dm", **kwargs)
    assert len(execution.readout) == len(spec.plan.executables)
    for bits in execution.readout:  # both bits of every executable, at the simulated 8%
        assert [r for bit in bits for r in bit] == [pytest.approx(0.08, abs=0.01)] * 4
    _, quasi_errors = assemble(spec.plan, execution.outputs)
    _, raw_errors = assemble(spec.plan, execution.raw_outputs)
    errors, record = uncertainties_of(
        spec.plan, quasi_errors, execution.mitigation, execution.raw_outputs, execution.readout
    )
    assert record["uncertainties"] == HOW
    # <ZZ>, <XX> of a Bell state are ±1: the quasi-probabilities' own spread is about 0, the
    # corrected estimator's is the raw data's, amplified by 1/(1 - 2·0.08)² ≈ 1.42.
    for error, quasi_error, raw_error in zip(
        errors[0], quasi_errors[0], raw_errors[0], strict=True
    ):
        assert quasi_error < error / 3
        assert error / raw_error == pytest.approx(1 / (1 - 2 * 0.08) ** 2, rel=0.1)

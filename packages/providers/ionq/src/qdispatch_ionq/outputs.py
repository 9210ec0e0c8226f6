"""IonQ's probability histograms into the contract's outputs.

IonQ keys a histogram by integers whose bit q is qubit q (qubit 0 least significant) and gives
probabilities, never shots. What those probabilities are decides how counts are made:
- the ideal simulator gives exact probabilities: qdispatch samples `shots` from them (seeded);
- a QPU or a noisy simulation ran `shots` times and gives frequencies: counts are those
  frequencies times shots, rounded so they sum to shots;
- debiased QPU results are an aggregate of many circuit variants, not frequencies: they stay
  quasi-probabilities, as the contract asks for mitigated results;
- a noisy simulation with readout-error mitigation: its frequencies corrected by the job's
  calibration (see `calibration`) are the results, quasi-probabilities; the frequencies as
  counts are the raw results.
Bit strings follow the contract (Qiskit order): the rightmost character is output bit 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from qdispatch_core.errors import ProviderError

SAMPLE = "sample"
FREQUENCIES = "frequencies"
QUASI = "quasi"
CORRECTED = "readout-corrected"


def marginal(histogram: Mapping[str, float], sources: Sequence[int | None]) -> dict[str, float]:
    """Probabilities of the output bits: bit i of each key reads qubit sources[i]."""
    width = len(sources)
    out: dict[str, float] = {}
    for key, probability in histogram.items():
        try:
            state, p = int(key), float(probability)
        except (TypeError, ValueError):
            raise ProviderError(f"IonQ returned an unreadable result entry {key!r}") from None
        bits = ["0"] * width
        for i, qubit in enumerate(sources):
            if qubit is not None and (state >> qubit) & 1:
                bits[width - 1 - i] = "1"
        label = "".join(bits)
        out[label] = out.get(label, 0.0) + p
    return out


def _normalised(probabilities: Mapping[str, float]) -> tuple[list[str], list[float]]:
    labels = sorted(probabilities)
    values = [max(0.0, probabilities[k]) for k in labels]
    total = sum(values)
    if total <= 0:
        raise ProviderError("IonQ returned an empty result")
    return labels, [v / total for v in values]


def sample_counts(probabilities: Mapping[str, float], shots: int, seed: int) -> dict[str, int]:
    import numpy as np  # comes with cirq; only needed once results arrive

    labels, values = _normalised(probabilities)
    drawn = np.random.default_rng(seed).multinomial(shots, values)
    return {k: int(n) for k, n in zip(labels, drawn, strict=True) if n}


def frequency_counts(probabilities: Mapping[str, float], shots: int) -> dict[str, int]:
    """shots·p rounded by largest remainder: exact for true frequencies, and always summing to
    shots (cirq's own `round` per entry need not)."""
    labels, values = _normalised(probabilities)
    scaled = [v * shots for v in values]
    counts = [int(s) for s in scaled]
    by_remainder = sorted(range(len(labels)), key=lambda i: (counts[i] - scaled[i], labels[i]))
    for i in by_remainder[: shots - sum(counts)]:
        counts[i] += 1
    return {k: n for k, n in zip(labels, counts, strict=True) if n}


def quasi_probabilities(probabilities: Mapping[str, float]) -> dict[str, float]:
    labels, values = _normalised(probabilities)
    return {k: v for k, v in zip(labels, values, strict=True) if v}

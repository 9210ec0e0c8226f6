"""`RunResult`: a job's results (run contract §5) with accessors for Python users.

`raw` keeps the contract's nested lists (circuits → observables → parameter sets) untouched;
the accessors read them by position, so nothing is copied or recomputed until asked for.
numpy, Qiskit, pandas and matplotlib are imported by the accessors that return their types.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from qdispatch._lazy import require
from qdispatch_core.rules.labels import observable_label

if TYPE_CHECKING:
    import numpy as np
    from qiskit.quantum_info import Statevector

    from qdispatch_core.schemas import JobView

KINDS = ("counts", "quasi", "statevector", "expectation")


class ResultKindError(TypeError):
    """The accessor does not fit this job's kind of result (e.g. counts of expectation values)."""


class RunResult:
    """The results of a finished job.

    `kind` says what the leaves are: `"counts"` (a sampled Run), `"quasi"` (a Run with readout
    mitigation applied: quasi-probabilities, the raw counts kept), `"statevector"` (a
    StatevectorRun) or `"expectation"` (any run with observables). Indices `c`, `o` and `p`
    count circuits (in run order), observables and parameter sets from 0.
    """

    def __init__(
        self,
        job: JobView,
        parameter_names: Sequence[Sequence[str]] | Callable[[], Any] | None = None,
    ):
        """`parameter_names`: each circuit's names in binding order, or a function that reads
        them when first asked (they live with the stored circuits, not in the job)."""
        if job.results is None:
            raise ValueError(f"job {job.id} has no results ({job.status}, dry run: {job.dry_run})")
        self.job = job
        self.raw: list[Any] = job.results
        self.raw_uncertainties: list[Any] | None = job.uncertainties
        self._names_source = parameter_names
        self._names: list[list[str]] | None = None

    def _all_names(self) -> list[list[str]]:
        if self._names is None:
            source = self._names_source
            found = source() if callable(source) else source
            self._names = [list(n) for n in found] if found is not None else []
        return self._names

    # -- shape ----------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        job = self.job
        if job.observables is not None:
            return "expectation"
        if job.run_type == "StatevectorRun":
            return "statevector"
        if job.mitigation and job.mitigation.get("applied"):
            return "quasi"
        return "counts"

    @property
    def ran(self) -> dict[str, Any] | None:
        """What ran (when the provider records it): `programs` (each distinct program as sent,
        OpenQASM 3, by id), `executed` (per circuit and measurement group: its program id,
        `virtual_to_physical` qubits, `clbit_to_physical` bits), `seeds` and SDK `versions`."""
        return (self.job.plan or {}).get("ran")

    @property
    def mitigation(self) -> dict[str, Any] | None:
        """What mitigation was applied, and how the uncertainties were obtained
        (`mitigation["uncertainties"]`)."""
        return self.job.mitigation

    @property
    def num_circuits(self) -> int:
        return len(self.raw)

    @property
    def has_parameters(self) -> bool:
        return self.job.parameters is not None

    @property
    def has_observables(self) -> bool:
        return self.job.observables is not None

    def num_parameter_sets(self, c: int = 0) -> int:
        """Parameter sets of circuit `c` (1 when the job has no parameter layer)."""
        return len(self.job.parameters[self._circuit(c)]) if self.has_parameters else 1

    def num_observables(self, c: int = 0) -> int:
        """Observables of circuit `c` (0 when the job has none)."""
        return len(self.job.observables[self._circuit(c)]) if self.has_observables else 0

    def parameter_names(self, c: int = 0) -> list[str]:
        """Circuit `c`'s parameter names in binding order (the stored circuit's names)."""
        self._circuit(c)
        names = self._all_names()
        return names[c] if c < len(names) else []

    def parameter_values(self, c: int = 0) -> np.ndarray:
        """Circuit `c`'s parameter sets as an array shaped [parameter_set, parameter]."""
        np = require("numpy", "parameter_values()")
        if not self.has_parameters:
            return np.zeros((1, 0))
        sets = self.job.parameters[self._circuit(c)]
        width = len(sets[0]) if sets else 0
        return np.asarray(sets, dtype=float).reshape(len(sets), width)

    def observable_labels(self, c: int = 0) -> list[str]:
        """Circuit `c`'s observables as text (`ZZ + 0.5·XX`)."""
        if not self.has_observables:
            return []
        return [observable_label(o) for o in self.job.observables[self._circuit(c)]]

    # -- leaves ---------------------------------------------------------------------------

    def _circuit(self, c: int) -> int:
        if not 0 <= c < len(self.raw):
            raise IndexError(f"circuit {c} out of range: the job has {len(self.raw)} circuit(s)")
        return c

    def _leaf(self, tree: list[Any], c: int, o: int | None, p: int) -> Any:
        node = tree[self._circuit(c)]
        if self.has_observables:
            count = len(node)
            if o is None or not 0 <= o < count:
                raise IndexError(f"observable {o} out of range: circuit {c} has {count}")
            node = node[o]
        if self.has_parameters:
            if not 0 <= p < len(node):
                raise IndexError(
                    f"parameter set {p} out of range: circuit {c} has {len(node)} set(s)"
                )
            return node[p]
        if p != 0:
            raise IndexError(f"parameter set {p} out of range: the job has no parameters")
        return node

    def _expect(self, *kinds: str, use: str) -> None:
        if self.kind not in kinds:
            raise ResultKindError(f"job {self.job.id} holds {self.kind} results; {use}")

    def counts(self, c: int = 0, p: int = 0) -> dict[str, int]:
        """Counts `{bitstring: shots}` of circuit `c` at parameter set `p` (the rightmost
        character is classical bit 0). For a mitigated job these are the raw counts; the
        mitigated quasi-probabilities are `quasi_dists`."""
        self._expect("counts", "quasi", use="counts() needs a sampled Run without observables")
        if self.kind == "quasi":
            if self.job.raw_results is None:
                raise ResultKindError(f"job {self.job.id} kept no raw counts")
            return dict(self._leaf(self.job.raw_results, c, None, p))
        return dict(self._leaf(self.raw, c, None, p))

    def quasi_dist(self, c: int = 0, p: int = 0) -> dict[str, float]:
        """The mitigated quasi-probabilities `{bitstring: value}` of circuit `c`, set `p`."""
        self._expect("quasi", use="quasi-probabilities exist only where mitigation applied")
        return dict(self._leaf(self.raw, c, None, p))

    @property
    def quasi_dists(self) -> list[list[dict[str, float]]]:
        """Every mitigated quasi-probability distribution, [circuit][parameter_set]."""
        return [
            [self.quasi_dist(c, p) for p in range(self.num_parameter_sets(c))]
            for c in range(self.num_circuits)
        ]

    def probabilities(self, c: int = 0, p: int = 0) -> dict[str, float]:
        """`{bitstring: probability}`: counts over shots, the squared amplitudes of a state
        vector (zeros left out), or a mitigated job's quasi-probabilities as they are (they
        sum to 1 but may dip slightly below 0)."""
        self._expect("counts", "quasi", "statevector", use="probabilities() has no meaning here")
        if self.kind == "quasi":
            return self.quasi_dist(c, p)
        if self.kind == "statevector":
            real, imag = self._leaf(self.raw, c, None, p)
            width = max(1, int(math.log2(len(real))))
            found = {}
            for index, (re, im) in enumerate(zip(real, imag, strict=True)):
                weight = re * re + im * im
                if weight > 1e-15:
                    found[format(index, f"0{width}b")] = weight
            return found
        counts = self.counts(c, p)
        total = sum(counts.values()) or 1
        return {bits: n / total for bits, n in sorted(counts.items())}

    def statevector(self, c: int = 0, p: int = 0) -> Statevector:
        """Circuit `c`'s final state at parameter set `p` as a `qiskit.quantum_info.Statevector`."""
        self._expect("statevector", use="statevector() needs a StatevectorRun without observables")
        np = require("numpy", "statevector()")
        quantum_info = require("qiskit.quantum_info", "statevector()")
        real, imag = self._leaf(self.raw, c, None, p)
        return quantum_info.Statevector(np.asarray(real) + 1j * np.asarray(imag))

    # -- expectation values ----------------------------------------------------------------

    def _grid(self, tree: list[Any] | None) -> np.ndarray:
        np = require("numpy", "expectation values")
        shape = (
            self.num_circuits,
            max(self.num_observables(c) for c in range(self.num_circuits)),
            max(self.num_parameter_sets(c) for c in range(self.num_circuits)),
        )
        grid = np.full(shape, np.nan)
        if tree is None:
            return grid
        for c in range(self.num_circuits):
            for o in range(self.num_observables(c)):
                for p in range(self.num_parameter_sets(c)):
                    grid[c, o, p] = self._leaf(tree, c, o, p)
        return grid

    @property
    def expectation_values(self) -> np.ndarray:
        """All expectation values as an array shaped [circuit, observable, parameter_set]
        (a job without parameters has one set). Circuits with fewer observables or sets than
        the largest are padded with NaN."""
        self._expect("expectation", use="expectation values need observables in the request")
        return self._grid(self.raw)

    @property
    def standard_errors(self) -> np.ndarray:
        """Standard errors shaped like `expectation_values` (0 for exact runs)."""
        self._expect("expectation", use="standard errors need observables in the request")
        return self._grid(self.raw_uncertainties)

    @property
    def evs(self) -> np.ndarray:
        """`expectation_values` with its length-1 axes removed (one value: a 0-d array)."""
        return self.expectation_values.squeeze()

    @property
    def stds(self) -> np.ndarray:
        """`standard_errors` with its length-1 axes removed."""
        return self.standard_errors.squeeze()

    def expectation_value(self, c: int = 0, o: int = 0, p: int = 0) -> float:
        self._expect("expectation", use="expectation values need observables in the request")
        return float(self._leaf(self.raw, c, o, p))

    def standard_error(self, c: int = 0, o: int = 0, p: int = 0) -> float:
        self._expect("expectation", use="standard errors need observables in the request")
        if self.raw_uncertainties is None:
            return 0.0
        return float(self._leaf(self.raw_uncertainties, c, o, p))

    # -- tables, pictures, display ------------------------------------------------------------

    def to_dataframe(self) -> Any:
        """The results in long format as a pandas DataFrame (pandas: `qdispatch[pandas]`).

        Expectation values: one row per circuit × observable × parameter set with columns
        `circuit`, `circuit_id`, `observable`, `observable_label`, `parameter_set`, one column
        per parameter, `value`, `std_error`. Counts, quasi-probabilities and state vectors: one
        row per outcome with `outcome`, then `count` / `quasi_probability` / `amplitude`, and
        `probability`.
        """
        from qdispatch.tables import dataframe

        return dataframe(self)

    def plot(self, c: int | None = None, ax: Any = None) -> Any:
        """A matplotlib Figure: a histogram of counts (or probabilities), or expectation values
        against the parameter that varies (one line per observable, standard errors as bars).
        `c` picks one circuit (default: all); `ax` draws into existing axes."""
        from qdispatch.plots import plot_result

        return plot_result(self, c=c, ax=ax)

    def __repr__(self) -> str:
        from qdispatch.display import result_repr

        return result_repr(self)

    def _repr_html_(self) -> str:
        from qdispatch.display import result_html

        return result_html(self)

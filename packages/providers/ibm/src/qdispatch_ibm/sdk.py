"""Lazy imports of the vendor SDKs, with the install command in the error.

qiskit-ibm-runtime takes about a second to import; nothing in this package imports it at
module level, so listing devices without credentials never pays for it.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from types import ModuleType

from qdispatch_qiskit import sdk

PACKAGE = "qdispatch-ibm"


def require(module: str) -> ModuleType:
    """Import `module` (qiskit_ibm_runtime, qiskit_aer, mthree, or a toolkit module)."""
    return sdk.require(module, PACKAGE, "the IBM provider")


@contextlib.contextmanager
def quiet_sdk() -> Iterator[None]:
    """Silence the warnings the runtime emits on every call we make on purpose.

    The V2 primitives (`SamplerV2`) warn that they are deprecated in favour of the client-side
    executor primitives; we use them deliberately (docs/providers.md says why). Local testing
    mode warns about options it ignores, and mthree about calibration details we record anyway.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"qiskit_ibm_runtime")
        warnings.filterwarnings("ignore", message=r".*is deprecated.*", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=r".*local testing mode.*")
        warnings.filterwarnings("ignore", message=r"Options .* have no effect")
        warnings.filterwarnings("ignore", module=r"mthree")
        warnings.filterwarnings("ignore", message=r"Properties of fake_nighthawk")
        yield

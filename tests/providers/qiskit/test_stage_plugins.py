"""Transpiler stage plugins load by name: building a pass manager for an Aer job does not import
qiskit-ibm-runtime (installed here, and registered as a translation plugin)."""

import json
import subprocess
import sys

SCRIPT = """
import json, sys
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_aer import AerSimulator
from qdispatch_qiskit.transpiling import transpile_for

circuit = QuantumCircuit(2)
circuit.h(0)
circuit.cx(0, 1)
circuit.measure_all()
out = transpile_for(circuit, AerSimulator().target, optimization_level=1)
before = "qiskit_ibm_runtime" in sys.modules
# Asked for by name, a plugin of another package still loads, and builds the same stages.
from qiskit.transpiler.preset_passmanagers import level1
manager = level1.PassManagerStagePluginManager()
ibm = manager.translation_plugins["ibm_backend"].obj
names = manager.translation_plugins.names()
print(json.dumps({
    "ops": sorted(out.count_ops()),
    "runtime_before": before,
    "runtime_after": "qiskit_ibm_runtime" in sys.modules,
    "ibm_plugin": type(ibm).__name__,
    "names": sorted(names),
}))
"""


def test_an_aer_pass_manager_imports_no_other_providers_plugins():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["ops"] == ["barrier", "cx", "h", "measure"]
    assert found["runtime_before"] is False
    assert found["runtime_after"] is True and found["ibm_plugin"] == "IBMTranslationPlugin"
    assert {"translator", "synthesis", "ibm_backend"} <= set(found["names"])


def _passes(manager) -> list[str]:
    """The names of every pass a stage's pass manager runs, in order (flow controllers
    flattened)."""
    if manager is None:
        return []
    found, stack = [], [manager.to_flow_controller()]
    while stack:
        task = stack.pop(0)
        inner = getattr(task, "tasks", None)
        if inner is None:
            found.append(type(task).__name__)
        else:
            stack[:0] = list(inner)
    return found


def test_the_lazy_manager_builds_each_stage_as_qiskit_does():
    from qiskit.transpiler.passmanager_config import PassManagerConfig
    from qiskit.transpiler.preset_passmanagers import level1
    from qiskit_aer import AerSimulator

    from qdispatch_qiskit import stage_plugins

    stage_plugins.install()
    lazy = level1.PassManagerStagePluginManager
    original = lazy.__mro__[1]  # Qiskit's own, which imports every plugin
    assert original.__name__ == "PassManagerStagePluginManager" and lazy is not original
    config = PassManagerConfig(target=AerSimulator().target, seed_transpiler=3)
    for stage in ("init", "layout", "routing", "translation", "optimization", "scheduling"):
        for level in (0, 1, 2, 3):
            ours = lazy().get_passmanager_stage(stage, "default", config, level)
            theirs = original().get_passmanager_stage(stage, "default", config, level)
            assert _passes(ours) == _passes(theirs), (stage, level)

"""3. Many small jobs: Bell jobs of 1024 shots through qdispatch.Client with the in-process
worker, against two raw loops: transpile + AerSimulator.run, and the stronger one that reuses
one pass manager and one simulator (issue 15). Jobs per second."""

from __future__ import annotations

from common import Row, ratio_at_least, timed
from workloads import BELL


def run(client, quick: bool) -> list[Row]:
    from qiskit import QuantumCircuit, transpile
    from qiskit_aer import AerSimulator

    count, repetitions = (50, 1) if quick else (500, 3)
    bell = QuantumCircuit.from_qasm_str(BELL)
    simulator = AerSimulator()

    def reference():
        for _ in range(count):
            simulator.run(transpile(bell, simulator), shots=1024).result().get_counts()

    from qiskit.transpiler import generate_preset_pass_manager

    pass_manager = generate_preset_pass_manager(optimization_level=1, backend=simulator)

    def reused():
        for _ in range(count):
            simulator.run(pass_manager.run(bell), shots=1024).result().get_counts()

    def qdispatch():
        handles = [
            client.run(BELL, "aer_simulator", shots=1024, experiment="bench-small")
            for _ in range(count)
        ]
        for handle in handles:
            handle.result(timeout=600)

    # Each side runs its whole loop once untimed: the raw loops warm their pass manager and
    # simulator, qdispatch its pool of simulation processes (one per worker thread; a single
    # warm-up job used to leave the others to start, cold, inside the timed loop).
    reference(), reused(), qdispatch()
    q_rates, r_rates, reused_rates = [], [], []
    for _ in range(repetitions):
        r_rates.append(count / timed(reference)[0])
        reused_rates.append(count / timed(reused)[0])
        q_rates.append(count / timed(qdispatch)[0])
    return [
        Row(
            f"small jobs: {count} Bell jobs",
            "jobs/s",
            q_rates,
            r_rates,
            "raw transpile + AerSimulator.run",
            "≥ 0.5× reference",
            ratio_at_least(0.5),
        ),
        Row(
            f"small jobs: {count} Bell jobs",
            "jobs/s",
            q_rates,
            reused_rates,
            "raw loop reusing one pass manager + AerSimulator",
            "≥ 0.5× reference",
            ratio_at_least(0.5),
        ),
    ]

from qdispatch_core.domain import RunType
from qdispatch_core.rules.plan import assemble, build_plan


def test_executables_are_circuit_group_parameter_ordered():
    obs = [[["ZZ", "XX"], [1.0, 1.0]]]
    plan = build_plan(RunType.RUN, 100, [2], [[[0.1], [0.2]]], [obs])
    assert [(e.circuit, e.group, e.parameter_set) for e in plan.executables] == [
        (0, 0, 0),
        (0, 0, 1),
        (0, 1, 0),
        (0, 1, 1),
    ]
    assert plan.summary()["measurement_groups"] == [2]
    assert plan.total_shots == 400


def test_statevector_runs_have_one_executable_per_circuit_and_set():
    plan = build_plan(RunType.STATEVECTOR, 100, [2, 1], [[[1.0]], [[2.0], [3.0]]], None)
    assert len(plan.executables) == 3
    assert plan.output_kind == "statevector"
    assert plan.total_shots == 0


def test_layers_follow_what_was_given():
    counts = {"00": 1}
    plan = build_plan(RunType.RUN, 1, [2, 2], None, None)
    assert assemble(plan, [counts, counts]) == ([counts, counts], None)
    plan = build_plan(RunType.RUN, 1, [2], [[[0.1], [0.2], [0.3]]], None)
    assert assemble(plan, [counts] * 3)[0] == [[counts, counts, counts]]
    plan = build_plan(RunType.STATEVECTOR, 1, [2], None, [[[["ZZ"], [1.0]], [["XX"], [1.0]]]])
    assert assemble(plan, [[0.5, -0.5]]) == ([[0.5, -0.5]], [[0.0, 0.0]])


def test_identity_only_observable_needs_no_circuit():
    plan = build_plan(RunType.RUN, 10, [2], None, [[[["II"], [2.0]]]])
    assert plan.executables == ()
    assert assemble(plan, []) == ([[2.0]], [[0.0]])


def test_a_provider_that_estimates_observables_gets_one_executable_per_set():
    obs = [[["ZZ", "XX"], [1.0, 1.0]], [["YY"], [1.0]]]
    plan = build_plan(RunType.RUN, 100, [2], [[[0.1], [0.2]]], [obs], provider_estimates=True)
    assert plan.output_kind == "expectations" and plan.circuits[0].groups is None
    assert [(e.circuit, e.group, e.parameter_set) for e in plan.executables] == [
        (0, None, 0),
        (0, None, 1),
    ]
    values, errors = assemble(plan, [[0.5, -0.5], [0.25, 0.0]], [[0.01, 0.02], [0.03, 0.04]])
    assert values == [[[0.5, 0.25], [-0.5, 0.0]]]
    assert errors == [[[0.01, 0.03], [0.02, 0.04]]]
    assert plan.summary()["expectations_by"] == "provider"


def test_provider_estimates_mean_nothing_without_observables_or_for_exact_runs():
    assert (
        build_plan(RunType.RUN, 1, [2], None, None, provider_estimates=True).output_kind == "counts"
    )
    exact = build_plan(
        RunType.STATEVECTOR, 1, [2], None, [[[["ZZ"], [1.0]]]], provider_estimates=True
    )
    assert not exact.estimated_by_provider and exact.output_kind == "expectations"

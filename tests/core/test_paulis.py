from qdispatch_core.rules.paulis import group_qubit_wise, masks, qubit_wise_commute


def test_masks_follow_qiskit_order():
    # The rightmost character acts on qubit 0.
    assert masks("IX") == (0b01, 0b00)
    assert masks("ZI") == (0b00, 0b10)
    assert masks("YI") == (0b10, 0b10)


def test_qubit_wise_commutation():
    assert qubit_wise_commute("ZZ", "ZI")
    assert qubit_wise_commute("XI", "IZ")
    assert not qubit_wise_commute("ZZ", "XX")  # commute, but not qubit-wise
    assert not qubit_wise_commute("XI", "YI")


def test_groups_merge_into_a_basis():
    groups = group_qubit_wise(["ZZ", "ZI", "IZ", "XX", "XI"])
    assert [set(g.terms) for g in groups] == [{"ZZ", "ZI", "IZ"}, {"XX", "XI"}]
    assert [g.basis for g in groups] == ["ZZ", "XX"]


def test_identity_and_duplicates_need_no_extra_group():
    groups = group_qubit_wise(["II", "ZZ", "ZZ"])
    assert len(groups) == 1 and groups[0].terms == ("ZZ",)
    assert group_qubit_wise(["III"]) == []


def test_deterministic():
    terms = ["XYZ", "ZZI", "IXX", "YIY", "ZIZ", "XXI"]
    assert group_qubit_wise(terms) == group_qubit_wise(list(terms))

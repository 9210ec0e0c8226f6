"""The fake billing that `qdispatch_core.testing` offers, used on its own."""

from decimal import Decimal

import pytest

from qdispatch_core.errors import PaymentRequired
from qdispatch_core.ports import Billing
from qdispatch_core.ports.billing import EntryKind
from qdispatch_core.testing import InMemoryBilling


def test_a_fake_billing_made_alone_keeps_its_own_ledger():
    billing = InMemoryBilling()
    assert isinstance(billing, Billing)
    assert billing.balance("alice") == 0 and billing.entries("alice") == []

    billing.credit("alice", Decimal("2.00"))
    billing.reserve("alice", "job_1", Decimal("1.50"))
    with pytest.raises(PaymentRequired) as err:
        billing.reserve("alice", "job_2", Decimal("0.51"))
    assert err.value.code == 402 and "$0.50" in err.value.message
    assert billing.charge("alice", "job_1", Decimal("0.40")) == Decimal("0.40")
    assert billing.release("alice", "job_1") == Decimal("1.10")
    assert billing.balance("alice") == Decimal("1.60")
    kinds = [e.kind for e in billing.entries("alice")]
    assert kinds == [
        EntryKind.CREDIT,
        EntryKind.RESERVE,
        EntryKind.RELEASE,
        EntryKind.CHARGE,
        EntryKind.RELEASE,
    ]

    assert InMemoryBilling().balance("alice") == 0  # each fake is a ledger of its own

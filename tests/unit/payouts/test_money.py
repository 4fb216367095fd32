"""Money arithmetic: withholding rounding, the split of a payout, balances from entry sums."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gigbot.db.models import EntryKind
from gigbot.payouts.money import EntrySum, derive_balance, split, withholding_of


@pytest.mark.parametrize(("gross", "bp", "held"), [
    (10_000, 330, 330), (10_001, 330, 330), (10_030, 330, 330), (10_031, 330, 331),
    (12_345, 330, 407), (1, 330, 0), (0, 330, 0), (50_000, 0, 0), (999, 10_000, 999),
])
def test_withholding_is_rounded_down_to_a_whole_minor_unit(gross: int, bp: int,
                                                           held: int) -> None:
    assert withholding_of(gross, bp) == held


@given(st.integers(0, 10**12), st.integers(0, 10_000))
def test_net_and_withholding_add_up_to_the_gross(gross: int, bp: int) -> None:
    parts = split(gross, bp)
    assert parts.net + parts.withholding == gross
    assert 0 <= parts.withholding <= gross
    # rounded down: the exact product is at most one unit above what is withheld
    assert parts.withholding * 10_000 <= gross * bp < (parts.withholding + 1) * 10_000


@pytest.mark.parametrize(("gross", "bp"), [(-1, 330), (100, -1), (100, 10_001)])
def test_withholding_refuses_impossible_input(gross: int, bp: int) -> None:
    with pytest.raises(ValueError, match="withholding"):
        withholding_of(gross, bp)


def test_balance_separates_pending_available_and_paid() -> None:
    sums = [
        EntrySum(EntryKind.EARNING, True, 90),  # on hold or awaiting acceptance
        EntrySum(EntryKind.EARNING, False, 20_000),
        EntrySum(EntryKind.REJECTION, False, -30),
        EntrySum(EntryKind.REVERSAL, False, 30),
        EntrySum(EntryKind.BONUS, False, 500),
        EntrySum(EntryKind.PAYOUT, False, -9_670),
        EntrySum(EntryKind.WITHHOLDING, False, -330),
    ]
    balance = derive_balance(sums, reserved=5_000)
    assert (balance.pending, balance.available, balance.paid) == (90, 5_500, 10_000)


def test_a_rejection_meets_its_earning_in_the_pending_bucket() -> None:
    sums = [EntrySum(EntryKind.EARNING, True, 30), EntrySum(EntryKind.REJECTION, True, -30)]
    balance = derive_balance(sums)
    assert (balance.pending, balance.available, balance.paid) == (0, 0, 0)


# Any sequence of what the services allow (earn, hold, reject a pending earning, restore it,
# withdraw at most the available balance) keeps every figure at zero or above.
_STEP = st.one_of(
    st.tuples(st.just("earn"), st.integers(1, 5_000), st.booleans()),
    st.tuples(st.just("reject"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("withdraw"), st.integers(1, 100_000), st.integers(0, 10_000)),
)


@given(st.lists(_STEP, max_size=60))
def test_balances_never_go_negative(steps: list[tuple[str, int, object]]) -> None:
    pending: list[int] = []  # earnings still pending, rejectable
    sums: list[EntrySum] = []
    for kind, value, extra in steps:
        if kind == "earn":
            if extra:
                pending.append(value)
                sums.append(EntrySum(EntryKind.EARNING, True, value))
            else:
                sums.append(EntrySum(EntryKind.EARNING, False, value))
        elif kind == "reject" and pending:
            amount = pending.pop(value % len(pending))
            sums.append(EntrySum(EntryKind.REJECTION, True, -amount))
            if extra:  # the appeal is upheld
                sums.append(EntrySum(EntryKind.REVERSAL, True, amount))
        elif kind == "withdraw":
            available = derive_balance(sums).available
            if 0 < value <= available:
                parts = split(value, int(str(extra)))
                sums.append(EntrySum(EntryKind.PAYOUT, False, -parts.net))
                sums.append(EntrySum(EntryKind.WITHHOLDING, False, -parts.withholding))
        balance = derive_balance(sums)
        assert min(balance.pending, balance.available, balance.paid) >= 0
    total = sum(s.total for s in sums)
    balance = derive_balance(sums)
    assert balance.pending + balance.available == total  # nothing is lost or made up

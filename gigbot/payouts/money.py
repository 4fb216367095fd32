"""Money arithmetic, pure: withholding, the split of a payout, balances from entry sums.

Amounts are ``int`` minor units (KRW has none below the won, so 1 unit = 1 won). The one
rounding rule: withholding is ``gross * bp // 10_000``, rounded down to a whole minor unit
(330 bp of 10 001 is 330.033, withheld 330), and the net is what is left, so
``net + withholding == gross`` always.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gigbot.db.models import EntryKind

__all__ = ["Balance", "EntrySum", "Split", "derive_balance", "split", "withholding_of"]

BASIS = 10_000  # basis points in a whole


def withholding_of(gross: int, bp: int) -> int:
    """The tax withheld from ``gross``: ``gross * bp // 10_000`` (rounded down)."""
    if gross < 0 or not 0 <= bp <= BASIS:
        raise ValueError("withholding needs a gross >= 0 and 0 <= bp <= 10000")
    return gross * bp // BASIS


@dataclass(frozen=True, slots=True)
class Split:
    """A payout's gross, the withholding and the net transferred."""

    gross: int
    withholding: int
    net: int


def split(gross: int, bp: int) -> Split:
    """Gross into withholding and net (``net + withholding == gross``)."""
    held = withholding_of(gross, bp)
    return Split(gross=gross, withholding=held, net=gross - held)


@dataclass(frozen=True, slots=True)
class EntrySum:
    """The sum of one kind of entries, ``held`` when they are pending (hold or acceptance)."""

    kind: EntryKind
    held: bool
    total: int


@dataclass(frozen=True, slots=True)
class Balance:
    """What a worker has: earned but held (pending), withdrawable (available), paid out.

    ``reserved``: the gross of a confirmed request waiting for an admin (not available).
    """

    pending: int
    available: int
    paid: int
    reserved: int = 0


_OUT = frozenset({EntryKind.PAYOUT, EntryKind.WITHHOLDING})


def derive_balance(sums: Iterable[EntrySum], reserved: int = 0) -> Balance:
    """Pending, available and paid from entry sums; none is ever below zero.

    Paid is the gross withdrawn (payout + withholding entries). Entries that take money away
    (a rejection) carry their earning's hold, so they meet it in the same bucket.
    """
    pending = paid = free = 0
    for s in sums:
        if s.kind in _OUT:
            paid -= s.total
        elif s.held:
            pending += s.total
        else:
            free += s.total
    available = free - paid - reserved
    return Balance(pending=max(pending, 0), available=max(available, 0), paid=max(paid, 0),
                   reserved=reserved)

"""Sharing a loan round's pool among members in proportion to their production.

amount_i = pool x boxes_i / (sum of the boxes of those still sharing). Amounts over the maximum
are capped and the excess is shared again among the rest; then amounts under the minimum are
dropped (all of them in one step) and shared again; repeated until nothing changes. Cents are
given out by the largest remainder, ties to the lower member number, so the parts add up to the
pool exactly — unless every member sharing is capped, when the rest stays in the fund.

Integer arithmetic in cents throughout (no floats, no rounding until the cents are handed out),
one pass over the members per step: 100,000 members take well under a second.
"""

from dataclasses import dataclass


@dataclass
class Share:
    member_id: int
    number: str  # the member number, for ties
    boxes: int
    cents: int = 0
    capped: bool = False
    dropped: bool = False  # under the minimum


def allocate(*, pool_cents: int, members: list[Share], minimum_cents: int = 0,
             maximum_cents: int | None = None) -> list[Share]:
    """Fill ``cents``, ``capped`` and ``dropped`` on the members (those with boxes > 0 share)."""
    sharing = [m for m in members if m.boxes > 0]
    capped_total = 0
    while True:
        free = [m for m in sharing if not m.capped and not m.dropped]
        if not free:
            return members
        remaining = pool_cents - capped_total
        weight = sum(m.boxes for m in free)
        if maximum_cents is not None:
            # m.boxes * remaining / weight > maximum, without division
            over = [m for m in free if m.boxes * remaining > maximum_cents * weight]
            if over:
                for m in over:
                    m.capped, m.cents = True, maximum_cents
                    capped_total += maximum_cents
                continue
        under = [m for m in free if m.boxes * remaining < minimum_cents * weight]
        if under and len(under) < len(free):
            for m in under:
                m.dropped, m.cents = True, 0
            continue
        if under:  # nobody reaches the minimum: nobody gets a loan
            for m in free:
                m.dropped, m.cents = True, 0
            return members
        _largest_remainder(free, remaining, weight)
        return members


def _largest_remainder(free: list[Share], cents: int, weight: int) -> None:
    remainders = []
    handed = 0
    for m in free:
        m.cents, remainder = divmod(m.boxes * cents, weight)
        handed += m.cents
        remainders.append((-remainder, m.number, m))
    remainders.sort(key=lambda item: (item[0], item[1]))
    for _negative, _number, m in remainders[: cents - handed]:
        m.cents += 1

"""Split an integer total across weights exactly (largest-remainder method).

Used to spread a coupon discount, points-as-cash or a capped points total over sale
lines: the parts always add up to the total, so a later partial refund can give
back exactly what each line took.
"""

from __future__ import annotations


def allocate(total: int, weights: list[int]) -> list[int]:
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("allocate takes non-negative numbers")
    whole = sum(weights)
    if whole == 0:
        if total:
            # zeros would silently lose the total: the parts must always add up
            raise ValueError(f"cannot spread {total} over nothing (all weights are zero)")
        return [0] * len(weights)
    shares = [total * w // whole for w in weights]
    rema = [(total * w % whole, -i) for i, w in enumerate(weights)]
    short = total - sum(shares)
    for _, neg_i in sorted(rema, reverse=True)[:short]:
        shares[-neg_i] += 1
    return shares

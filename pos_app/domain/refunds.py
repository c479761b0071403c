"""Refunds and returns: give back money and points in proportion, never more.

A line returned in parts reverses floor(share) each time and the last part reverses
whatever is left, so the sum of reversals equals exactly what the line earned.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.problems import Problem, problem


@dataclass(frozen=True, slots=True)
class SoldLine:
    line_no: int
    sku: str
    qty: int
    paid_fen: int
    points: int
    cash_points: int
    refunded_qty: int = 0
    refunded_fen: int = 0
    refunded_points: int = 0
    refunded_cash_points: int = 0


@dataclass(frozen=True, slots=True)
class RefundLine:
    line_no: int
    qty: int
    fen: int
    points: int  # earned points to reverse
    cash_points: int  # points that paid for the line, to give back


def _share(total: int, done: int, qty: int, left_qty: int, line_qty: int) -> int:
    if qty == left_qty:
        return total - done
    return total * qty // line_qty


def plan_refund(lines: list[SoldLine], request: dict[int, int]) -> tuple[RefundLine, ...] | tuple[Problem, ...]:
    by_no = {ln.line_no: ln for ln in lines}
    out: list[RefundLine] = []
    problems: list[Problem] = []
    if not request:
        return (problem("refund.empty", "choose at least one line to refund"),)
    for line_no, qty in sorted(request.items()):
        ln = by_no.get(line_no)
        if ln is None:
            problems.append(problem("refund.no_line", f"the sale has no line {line_no}", line=line_no))
            continue
        left = ln.qty - ln.refunded_qty
        if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
            problems.append(problem("refund.bad_qty", f"line {line_no}: quantity must be positive", line=line_no))
        elif qty > left:
            problems.append(problem("refund.too_many", f"line {line_no}: only {left} left to refund",
                                    line=line_no, left=left))
        else:
            out.append(RefundLine(line_no, qty,
                                  _share(ln.paid_fen, ln.refunded_fen, qty, left, ln.qty),
                                  _share(ln.points, ln.refunded_points, qty, left, ln.qty),
                                  _share(ln.cash_points, ln.refunded_cash_points, qty, left, ln.qty)))
    return tuple(problems) if problems else tuple(out)


def guide_points_to_reverse(guide_total: int, guide_reversed: int, paid_total: int, paid_refunded_after: int) -> int:
    """Shopping-guide points follow the money: reverse the share of the sale refunded so far."""
    if paid_total == 0:
        return guide_total - guide_reversed if paid_refunded_after else 0
    target = guide_total if paid_refunded_after >= paid_total else guide_total * paid_refunded_after // paid_total
    return max(0, target - guide_reversed)

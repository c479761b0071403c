"""Money as integer minor units (fen) with a currency code; points as plain ints.

No floats anywhere: rates are expressed as integer ratios and every division says
how it rounds.
"""

from __future__ import annotations

from dataclasses import dataclass

CNY = "CNY"
MAX_AMOUNT_FEN = 100_000_000  # ¥1,000,000: anything larger at a counter is a typo


@dataclass(frozen=True, slots=True, order=True)
class Money:
    fen: int
    currency: str = CNY

    def __post_init__(self) -> None:
        if not isinstance(self.fen, int) or isinstance(self.fen, bool):
            raise TypeError(f"money must be integer fen, got {self.fen!r}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.fen + other.fen, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.fen - other.fen, self.currency)

    def times(self, qty: int) -> Money:
        return Money(self.fen * qty, self.currency)

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def __str__(self) -> str:
        return format_fen(self.fen, self.currency)


def format_fen(fen: int, currency: str = CNY) -> str:
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    symbol = "¥" if currency == CNY else f"{currency} "
    return f"{sign}{symbol}{whole:,}.{cents:02d}"


def parse_yuan(text: str) -> int:
    """'12.5' -> 1250 fen. Raises ValueError on anything but a plain decimal amount."""
    text = text.strip().replace(",", "")
    if not text or text.count(".") > 1 or text.startswith(("+", "-")):
        raise ValueError(f"not an amount: {text!r}")
    whole, _, frac = text.partition(".")
    if not (whole or frac) or not (whole.isdigit() or whole == "") or not (frac.isdigit() or frac == ""):
        raise ValueError(f"not an amount: {text!r}")
    if len(frac) > 2:
        raise ValueError(f"more than two decimals: {text!r}")
    return int(whole or "0") * 100 + int((frac + "00")[:2])


def mul_div_floor(value: int, num: int, den: int) -> int:
    """value * num / den rounded down, in integers (for points: never over-award)."""
    if den <= 0:
        raise ValueError("denominator must be positive")
    return (value * num) // den

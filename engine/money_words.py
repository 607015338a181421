"""An amount in Chinese capital numerals (大写金额), as vouchers and cheques write it.

The rules are those of the People's Bank of China for bills: 元/角/分 units, 零 for a
gap in the digits (one 零 however many zeros), 整 after 元 or 角 when there are no fen,
负 before a negative amount. Amounts are rounded half-up to the fen first.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")
LIMIT = Decimal(10) ** 16  # beyond 万亿 groups the words stop being standard


def _amount(value: Any) -> Decimal:
    """The value as a Decimal; text may carry the grouping commas and ¥ of a display."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError(f"not an amount: {value!r}")
    text = str(value).replace(",", "").replace("¥", "").replace("￥", "").strip()
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None


def _group(number: int) -> str:
    """1..9999 in capitals, with 零 for an inner gap (壹仟零伍)."""
    out = ""
    gap = False
    for pos in (3, 2, 1, 0):
        digit = number // 10**pos % 10
        if digit == 0:
            gap = bool(out)
            continue
        if gap:
            out += "零"
            gap = False
        out += DIGITS[digit] + UNITS[pos]
    return out


def _integer(number: int) -> str:
    """The yuan part; a zero group or a group under 1000 after a higher one is led by 零."""
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    out = ""
    gap = False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            gap = bool(out)
            continue
        if out and (gap or group < 1000):
            out += "零"
        out += _group(group) + GROUPS[index]
        gap = False
    return out


def money_in_words(value: Any) -> str:
    """`value` as a capital amount: 1234.56 → 壹仟贰佰叁拾肆元伍角陆分; None or "" → ""."""
    if value is None or value == "":
        return ""
    amount = _amount(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if not amount.is_finite() or abs(amount) >= LIMIT:
        raise ValueError(f"amount out of range: {value!r}")
    sign = "负" if amount < 0 else ""
    cents = int(abs(amount) * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "零元整"
    words = _integer(yuan) + "元" if yuan else ""
    if jiao:
        words += DIGITS[jiao] + "角"
    elif fen and yuan:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    else:
        words += "整"
    return sign + words

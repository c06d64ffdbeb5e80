"""Chinese numerals as numbers: 三十 → 30, 一千二百 → 1200, 百分之七十 → 70, 二〇二〇 → 2020."""

from __future__ import annotations

import re

DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_SMALL = {"十": 10, "百": 100, "千": 1000}
_LARGE = {"万": 10_000, "亿": 100_000_000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(_SMALL) + "".join(_LARGE)
NUMERAL_RE = re.compile(f"[{NUMERAL_CHARS}]+")
_YEAR_DIGITS = "〇○零OＯ一二三四五六七八九"
CN_DATE_RE = re.compile(
    f"([{_YEAR_DIGITS}]{{4}})年([一二三四五六七八九十]{{1,3}})月([一二三四五六七八九十]{{1,3}})日"
)


def cn_to_int(text: str) -> int | None:
    """Value of a Chinese numeral (positional 二〇二〇 or counted 一千二百); None if not one."""
    if not text or any(ch not in DIGITS and ch not in _SMALL and ch not in _LARGE for ch in text):
        return None
    if all(ch in DIGITS for ch in text):
        if len(text) == 1:
            return DIGITS[text]
        return int("".join(str(DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in _SMALL:
            section += (1 if digit is None else digit) * _SMALL[ch]
            digit = None
        else:
            section += digit or 0
            total += (section or 1) * _LARGE[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def cn_date(text: str) -> str:
    """ISO date of the first 二〇二〇年三月五日-style date in ``text``; "" when none."""
    m = CN_DATE_RE.search(text)
    if not m:
        return ""
    year, month, day = (cn_to_int(g) for g in m.groups())
    if year is None or month is None or day is None or not (1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"

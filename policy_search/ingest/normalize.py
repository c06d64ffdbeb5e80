"""Consistent punctuation: one canonical form so regexes and tokenisers see one spelling.

Canonical form (length-preserving, character for character, so offsets survive):
- full-width ASCII letters, digits and spaces → half-width (０１２ → 012, Ａ → A);
- Chinese-context punctuation → full-width: ( ) : ; ! ? → （ ）：；！？ and "," → "，"
  except between two digits (1,000 stays), ":" between digits (17:45) stays;
- "." is left alone (decimals like 2.5万件 and item markers like 1. use it).
"""

from __future__ import annotations

import re

_TO_FULL = {"(": "（", ")": "）", ";": "；", "!": "！", "?": "？"}
# one table for every context-free mapping: str.translate builds the result in one pass,
# without a Python object per character (a 15 MB line stays a few copies of itself in memory)
_TABLE = {
    **{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},
    **{code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)},
    **{code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)},
    0x3000: " ",
    0xFF0E: ".",  # ．
    **{ord(k): v for k, v in _TO_FULL.items()},
}
_COMMA_COLON = re.compile("[,:]")


def normalize_char_width(text: str) -> str:
    """Return ``text`` in the canonical punctuation form; same length as the input."""
    out = text.translate(_TABLE)
    if "," not in out and ":" not in out:
        return out
    n = len(out)

    def full_width(m: re.Match[str]) -> str:
        i = m.start()
        # digit-ness is the same before and after the table (full-width digits map to digits)
        if 0 < i < n - 1 and out[i - 1].isdigit() and out[i + 1].isdigit():
            return m.group()
        return "，" if m.group() == "," else "："

    return _COMMA_COLON.sub(full_width, out)


_CONVERTERS: dict[str, object] = {}


def _converter(config: str):
    if config not in _CONVERTERS:
        import opencc

        _CONVERTERS[config] = opencc.OpenCC(config)
    return _CONVERTERS[config]


def to_simplified(text: str) -> str:
    """Traditional Chinese → Simplified, with Taiwan phrases (智慧財產權 → 知识产权).

    Text without Traditional characters is returned unchanged, so mainland wording such as
    资讯 is never rewritten.
    """
    if not text or _converter("t2s").convert(text) == text:
        return text
    return _converter("tw2sp").convert(text)

"""Consistent punctuation: one canonical form so regexes and tokenisers see one spelling.

Canonical form (length-preserving, character for character, so offsets survive):
- full-width ASCII letters, digits and spaces → half-width (０１２ → 012, Ａ → A);
- Chinese-context punctuation → full-width: ( ) : ; ! ? → （ ）：；！？ and "," → "，"
  except between two digits (1,000 stays), ":" between digits (17:45) stays;
- "." is left alone (decimals like 2.5万件 and item markers like 1. use it).
"""

from __future__ import annotations

_TO_FULL = {"(": "（", ")": "）", ";": "；", "!": "！", "?": "？"}


def normalize_char_width(text: str) -> str:
    """Return ``text`` in the canonical punctuation form; same length as the input."""
    out: list[str] = []
    n = len(text)
    for i, ch in enumerate(text):
        code = ord(ch)
        # full-width digits and Latin letters → ASCII
        if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
            out.append(chr(code - 0xFEE0))
            continue
        if ch == "\u3000":
            out.append(" ")
            continue
        if ch in _TO_FULL:
            out.append(_TO_FULL[ch])
            continue
        if ch in ",:":
            prev = text[i - 1] if i > 0 else ""
            nxt = text[i + 1] if i + 1 < n else ""
            between_digits = prev.isdigit() and nxt.isdigit()
            if not between_digits:
                out.append("，" if ch == "," else "：")
                continue
        if ch == "．":
            out.append(".")
            continue
        out.append(ch)
    return "".join(out)


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

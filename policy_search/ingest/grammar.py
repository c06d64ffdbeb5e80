"""The one structure grammar of Chinese policy texts: numerals, heading and list markers.

Loaders (re-joining PDF lines), repair (web noise), chunking (the outline) and answers
(sentences) all read markers from here, so a marker means the same thing everywhere.

Families, from the top of a document's hierarchy down:

=============  ==========================  ==========================================
family         looks like                  used for
=============  ==========================  ==========================================
``part``       第一编 / 第一部分            parts of long regulations and reports
``chapter``    第一章                       chapters
``section``    第一节                       sections inside a chapter
``article``    第一条 / 第十五条            articles: the unit of a regulation
``cn``         一、                         top-level sections of plans
``cn_paren``   （一） / (一)                subsections, or items inside an article
``arabic``     1. / 1、 / 1．               tasks, or items
``arabic_paren`` （1） / (1)                items
``circled``    ① ②                         items
``dash``       ——                           bullets of work plans
``ordinal``    一是 / 二是                   inline enumerations (never headings)
=============  ==========================  ==========================================

A marker found in text is only a *candidate*; whether it is a heading depends on the
document's own numbering (see ``chunking``). This module only knows what markers look like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cnnum import cn_to_int as _cn_value

CN_NUM = "一二三四五六七八九十"  # numerals of section markers (一、 （十二）)
CN_NUM_FULL = "零〇一二三四五六七八九十百千两"  # numerals of article numbers (第一百零二条)
SENTENCE_END = "。；！？"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def cn_to_int(numeral: str) -> int:
    """一 → 1, 十二 → 12, 一百零二 → 102, 二〇二〇 → 2020; 0 for text that is not a numeral.

    The one numeral reader is ``cnnum.cn_to_int`` (None for non-numerals); markers count from 1,
    so 0 is a safe "no number" here."""
    return _cn_value(numeral) or 0


@dataclass(frozen=True)
class Family:
    name: str
    rank: int  # smaller is higher in the hierarchy
    pattern: re.Pattern[str]  # group "num" holds the number


_LEGAL = rf"第\s*(?P<num>[{CN_NUM_FULL}]{{1,6}}|\d{{1,3}})\s*"

FAMILIES: tuple[Family, ...] = (
    Family("part", 0, re.compile(_LEGAL + r"(?:编|部分)")),
    Family("chapter", 1, re.compile(_LEGAL + r"章")),
    Family("section", 2, re.compile(_LEGAL + r"节")),
    Family("article", 3, re.compile(_LEGAL + r"[条條]")),
    Family("cn", 4, re.compile(rf"(?<![{CN_NUM}百零〇第])(?P<num>[{CN_NUM}]{{1,3}})\s?、")),
    Family("cn_paren", 5, re.compile(rf"[（(]\s?(?P<num>[{CN_NUM}]{{1,4}})\s?[）)]")),
    Family("arabic", 6, re.compile(r"(?<![\d.%])(?P<num>\d{1,2})\s?[.、．](?![\d%])")),
    Family("arabic_paren", 7, re.compile(r"[（(](?P<num>\d{1,2})[）)]")),
    Family("circled", 8, re.compile(rf"(?P<num>[{CIRCLED}])")),
    Family("dash", 9, re.compile(r"(?P<num>——)")),
    Family("ordinal", 10, re.compile(rf"(?<![{CN_NUM}])(?P<num>[{CN_NUM}]{{1,2}})是")),
)
FAMILY = {f.name: f for f in FAMILIES}
LEGAL_FAMILIES = ("part", "chapter", "section", "article")
ITEM_FAMILIES = ("cn", "cn_paren", "arabic", "arabic_paren", "circled", "dash", "ordinal")

_LINE_START = {
    f.name: re.compile(r"[ \t\u3000]*(?:" + f.pattern.pattern + ")") for f in FAMILIES if f.name != "ordinal"
}


@dataclass(frozen=True)
class Marker:
    """One heading or list marker found in a text."""

    family: str
    pos: int  # where the marker starts
    end: int  # where it ends (the heading text follows)
    number: int  # its place in the sequence (0 for —— bullets)
    label: str  # as used in chunk ids: 一, 1, (1), 第三条 …

    @property
    def rank(self) -> int:
        return FAMILY[self.family].rank


def marker_number(family: str, raw: str) -> int:
    if family == "dash":
        return 0
    if family == "circled":
        return CIRCLED.index(raw) + 1
    if raw.isdigit():
        return int(raw)
    return cn_to_int(raw)


def _label(family: str, raw: str, text: str) -> str:
    if family in LEGAL_FAMILIES:
        return re.sub(r"\s+", "", text)
    if family == "arabic_paren":
        return f"({raw})"
    if family in ("dash",):
        return ""
    return raw


def match_at(text: str, pos: int, families: tuple[str, ...] | None = None) -> Marker | None:
    """The marker starting at ``pos`` (after optional spaces), trying families top-down."""
    for fam in FAMILIES:
        if fam.name == "ordinal" or (families is not None and fam.name not in families):
            continue
        m = _LINE_START[fam.name].match(text, pos)
        if m:
            raw = m.group("num")
            start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip(" \t\u3000")))
            label = _label(fam.name, raw, text[start : m.end()])
            return Marker(fam.name, start, m.end(), marker_number(fam.name, raw), label)
    return None


def line_marker(line: str) -> Marker | None:
    """The marker a line starts with, if any (``1.5亿元`` is a number, not a marker)."""
    return match_at(line, 0)


def find_markers(
    text: str, families: tuple[str, ...], begin: int = 0, end: int | None = None
) -> list[Marker]:
    """Every candidate marker of the given families in ``text[begin:end]``, in document order."""
    found: list[Marker] = []
    stop = len(text) if end is None else end
    for name in families:
        fam = FAMILY[name]
        for m in fam.pattern.finditer(text, begin, stop):
            raw = m.group("num")
            label = _label(name, raw, m.group(0))
            found.append(Marker(name, m.start(), m.end(), marker_number(name, raw), label))
    found.sort(key=lambda mk: (mk.pos, mk.rank))
    return found


def at_line_start(text: str, pos: int) -> bool:
    """True when only spaces lie between the previous line break and ``pos``."""
    i = pos - 1
    while i >= 0 and text[i] in " \t\u3000":
        i -= 1
    return i < 0 or text[i] == "\n"


SENTENCE_SPLIT = re.compile(r"[^。；！？\n]*(?:[。；！？]+[”」』）]*|\n|$)")


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text`` (ends kept with their sentence), whitespace-trimmed."""
    spans: list[tuple[int, int]] = []
    for m in SENTENCE_SPLIT.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans

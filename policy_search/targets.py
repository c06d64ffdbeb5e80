"""Find quantitative targets (15亿元, 2万人次, 80%, 年均增长10%以上 …) and responsible units.

Both are read off the task text with small, explicit patterns: policy plans state targets
as "indicator + comparator + number + unit" and list responsible offices in a trailing
parenthesis, so regular expressions cover them without a model.
"""

from __future__ import annotations

import re

from .records import Target

_UNITS = (
    "亿元|万元|元|万件|件次|件|万人次|人次|万人|人|万家|家|个百分点|个月|个|%|项|篇次|篇|次|期"
    "|户|所|名|场|倍|亩|平方米|座|套|条"
)
_NUMBER = r"\d+(?:\.\d+)?(?:\s*[-~—–至到]\s*\d+(?:\.\d+)?)?"
_COMPARATOR_BEFORE = (
    "年均增长|平均增长|增长|提高到|提高|提升至|提升到|提升|达到|达|突破|超过|不少于|不低于"
    "|不超过|控制在|力争|累计|新增|缩短至|缩短到|缩短|减少|降低到|降低"
)
_COMPARATOR_AFTER = "以上|以内|以下|左右"

TARGET_RE = re.compile(
    rf"(?P<before>(?:{_COMPARATOR_BEFORE}))?\s*"
    rf"(?<![\d.第〔])(?P<num>{_NUMBER})\s*(?P<unit>{_UNITS})"
    rf"(?P<after>{_COMPARATOR_AFTER})?"
)
_DEADLINE_RE = re.compile(r"(?:到|至|在)?(\d{4})年(?:底|末|前)?")
_CLAUSE_STOP = "。；！？，、：\n（）"
# Units that only count as a target when a comparator is present (too common otherwise).
_WEAK_UNITS = {"个", "条", "次", "项", "名", "所", "座", "套", "场", "户"}


def _indicator_before(text: str, pos: int) -> str:
    """The phrase naming what is measured: the clause text right before the number."""
    start = pos
    while start > 0 and text[start - 1] not in _CLAUSE_STOP:
        start -= 1
    phrase = text[start:pos].strip()
    phrase = re.sub(rf"(?:{_COMPARATOR_BEFORE})$", "", phrase).strip()
    phrase = re.sub(r"^(?:到|至)?\d{4}年(?:底|末)?", "", phrase).strip()
    phrase = re.sub(r"^(?:当年|全年|年内|其中|力争|确保|实现)", "", phrase).strip()
    return phrase[-30:]


def _indicator_after(text: str, pos: int) -> str:
    """For number-first phrasing (推动6500家科技型中小企业…): the clause after the unit."""
    end = pos
    while end < len(text) and text[end] not in _CLAUSE_STOP:
        end += 1
    return text[pos:end].strip()[:20]


def _deadline_near(text: str, pos: int) -> str:
    """The year a target is due by, searched in the sentence before the number."""
    start = pos
    while start > 0 and text[start - 1] not in "。；！？\n":
        start -= 1
    years = _DEADLINE_RE.findall(text[start:pos])
    return f"{years[-1]}年" if years else ""


def extract_targets(text: str) -> tuple[Target, ...]:
    """All quantitative targets in ``text``, with offsets relative to ``text``."""
    targets: list[Target] = []
    for m in TARGET_RE.finditer(text):
        num, unit = m.group("num"), m.group("unit")
        # skip dates and document numbers: 2013年 / 6月 never match (no unit), but 第10次 does
        if text[max(0, m.start("num") - 1) : m.start("num")] == "第":
            continue
        before, after = m.group("before") or "", m.group("after") or ""
        first, *rest = re.split(r"\s*[-~—–至到]\s*", num)
        if unit in _WEAK_UNITS and not (before or after or rest):  # a range (3-5所) is a target too
            continue
        start = m.start("before") if before else m.start("num")
        indicator = _indicator_before(text, start)
        if len(indicator) <= 2:  # only a verb such as 推动 / 培育 precedes the number
            indicator = (indicator + _indicator_after(text, m.end())).strip()
        targets.append(
            Target(
                text=text[start : m.end()],
                value=float(first),
                unit=unit,
                comparator=before or after,
                indicator=indicator,
                deadline=_deadline_near(text, start),
                start=start,
                end=m.end(),
            )
        )
    return tuple(targets)


# ---------------------------------------------------------------- responsible units
# Kept importable from here; the rules live in ``units.py``.
from .units import extract_unit_roles, extract_units  # noqa: E402

__all__ = ["TARGET_RE", "extract_targets", "extract_unit_roles", "extract_units"]

"""Find quantitative targets (15亿元, 2万人次, 80%, 年均增长10%以上 …) and responsible units.

Both are read off the task text with small, explicit patterns: policy plans state targets
as "indicator + comparator + number + unit" and list responsible offices in a trailing
parenthesis, so regular expressions cover them without a model.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from functools import lru_cache

from ..data import DATA_DIR
from ..records import Chunk, Target
from .cnnum import cn_to_int

_UNITS = (
    "亿元|万元|元|万件|件次|件|万人次|人次|万人|人|万家|家|个百分点|个月|个|%|项|篇次|篇|次|期"
    "|户|所|名|场|倍|亩|平方米|座|套|条|个工作日|工作日|日|天"
)
_CN_CHARS = "零〇一二两三四五六七八九十百千"
_CN = f"[{_CN_CHARS}]+"  # 万 / 亿 belong to the unit: 五万元 = 五 + 万元
_ONE = rf"(?:\d+(?:\.\d+)?|{_CN})"
_NUMBER = rf"{_ONE}(?:[ \t]*[-~—–至到][ \t]*{_ONE})?"
_COMPARATOR_BEFORE = (
    "年均增长|平均增长|增长|提高到|提高|提升至|提升到|提升|达到|达|突破|超过|不少于|不低于"
    "|不超过|控制在|力争|累计|新增|缩短至|缩短到|缩短|减少|降低到|降低"
)
_COMPARATOR_AFTER = "以上|以内|以下|左右|内"

TARGET_RE = re.compile(
    rf"(?P<before>(?:{_COMPARATOR_BEFORE}))?[ \t]*"
    rf"(?:百分之(?P<pct>{_ONE})|(?<![\d.第〔{_CN_CHARS}])(?P<num>{_NUMBER})[ \t]*(?P<unit>{_UNITS}))"
    rf"(?P<after>{_COMPARATOR_AFTER})?"
)
_DAY_UNITS = {"日", "天", "工作日", "个工作日"}
_DEADLINE_RE = re.compile(r"(?:到|至|在)?(\d{4})年(?:底|末|前)?")
_CLAUSE_STOP = "。；！？，、：\n（）"
_WINDOW = 300  # the longest sentence looked at around a number (keeps run-on text linear)
# Units that only count as a target when a comparator is present (too common otherwise).
_WEAK_UNITS = {"个", "条", "次", "项", "名", "所", "座", "套", "场", "户", "日", "天", "工作日", "个工作日"}


def _value(text: str) -> float | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    n = cn_to_int(text)
    return None if n is None else float(n)


def _indicator_before(text: str, pos: int) -> str:
    """The phrase naming what is measured: the clause text right before the number."""
    start, floor = pos, max(0, pos - _WINDOW)
    while start > floor and text[start - 1] not in _CLAUSE_STOP:
        start -= 1
    phrase = text[start:pos].strip()
    phrase = re.sub(rf"(?:{_COMPARATOR_BEFORE})$", "", phrase).strip()
    phrase = re.sub(r"^(?:到|至)?\d{4}年(?:底|末)?", "", phrase).strip()
    phrase = re.sub(r"^(?:当年|全年|年内|其中|力争|确保|实现)", "", phrase).strip()
    return phrase[-30:]


def _indicator_after(text: str, pos: int) -> str:
    """For number-first phrasing (推动6500家科技型中小企业…): the clause after the unit."""
    end, ceiling = pos, min(len(text), pos + _WINDOW)
    while end < ceiling and text[end] not in _CLAUSE_STOP:
        end += 1
    return text[pos:end].strip()[:20]


def _deadline_near(text: str, pos: int) -> str:
    """The year a target is due by, searched in the sentence before the number."""
    start, floor = pos, max(0, pos - _WINDOW)
    while start > floor and text[start - 1] not in "。；！？\n":
        start -= 1
    years = _DEADLINE_RE.findall(text[start:pos])
    return f"{years[-1]}年" if years else ""


def extract_targets(text: str, doc_year: int | None = None, review: bool = False) -> tuple[Target, ...]:
    """All quantitative targets in ``text``, with offsets relative to ``text``.

    Each gets a ``kind``: "achievement" when its sentence reports a past result (see
    ``classify``), else "target". ``doc_year`` is the document's year; ``review`` says the
    text sits in a review section (回顾, 成效 …).
    """
    targets: list[Target] = []
    for m in TARGET_RE.finditer(text):
        before, after = m.group("before") or "", m.group("after") or ""
        if m.group("pct") is not None:
            num, unit, num_start = m.group("pct"), "%", m.start("pct") - 3
        else:
            num, unit, num_start = m.group("num"), m.group("unit"), m.start("num")
        # skip dates and ordinals: 第10次, 2月26日
        if text[max(0, num_start - 1) : num_start] in ("第", "月"):
            continue
        first, *rest = re.split(r"[ \t]*[-~—–至到][ \t]*", num)
        value = _value(first)
        if value is None:
            continue
        chinese = not first[0].isdigit()
        if chinese and not re.search("[一二两三四五六七八九]", first):
            continue  # 千人计划, 百家: a bare 千 / 百 is a word, not a number
        if after == "内" and unit not in _DAY_UNITS:
            after = ""
        if unit in _WEAK_UNITS and not (before or after or rest or (chinese and value >= 10)):
            continue  # a range (3-5所) or a comparator makes a count a target
        if (
            chinese
            and value < 10
            and not (before or after or rest)
            and unit in {"家", "件", "人", "万人", "篇"}
        ):
            continue  # 一家 / 三件 in running text are not targets
        start = m.start("before") if before else num_start
        end = m.end("after") if after else (m.end("pct") if m.group("pct") is not None else m.end("unit"))
        indicator = _indicator_before(text, start)
        if len(indicator) <= 2:  # only a verb such as 推动 / 培育 precedes the number
            indicator = (indicator + _indicator_after(text, end)).strip()
        target = Target(
            text=text[start:end],
            value=value,
            unit=unit,
            comparator=before or after,
            indicator=indicator,
            deadline=_deadline_near(text, start),
            start=start,
            end=end,
        )
        targets.append(replace(target, kind=classify(text, start, doc_year, review)))
    return tuple(targets)


@lru_cache(maxsize=1)
def _cues() -> dict[str, list[str]]:
    path = DATA_DIR / "targets.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


def is_review_heading(section: tuple[str, ...]) -> bool:
    """True for a section such as 一、过去五年工作回顾 or （一）发展基础."""
    words = _cues()["review_headings"]
    return any(w in heading for heading in section for w in words)


def mark_kinds(chunk: Chunk, doc_year: int | None) -> Chunk:
    """The chunk with each target's kind decided knowing the document's year and section."""
    if not chunk.targets:
        return chunk
    review = is_review_heading(chunk.section)
    targets = tuple(replace(t, kind=classify(chunk.text, t.start, doc_year, review)) for t in chunk.targets)
    return replace(chunk, targets=targets)


def classify(text: str, pos: int, doc_year: int | None = None, review: bool = False) -> str:
    """ "achievement" when the sentence around ``pos`` reports a past result, else "target"."""
    start, floor = pos, max(0, pos - _WINDOW)
    while start > floor and text[start - 1] not in "。；！？\n":
        start -= 1
    end, ceiling = pos, min(len(text), pos + _WINDOW)
    while end < ceiling and text[end] not in "。；！？\n":
        end += 1
    sentence = text[start:end]
    cues = _cues()
    future_years = [int(y) for y in re.findall(r"(?:到|至|在)((?:19|20)\d{2})年", sentence)]
    if doc_year is not None and any(y >= doc_year for y in future_years):
        return "target"
    if any(c in sentence for c in cues["past_cues"]):
        return "achievement"
    if any(c in sentence for c in cues["future_cues"]):
        return "target"
    last_year = any(w in sentence for w in cues["last_year_words"]) and "比上" not in sentence
    if last_year and any(v in sentence for v in cues["last_year_verbs"]):
        return "achievement"
    has_result = any(v in sentence for v in cues["result_verbs"])
    if doc_year is not None and has_result:
        years = [int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})年", sentence)]
        if years and max(years) < doc_year and not future_years:
            return "achievement"
    if review and has_result:
        return "achievement"
    return "target"


# ---------------------------------------------------------------- responsible units
# Kept importable from here; the rules live in ``units.py``.
from .units import extract_unit_roles, extract_units  # noqa: E402

__all__ = ["TARGET_RE", "extract_targets", "extract_unit_roles", "extract_units"]

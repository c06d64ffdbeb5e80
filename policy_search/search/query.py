"""What a query asks about: its topic words, apart from the words that frame a question.

Shared by the calibrated relevance score (``relevance.py``) and the extractive answers
(``answers.py``), so both weigh the same words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# Words that frame a question rather than name its topic; they do not count as evidence.
_QUESTION_WORDS_TEXT = (
    "目标 指标 多少 几 什么 哪些 哪个 怎么 怎样 如何 各地 各 提出 要求 计划 规定 措施 工作 开展 加强 "
    "推进 要 是 有 设立 建设 情况 方面 关于 问题 提到 要点 方案 纲要 年 到 任务 负责 哪里"
)
QUESTION_WORDS = frozenset(_QUESTION_WORDS_TEXT.split(" "))
_YEAR_TOKEN = re.compile(r"(?:19|20)\d{2}年?")


def is_year_token(token: str) -> bool:
    return bool(_YEAR_TOKEN.fullmatch(token))


def topic_terms(tokens: Iterable[str], places: Iterable[str] = ()) -> list[str]:
    """Tokens that name the query's topic, in order, without repeats: question words, and the
    place names and years that select a plan (satisfied by the plan itself, not its text), dropped."""
    places = [p for p in places if p]
    return [
        t
        for t in dict.fromkeys(tokens)
        if t not in QUESTION_WORDS and not is_year_token(t) and not any(t in p for p in places)
    ]


_UNIT_PREFIX = re.compile(r"^(?:各有关|各级|各|省|市|区|县)")
_UNIT_SUFFIX = re.compile(r"(?:局|委|厅|处|司|部门|办公室|办|中心|委员会)$")


def unit_names(units: Iterable[str], too_common: Callable[[str], bool]) -> set[str]:
    """Names a question may use for the responsible units: 市财政局 → 市财政局, 财政局,
    财政部门; a name as common as 知识产权局 in the corpus (``too_common``) is left out."""
    names: set[str] = set()
    for unit in units:
        short = _UNIT_PREFIX.sub("", unit)
        core = _UNIT_SUFFIX.sub("", short)
        for name in (unit, short, f"{core}部门" if core != short else ""):
            if len(name) >= 3 and not too_common(name):
                names.add(name)
    return names


def named_units(query: str, names: Iterable[str]) -> tuple[str, ...]:
    """Unit names in the query, longest first, none inside another one found."""
    found: list[str] = []
    for name in sorted(names, key=len, reverse=True):
        if name in query and not any(name in f for f in found):
            found.append(name)
    return tuple(found)

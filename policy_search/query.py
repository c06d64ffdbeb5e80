"""What a query asks about: its topic words, apart from the words that frame a question.

Shared by the calibrated relevance score (``relevance.py``) and the extractive answers
(``answers.py``), so both weigh the same words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words that frame a question rather than name its topic; they do not count as evidence.
_QUESTION_WORDS_TEXT = (
    "目标 指标 多少 几 什么 哪些 哪个 怎么 怎样 如何 各地 各 提出 要求 计划 规定 措施 工作 开展 加强 "
    "推进 要 是 有 设立 建设 情况 方面 关于 问题 提到 要点 方案 纲要 年 到"
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

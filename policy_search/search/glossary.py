"""English → Chinese query expansion with a small IP-policy glossary.

The plans are Chinese; an English query ("patent pledge financing targets") shares no token
with them, so BM25 scores nothing and the small multilingual encoder alone is weak across
languages (English dev queries: nDCG@10 0.57 dense-only). Appending the Chinese terms of the
English words the glossary knows (专利 质押融资 目标) lets both retrievers match.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..data import DATA_DIR

GLOSSARY_PATH = DATA_DIR / "glossary_en_zh.tsv"
_WORD = re.compile(r"[A-Za-z][A-Za-z\-']*")


@lru_cache(maxsize=1)
def _glossary() -> tuple[dict[tuple[str, ...], str], int]:
    entries: dict[tuple[str, ...], str] = {}
    for line in GLOSSARY_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, chinese = line.split("\t")
        entries[tuple(english.lower().split())] = chinese.strip()
    return entries, max((len(k) for k in entries), default=1)


def translate_terms(query: str) -> list[str]:
    """Chinese glossary terms for the English words of ``query``, longest phrase first."""
    words = [w.lower() for w in _WORD.findall(query)]
    entries, longest = _glossary()
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            chinese = entries.get(tuple(words[i : i + n]))
            if chinese:
                out.extend(t for t in chinese.split() if t not in out)
                i += n
                break
        else:
            i += 1
    return out


def expand_query(query: str) -> str:
    """The query plus Chinese terms for its English words (unchanged when there are none)."""
    terms = translate_terms(query)
    return f"{query} {' '.join(terms)}" if terms else query

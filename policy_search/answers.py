"""Extractive answers: the sentences that answer a question, their targets, and a per-plan comparison.

``answer(engine, question)`` retrieves chunks with the hybrid engine, splits the top chunks
into sentences and scores each sentence against the question with the same encoder (cosine)
plus IDF-weighted keyword overlap and the chunk's own rank. Questions that ask for a number
(目标, 多少, 几 …) prefer sentences carrying quantitative targets; questions that name a
plan's region or year prefer that plan. Every word returned comes from a plan, with its
citation. When the best evidence covers too little of the question, the answer says plainly
that the corpus does not answer it (threshold measured on ``eval/answers.jsonl``).

An optional OpenAI-compatible chat endpoint can add a short generated answer written only
from the retrieved sentences, with [n] citations; if it fails, the extractive answer stands.
"""

from __future__ import annotations

import json
import math
import re
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .glossary import expand_query
from .grammar import sentences as split_sentences  # noqa: F401  (re-exported for callers)
from .query import topic_terms
from .records import Chunk, Target
from .relevance import coverage
from .retrieval import Filters, Hit, SearchEngine, clean_query
from .targets import extract_targets

_NUMBER_QUESTION = re.compile(
    r"目标|指标|多少|几[家个项次件所名万亿]|几|达到|比例|比重|数量|规模|增长|增幅|占比|百分|金额"
    r"|how many|how much|target|rate",
    re.IGNORECASE,
)
_DATA = Path(__file__).resolve().parent / "data"

# Scoring weights and the not-found threshold, chosen on eval/answers.jsonl (see README).
W_DENSE, W_KEYWORD, W_CHUNK, TARGET_BONUS, NAMED_PLAN_BONUS, NAMED_YEAR_BONUS = 0.35, 0.45, 0.2, 0.3, 0.2, 0.2
# Found when the best chunk covers enough of the question's topic weight (IDF), or when the
# best sentence is close enough to the question for the encoder the threshold was measured
# with. Measured on eval/answers.jsonl: unanswerable questions reached coverage ≤ 0.52 and
# sentence cosine ≤ 0.896, answerable ones coverage ≥ 0.60 except one paraphrase (0.29,
# cosine 0.917). A question naming a place no plan covers (上海 …) is not found outright.
MIN_COVERAGE = 0.55
MIN_SENTENCE_COSINE = {"e5-small-q4": 0.91}


def _record_dict(record: Any) -> dict[str, Any]:
    """JSON-ready fields of an answer item or comparison row (lists, rounded score)."""
    data = asdict(record)
    data["section"] = list(record.section)
    data["units"] = list(record.units)
    data["targets"] = [t.to_dict() for t in record.targets]
    data["score"] = round(record.score, 4)
    return data


@dataclass(frozen=True)
class AnswerItem:
    """One answering sentence with its citation; ``start``/``end`` index into the chunk text."""

    text: str
    chunk_id: str
    doc_id: str
    plan_title: str
    issuer: str
    year: int | None
    period: str
    section: tuple[str, ...]
    title: str
    start: int
    end: int
    score: float
    targets: tuple[Target, ...]
    units: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


@dataclass(frozen=True)
class ComparisonRow:
    """The best-matching task of one plan, with the targets it sets on the topic."""

    doc_id: str
    plan_title: str
    issuer: str
    region: str
    year: int | None
    period: str
    chunk_id: str
    section: tuple[str, ...]
    title: str
    text: str  # the best sentence of that task
    targets: tuple[Target, ...]
    units: tuple[str, ...]
    score: float

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


@dataclass
class Answer:
    question: str
    found: bool
    message: str
    items: list[AnswerItem] = field(default_factory=list)
    comparison: list[ComparisonRow] = field(default_factory=list)
    wants_number: bool = False
    coverage: float = 0.0
    hits: list[Hit] = field(default_factory=list, repr=False)
    generated: str | None = None
    generation_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``answer --json``; best answer item first."""
        return {
            "question": self.question,
            "found": self.found,
            "message": self.message,
            "answer": [i.to_dict() for i in self.items],
            "comparison": [r.to_dict() for r in self.comparison],
            "generated": self.generated,
            "generation_error": self.generation_error,
        }


def wants_number(question: str) -> bool:
    return bool(_NUMBER_QUESTION.search(question))


def _topic_terms(engine: SearchEngine, question: str) -> list[str]:
    """Question tokens that name its topic (see ``query.topic_terms``); the place names that
    select a plan are satisfied by the plan itself, not by its text."""
    named = engine.region_boosts(question)
    places = {alias for region in named for alias in engine.region_aliases_of(region)}
    places |= set(named.values()) | {"国家", "国家局", "全国"} if "全国" in named else set(named.values())
    return topic_terms(engine.tokenizer.tokenize(question), places)


def _coverage(terms: list[str], text: str, engine: SearchEngine) -> float:
    """IDF-weighted share of ``terms`` in ``text`` (document frequencies stored with the index)."""
    return coverage(terms, [engine.terms.weight(t) for t in terms], text.lower())


def _statement_spans(engine: SearchEngine, chunk: Chunk) -> list[tuple[int, int, int]]:
    """(store row, start, end) of the chunk's whole-statement sentences."""
    store = engine.sentences
    return [(r, int(store.starts[r]), int(store.ends[r])) for r in store.rows_of(engine.position(chunk))]


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    lines = (_DATA / "places.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


def unknown_places(engine: SearchEngine, question: str) -> list[str]:
    """Places named in the question that no plan covers and the corpus never mentions."""
    covered = " ".join(c.region for c in engine.chunks)
    names = [p for p in _places() if p in question and p not in covered]
    return [p for p in names if not any(p in c.text for c in engine.chunks)]


def _minmax(values: np.ndarray) -> np.ndarray:
    lo, hi = float(values.min()), float(values.max())
    return np.zeros_like(values) if hi - lo < 1e-12 else (values - lo) / (hi - lo)


def answer(
    engine: SearchEngine,
    question: str,
    filters: Filters | None = None,
    max_items: int = 3,
    top_chunks: int = 6,
    llm: LLMConfig | None = None,
) -> Answer:
    """Answer ``question`` from the corpus: best sentences, their targets, and a comparison."""
    question = clean_query(question)
    if not question:
        return Answer(question, False, "请输入问题。")
    number = wants_number(question)
    hits = engine.search(question, k=30, mode="hybrid", filters=filters)
    expanded = expand_query(question)  # English words → Chinese glossary terms
    terms = _topic_terms(engine, expanded)
    if expanded != question:
        terms = [t for t in terms if not t.isascii()] or terms
    if not hits:
        return Answer(question, False, "语料中没有找到相关内容。", wants_number=number)
    missing_places = unknown_places(engine, question)
    if missing_places:
        message = f"语料中没有{'、'.join(missing_places)}的政策文件，无法回答这个问题。"
        return Answer(question, False, message, wants_number=number, hits=hits)
    named = set(engine.region_boosts(question))
    named_years = "year:" in " ".join(b for h in hits for b in h.boosts)
    years = re.findall(r"(?:19|20)\d{2}年", question)

    # candidate sentences from the top chunks
    candidates: list[tuple[Hit, int, int]] = []
    rows: list[int] = []
    # a covering notice (关于印发…的通知) restates titles but never answers a question
    answering = [h for h in hits if h.chunk.kind != "notice"] or hits
    for hit in answering[:top_chunks]:
        for row, start, end in _statement_spans(engine, hit.chunk):  # whole statements only
            candidates.append((hit, start, end))
            rows.append(row)
    if not candidates:
        message = "语料中没有找到能直接回答这个问题的句子。"
        return Answer(question, False, message, wants_number=number, hits=hits)
    texts = [h.chunk.text[s:e] for h, s, e in candidates]
    qvec = engine.query_vector(expanded)
    cosines = engine.sentences.vectors_of(rows, texts, engine.encoder) @ qvec
    dense = _minmax(cosines)
    # a sentence inherits half its keyword evidence from its task: 全年专利权质押贷款达到15亿元
    # answers a 质押融资 question because its task is about 质押融资
    chunk_cov = {h.chunk.chunk_id: _coverage(terms, h.chunk.text, engine) for h in answering[:top_chunks]}
    keyword = np.array(
        [
            0.5 * _coverage(terms, t, engine) + 0.5 * chunk_cov[h.chunk.chunk_id]
            for t, (h, _, _) in zip(texts, candidates)
        ]
    )
    chunk_prior = _minmax(np.array([h.score for h, _, _ in candidates]))
    sentence_targets = [extract_targets(t) for t in texts]
    scores = W_DENSE * dense + W_KEYWORD * keyword + W_CHUNK * chunk_prior
    for i, (hit, _, _) in enumerate(candidates):
        if number and sentence_targets[i]:
            scores[i] += TARGET_BONUS
        if (named and hit.chunk.region in named) or (
            named_years and any(b.startswith("year:") for b in hit.boosts)
        ):
            scores[i] += NAMED_PLAN_BONUS
        if any(y in texts[i] for y in years):  # 到2035年… when the question asks about 2035
            scores[i] += NAMED_YEAR_BONUS

    best_coverage = max((_coverage(terms, h.chunk.text, engine) for h in answering[:top_chunks]), default=0.0)
    if not terms:
        best_coverage = 1.0  # nothing but question words: trust retrieval
    min_cosine = MIN_SENTENCE_COSINE.get(engine.encoder.name, math.inf)
    confident = best_coverage >= MIN_COVERAGE or float(cosines.max(initial=-1.0)) >= min_cosine
    order = sorted(range(len(candidates)), key=lambda i: -scores[i])
    items: list[AnswerItem] = []
    seen: set[str] = set()
    for i in order:
        hit, start, end = candidates[i]
        if texts[i] in seen:
            continue
        seen.add(texts[i])
        items.append(_item(hit.chunk, start, end, float(scores[i]), sentence_targets[i]))
        if len(items) >= max_items:
            break
    found = confident and bool(items)
    result = Answer(
        question=question,
        found=found,
        message="" if found else "语料中没有找到能直接回答这个问题的句子；可查看下面最相关的段落。",
        items=items if found else [],
        comparison=compare(engine, question, hits, terms, number) if found else [],
        wants_number=number,
        coverage=best_coverage,
        hits=hits,
    )
    if llm is not None and found:
        try:
            result.generated = generate(llm, question, result.items)
        except GenerationError as exc:
            result.generation_error = str(exc)
    return result


def _item(chunk: Chunk, start: int, end: int, score: float, targets: tuple[Target, ...]) -> AnswerItem:
    shifted = tuple(
        Target(t.text, t.value, t.unit, t.comparator, t.indicator, t.deadline, t.start + start, t.end + start)
        for t in targets
    )
    return AnswerItem(
        text=chunk.text[start:end],
        chunk_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        plan_title=chunk.plan_title,
        issuer=chunk.issuer,
        year=chunk.year,
        period=chunk.period,
        section=chunk.section,
        title=chunk.title,
        start=start,
        end=end,
        score=score,
        targets=shifted,
        units=chunk.units,
    )


def compare(
    engine: SearchEngine, question: str, hits: list[Hit], terms: list[str], number: bool
) -> list[ComparisonRow]:
    """One row per plan that addresses the topic: its best task, best sentence and targets.

    A plan is left out when its best task covers less than half of the question's topic
    weight that the best plan's task covers — nothing is padded.
    """
    best_per_doc: dict[str, Hit] = {}
    for hit in hits:
        best_per_doc.setdefault(hit.chunk.doc_id, hit)
    coverages = {d: _coverage(terms, h.chunk.text, engine) for d, h in best_per_doc.items()}
    top = max(coverages.values(), default=0.0)
    rows = []
    for doc_id, hit in best_per_doc.items():
        if top <= 0 or coverages[doc_id] < 0.5 * top:
            continue
        chunk = hit.chunk
        spans = [(s, e) for _, s, e in _statement_spans(engine, chunk)]

        def sentence_rank(span: tuple[int, int], text: str = chunk.text) -> tuple[bool, float]:
            sentence = text[span[0] : span[1]]
            covered = _coverage(terms, sentence, engine)
            # a number question shows the on-topic sentence that states the target
            return (number and covered > 0 and bool(extract_targets(sentence)), covered)

        scored = sorted(spans, key=sentence_rank, reverse=True)
        start, end = scored[0] if scored else (0, len(chunk.text))
        topical = [
            t
            for s, e in spans
            if _coverage(terms, chunk.text[s:e], engine) > 0
            for t in extract_targets(chunk.text[s:e])
        ]
        rows.append(
            ComparisonRow(
                doc_id=doc_id,
                plan_title=chunk.plan_title,
                issuer=chunk.issuer,
                region=chunk.region,
                year=chunk.year,
                period=chunk.period,
                chunk_id=chunk.chunk_id,
                section=chunk.section,
                title=chunk.title,
                text=chunk.text[start:end],
                targets=tuple(topical),
                units=chunk.units,
                score=hit.score,
            )
        )
    return sorted(rows, key=lambda r: -r.score)


# ------------------------------------------------------------------ optional generated answer


class GenerationError(Exception):
    """The chat endpoint failed; the message is one line for the user."""


@dataclass(frozen=True)
class LLMConfig:
    """An OpenAI-compatible chat endpoint, e.g. http://localhost:11434/v1 (Ollama) or vLLM."""

    endpoint: str
    model: str
    api_key: str = ""
    timeout: float = 30.0
    max_tokens: int = 400


_SYSTEM_PROMPT = (
    "你是知识产权政策助手。只能根据用户提供的编号摘录回答，不得使用摘录以外的信息。"
    "用简洁的中文回答，并在每句话后用[编号]标注出处。摘录不能回答时，直接说明语料中没有相关内容。"
)


def generate(config: LLMConfig, question: str, items: list[AnswerItem]) -> str:
    """A short Chinese answer written only from ``items``, citing them as [1], [2] …"""
    excerpts = "\n".join(
        f"[{n}] {i.plan_title} · {' › '.join(i.section)} · {i.title}：{i.text}"
        for n, i in enumerate(items, 1)
    )
    payload = {
        "model": config.model,
        "messages": [
            {"role": "system", "content": _SYSTEM_PROMPT},
            {"role": "user", "content": f"摘录：\n{excerpts}\n\n问题：{question}"},
        ],
        "temperature": 0,
        "max_tokens": config.max_tokens,
    }
    url = config.endpoint.rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    request = urllib.request.Request(url, json.dumps(payload).encode("utf-8"), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:
            body = json.loads(response.read().decode("utf-8"))
        content = body["choices"][0]["message"]["content"]
    except urllib.error.HTTPError as exc:
        raise GenerationError(f"chat endpoint {url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise GenerationError(f"chat endpoint {url} unreachable ({reason})") from None
    except (ValueError, KeyError, IndexError, TypeError):
        raise GenerationError(f"chat endpoint {url} returned an unexpected response") from None
    if not isinstance(content, str) or not content.strip():
        raise GenerationError(f"chat endpoint {url} returned an empty answer")
    return content.strip()

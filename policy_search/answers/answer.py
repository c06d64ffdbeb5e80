"""Extractive answers: the sentences that answer a question, their targets, and a per-plan comparison.

``answer(engine, question)`` retrieves chunks with the hybrid engine, splits the top chunks
into sentences and scores each sentence against the question with the same encoder (cosine)
plus IDF-weighted keyword overlap and the chunk's own rank. Questions that ask for a number
(目标, 多少, 几 …) prefer sentences carrying quantitative targets; questions that name a
plan's region or year prefer that plan. Every word returned comes from a plan, with its
citation. When the best evidence covers too little of the question, the answer says plainly
that the corpus does not answer it (threshold measured on ``eval/answers.jsonl``).

Only whole statements are candidates (``evidence.py``); a sentence that supplies what the
question asks for — a figure, a date, a unit, a contact, a condition (``asks.py``) — gets a
bonus. The comparison lives in ``comparison.py``, the optional chat endpoint that can add a
generated answer in ``llm.py``; the weights and thresholds in ``Settings``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from ..data import DATA_DIR
from ..ingest.grammar import sentences as split_sentences  # noqa: F401  (re-exported for callers)
from ..ingest.targets import extract_targets
from ..records import Chunk, Target
from ..search.retrieval import Filters, Hit, ParsedQuery, SearchEngine
from ..store.chunkstore import chunk_regions
from .asks import asked, supplies
from .comparison import ComparisonRow, compare, record_dict, statement_rows, topic_share
from .evidence import answer_span
from .llm import GenerationError, LLMConfig, generate

_NUMBER_QUESTION = re.compile(
    r"目标|指标|多少|几[家个项次件所名万亿]|几|达到|比例|比重|数量|规模|增长|增幅|占比|百分|金额"
    r"|how many|how much|target|rate",
    re.IGNORECASE,
)
_DATA = DATA_DIR


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
        return record_dict(self)


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


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    lines = (_DATA / "places.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


def unknown_places(engine: SearchEngine, question: str) -> list[str]:
    """Places named in the question that no plan covers and the corpus never mentions."""
    covered = " ".join(chunk_regions(engine.chunks))  # from the columns: no chunk parsed
    names = [p for p in _places() if p in question and p not in covered]
    return [p for p in names if not any(p in c.text for c in engine.chunks)]


def _own_terms(terms: list[str], chunk: Chunk) -> list[str]:
    """The question's topic words that do not merely name the chunk's document (title, issuer)."""
    identity = f"{chunk.plan_title} {chunk.issuer}".lower()
    return [t for t in terms if t not in identity] or terms


def _bigrams(question: str, terms: list[str]) -> set[str]:
    """Character pairs of the question's topic words, as the question writes them."""
    text = "".join(t for t in terms)
    return {text[i : i + 2] for i in range(len(text) - 1)} | {t for t in terms if len(t) == 2}


def _phrase_share(wanted: set[str], sentence: str) -> float:
    if not wanted:
        return 0.0
    lowered = sentence.lower()
    return sum(1 for b in wanted if b in lowered) / len(wanted)


def _minmax(values: np.ndarray) -> np.ndarray:
    lo, hi = float(values.min()), float(values.max())
    return np.zeros_like(values) if hi - lo < 1e-12 else (values - lo) / (hi - lo)


def answer(
    engine: SearchEngine,
    question: str | ParsedQuery,
    filters: Filters | None = None,
    max_items: int = 3,
    top_chunks: int | None = None,
    llm: LLMConfig | None = None,
) -> Answer:
    """Answer ``question`` (text or ``engine.parse(text)``) from the corpus: best sentences,
    their targets, and a comparison."""
    parsed = engine.parse(question)  # cleaned, expanded, tokenised and its names recognised once
    question = parsed.cleaned
    if not question:
        return Answer(question, False, "请输入问题。")
    number = wants_number(question)
    cfg = engine.settings
    hits = engine.search(parsed, k=cfg.answer_hits, mode="hybrid", filters=filters)
    top_chunks = top_chunks or cfg.answer_top_chunks
    expanded = parsed.expanded  # English words → Chinese glossary terms
    # the topic words; the place names that select a plan are satisfied by the plan itself
    terms = list(parsed.topic_terms)
    if not hits:
        return Answer(question, False, "语料中没有找到相关内容。", wants_number=number)
    missing_places = unknown_places(engine, question)
    if missing_places:
        message = f"语料中没有{'、'.join(missing_places)}的政策文件，无法回答这个问题。"
        return Answer(question, False, message, wants_number=number, hits=hits)
    named = set(parsed.region_names)
    named_years = "year:" in " ".join(b for h in hits for b in h.boosts)
    years = re.findall(r"(?:19|20)\d{2}年", question)

    # candidate sentences from the top chunks
    candidates: list[tuple[Hit, int, int]] = []
    rows: list[int] = []
    # a covering notice (关于印发…的通知) restates titles but never answers a question
    answering = [h for h in hits if h.chunk.kind != "notice"] or hits
    statements: dict[str, list[tuple[int, int]]] = {}
    for hit in answering[:top_chunks]:
        spans = statement_rows(engine, hit.chunk)  # whole statements only
        statements[hit.chunk.chunk_id] = [(s, e) for _, s, e in spans]
        for row, start, end in spans:
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
    # words that name the document itself (its title, issuer) are satisfied by the document: a
    # question on 「某局关于做好复工工作的通知」 that asks about 食堂 is answered by a 食堂 sentence
    own = {h.chunk.chunk_id: _own_terms(terms, h.chunk) for h in answering[:top_chunks]}
    chunk_cov = {
        cid: topic_share(own[cid], h.chunk.text, engine)
        for h in answering[:top_chunks]
        for cid in [h.chunk.chunk_id]
    }
    share = cfg.answer_sentence_share
    keyword = np.array(
        [
            share * topic_share(own[h.chunk.chunk_id], t, engine) + (1 - share) * chunk_cov[h.chunk.chunk_id]
            for t, (h, _, _) in zip(texts, candidates)
        ]
    )
    chunk_prior = _minmax(np.array([h.score for h, _, _ in candidates]))
    sentence_targets = [extract_targets(t) for t in texts]
    w_dense, w_keyword, w_rank = cfg.answer_weights
    scores = w_dense * dense + w_keyword * keyword + w_rank * chunk_prior
    # questions often quote the sentence that answers them; a number question wants the target
    if cfg.answer_phrase_weight and not number:
        wanted = _bigrams(question, terms)
        # like keyword coverage, half from the sentence and half from its task
        task_phrase = {h.chunk.chunk_id: _phrase_share(wanted, h.chunk.text) for h, _, _ in candidates}
        phrase = [
            share * _phrase_share(wanted, t) + (1 - share) * task_phrase[h.chunk.chunk_id]
            for t, (h, _, _) in zip(texts, candidates)
        ]
        scores += cfg.answer_phrase_weight * np.array(phrase)
    kinds = asked(question)
    for i, (hit, _, _) in enumerate(candidates):
        if number and sentence_targets[i]:
            scores[i] += cfg.answer_target_bonus
        if kinds and supplies(kinds, texts[i]):
            scores[i] += cfg.answer_asked_bonus
        if (named and hit.chunk.region in named) or (
            named_years and any(b.startswith("year:") for b in hit.boosts)
        ):
            scores[i] += cfg.answer_named_plan_bonus
        if any(y in texts[i] for y in years):  # 到2035年… when the question asks about 2035
            scores[i] += cfg.answer_named_year_bonus

    best_coverage = max(
        (topic_share(terms, h.chunk.text, engine) for h in answering[:top_chunks]), default=0.0
    )
    if not terms:
        best_coverage = 1.0  # nothing but question words: trust retrieval
    min_cosine = cfg.answer_min_cosine if engine.encoder.name == cfg.relevance_encoder else math.inf
    confident = best_coverage >= cfg.answer_min_coverage or float(cosines.max(initial=-1.0)) >= min_cosine
    order = sorted(range(len(candidates)), key=lambda i: -scores[i])
    items: list[AnswerItem] = []
    seen: set[str] = set()
    quoted: list[tuple[str, int, int]] = []  # spans already answered: a list is quoted once
    for i in order:
        hit, start, end = candidates[i]
        if texts[i] in seen:
            continue
        # an item of a short list answers with the whole list; a heading sentence with its text
        # a figure, date or contact asked for is quoted in its own sentence, not in its paragraph
        exact = kinds[:1] in (("date",), ("contact",), ("figure",)) and supplies(kinds, texts[i])
        own_statements = () if exact else statements[hit.chunk.chunk_id]
        start, end = answer_span(hit.chunk.text, start, end, own_statements, cfg)
        cid = hit.chunk.chunk_id
        if any(c == cid and s < end and start < e for c, s, e in quoted):
            continue
        seen.add(texts[i])
        quoted.append((cid, start, end))
        targets = sentence_targets[i] if (start, end) == candidates[i][1:] else None
        items.append(_item(hit.chunk, start, end, float(scores[i]), targets))
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


def _item(chunk: Chunk, start: int, end: int, score: float, targets: tuple[Target, ...] | None) -> AnswerItem:
    if targets is None:
        targets = extract_targets(chunk.text[start:end])
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

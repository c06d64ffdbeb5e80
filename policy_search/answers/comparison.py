"""The cross-plan comparison: one row per plan that addresses the question's topic, with its
best task, best sentence and the targets it sets on the topic — plans with nothing relevant
are left out, not padded."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..ingest.targets import extract_targets
from ..records import Chunk, Target
from ..search.relevance import coverage
from ..search.retrieval import Hit, SearchEngine


def record_dict(record: Any) -> dict[str, Any]:
    """JSON-ready fields of an answer item or comparison row (lists, rounded score)."""
    data = asdict(record)
    data["section"] = list(record.section)
    data["units"] = list(record.units)
    data["targets"] = [t.to_dict() for t in record.targets]
    data["score"] = round(record.score, 4)
    return data


def topic_share(terms: list[str], text: str, engine: SearchEngine) -> float:
    """IDF-weighted share of ``terms`` in ``text`` (document frequencies stored with the index)."""
    return coverage(terms, [engine.terms.weight(t) for t in terms], text.lower())


def statement_rows(engine: SearchEngine, chunk: Chunk) -> list[tuple[int, int, int]]:
    """(store row, start, end) of the chunk's whole-statement sentences."""
    store = engine.sentences
    return [(r, int(store.starts[r]), int(store.ends[r])) for r in store.rows_of(engine.position(chunk))]


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
        return record_dict(self)


def compare(
    engine: SearchEngine, question: str, hits: list[Hit], terms: list[str], number: bool
) -> list[ComparisonRow]:
    """One row per plan that addresses the topic: its best task, best sentence and targets.

    A plan is left out when its best task covers less than ``answer_compare_share`` (half) of the
    question's topic weight that the best plan's task covers — nothing is padded.
    """
    best_per_doc: dict[str, Hit] = {}
    for hit in hits:
        best_per_doc.setdefault(hit.chunk.doc_id, hit)
    coverages = {d: topic_share(terms, h.chunk.text, engine) for d, h in best_per_doc.items()}
    top = max(coverages.values(), default=0.0)
    rows = []
    for doc_id, hit in best_per_doc.items():
        if top <= 0 or coverages[doc_id] < engine.settings.answer_compare_share * top:
            continue
        chunk = hit.chunk
        spans = [(s, e) for _, s, e in statement_rows(engine, chunk)]

        def sentence_rank(span: tuple[int, int], text: str = chunk.text) -> tuple[bool, float]:
            sentence = text[span[0] : span[1]]
            covered = topic_share(terms, sentence, engine)
            # a number question shows the on-topic sentence that states the target
            return (number and covered > 0 and bool(extract_targets(sentence)), covered)

        scored = sorted(spans, key=sentence_rank, reverse=True)
        start, end = scored[0] if scored else (0, len(chunk.text))
        topical = [
            t
            for s, e in spans
            if topic_share(terms, chunk.text[s:e], engine) > 0
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

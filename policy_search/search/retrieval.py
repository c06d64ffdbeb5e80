"""Hybrid retrieval: BM25 over jieba tokens + dense vectors, fused, filtered and boosted.

``SearchEngine.load("index")`` opens an index folder (``SearchEngine.open(backend)`` any
backend of ``store.backend``, e.g. Milvus) with the settings and encoder it was built with;
``engine.search(query, k, mode, filters)`` returns ranked ``Hit``s. ``engine.parse(text)`` makes
the ``ParsedQuery`` (``parse.py``) that search, answers and the page share; ``search`` takes the
record or the text (then parses it itself).

Fusion (chosen by measurement on eval/ dev queries, see README): both retrievers propose
``candidates`` chunks each; every candidate gets both its exact cosine and its BM25 score,
each min-max normalised over the candidate set, and the fused score is
``w · dense + (1 − w) · keyword``. Reciprocal-rank fusion is available as ``fusion="rrf"``.
Regions, years and responsible units named in the query add a small bonus to matching chunks
and act as soft constraints on the order (``names.py``). Every hit also gets a calibrated
relevance (``relevance.py``): 0–1 from evidence about that hit alone, the same meaning for
every query, with ``hit.relevant`` above the calibrated threshold; it never reorders hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..answers.evidence import SentenceStore
from ..records import Chunk
from ..settings import Settings
from ..store.backend import Backend, IndexInfo, stale_reason
from ..store.chunkstore import chunk_ids, chunk_regions, chunk_units
from ..store.index import LoadedIndex, contextual_text
from .filters import Filters, period_range
from .fusion import fuse_scores
from .names import name_tiers, topic_coverage
from .parse import MAX_QUERY_CHARS, ParsedQuery, clean_query, mentioned_years, named_regions, parse_query
from .parse import region_aliases as region_aliases
from .query import unit_names
from .relevance import RelevanceModel, TermStats, model_for

MODES = ("hybrid", "dense", "keyword")
__all__ = [
    "MAX_QUERY_CHARS",
    "MODES",
    "Filters",
    "Hit",
    "ParsedQuery",
    "SearchEngine",
    "clean_query",
    "mentioned_years",
    "period_range",
]


@dataclass(frozen=True)
class Hit:
    """One ranked result: the chunk, its scores, and why it matched."""

    chunk: Chunk
    rank: int
    score: float  # the ranking score (fused and boosted)
    dense_score: float | None  # cosine similarity
    keyword_score: float | None  # BM25
    matched_terms: tuple[str, ...] = ()
    boosts: tuple[str, ...] = ()  # e.g. ("region:山东", "year:2015")
    relevance: float = 0.0  # calibrated 0–1, comparable across queries (relevance.py)
    relevant: bool = False  # relevance at or above the calibrated threshold
    coverage: float = 0.0  # share of the query's IDF-weighted topic words the chunk covers

    def to_dict(self, query: str) -> dict[str, Any]:
        """The JSON contract of ``search --json``."""
        c = self.chunk
        return {
            "query": query,
            "rank": self.rank,
            "score": round(self.score, 6),
            "dense_score": None if self.dense_score is None else round(self.dense_score, 6),
            "keyword_score": None if self.keyword_score is None else round(self.keyword_score, 6),
            "chunk_id": c.chunk_id,
            "doc_id": c.doc_id,
            "plan_title": c.plan_title,
            "issuer": c.issuer,
            "year": c.year,
            "section": list(c.section),
            "title": c.title,
            "text": c.text,
            "units": list(c.units),
            "targets": [t.to_dict() for t in c.targets],
            "matched_terms": list(self.matched_terms),
            "boosts": list(self.boosts),
            "relevance": round(self.relevance, 4),
            "relevant": self.relevant,
            "coverage": round(self.coverage, 4),
        }


# ------------------------------------------------------------------ engine


class CoverageTexts(Sequence[str]):
    """Per chunk, the text relevance coverage reads (lower-cased contextual text, plan title and
    region aliases), made on first use: only candidates are ever read."""

    def __init__(self, chunks: Sequence[Chunk], aliases: dict[str, set[str]]) -> None:
        self._chunks, self._aliases = chunks, aliases
        self._texts: list[str | None] = [None] * len(chunks)

    def __len__(self) -> int:
        return len(self._texts)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        text = self._texts[i]
        if text is None:
            c = self._chunks[i]
            names = " ".join(sorted(self._aliases.get(c.region, ())))
            text = self._texts[i] = f"{contextual_text(c).lower()}\n{c.plan_title} {names}"
        return text


@dataclass
class SearchEngine:
    """An opened index (any backend) plus the encoder and tokenizer it was built with."""

    loaded: LoadedIndex | None
    encoder: Any
    tokenizer: Any
    settings: Settings
    stale: bool = False
    stale_reason: str = ""
    backend: Backend = field(default=None, repr=False)  # type: ignore[assignment]
    _aliases: dict[str, set[str]] = field(default_factory=dict, repr=False)
    atlas_table: Any = field(default=None, repr=False)  # the targets table (atlas.table), built on first use
    terms: TermStats = field(default=None, repr=False)  # type: ignore[assignment]
    _texts: Sequence[str] = field(default_factory=list, repr=False)  # what relevance coverage reads
    _positions: dict[str, int] = field(default_factory=dict, repr=False)  # chunk id → row
    _sentences: SentenceStore | None = field(default=None, repr=False)
    _last_query: tuple[str, np.ndarray] | None = field(default=None, repr=False)
    _unit_names: set[str] = field(default_factory=set, repr=False)  # how a question names units
    _titles: dict[str, str] = field(default_factory=dict, repr=False)  # doc id → plan title (named plans)

    @classmethod
    def load(
        cls, index_dir: str | Path = "index", encoder: Any = None, corpus_dir: str | Path | None = None
    ) -> SearchEngine:
        """Open an index folder; ``IndexNotReady`` if it is missing or damaged. Flags a stale index."""
        from ..store.embedded import EmbeddedBackend

        return cls.open(EmbeddedBackend.open(index_dir), encoder, corpus_dir)

    @classmethod
    def open(
        cls, backend: Backend, encoder: Any = None, corpus_dir: str | Path | None = None
    ) -> SearchEngine:
        """An engine over any opened backend (``store.backend``), with the encoder it was built with."""
        from ..encoders import load_encoder
        from ..store.analysis import Tokenizer

        info = backend.info
        settings = info.settings
        wanted = info.manifest["encoder"]["name"]
        if encoder is None:
            encoder = load_encoder(wanted, settings)
        elif encoder.name != wanted:
            raise ValueError(f"{info.path}: built with encoder {wanted!r}, not {encoder.name!r}; rebuild it")
        loaded = getattr(backend, "loaded", None)
        engine = cls(loaded, encoder, Tokenizer(), settings, backend=backend)
        corpus = Path(corpus_dir if corpus_dir is not None else info.manifest.get("corpus_dir", "corpus"))
        rebuild = getattr(backend, "rebuild_command", "policy-search build")
        engine.stale_reason = stale_reason(info.manifest, corpus, rebuild)
        engine.stale = bool(engine.stale_reason)
        return engine

    def __post_init__(self) -> None:
        if self.terms is not None:  # a with_settings() view shares the loaded parts
            return
        if self.backend is None:
            from ..store.embedded import EmbeddedBackend

            self.backend = EmbeddedBackend(self.loaded)
        chunks = self.backend.chunks
        # read from the chunk store's columns: opening does not parse every chunk
        self._aliases = {r: region_aliases(r) for r in chunk_regions(chunks)}
        # term statistics stored at build time; an older index gets them from its own chunks
        stored = self.backend.term_stats()
        self.terms = stored or TermStats.from_tokens(
            self.tokenizer.tokenize_many(contextual_text(c) for c in chunks)
        )
        self._positions = {cid: i for i, cid in enumerate(chunk_ids(chunks))}
        units = set(chunk_units(chunks))
        self._unit_names = unit_names(units, lambda n: self.terms.df.get(n, 0) > 0.1 * self.terms.n_docs)
        self._texts = CoverageTexts(chunks, self._aliases)
        documents = self.backend.info.manifest.get("documents") or []
        self._titles = {d["doc_id"]: d.get("title", "") for d in documents if d.get("doc_id")}

    @property
    def sentences(self) -> SentenceStore:
        """Answer sentences of every chunk with their vectors (stored at build time)."""
        if self._sentences is None:
            path = self.backend.info.path
            opener = getattr(self.backend, "sentence_store", None)  # Milvus: a companion collection
            if opener is not None:
                stored = opener()
            else:
                stored = SentenceStore.load(path, len(self.chunks)) if isinstance(path, Path) else None
            self._sentences = stored or SentenceStore.from_chunks(self.chunks)
        return self._sentences

    def position(self, chunk: Chunk) -> int:
        return self._positions[chunk.chunk_id]

    @property
    def relevance_model(self) -> RelevanceModel:
        return model_for(self.settings, self.encoder.name)

    @property
    def chunks(self) -> list[Chunk]:
        return self.backend.chunks

    @property
    def manifest(self) -> dict[str, Any]:
        return self.backend.info.manifest

    @property
    def info(self) -> IndexInfo:
        return self.backend.info

    def with_settings(self, **changes: Any) -> SearchEngine:
        """A view of the same index with other retrieval settings (for evaluation)."""
        return replace(self, settings=replace(self.settings, **changes))

    # -------------------------------------------------------------- scoring parts

    def query_vector(self, query: str) -> np.ndarray:
        """The query's vector; the last one is kept, since an answer re-reads its search's query."""
        last = self._last_query
        if last is not None and last[0] == query:
            return last[1]
        vec = np.asarray(self.encoder.encode_queries([query])[0], dtype=np.float32)
        self._last_query = (query, vec)
        return vec

    def filter_mask(self, filters: Filters) -> np.ndarray:
        """Which chunks pass ``filters`` (the backend memoises: a page reuses its filters)."""
        return self.backend.filter_mask(filters)

    def region_aliases_of(self, region: str) -> set[str]:
        return self._aliases.get(region, set())

    def region_boosts(self, query: str) -> dict[str, str]:
        """Regions named in the query → the alias that named them."""
        return named_regions(query, self._aliases)

    def parse(self, query: str | ParsedQuery | None) -> ParsedQuery:
        """The query as every stage reads it (``parse.py``), tokenised once; a record passes through."""
        if isinstance(query, ParsedQuery):
            return query
        return parse_query(query, self.tokenizer.tokenize, self._aliases, self._unit_names, self._titles)

    # -------------------------------------------------------------- search

    def search(
        self, query: str | ParsedQuery, k: int = 10, mode: str = "hybrid", filters: Filters | None = None
    ) -> list[Hit]:
        """Rank chunks for ``query`` (text or ``self.parse(text)``). Empty query or k ≤ 0 gives no hits."""
        if mode not in MODES:
            raise ValueError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        parsed = self.parse(query)
        query = parsed.expanded
        k = max(0, min(int(k), len(self.chunks)))
        if not query or k == 0:
            return []
        filters = None if filters is None or filters.is_empty() else filters
        if filters is not None and not self.backend.filter_mask(filters).any():
            return []
        s = self.settings
        n_cand = max(s.candidates, k)
        backend = self.backend

        tokens: list[str] = []
        candidates: dict[int, None] = {}
        if mode in ("keyword", "hybrid"):
            tokens = list(parsed.tokens)
            if tokens and self.chunks:
                found = backend.keyword_candidates(tokens, n_cand, filters)
                candidates.update((int(i), None) for i in found.positions)
        qvec = self.query_vector(query) if mode in ("dense", "hybrid") else None
        if qvec is not None:
            found = backend.dense_candidates(qvec, n_cand, filters)
            candidates.update((int(i), None) for i in found.positions)
        if not candidates:
            return []
        idx = np.fromiter(candidates, dtype=np.int64)
        dense = backend.dense_scores(qvec, idx) if qvec is not None else None
        keyword = None
        if mode in ("keyword", "hybrid"):
            keyword = backend.keyword_scores(tokens, idx) if tokens else np.zeros(len(idx), np.float32)

        base = fuse_scores(dense, keyword, s)

        boosts: list[list[str]] = [[] for _ in idx]
        regions = parsed.region_names
        years = set(parsed.years)
        final = base.astype(np.float64).copy()
        for j, i in enumerate(idx):
            chunk = self.chunks[i]
            if chunk.region in regions:
                final[j] += s.region_boost
                boosts[j].append(f"region:{regions[chunk.region]}")
            if years:
                first, last = period_range(chunk)
                if first is not None and any(first <= y <= last for y in years):
                    final[j] += s.year_boost
                    boosts[j].append(f"year:{'/'.join(str(y) for y in sorted(years))}")
        tier = name_tiers(self, parsed, idx, boosts, final)
        order = sorted(range(len(idx)), key=lambda j: (-tier[j], -final[j], int(idx[j])))[:k]
        # calibrated relevance: evidence about each hit alone, not relative to the other candidates
        model = self.relevance_model
        chosen = idx[order]
        cosine = None
        if model.uses_cosine:
            qvec = self.query_vector(query) if qvec is None else qvec
            cosine = backend.dense_scores(qvec, chosen)
        covered = topic_coverage(self, parsed.coverage_terms, chosen)
        relevance = model.score(cosine, covered)
        query_terms = set(parsed.tokens)
        hits = []
        for rank, j in enumerate(order, start=1):
            chunk = self.chunks[idx[j]]
            rel = float(relevance[rank - 1])
            hits.append(
                Hit(
                    chunk=chunk,
                    rank=rank,
                    score=float(final[j]),
                    dense_score=None if dense is None else float(dense[j]),
                    keyword_score=None if keyword is None else float(keyword[j]),
                    matched_terms=self.matched_terms(query_terms, chunk),
                    boosts=tuple(boosts[j]),
                    relevance=rel,
                    relevant=rel >= model.threshold,
                    coverage=float(covered[rank - 1]),
                )
            )
        return hits

    def matched_terms(self, query_terms: set[str], chunk: Chunk) -> tuple[str, ...]:
        """Query terms that occur in the chunk text, longest first (for highlighting)."""
        found = {t for t in query_terms if len(t) > 0 and t in chunk.text.lower()}
        return tuple(sorted(found, key=lambda t: (-len(t), t)))

"""Hybrid retrieval: BM25 over jieba tokens + dense vectors, fused, filtered and boosted.

``SearchEngine.load("index")`` opens an index with the settings and encoder it was built
with; ``engine.search(query, k, mode, filters)`` returns ranked ``Hit``s.

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

import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..answers.evidence import SentenceStore
from ..ingest.normalize import normalize_char_width, to_simplified
from ..ingest.version import ingest_version
from ..records import Chunk
from ..settings import Settings
from ..store.index import LoadedIndex, contextual_text, corpus_fingerprint, open_index
from .fusion import _top_indices, fuse_scores
from .glossary import expand_query
from .names import name_tiers, topic_coverage
from .query import unit_names
from .relevance import RelevanceModel, TermStats, load_term_stats, model_for

MODES = ("hybrid", "dense", "keyword")
MAX_QUERY_CHARS = 2000  # longer queries are cut: nothing useful is lost, latency stays bounded
BRUTE_FORCE_FILTERED = 50_000  # filtered dense search scores allowed chunks directly up to here


@dataclass(frozen=True)
class Filters:
    """Restrict results to some plans. Empty fields do not filter."""

    regions: tuple[str, ...] = ()  # substring of the plan's region: 天津 matches 天津市红桥区 too
    levels: tuple[str, ...] = ()
    year_min: int | None = None  # the plan's period must overlap [year_min, year_max]
    year_max: int | None = None
    doc_ids: tuple[str, ...] = ()
    unit: str = ""  # substring of a responsible unit
    has_target: bool = False
    kinds: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return self == Filters()

    def matches(self, chunk: Chunk) -> bool:
        if self.regions and not any(r and r in chunk.region for r in self.regions):
            return False
        if self.levels and chunk.level not in self.levels:
            return False
        if self.year_min is not None or self.year_max is not None:
            first, last = period_range(chunk)
            if first is None:
                return False
            if self.year_min is not None and last < self.year_min:
                return False
            if self.year_max is not None and first > self.year_max:
                return False
        if self.doc_ids and chunk.doc_id not in self.doc_ids:
            return False
        if self.unit and not any(self.unit in u for u in chunk.units):
            return False
        if self.has_target and not chunk.has_target:
            return False
        return not (self.kinds and chunk.kind not in self.kinds)


def period_range(chunk: Chunk) -> tuple[int | None, int]:
    years = [int(y) for y in re.findall(r"\d{4}", chunk.period)]
    if not years:
        return chunk.year, chunk.year or 0
    return years[0], years[-1]


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


# ------------------------------------------------------------------ query understanding


def clean_query(query: str | None) -> str:
    """Drop control characters (NUL …), collapse whitespace, cut overlong input, and bring
    full-width digits and Traditional characters to the corpus's canonical forms."""
    query = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in query or "")
    query = " ".join(query.split())[:MAX_QUERY_CHARS]
    return to_simplified(normalize_char_width(query))


_NATIONAL_RE = re.compile(
    r"国家知识产权局|国家局|国知局|全国|国家(?!级|知识产权(?:试点|示范|战略|培训)|专利)"
)


def region_aliases(region: str) -> set[str]:
    """Names a user may type for a region: 四川省广安市 → 广安市, 广安, 四川省, 四川 …"""
    if not region:
        return set()
    if region == "全国":
        return {"全国"}
    names = {region}
    for part in re.findall(r".+?(?:自治区|省|市|区|县|旗)", region):
        names.add(part)
        short = re.sub(r"(?:自治区|省|市|区|县|旗)$", "", part)
        if len(short) >= 2:
            names.add(short)
    return names


def mentioned_years(query: str) -> set[int]:
    return {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", query)}


# ------------------------------------------------------------------ engine


@dataclass
class SearchEngine:
    """A loaded index plus the encoder and tokenizer it was built with."""

    loaded: LoadedIndex
    encoder: Any
    tokenizer: Any
    settings: Settings
    stale: bool = False
    stale_reason: str = ""
    _vectors: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    _aliases: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _masks: dict[Filters, np.ndarray] = field(default_factory=dict, repr=False)
    atlas_table: Any = field(default=None, repr=False)  # the targets table (atlas.table), built on first use
    terms: TermStats = field(default=None, repr=False)  # type: ignore[assignment]
    _texts: list[str] = field(default_factory=list, repr=False)  # what relevance coverage reads
    _positions: dict[str, int] = field(default_factory=dict, repr=False)  # chunk id → row
    _sentences: SentenceStore | None = field(default=None, repr=False)
    _last_query: tuple[str, np.ndarray] | None = field(default=None, repr=False)
    _unit_names: set[str] = field(default_factory=set, repr=False)  # how a question names units

    @classmethod
    def load(
        cls, index_dir: str | Path = "index", encoder: Any = None, corpus_dir: str | Path | None = None
    ) -> SearchEngine:
        """Open an index; ``IndexNotReady`` if it is missing or damaged. Flags a stale index."""
        from ..encoders import load_encoder
        from ..store.analysis import Tokenizer, dictionary_fingerprint

        loaded = open_index(index_dir)
        settings = loaded.settings
        wanted = loaded.manifest["encoder"]["name"]
        if encoder is None:
            encoder = load_encoder(wanted, settings)
        elif encoder.name != wanted:
            raise ValueError(f"{index_dir}: built with encoder {wanted!r}, not {encoder.name!r}; rebuild it")
        engine = cls(loaded=loaded, encoder=encoder, tokenizer=Tokenizer(), settings=settings)
        corpus = Path(corpus_dir if corpus_dir is not None else loaded.manifest.get("corpus_dir", "corpus"))
        if loaded.manifest.get("ingest_version") != ingest_version():
            engine.stale = True
            engine.stale_reason = (
                "the index was built by other ingestion code (chunking, metadata, targets); "
                "run `python embed.py`"
            )
        elif corpus.is_dir() and corpus_fingerprint(corpus) != loaded.manifest.get("corpus_fingerprint"):
            engine.stale = True
            engine.stale_reason = f"{corpus} changed since the index was built; run `python embed.py`"
        elif loaded.manifest.get("tokenizer", {}).get("dictionary") != dictionary_fingerprint():
            engine.stale = True
            engine.stale_reason = (
                "the tokenizer dictionary changed since the index was built; run `python embed.py`"
            )
        return engine

    def __post_init__(self) -> None:
        if self._vectors is not None:  # a with_settings() view shares the loaded parts
            return
        dense = self.loaded.dense
        n = dense.ntotal
        # exact cosine for every fused candidate, whatever FAISS index type proposed it
        self._vectors = dense.reconstruct_n(0, n) if n else np.zeros((0, dense.d), np.float32)
        self._aliases = {r: region_aliases(r) for r in {c.region for c in self.loaded.chunks}}
        contexts = [contextual_text(c) for c in self.loaded.chunks]
        # term statistics stored at build time; an older index gets them from its own chunks
        self.terms = load_term_stats(self.loaded.path) or TermStats.from_tokens(
            self.tokenizer.tokenize_many(contexts)
        )
        self._positions = {c.chunk_id: i for i, c in enumerate(self.loaded.chunks)}
        units = {u for c in self.loaded.chunks for u in c.units}
        self._unit_names = unit_names(units, lambda n: self.terms.df.get(n, 0) > 0.1 * self.terms.n_docs)
        # a chunk covers a place the query names when its plan is of that place
        self._texts = [
            f"{text.lower()}\n{c.plan_title} {' '.join(sorted(self._aliases.get(c.region, ())))}"
            for text, c in zip(contexts, self.loaded.chunks)
        ]

    @property
    def sentences(self) -> SentenceStore:
        """Answer sentences of every chunk with their vectors (stored at build time)."""
        if self._sentences is None:
            stored = SentenceStore.load(self.loaded.path, len(self.chunks))
            self._sentences = stored or SentenceStore.from_chunks(self.chunks)
        return self._sentences

    def position(self, chunk: Chunk) -> int:
        return self._positions[chunk.chunk_id]

    @property
    def relevance_model(self) -> RelevanceModel:
        return model_for(self.settings, self.encoder.name)

    @property
    def chunks(self) -> list[Chunk]:
        return self.loaded.chunks

    @property
    def manifest(self) -> dict[str, Any]:
        return self.loaded.manifest

    def with_settings(self, **changes: Any) -> SearchEngine:
        """A view of the same index with other retrieval settings (for evaluation)."""
        return replace(self, settings=replace(self.settings, **changes))

    # -------------------------------------------------------------- scoring parts

    def keyword_scores(self, query: str) -> tuple[np.ndarray, list[str]]:
        tokens = self.tokenizer.tokenize(query)
        if not tokens or not self.chunks:
            return np.zeros(len(self.chunks), np.float32), tokens
        return np.asarray(self.loaded.sparse.get_scores(tokens), dtype=np.float32), tokens

    def query_vector(self, query: str) -> np.ndarray:
        """The query's vector; the last one is kept, since an answer re-reads its search's query."""
        last = self._last_query
        if last is not None and last[0] == query:
            return last[1]
        vec = np.asarray(self.encoder.encode_queries([query])[0], dtype=np.float32)
        self._last_query = (query, vec)
        return vec

    def dense_candidates(self, qvec: np.ndarray, n: int, allowed: np.ndarray | None) -> list[int]:
        """Top ``n`` allowed chunks by cosine; widens the FAISS search until enough pass the filter."""
        total = self.loaded.dense.ntotal
        if total == 0 or n <= 0:
            return []
        if allowed is not None and int(allowed.sum()) <= BRUTE_FORCE_FILTERED:
            # a filter leaves few chunks: exact cosine over just those beats widening the ANN search
            ids = np.flatnonzero(allowed)
            scores = self._vectors[ids] @ qvec
            return [int(ids[j]) for j in _top_indices(scores, min(n, len(ids)))]
        want = min(n, total if allowed is None else int(allowed.sum()))
        fetch = min(total, max(n, 16))
        while True:
            _, ids = self.loaded.dense.search(qvec.reshape(1, -1), fetch)
            out = [int(i) for i in ids[0] if i >= 0 and (allowed is None or allowed[i])]
            if len(out) >= want or fetch >= total:
                return out[:n]
            fetch = min(total, fetch * 4)

    def filter_mask(self, filters: Filters) -> np.ndarray:
        """Which chunks pass ``filters``; memoised, since a page reuses its filters query after query."""
        mask = self._masks.get(filters)
        if mask is None:
            mask = np.fromiter((filters.matches(c) for c in self.chunks), bool, len(self.chunks))
            if len(self._masks) > 64:
                self._masks.clear()
            self._masks[filters] = mask
        return mask

    def region_aliases_of(self, region: str) -> set[str]:
        return self._aliases.get(region, set())

    def region_boosts(self, query: str) -> dict[str, str]:
        """Regions named in the query → the alias that named them."""
        named: dict[str, str] = {}
        for region, aliases in self._aliases.items():
            if region == "全国":
                m = _NATIONAL_RE.search(query)
                if m:
                    named[region] = m.group(0)
                continue
            for alias in sorted(aliases, key=len, reverse=True):
                if alias in query:
                    named[region] = alias
                    break
        return named

    # -------------------------------------------------------------- search

    def search(
        self, query: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None
    ) -> list[Hit]:
        """Rank chunks for ``query``. Empty query or k ≤ 0 gives no hits."""
        if mode not in MODES:
            raise ValueError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        cleaned = clean_query(query)
        query = expand_query(cleaned)
        k = max(0, min(int(k), len(self.chunks)))
        if not query or k == 0:
            return []
        filters = filters or Filters()
        allowed = None if filters.is_empty() else self.filter_mask(filters)
        if allowed is not None and not allowed.any():
            return []
        s = self.settings
        n_cand = max(s.candidates, k)

        kw_all, tokens = (None, [])
        if mode in ("keyword", "hybrid"):
            kw_all, tokens = self.keyword_scores(query)
        qvec = self.query_vector(query) if mode in ("dense", "hybrid") else None

        candidates: dict[int, None] = {}
        if kw_all is not None:
            masked = kw_all if allowed is None else np.where(allowed, kw_all, -1.0)
            top = _top_indices(masked, n_cand)
            for i in top:
                if masked[i] > 0:
                    candidates[int(i)] = None
        if qvec is not None:
            for i in self.dense_candidates(qvec, n_cand, allowed):
                candidates[i] = None
        if not candidates:
            return []
        idx = np.fromiter(candidates, dtype=np.int64)
        dense = self._vectors[idx] @ qvec if qvec is not None else None
        keyword = kw_all[idx] if kw_all is not None else None

        base = fuse_scores(dense, keyword, s)

        boosts: list[list[str]] = [[] for _ in idx]
        regions = self.region_boosts(query)
        years = mentioned_years(query)
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
        tier = name_tiers(self, query, cleaned, idx, regions, years, boosts, final)
        order = sorted(range(len(idx)), key=lambda j: (-tier[j], -final[j], int(idx[j])))[:k]
        # calibrated relevance: evidence about each hit alone, not relative to the other candidates
        model = self.relevance_model
        chosen = idx[order]
        cosine = None
        if model.uses_cosine:
            qvec = self.query_vector(query) if qvec is None else qvec
            cosine = self._vectors[chosen] @ qvec
        covered = topic_coverage(self, cleaned, query, chosen)
        relevance = model.score(cosine, covered)
        query_terms = set(tokens) if tokens else set(self.tokenizer.tokenize(query))
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

"""A relevance score that means the same for every query: calibrated, 0–1, per hit.

The ranking score of a hit is min-max normalised over the candidates, so the best candidate of
any query — nonsense included — gets full marks. The relevance score instead reads evidence
that does not depend on the other candidates:

- ``cosine``: the raw cosine of the query and chunk vectors (encoder-specific scale);
- ``coverage``: the share of the query's IDF-weighted topic words the chunk covers, counting
  a place or year the query names as covered when the chunk's plan is of that place or year.

A logistic model maps them to a probability-like score; its weights and the threshold above
which a hit counts as relevant are fitted by ``eval/relevance_eval.py --fit`` on the labelled
in-domain queries (``eval/queries.jsonl`` + ``eval/qrels.txt``) and the out-of-domain queries
(``eval/ood_queries.jsonl``), and stored in ``Settings`` with the encoder they were fitted on.
An index built with another encoder uses the keyword-only model (coverage alone).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..settings import Settings


@dataclass(frozen=True)
class RelevanceModel:
    """``sigmoid(w_cos · cosine + w_cov · coverage + bias)``; ``w_cos`` is 0 without cosine."""

    w_cosine: float
    w_coverage: float
    bias: float
    threshold: float

    @property
    def uses_cosine(self) -> bool:
        return self.w_cosine != 0.0

    def score(self, cosine: np.ndarray | None, coverage: np.ndarray) -> np.ndarray:
        z = self.w_coverage * np.asarray(coverage, dtype=np.float64) + self.bias
        if self.uses_cosine:
            if cosine is None:
                raise ValueError("this relevance model needs the cosine of query and chunk")
            z = z + self.w_cosine * np.asarray(cosine, dtype=np.float64)
        return 1.0 / (1.0 + np.exp(-z))


def model_for(settings: Settings, encoder_name: str) -> RelevanceModel:
    """The calibrated model for this encoder, or the keyword-only one for any other encoder."""
    if encoder_name == settings.relevance_encoder:
        w_cos, w_cov, bias = settings.relevance_weights
        return RelevanceModel(float(w_cos), float(w_cov), float(bias), settings.relevance_threshold)
    w_cov, bias = settings.relevance_keyword_weights
    return RelevanceModel(0.0, float(w_cov), float(bias), settings.relevance_keyword_threshold)


class TermStats:
    """Document frequencies of index tokens (the project's own data) → IDF weights."""

    def __init__(self, n_docs: int, df: dict[str, int]) -> None:
        self.n_docs = max(1, n_docs)
        self.df = df
        self.idf_unknown = self._idf(0)

    @classmethod
    def from_tokens(cls, token_lists: list[list[str]]) -> TermStats:
        df: dict[str, int] = {}
        for tokens in token_lists:
            for t in set(tokens):
                df[t] = df.get(t, 0) + 1
        return cls(len(token_lists), df)

    def _idf(self, d: int) -> float:
        return math.log(1 + (self.n_docs - d + 0.5) / (d + 0.5))

    def weight(self, token: str) -> float:
        d = self.df.get(token)
        return self.idf_unknown if d is None else self._idf(d)

    def to_dict(self) -> dict[str, object]:
        return {"n_docs": self.n_docs, "df": self.df}

    @classmethod
    def from_dict(cls, data: dict) -> TermStats:
        return cls(int(data["n_docs"]), {str(k): int(v) for k, v in data["df"].items()})


def coverage(terms: list[str], weights: list[float], text: str, extra: set[str] | None = None) -> float:
    """IDF-weighted share of ``terms`` found in ``text`` (lower-cased) or in ``extra``."""
    total = sum(weights)
    if total <= 0:
        return 0.0
    got = sum(w for t, w in zip(terms, weights) if t in text or (extra and t in extra))
    return got / total


TERMS_FILE = "terms.json"  # document frequencies written beside the index at build time


def save_term_stats(folder: Path, stats: TermStats) -> None:
    (folder / TERMS_FILE).write_text(json.dumps(stats.to_dict(), ensure_ascii=False), encoding="utf-8")


def load_term_stats(folder: Path) -> TermStats | None:
    """The stored statistics, or None for an index built before they were stored (or damaged)."""
    try:
        return TermStats.from_dict(json.loads((folder / TERMS_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None

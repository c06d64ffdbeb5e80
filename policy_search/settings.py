"""All tunable knobs in one dataclass of keyword defaults.

The index folder stores these settings beside the vectors (see ``index.py``), so the CLI,
the app and the evaluation scripts always search with the settings the index was built with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Settings:
    # limits: what one file or link may cost; every cut is reported (corpus notes, page notices)
    max_file_mb: int = 50  # larger corpus files are skipped, with the reason, before being read
    max_line_chars: int = 10_000  # longer lines split at sentence ends, then clause marks, then hard
    max_html_mb: int = 5  # larger web pages are skipped: parsing builds a tree ~30-75x the file
    max_html_depth: int = 100  # elements nested deeper are flattened into the line around them
    max_html_cells: int = 10_000  # cells of one table; further cells are left out
    max_query_chars: int = 2_000  # longer queries are cut
    max_url_values: int = 50  # values per URL filter parameter
    max_url_param_chars: int = 4_000  # characters read of one URL parameter
    # chunking
    max_chunk_chars: int = 500  # longer items split at paragraph, sentence, clause ends; never longer
    min_chunk_chars: int = 20  # shorter fragments join the next chunk as context
    # encoders
    encoder: str = "e5-small-q4"
    batch_size: int = 32
    device: str = "cpu"
    query_prompt: str = ""  # sentence-transformers only; e5 uses its own "query: " prefix
    passage_prompt: str = ""
    # remote encoders (http://HOST:PORT/v1#MODEL, policy_search/remote.py)
    embed_concurrency: int = 1  # requests in flight at once
    embed_retries: int = 4  # attempts per request on connection errors, 5xx and 429
    embed_backoff: float = 0.5  # seconds before the 2nd attempt, doubling after
    embed_timeout: float = 120.0  # seconds per request
    embed_prefixes: str = "auto"  # auto | server | client | none (see remote.py)
    # storage backend (store/backend.py): "embedded" (FAISS + bm25s in process) or "milvus"
    backend: str = "embedded"
    threads: int = 0  # FAISS and BLAS threads per query; 0: one on machines with ≤ 2 cores, else the default
    # dense index
    # Chosen from eval/bench_scale.py (README): exact up to 20k chunks; at 100k chunks HNSW
    # M=32, efSearch=1024 kept recall@10 vs exact at 0.994 with hybrid p50 15 ms (exact: 37 ms).
    exact_max_vectors: int = 20_000  # IndexFlatIP up to here, HNSW above
    hnsw_m: int = 32
    hnsw_ef_construction: int = 200
    hnsw_ef_search: int = 1024
    # sparse index (BM25 over jieba tokens); b < 0.75 because short tasks are not less relevant
    bm25_k1: float = 1.2
    bm25_b: float = 0.5
    bm25_method: str = "lucene"
    # retrieval (fusion and weight chosen on the eval dev split, see README)
    fusion: str = "weighted"  # weighted | rrf
    dense_weight: float = 0.5
    rrf_k: int = 60
    candidates: int = 100  # per retriever, before fusion and filters
    region_boost: float = 0.15
    year_boost: float = 0.1
    unit_boost: float = 0.15  # a responsible unit named in the query (财政局)
    # names in the query are soft constraints: a task covering at least this share of the
    # query's topic words (names left out) ranks above tasks that only match a name
    topic_share: float = 0.5
    # calibrated relevance (policy_search/relevance.py): logistic weights over (raw cosine,
    # topic-word coverage, bias) for the encoder they were fitted on, and a keyword-only model
    # (coverage, bias) for any other encoder; fitted by `python eval/relevance_eval.py --fit`
    relevance_encoder: str = "e5-small-q4"
    relevance_weights: tuple[float, float, float] = (51.558, 2.578, -46.179)
    relevance_threshold: float = 0.1622
    relevance_keyword_weights: tuple[float, float] = (6.935, -2.736)
    relevance_keyword_threshold: float = 0.2319

    # extractive answers (answers/answer.py), chosen on eval/answers.jsonl: sentence score =
    # w_cosine · cosine (min-max over the candidates) + w_keyword · topic coverage + w_rank ·
    # the task's ranking score, plus bonuses
    answer_weights: tuple[float, float, float] = (0.35, 0.45, 0.2)
    answer_sentence_share: float = 0.5  # of the keyword part: the sentence's own coverage vs its task's
    answer_top_chunks: int = 6  # sentences are taken from this many top tasks
    answer_target_bonus: float = 0.3  # a number question and a sentence with a target
    answer_named_plan_bonus: float = 0.2  # the plan (region/year) the question names
    answer_named_year_bonus: float = 0.2  # the sentence names the year the question names
    answer_asked_bonus: float = 0.3  # the sentence supplies what is asked (asks.py)
    answer_phrase_weight: float = 0.8  # share of the question's character pairs quoted (not numbers)
    # found when the best task covers this share of the question's topic weight, or a sentence
    # reaches this cosine (for relevance_encoder, the encoder it was measured with). Measured:
    # unanswerable questions reached coverage ≤ 0.52 and sentence cosine ≤ 0.896
    answer_min_coverage: float = 0.55
    answer_min_cosine: float = 0.91
    answer_hits: int = 30  # hits retrieved per question (sentences come from answer_top_chunks of them)
    # comparison (answers/comparison.py): a plan gets a row when its best task covers at least
    # this share of the topic weight that the best plan's task covers
    answer_compare_share: float = 0.5
    # what an answer item quotes around its statement (answers/evidence.py answer_span); applied
    # when answering, so changing them needs no rebuild (the statement spans stored with the
    # index use evidence.py's own MIN_STATEMENT_CHARS / MAX_HEADING_CHARS)
    answer_list_item_chars: int = 150  # list items this short are answered together, as one list
    answer_list_chars: int = 500  # and the whole list at most this long
    answer_label_line_chars: int = 60  # a contact block's label lines (电话：…) at most this long
    answer_paragraph_chars: int = 300  # the statement's whole paragraph is quoted up to this long
    answer_heading_chars: int = 30  # a heading opening the quoted paragraph at most this long

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        known = {f.name for f in fields(cls)}
        # JSON gives lists; the record holds tuples so it stays hashable
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known})

"""Results as CSV (opens in Excel, formulas defused), JSON and citation lines."""

import csv
import io
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..search.parse import ParsedQuery, query_text
from ..search.retrieval import Hit
from .messages import _cell
from .render import citation, export_target_label, section_path, task_title
from .state import SearchState, state_to_params

log = logging.getLogger("policy_search.ui")


# ------------------------------------------------------------------ export

CSV_COLUMNS = (
    "排名",
    "相关度",
    "规划",
    "发文单位",
    "地区",
    "层级",
    "期间",
    "章节",
    "任务",
    "责任单位",
    "量化目标",
    "原文",
    "引用",
    "检索词",
    "chunk_id",
)


def results_csv(hits: Sequence[Hit], query: str | ParsedQuery) -> bytes:
    """UTF-8 with BOM (Excel then reads the Chinese correctly), one row per result."""
    query = query_text(query)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for h in hits:
        c = h.chunk
        row = [
            h.rank,
            f"{h.relevance:.3f}",
            c.plan_title,
            c.issuer,
            c.region,
            c.level,
            c.period,
            section_path(c),
            task_title(c),
            "、".join(c.units),
            "；".join(export_target_label(t) for t in c.targets),
            c.text,
            citation(c),
            query,
            c.chunk_id,
        ]
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def results_json(
    hits: Sequence[Hit], state: SearchState, now: datetime | None = None, parsed: ParsedQuery | None = None
) -> bytes:
    """The results with the search that produced them (``search --json`` fields plus citation);
    ``parsed``: the state's query as the engine parsed it."""
    query = query_text(parsed or state.query)
    results = []
    for h in hits:
        row = h.to_dict(query)
        row.update(
            region=h.chunk.region,
            level=h.chunk.level,
            period=h.chunk.period,
            citation=citation(h.chunk),
        )
        results.append(row)
    filters = {k: v for k, v in state_to_params(state).items() if k not in ("q", "mode", "k")}
    doc = {
        "query": query,
        "mode": state.mode,
        "k": state.k,
        "filters": filters,
        "exported_at": (now or datetime.now()).isoformat(timespec="seconds"),
        "count": len(results),
        "results": results,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def citations_text(hits: Sequence[Hit], docs: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    docs = docs or {}
    return "\n".join(f"{h.rank}. {citation(h.chunk, docs.get(h.chunk.doc_id))}" for h in hits)

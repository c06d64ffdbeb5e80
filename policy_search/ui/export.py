"""Results as CSV and .xlsx (open in Excel, formulas defused), JSON and citation lines."""

import csv
import io
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..search.parse import ParsedQuery, query_text
from ..search.retrieval import Hit
from .corpus_rows import page_timezone
from .messages import _cell
from .render import citation, export_target_label, section_path, task_title
from .state import SearchState, state_to_params

log = logging.getLogger("policy_search.ui")


# ------------------------------------------------------------------ export

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


def results_rows(hits: Sequence[Hit], query: str | ParsedQuery) -> list[list[str]]:
    """One row of formula-safe cells per result, in ``CSV_COLUMNS`` order (CSV and .xlsx alike)."""
    query = query_text(query)
    rows = []
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
        rows.append([_cell(v) for v in row])
    return rows


def table_csv(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with BOM (Excel then reads the Chinese correctly)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def table_xlsx(columns: Sequence[str], rows: Iterable[Sequence[str]], sheet: str) -> bytes:
    """An .xlsx workbook (openpyxl) with the same cells as the CSV: every cell is text, so a
    defused ``'=...`` stays text; characters XML cannot hold are dropped."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append(list(columns))
    for row in rows:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", str(v)) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col in ws.columns:
        longest = max(len(str(c.value or "")) for c in col)
        ws.column_dimensions[col[0].column_letter].width = min(max(8, 2 * longest + 2), 60)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def results_csv(hits: Sequence[Hit], query: str | ParsedQuery) -> bytes:
    """UTF-8 with BOM (Excel then reads the Chinese correctly), one row per result."""
    return table_csv(CSV_COLUMNS, results_rows(hits, query))


def results_xlsx(hits: Sequence[Hit], query: str | ParsedQuery) -> bytes:
    """The CSV's rows as an Excel workbook."""
    return table_xlsx(CSV_COLUMNS, results_rows(hits, query), "检索结果")


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
        "exported_at": (now or datetime.now(page_timezone()[0])).isoformat(timespec="seconds"),
        "count": len(results),
        "results": results,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def citations_text(hits: Sequence[Hit], docs: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    docs = docs or {}
    return "\n".join(f"{h.rank}. {citation(h.chunk, docs.get(h.chunk.doc_id))}" for h in hits)

"""The corpus page's rows: one per plan (indexed or waiting for a rebuild), where each field came
from, and the table drawn as HTML so long titles wrap and every column stays on screen."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from ..records import Chunk
from .messages import _cell

DEFAULT_TIMEZONE = "Asia/Shanghai"


ZONE_NAMES_ZH = {
    "Asia/Shanghai": "北京时间",
    "Asia/Chongqing": "北京时间",
    "PRC": "北京时间",
    "UTC": "协调世界时",
}


def page_timezone() -> tuple[Any, str]:
    """The zone times are shown in: POLICY_SEARCH_TZ, else the server's TZ, else Asia/Shanghai."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = os.environ.get("POLICY_SEARCH_TZ") or os.environ.get("TZ") or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name), name
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE), DEFAULT_TIMEZONE


def format_built_at(value: str) -> str:
    """``2026-11-21T05:24:31+00:00`` → ``2026-11-21 13:24（北京时间）``: local time with the zone
    named (times without a zone pass through as written; unknown values too)."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value or "未知"
    if moment.utcoffset() is None:
        return f"{moment:%Y-%m-%d %H:%M}"
    zone, name = page_timezone()
    local = moment.astimezone(zone)
    shown = ZONE_NAMES_ZH.get(name) or f"{name}，UTC{local:%z}"
    return f"{local:%Y-%m-%d %H:%M}（{shown}）"


def document_rows(
    manifest: Mapping[str, Any], chunks: Sequence[Chunk], documents: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One row per plan for the corpus page: indexed plans, plus files the index does not have yet.

    ``documents`` are ``Document.to_dict()`` rows of the corpus folder as it is now.
    """
    on_disk = {d["doc_id"]: d for d in documents}
    by_doc: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    rows = []
    indexed = manifest.get("documents") or []
    fingerprints = {d.get("doc_id"): d.get("fingerprint") for d in indexed}
    for entry in indexed:
        doc_id = entry.get("doc_id", "")
        doc = on_disk.get(doc_id)
        first = by_doc.get(doc_id, [None])[0]
        if doc is None:
            status = "文件已删除，需重建"
        elif doc.get("fingerprint") != fingerprints.get(doc_id):
            status = "文件有改动，需重建"
        else:
            status = "已索引"
        meta = doc or ({} if first is None else first.to_dict())
        rows.append(_doc_row(entry.get("title") or meta.get("title", doc_id), meta, entry, by_doc, status))
    for doc_id, doc in on_disk.items():
        if doc_id not in fingerprints:
            rows.append(_doc_row(doc.get("title", doc_id), doc, {"doc_id": doc_id}, by_doc, "新文件，需重建"))
    return _safe_cells(rows)


def _safe_cells(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table rows whose text cannot run as a spreadsheet formula when the table is downloaded
    (Streamlit's own table download writes cells as they are: a file named =HYPERLINK(…).txt)."""
    return [{k: _cell(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]


def _doc_row(
    title: str, meta: Mapping[str, Any], entry: Mapping[str, Any], by_doc: Mapping[str, list], status: str
) -> dict[str, Any]:
    doc_id = entry.get("doc_id", "")
    chunks = by_doc.get(doc_id, [])
    return {
        "规划": title or meta.get("plan_title", doc_id),
        "地区": meta.get("region", ""),
        "层级": meta.get("level", ""),
        "期间": meta.get("period", ""),
        "任务条目": entry.get("chunks", len(chunks)) if status != "新文件，需重建" else 0,
        "量化目标条目": sum(1 for c in chunks if c.has_target),
        "状态": status,
        "发文单位": meta.get("issuer", ""),
        "发布日期": meta.get("published", ""),
        "文号": meta.get("doc_number", ""),
        "文件": entry.get("path") or meta.get("path", ""),
        "编号": doc_id,
    }


_SOURCE_LABELS = {"text": "正文", "catalog": "目录文件", "file name": "文件名", "none": "未找到"}
_FIELD_LABELS = {
    "title": "标题",
    "issuer": "发文单位",
    "region": "地区",
    "level": "层级",
    "year": "年份",
    "period": "期间",
    "published": "发布日期",
    "doc_number": "文号",
}


def provenance_rows(documents: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per document and metadata field: the value and where it came from.

    ``documents`` are ``Document.to_dict()`` rows; the text is plain (no HTML).
    """
    rows = []
    for doc in documents:
        for p in doc.get("provenance") or []:
            source = _SOURCE_LABELS.get(p.get("source", ""), p.get("source", ""))
            if p.get("source") == "text" and p.get("line"):
                source = f"正文第{p['line']}行"
            rows.append(
                {
                    "规划": doc.get("title", ""),
                    "字段": _FIELD_LABELS.get(p.get("field", ""), p.get("field", "")),
                    "值": p.get("value", ""),
                    "来源": source,
                    "原文": p.get("text", ""),
                    "编号": doc.get("doc_id", ""),
                }
            )
    return _safe_cells(rows)


def provenance_html(doc: Mapping[str, Any]) -> str:
    """A small table of one document's metadata with sources; every value is escaped."""
    cells = []
    for row in provenance_rows([doc]):
        cells.append(
            f"<tr><td>{escape(row['字段'])}</td><td>{escape(str(row['值']))}</td>"
            f'<td>{escape(row["来源"])}</td><td class="ps-src">{escape(row["原文"])}</td></tr>'
        )
    head = "<tr><th>字段</th><th>值</th><th>来源</th><th>原文</th></tr>"
    return f'<table class="ps-prov">{head}{"".join(cells)}</table>'


TABLE_COLUMNS = ("规划", "编号", "地区", "层级", "期间", "任务条目", "量化目标条目", "状态", "文号", "文件")


def document_table_html(rows: Sequence[Mapping[str, Any]]) -> str:
    """The corpus table: every value escaped, long titles and file names wrap, the id shown."""
    head = "".join(f"<th>{escape(c)}</th>" for c in TABLE_COLUMNS)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="ps-docs-{i}">{escape(str(row.get(c, "")))}</td>' for i, c in enumerate(TABLE_COLUMNS)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="ps-docs-wrap"><table class="ps-docs"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )

"""The .xlsx export (search results and 指标对比 rows): opens with openpyxl, the same rows as the
CSV, formula-like cells defused exactly as in the CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from openpyxl import load_workbook

from policy_search import ui
from policy_search.atlas import build_table
from policy_search.ui import atlas_view

from .test_atlas import make_chunk as atlas_chunk
from .test_ui import make_chunk, make_hit

FORMULAS = ('=HYPERLINK("http://x")，质押\n第二行', "+1+1", "-2-2", "@SUM(A1)")


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(data: bytes) -> list[list[str]]:
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def formula_hits():
    hits = [make_hit(make_chunk(text, chunk_id=f"p/一/{n}"), rank=n) for n, text in enumerate(FORMULAS, 1)]
    hits.append(make_hit(make_chunk("控制字符\x01\x0b也不出错。", chunk_id="p/一/9"), rank=5))
    return hits


def test_results_xlsx_has_the_csv_rows_and_defused_formulas():
    hits = formula_hits()
    got = xlsx_rows(ui.results_xlsx(hits, "质押 =融资"))
    want = csv_rows(ui.results_csv(hits, "质押 =融资"))
    assert got[0] == list(ui.CSV_COLUMNS)
    assert len(got) == len(hits) + 1
    # the same cells, except the control characters XML cannot hold
    assert got[:-1] == want[:-1]
    assert got[-1][ui.CSV_COLUMNS.index("原文")] == "控制字符也不出错。"
    texts = [dict(zip(got[0], row))["原文"] for row in got[1:5]]
    assert texts == ["'" + t for t in FORMULAS]
    book = load_workbook(io.BytesIO(ui.results_xlsx(hits, "q")))
    assert all(c.data_type != "f" for row in book.active.iter_rows() for c in row)


def test_atlas_xlsx_has_the_csv_rows_and_defused_formulas():
    chunk = atlas_chunk("=HYPERLINK(1)专利权质押贷款达到15亿元。")
    chunk = replace(chunk, plan_title="=cmd|' /C calc'!A0", units=("@SUM(1)",))
    rows = build_table([chunk])
    assert rows
    got = xlsx_rows(atlas_view.rows_xlsx(rows))
    assert got == csv_rows(atlas_view.rows_csv(rows))
    for row in got[1:]:
        assert all(str(cell)[:1] not in ("=", "+", "-", "@") for cell in row), row
    assert load_workbook(io.BytesIO(atlas_view.rows_xlsx(rows))).active.title == "指标对比"

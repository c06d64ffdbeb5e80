"""Pure helpers for the 指标对比 page (``app_pages/atlas.py``): no Streamlit import here.

The page state and its URL form, the indicator choices with counts, the comparison table
(HTML, every piece of corpus text escaped), the Altair chart, CSV export and the link from a
row to its task card on the search page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

from .. import ui
from ..atlas import TargetRow, lookup
from ..search.retrieval import Filters

KIND_LABELS = {"target": "目标", "achievement": "已实现"}
CSV_COLUMNS = (
    "指标",
    "指标（原文）",
    "数值",
    "单位",
    "原文数值",
    "比较",
    "期限",
    "基期",
    "类型",
    "规划",
    "发文单位",
    "地区",
    "层级",
    "年份",
    "任务",
    "责任单位",
    "原文句子",
    "chunk_id",
)


@dataclass(frozen=True)
class AtlasState:
    """What the 指标对比 page shows; the URL carries it (``?indicator=…&region=…``)."""

    indicator: str = ""
    regions: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None

    def filters(self) -> Filters:
        return Filters(
            regions=self.regions, levels=self.levels, year_min=self.year_min, year_max=self.year_max
        )


def state_to_params(state: AtlasState) -> dict[str, str | list[str]]:
    params: dict[str, str | list[str]] = {}
    search = ui.state_to_params(
        ui.SearchState(
            query=state.indicator,
            regions=state.regions,
            levels=state.levels,
            year_min=state.year_min,
            year_max=state.year_max,
        )
    )
    if "q" in search:
        params["indicator"] = search.pop("q")
    params.update(search)
    return params


def state_from_params(params: Mapping[str, str | Sequence[str]]) -> AtlasState:
    """Never raises; the same limits as the search page's URL state."""
    given = {k: v for k, v in params.items() if k != "q"}
    search = ui.state_from_params({**given, "q": params.get("indicator", "")})
    return AtlasState(
        indicator=search.query,
        regions=search.regions,
        levels=search.levels,
        year_min=search.year_min,
        year_max=search.year_max,
    )


def restrict(state: AtlasState, options: ui.FilterOptions, rows: Sequence[TargetRow]) -> AtlasState:
    """Drop URL values the index does not know; an indicator is resolved by fuzzy lookup."""
    search = ui.restrict_state(
        ui.SearchState(
            regions=state.regions, levels=state.levels, year_min=state.year_min, year_max=state.year_max
        ),
        options,
    )
    found = lookup(rows, state.indicator) if state.indicator else []
    return AtlasState(
        indicator=found[0] if found else "",
        regions=search.regions,
        levels=search.levels,
        year_min=search.year_min,
        year_max=search.year_max,
    )


def group_counts(rows: Sequence[TargetRow]) -> list[tuple[str, int, int]]:
    """(group, rows, plans) for each group, groups set by more plans first."""
    plans: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for r in rows:
        plans.setdefault(r.group, set()).add(r.doc_id)
        counts[r.group] = counts.get(r.group, 0) + 1
    return sorted(((g, counts[g], len(p)) for g, p in plans.items()), key=lambda x: (-x[2], -x[1], x[0]))


def indicator_choices(rows: Sequence[TargetRow]) -> dict[str, str]:
    """Group → label with counts (「每万人口发明专利拥有量（2 份规划 · 2 项）」), most plans first."""
    return {g: f"{g}（{plans} 份规划 · {n} 项）" for g, n, plans in group_counts(rows)}


def sort_rows(rows: Sequence[TargetRow]) -> list[TargetRow]:
    """National plans first, then by level, region and year (a region's plans in time order)."""
    order = {lv: i for i, lv in enumerate(ui.LEVEL_ORDER)}
    return sorted(rows, key=lambda r: (order.get(r.level, 99), r.region, r.year or 0, r.number_start))


def search_link(row: TargetRow) -> str:
    """A relative link to the row's task on the search page: the task title, limited to its plan."""
    params = ui.state_to_params(ui.SearchState(query=row.task or row.indicator, doc_ids=(row.doc_id,)))
    return "./?" + urlencode(params, doseq=True)


def value_label(row: TargetRow) -> str:
    value = f"{row.value:,.6g}" if abs(row.value) >= 1000 else f"{row.value:g}"
    label = f"{value}{row.unit}"
    if row.raw_unit != row.unit:
        label += f"（{row.raw_value:g}{row.raw_unit}）"
    return label


def deadline_label(row: TargetRow) -> str:
    return row.deadline if row.deadline_stated else f"{row.deadline}（规划期）"


def _sentence_html(row: TargetRow) -> str:
    """The sentence with its number marked; escaped first."""
    a, b = row.number_start - row.sentence_start, row.number_end - row.sentence_start
    text = row.text
    return f"{escape(text[:a])}<mark>{escape(text[a:b])}</mark>{escape(text[b:])}"


def table_html(rows: Sequence[TargetRow]) -> str:
    """The comparison table: one row per target, linked to its task card."""
    titles = ("规划", "地区 · 层级", "指标（原文）", "目标值", "比较", "期限", "类型", "责任单位", "原文")
    head = "".join(f"<th>{h}</th>" for h in titles)
    out = [f'<div class="ps-atlas-wrap"><table class="ps-atlas"><thead><tr>{head}</tr></thead><tbody>']
    for r in rows:
        kind = KIND_LABELS.get(r.kind, r.kind)
        units = "、".join(r.units) or "—"
        out.append(
            f'<tr class="ps-atlas-row" data-doc="{escape(r.doc_id)}" data-chunk="{escape(r.chunk_id)}">'
            f"<td><b>{escape(r.plan_title or r.doc_id)}</b><br>"
            f'<span class="ps-meta">{escape(r.period)}</span><br>'
            f'<a class="ps-atlas-link" href="{escape(search_link(r))}" target="_self">查看任务 →</a></td>'
            f'<td>{escape(r.region)}<br><span class="ps-meta">{escape(r.level)}</span></td>'
            f"<td>{escape(r.indicator)}</td>"
            f'<td class="ps-atlas-value">{escape(value_label(r))}</td>'
            f"<td>{escape(r.comparator) or '—'}</td>"
            f"<td>{escape(deadline_label(r))}</td>"
            f'<td class="ps-kind-{escape(r.kind)}">{escape(kind)}</td>'
            f"<td>{escape(units)}</td>"
            f'<td class="ps-atlas-text">{_sentence_html(r)}</td>'
            "</tr>"
        )
    out.append("</tbody></table></div>")
    return "".join(out)


def chart_records(rows: Sequence[TargetRow]) -> list[dict[str, Any]]:
    return [
        {
            "地区": r.region or "（未知）",
            "数值": r.value,
            "单位": r.unit,
            "层级": r.level or "（未知）",
            "类型": KIND_LABELS.get(r.kind, r.kind),
            "规划": r.plan_title or r.doc_id,
            "期限": deadline_label(r),
            "年份": r.year,
            "原文数值": r.number,
            "指标": r.indicator,
        }
        for r in rows
    ]


def chart(rows: Sequence[TargetRow]) -> Any:
    """Value by region, coloured by level; targets as dots, achievements as triangles; plan,
    deadline and the number as written on hover."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame(chart_records(rows))
    units = sorted({r.unit for r in rows})
    y_title = f"数值（{units[0]}）" if len(units) == 1 else "数值（单位见提示）"
    levels = [lv for lv in ui.LEVEL_ORDER if lv in set(data["层级"])] + sorted(
        set(data["层级"]) - set(ui.LEVEL_ORDER)
    )
    return (
        alt.Chart(data)
        .mark_point(filled=True, size=160, opacity=0.9)
        .encode(
            x=alt.X("地区:N", title="地区", sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("数值:Q", title=y_title),
            color=alt.Color("层级:N", title="层级", scale=alt.Scale(domain=levels)),
            shape=alt.Shape(
                "类型:N",
                title="类型",
                scale=alt.Scale(domain=list(KIND_LABELS.values()), range=["circle", "triangle-up"]),
            ),
            xOffset=alt.XOffset("规划:N"),
            tooltip=[
                *("规划:N", "地区:N", "层级:N", "指标:N", "原文数值:N"),
                *("数值:Q", "单位:N", "期限:N", "类型:N"),
            ],
        )
        .properties(height=320, description=f"{y_title}按地区的散点图，共 {len(rows)} 项目标")
        # Vega's generated screen-reader texts are English; the description above says it in Chinese
        .configure(aria=False)
    )


def rows_table(rows: Sequence[TargetRow]) -> list[list[str]]:
    """Formula-safe cells in ``CSV_COLUMNS`` order, one row per target (CSV and .xlsx alike)."""
    return [
        [
            ui._cell(v)
            for v in (
                r.group,
                r.indicator,
                f"{r.value:g}",
                r.unit,
                r.number,
                r.comparator,
                r.deadline,
                r.baseline,
                KIND_LABELS.get(r.kind, r.kind),
                r.plan_title,
                r.issuer,
                r.region,
                r.level,
                r.year or "",
                r.task,
                "、".join(r.units),
                r.text,
                r.chunk_id,
            )
        ]
        for r in rows
    ]


def rows_csv(rows: Sequence[TargetRow]) -> bytes:
    """UTF-8 with BOM (Excel reads the Chinese), formula-safe cells."""
    return ui.table_csv(CSV_COLUMNS, rows_table(rows))


def rows_xlsx(rows: Sequence[TargetRow]) -> bytes:
    """The CSV's rows as an Excel workbook."""
    return ui.table_xlsx(CSV_COLUMNS, rows_table(rows), "指标对比")


ATLAS_CSS = """
<style>
.ps-atlas-wrap{overflow-x:auto;}
.ps-atlas{border-collapse:collapse;width:100%;font-size:0.86rem;}
.ps-atlas th{background:#f1f5f9;text-align:left;padding:6px 8px;border-bottom:1px solid #cbd5e1;
  white-space:nowrap;}
.ps-atlas td{padding:6px 8px;border-bottom:1px solid #e2e8f0;vertical-align:top;}
.ps-atlas .ps-atlas-value{font-weight:600;white-space:nowrap;color:#92400e;}
.ps-atlas td:nth-child(6){white-space:nowrap;}
.ps-atlas .ps-atlas-text{color:#334155;min-width:15rem;}
.ps-atlas td:first-child{min-width:9rem;}
.ps-atlas td:nth-child(3){min-width:8rem;}
.ps-atlas mark{background:#fde68a;padding:0 2px;}
.ps-atlas .ps-kind-achievement{color:#64748b;}
.ps-atlas a.ps-atlas-link{white-space:nowrap;color:#1d4ed8;text-decoration:none;}
</style>
"""

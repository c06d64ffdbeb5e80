"""The 指标对比 page: pick an indicator, compare every plan's figure for it (table + chart)."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from policy_search import atlas, ui
from policy_search.ui import atlas_view

engine = shared.get_engine()
key = shared.engine_key(engine)
options = shared.filter_options(engine, key)
all_rows = atlas.table(engine)
choices = atlas_view.indicator_choices(all_rows)
YEARS = options.year_span

# --- the URL is read once per browser session, then the widgets own the state
if "atlas_url_loaded" not in st.session_state:
    params = {name: st.query_params.get_all(name) for name in st.query_params}
    initial = atlas_view.restrict(atlas_view.state_from_params(params), options, all_rows)
    lo, hi = YEARS or (0, 0)
    st.session_state.a_indicator = initial.indicator or None
    st.session_state.a_region = list(initial.regions)
    st.session_state.a_level = list(initial.levels)
    st.session_state.a_years = (initial.year_min or lo, initial.year_max or hi)
    st.session_state.atlas_url_loaded = True

st.html(atlas_view.ATLAS_CSS)
st.markdown("### 指标对比")
st.caption(
    f"{len(options.plans)} 份规划中的 {len(all_rows)} 项量化目标，按指标归类：选一个指标，"
    "看各地、各级规划定了多少、到哪一年，每一行都可回到原文任务。"
)
shared.stale_notice(engine, key="rebuild_stale_atlas")

st.selectbox(
    "指标",
    list(choices),
    key="a_indicator",
    index=None,
    format_func=lambda g: choices.get(g, g),
    placeholder="选择或输入指标，如 每万人口发明专利拥有量、质押融资",
    help="同一指标的不同写法归为一类；未归类的目标按原文短语列出",
)

with st.sidebar:
    st.markdown("### 筛选")
    st.multiselect("地区", options.regions, key="a_region", placeholder="全部地区")
    st.multiselect("层级", options.levels, key="a_level", placeholder="全部层级")
    if YEARS and YEARS[0] < YEARS[1]:
        st.slider("年份", YEARS[0], YEARS[1], key="a_years", help="规划期与所选年份有重叠即保留")

years = st.session_state.get("a_years") or (None, None)
state = atlas_view.AtlasState(
    indicator=st.session_state.a_indicator or "",
    regions=tuple(st.session_state.a_region or ()),
    levels=tuple(st.session_state.a_level or ()),
    year_min=years[0] if YEARS and years[0] != YEARS[0] else None,
    year_max=years[1] if YEARS and years[1] != YEARS[1] else None,
)
params = atlas_view.state_to_params(state)
current = {name: st.query_params.get_all(name) for name in st.query_params}
if {k: [v] if isinstance(v, str) else v for k, v in params.items()} != current:
    st.query_params.from_dict(params)

if not state.indicator:
    st.info("在上方选择一个指标。列表按设定该指标的规划数排序，括号里是规划数和目标数。")
    st.stop()

rows = atlas_view.sort_rows(
    [r for r in atlas.targets(engine, None, state.filters()) if r.group == state.indicator]
)
if not rows:
    st.warning("所选筛选条件下，没有规划为这个指标设定数值。可以放宽左侧的筛选。")
    st.stop()

plans = len({r.doc_id for r in rows})
with st.container(horizontal=True, vertical_alignment="center", gap="small", key="atlas_head"):
    st.markdown(
        f"**{ui.markdown_escape(state.indicator, 60)}** · {plans} 份规划 · {len(rows)} 项", width="stretch"
    )
    shared.download_row(
        "policy-search-targets",
        "atlas_downloads",
        [
            ("下载 CSV", atlas_view.rows_csv(rows), "csv", "text/csv", "atlas_csv"),
            ("下载 Excel", atlas_view.rows_xlsx(rows), "xlsx", ui.XLSX_MIME, "atlas_xlsx"),
        ],
    )
st.altair_chart(atlas_view.chart(rows), width="stretch", key="atlas_chart")
st.html(atlas_view.table_html(rows))

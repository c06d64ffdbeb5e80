"""The search page: one box, example chips, mode switch, sidebar filters, result cards."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from policy_search import ui

engine = shared.get_engine()
key = shared.engine_key(engine)
options = shared.filter_options(engine, key)
search = shared.search_fn(engine)

FILTER_KEYS = ("f_region", "f_level", "f_years", "f_plan", "f_unit", "f_target")
YEARS = options.year_span


def widget_values(state: ui.SearchState) -> dict:
    lo, hi = YEARS or (0, 0)
    return {
        "q": state.query,
        "mode": state.mode,
        "k": state.k,
        "f_region": list(state.regions),
        "f_level": list(state.levels),
        "f_years": (state.year_min or lo, state.year_max or hi),
        "f_plan": list(state.doc_ids),
        "f_unit": state.unit or None,
        "f_target": state.has_target,
    }


# --- the URL is the page's state: read it on every run (Back/Forward change it), and when it is
# not the URL this session last saw or wrote, it overrides the widgets
url_params = {name: st.query_params.get_all(name) for name in st.query_params}
url_key = ui.params_key(url_params)
came_from_other_page = st.session_state.get("_page_prev") not in (None, st.session_state.get("_page_now"))
keep_widgets = came_from_other_page and not url_params and "url_seen" in st.session_state
if url_key != st.session_state.get("url_seen") and not keep_widgets:
    initial = ui.restrict_state(ui.state_from_params(url_params), options)
    for name, value in widget_values(initial).items():
        st.session_state[name] = value
    st.session_state.url_seen = url_key
    # what the link limits cut is said, never dropped silently (shown while this URL stands)
    cut = ui.url_notes(url_params, ui.MAX_URL_VALUES, ui.MAX_URL_PARAM_CHARS)
    st.session_state.url_notes = (url_key, cut)


def use_example() -> None:
    if st.session_state.get("example"):
        st.session_state.q = st.session_state.example
    st.session_state.example = None


def clear_filters() -> None:
    set_filters(ui.SearchState())


def set_filters(target: ui.SearchState) -> None:
    """Put ``target``'s filters in the widgets; this run then writes them to the URL."""
    values = widget_values(target)
    for name in FILTER_KEYS:
        st.session_state[name] = values[name]


# --- header and search box
st.markdown("### 知识产权政策检索")
st.caption(
    f"在 {len(options.plans)} 份规划、{len(engine.chunks)} 个任务条目中查找：哪些规划提出了什么目标、"
    "写在哪一节、由谁负责。"
)
shared.stale_notice(engine, key="rebuild_stale_search")

box, mode_col, k_col = st.columns([6, 3.4, 1.6], vertical_alignment="bottom")
with box:
    st.text_input(
        "检索词",
        key="q",
        placeholder=ui.PLACEHOLDER,
        icon=":material/search:",
        help="输入问题或关键词，按回车检索",
        persist_state="session",
    )
with mode_col:
    st.segmented_control(
        "检索方式",
        list(ui.MODE_LABELS),
        key="mode",
        format_func=ui.MODE_LABELS.get,
        required=True,
        help="智能混合：语义与关键词结合（推荐）；语义：按意思匹配；关键词：按字词精确匹配",
        persist_state="session",
    )
with k_col:
    st.selectbox("结果数", ui.K_CHOICES, key="k", persist_state="session")
st.pills("试试这些检索", ui.EXAMPLES, key="example", on_change=use_example, label_visibility="collapsed")

# --- sidebar filters (each followed by a slot for "how many hits it removed")
slots = {}
with st.sidebar:
    st.markdown("### 筛选")
    st.multiselect(
        "地区",
        options.regions,
        key="f_region",
        persist_state="session",
        placeholder="全部地区",
        help="选“天津市”也包括其下辖的区",
    )
    slots["regions"] = st.empty()
    st.multiselect("层级", options.levels, key="f_level", persist_state="session", placeholder="全部层级")
    slots["levels"] = st.empty()
    if YEARS and YEARS[0] < YEARS[1]:
        st.slider(
            "年份",
            YEARS[0],
            YEARS[1],
            key="f_years",
            persist_state="session",
            help="规划期与所选年份有重叠即保留",
        )
        slots["years"] = st.empty()
    st.multiselect(
        "规划",
        list(options.plans),
        key="f_plan",
        persist_state="session",
        format_func=lambda d: options.plans.get(d, d),
        placeholder="全部规划",
    )
    slots["doc_ids"] = st.empty()
    st.selectbox(
        "责任单位",
        options.units,
        key="f_unit",
        persist_state="session",
        index=None,
        placeholder="全部单位（可输入）",
        accept_new_options=True,
        help="责任单位名称包含所填文字即保留，例如“财政”",
    )
    slots["unit"] = st.empty()
    st.toggle("只看有量化目标的任务", key="f_target", persist_state="session")
    slots["has_target"] = st.empty()
    summary = st.container()

# --- the state, and the URL that shares it
years = st.session_state.get("f_years") or (None, None)
state = ui.restrict_state(
    ui.SearchState(
        query=st.session_state.q or "",
        mode=st.session_state.mode or "hybrid",
        k=int(st.session_state.k or ui.DEFAULT_K),
        regions=tuple(st.session_state.f_region or ()),
        levels=tuple(st.session_state.f_level or ()),
        year_min=years[0] if YEARS and years[0] != YEARS[0] else None,
        year_max=years[1] if YEARS and years[1] != YEARS[1] else None,
        doc_ids=tuple(st.session_state.f_plan or ()),
        unit=ui.clean_query(st.session_state.f_unit or ""),
        has_target=bool(st.session_state.f_target),
    ),
    options,
)
params = ui.state_to_params(state)
if ui.params_key(params) != url_key:  # the user changed something: a new history entry
    st.query_params.from_dict(params)
    st.session_state.url_seen = ui.params_key(params)

filters = state.filters()
if ui.active_filters(filters):
    with summary:
        st.button("清除全部筛选", on_click=clear_filters, key="clear_filters", width="stretch")

# --- results: the query is parsed once, and the record serves search, answer and export
parsed = shared.parse(engine, key, state.query)
if not parsed.cleaned:
    st.info("输入问题或关键词开始检索，或点上方的示例。检索结果会列出规划、章节、责任单位、量化目标和原文。")
    with st.container(border=True):
        st.markdown(
            "**怎么用**\n"
            "- 用自然语言提问，如「各地专利质押融资的目标是多少」，或输入关键词，如「质押融资」\n"
            "- 左侧按地区、层级、年份、规划、责任单位筛选；只看写了数字目标的任务\n"
            "- 结果可下载为 CSV / JSON，每条结果下方有可复制的引用"
        )
    st.stop()

outcome = ui.run_search(search, state, parsed)
link_key, link_notes = st.session_state.get("url_notes", ("", []))
for note in [*outcome.notes, *(link_notes if link_key == url_key else [])]:
    st.caption(f"⚠️ {note}")
recognised = ui.name_filters(parsed, state, options)
if recognised:  # what the query names, each one click from being a filter
    with st.container(horizontal=True, vertical_alignment="center", key="recognised"):
        st.caption("检索词中识别到：", width="content")
        for name in recognised:
            st.button(
                name.label,
                key=f"name_{name.kind}_{name.label}",
                on_click=set_filters,
                args=(name.state,),
                disabled=name.active,
                help="已按此筛选" if name.active else f"只看{name.label}的结果",
                icon=":material/filter_alt:",
                type="tertiary",
            )
effects = []
if not outcome.error and ui.active_filters(filters):
    try:
        effects = ui.filter_effects(search, parsed, state.k, state.mode, filters)
    except Exception:  # the counts are a courtesy; never let them break the page
        effects = []
for effect in effects:
    if effect.name in slots:
        slots[effect.name].caption(ui.effect_line(effect))
    else:
        summary.caption(ui.effect_line(effect))

if outcome.error:
    st.error(outcome.error)
    st.stop()
if not outcome.hits:
    st.warning(ui.no_hits_message(state.query, filters, effects))
    if ui.active_filters(filters):
        st.button("清除全部筛选", on_click=clear_filters, key="clear_filters_main")
    st.stop()

hits = outcome.hits
common = shared.common_terms(engine, key, tuple(sorted({t for h in hits for t in h.matched_terms})))
# the heading and the three downloads share one row; the buttons wrap below it when narrow
with st.container(horizontal=True, vertical_alignment="center", gap="small", key="results_head"):
    mode_label = ui.MODE_LABELS.get(state.mode, state.mode)
    if ui.nothing_relevant(hits):
        heading = f"**{ui.NOTHING_RELEVANT}** · 以下 {len(hits)} 条为弱相关结果 · {mode_label}检索"
    else:
        heading = f"**找到 {len(hits)} 条结果** · {mode_label}检索"
    st.markdown(heading, width="stretch")
    shared.download_row(
        "policy-search-results",
        "downloads",
        [
            ("下载 CSV", ui.results_csv(hits, parsed), "csv", "text/csv", "dl_csv"),
            ("下载 Excel", ui.results_xlsx(hits, parsed), "xlsx", ui.XLSX_MIME, "dl_xlsx"),
            ("下载 JSON", ui.results_json(hits, state, parsed=parsed), "json", "application/json", "dl_json"),
        ],
    )

if ui.nothing_relevant(hits):
    st.warning(f"{ui.NOTHING_RELEVANT}：语料中没有与这个检索明显相关的条目，下面是最接近的弱相关结果。")

rank_of = {h.chunk.chunk_id: h.rank for h in hits}
# the answer panel sits above the cards but is filled after them: Streamlit sends the cards to
# the browser as they are drawn, so they never wait for the answer
answer_slot = st.container()


def draw_answer() -> None:
    try:
        result = shared.answer(engine, key, parsed, filters)
    except Exception:  # the answer panel is a help; the result cards show regardless
        return
    st.html(ui.answer_html(result, rank_of))
    if len(result.comparison) > 1:
        with st.expander(f"各规划对比（{len(result.comparison)} 份规划）", expanded=True):
            st.html(ui.comparison_html(result.comparison, rank_of))


groups = shared.sections(engine, key)
corpus = shared.corpus_dir()
docs = {d["doc_id"]: d for d in shared.corpus_documents(str(corpus), shared.corpus_signature(corpus))}
for hit in hits:
    terms = ui.highlight_terms(hit.matched_terms, common)
    with st.container(border=True, key=f"result_{hit.rank}"):
        st.html(ui.card_html(hit, terms))
        ctx_col, cite_col = st.columns([2, 3], vertical_alignment="top")
        with ctx_col, st.expander("查看上下文（整节原文）"):
            section = groups.get((hit.chunk.doc_id, hit.chunk.section)) or [hit.chunk]
            st.html(ui.context_html(section, hit.chunk, terms))
        with cite_col:
            st.code(ui.citation(hit.chunk, docs.get(hit.chunk.doc_id)), language=None, wrap_lines=True)

with st.expander("复制全部引用"):
    st.code(ui.citations_text(hits, docs), language=None, wrap_lines=True)

with answer_slot:
    draw_answer()

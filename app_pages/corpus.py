"""The corpus page: the indexed plans with their metadata, and the index status."""

from __future__ import annotations

import streamlit as st

from app_pages import admin, shared
from policy_search import ui

corpus = shared.corpus_dir()
st.markdown("### 文件与索引")
st.caption("检索所依据的规划文件、每份文件切分出的任务条目数，以及索引的状态。")
engine = shared.get_engine(required=False)
if engine is None:  # no index yet (an empty or broken corpus): the upload form still works
    if shared.corpus_dir().is_dir():
        admin.panel(corpus, shared.corpus_documents(str(corpus), shared.corpus_signature(corpus)))
    st.stop()
key = shared.engine_key(engine)

manifest = engine.manifest
counts = manifest.get("counts", {})
status_cols = st.columns(4)
status_cols[0].metric("规划文件", counts.get("documents", len(manifest.get("documents", []))))
status_cols[1].metric("任务条目", counts.get("chunks", len(engine.chunks)))
status_cols[2].metric("语义模型", manifest.get("encoder", {}).get("name", "?"))
status_cols[3].metric("索引状态", "已过期" if engine.stale else "最新")
st.caption(
    f"索引建立于 {ui.format_built_at(manifest.get('built_at', ''))} · "
    f"索引目录 {ui.message(ui.display_path(shared.index_dir()))} · "
    f"文件目录 {ui.message(ui.display_path(corpus))}"
)

if engine.stale:
    st.warning(
        f"规划文件在建立索引后有改动：{shared.ui_reason(engine.stale_reason)}。重建后检索才会用到最新内容。"
    )
if shared.is_admin():
    shared.rebuild_button("rebuild_corpus_page", "重建索引" if engine.stale else "重新建立索引")

st.markdown("#### 已收录的规划")
docs = shared.corpus_documents(str(corpus), shared.corpus_signature(corpus))
rows = ui.document_rows(manifest, engine.chunks, docs)
st.html(ui.document_table_html(rows))
with st.expander("元数据来源（每个字段取自正文哪一行、目录文件、文件名，或未找到）"):
    st.dataframe(
        ui.provenance_rows(docs),
        hide_index=True,
        width="stretch",
        column_config={"原文": st.column_config.TextColumn(width=360)},
    )
skipped = manifest.get("skipped") or []
if skipped:
    with st.expander(f"未收录的文件（{len(skipped)}）"):
        for s in skipped:
            st.text(f"{s.get('path')}：{ui.reason_zh(str(s.get('reason', '')))}")
notes = manifest.get("notes") or []  # what a limit cut while building (超长的行、过深的网页…)
if notes:
    with st.expander(f"收录时的处理说明（{len(notes)}）"):
        for n in notes:
            st.text(ui.note_zh(str(n)))
with st.expander("处理上限"):
    st.text("\n".join(ui.limit_lines(engine.settings)))

admin.panel(corpus, docs, skipped)

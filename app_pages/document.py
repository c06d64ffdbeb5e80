"""A whole plan, with one task highlighted (``?doc=<id>&chunk=<chunk id>``), and its original file."""

from __future__ import annotations

import mimetypes
from pathlib import Path

import streamlit as st

from app_pages import shared
from policy_search import ui
from policy_search.ui import manage

engine = shared.get_engine()
key = shared.engine_key(engine)
corpus = shared.corpus_dir()
options = shared.filter_options(engine, key)
docs = {d["doc_id"]: d for d in shared.corpus_documents(str(corpus), shared.corpus_signature(corpus))}

wanted = ui.plain_text(st.query_params.get("doc", ""), 200)
plans = list(options.plans)
doc_id = st.selectbox(
    "规划",
    plans,
    index=plans.index(wanted) if wanted in plans else None,
    format_func=lambda d: options.plans.get(d, d),
    placeholder="选择一份规划",
)
if not doc_id:
    st.info("选择一份规划查看全文；检索结果卡片上的「全文与原件」链接会直接打开这里。")
    st.stop()
if doc_id != wanted:
    st.query_params.from_dict({"doc": doc_id})

chunks = sorted((c for c in engine.chunks if c.doc_id == doc_id), key=lambda c: (c.start, c.part))
chunk_id = ui.plain_text(st.query_params.get("chunk", ""), 300) if doc_id == wanted else ""
target = next((c for c in chunks if c.chunk_id == chunk_id), None)
doc = docs.get(doc_id, {})
first = chunks[0]
st.markdown(f"### {ui.message(first.plan_title or doc_id)}")
st.caption(ui.message(f"{ui.plan_meta(first)} {ui.plan_source(first, doc)}"))
if target is not None:
    st.code(ui.citation(target, doc), language=None, wrap_lines=True)

path = None
if doc.get("path"):
    try:
        path = manage.inside(corpus, str(doc["path"]))
    except manage.UploadRefused:
        path = None
if path is not None and path.is_file():
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    st.download_button(
        f"下载原件（{Path(path).suffix.lstrip('.').upper()}）",
        path.read_bytes(),
        file_name=path.name,
        mime=mime,
        key="dl_original",
        on_click="ignore",
        icon=":material/download:",
    )
else:
    st.caption("原件不在文件目录中（可能已删除），只能查看索引中的正文。")

st.html(ui.document_html(chunks, target))

"""Streamlit glue shared by the pages: the cached engine, index builds, the stale notice.

Paths come from the environment so tests can point the app at a temporary index:
POLICY_SEARCH_INDEX (default ``index``), POLICY_SEARCH_CORPUS (default ``corpus``) and, for
an index built by the page itself, POLICY_SEARCH_ENCODER (default: the library default).
With POLICY_SEARCH_MILVUS_URI set the page searches that Milvus collection instead.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import streamlit as st

from policy_search import ui
from policy_search.encoders import load_encoder
from policy_search.ingest.metadata import CatalogError
from policy_search.search.retrieval import Filters, Hit, ParsedQuery, SearchEngine
from policy_search.settings import Settings
from policy_search.store.index import (
    BuildLocked,
    EmptyCorpus,
    IndexNotReady,
    build_index,
    current_version,
    read_manifest,
)
from policy_search.store.milvus import MilvusTarget, target_from_env

milvus_target = target_from_env  # POLICY_SEARCH_MILVUS_URI / _TOKEN, POLICY_SEARCH_COLLECTION


def index_dir() -> Path:
    return Path(os.environ.get("POLICY_SEARCH_INDEX") or "index")


def corpus_dir() -> Path:
    return Path(os.environ.get("POLICY_SEARCH_CORPUS") or "corpus")


def corpus_signature(folder: Path) -> str:
    """Cheap change detector (names, sizes, mtimes): a changed corpus reloads the engine."""
    if not folder.is_dir():
        return "missing"
    parts = []
    for p in sorted(folder.rglob("*")):
        try:
            if p.is_file():
                st_ = p.stat()
                parts.append(f"{p.relative_to(folder)}:{st_.st_size}:{st_.st_mtime_ns}")
        except OSError:
            continue
    return "|".join(parts)


@st.cache_resource(show_spinner="正在加载语义模型…")
def _encoder(name: str, settings_json: str) -> Any:
    encoder = load_encoder(name, Settings.from_dict(json.loads(settings_json)))
    return ui.CachedQueryEncoder(encoder)


@st.cache_resource(show_spinner="正在加载检索索引…", max_entries=4)
def _engine(index: str, corpus: str, version: str, signature: str) -> SearchEngine:
    manifest = read_manifest(index)
    encoder = _encoder(manifest["encoder"]["name"], json.dumps(manifest.get("settings", {}), sort_keys=True))
    engine = SearchEngine.load(index, encoder=encoder, corpus_dir=corpus)
    # one line in the server log per load: every browser session shares this engine
    print(f"policy_search: loaded index {version} ({len(engine.chunks)} chunks)", file=sys.stderr, flush=True)
    return engine


@st.cache_resource(show_spinner="正在连接 Milvus…", max_entries=4)
def _milvus_engine(target: MilvusTarget, corpus: str, signature: str) -> SearchEngine:
    from policy_search.store.milvus import MilvusBackend

    backend = MilvusBackend.open(target)
    manifest = backend.info.manifest
    encoder = _encoder(manifest["encoder"]["name"], json.dumps(manifest.get("settings", {}), sort_keys=True))
    return SearchEngine.open(backend, encoder=encoder, corpus_dir=corpus)


def engine_key(engine: SearchEngine) -> str:
    return f"{engine.info.path}|{engine.manifest.get('built_at', '')}|{engine.stale}"


@st.cache_resource(max_entries=256, show_spinner=False)
def parse(_engine: SearchEngine, key: str, query: str) -> ParsedQuery:
    """The query parsed once (cleaned, expanded, tokenised, names recognised) for the whole page."""
    return _engine.parse(query)


@st.cache_resource(max_entries=256, show_spinner=False)
def _search(
    _engine: SearchEngine, key: str, query: str | ParsedQuery, k: int, mode: str, filters: Filters
) -> list[Hit]:
    return _engine.search(query, k=k, mode=mode, filters=filters)


@st.cache_resource(max_entries=128, show_spinner=False)
def answer(_engine: SearchEngine, key: str, query: str | ParsedQuery, filters: Filters):
    """The extractive answer and per-plan comparison for a query (cached per index version)."""
    from policy_search.answers.answer import answer as extractive_answer

    return extractive_answer(_engine, query, filters=filters)


def search_fn(engine: SearchEngine) -> ui.SearchFn:
    """``(query, k, mode, filters) → hits``, cached per index version."""
    key = engine_key(engine)
    return lambda q, k, mode, filters: _search(engine, key, q, k, mode, filters)


@st.cache_resource(max_entries=4, show_spinner=False)
def filter_options(_engine: SearchEngine, key: str) -> ui.FilterOptions:
    return ui.filter_options(_engine.chunks)


@st.cache_resource(max_entries=4, show_spinner=False)
def _lowered_texts(_engine: SearchEngine, key: str) -> list[str]:
    return [c.text.lower() for c in _engine.chunks]


@st.cache_resource(max_entries=256, show_spinner=False)
def common_terms(_engine: SearchEngine, key: str, terms: tuple[str, ...]) -> frozenset[str]:
    """Matched terms too common in the corpus to be worth highlighting (see ``ui.common_terms``)."""
    return ui.common_terms(terms, _lowered_texts(_engine, key))


@st.cache_resource(max_entries=4, show_spinner=False)
def sections(_engine: SearchEngine, key: str) -> dict[tuple[str, tuple[str, ...]], list]:
    groups: dict[tuple[str, tuple[str, ...]], list] = {}
    for c in _engine.chunks:
        groups.setdefault((c.doc_id, c.section), []).append(c)
    return {k: sorted(v, key=lambda c: (c.start, c.part)) for k, v in groups.items()}


def build_settings(index: Path) -> Settings:
    """Rebuild with the settings the index was built with; a new index uses the defaults."""
    try:
        return Settings.from_dict(read_manifest(index).get("settings", {}))
    except IndexNotReady:
        encoder = os.environ.get("POLICY_SEARCH_ENCODER") or Settings().encoder
        return Settings(encoder=encoder)


EMPTY_CORPUS = (
    "文件目录 {folder}/ 中没有可检索的规划文件{skipped}。"
    "请在「文件与索引」页上传 .txt .md .html .htm .docx .pdf 文件，或把文件放入该目录后重建索引。"
)


def build_error(exc: Exception, corpus: Path) -> str:
    """A failed build in one Chinese line (plain text)."""
    if isinstance(exc, EmptyCorpus):
        skipped = "（有文件未收录，见下方原因）" if "skipped" in str(exc) else ""
        return EMPTY_CORPUS.format(folder=ui.display_path(corpus), skipped=skipped)
    if isinstance(exc, CatalogError):
        detail = ui.plain_text(str(exc).split(": ", 1)[-1], 300)
        return f"目录文件 catalog.toml 有误，请改正后再重建：{detail}"
    if isinstance(exc, FileNotFoundError):
        return f"没有找到文件目录 {ui.display_path(corpus)}/"
    return f"构建索引失败：{ui.reason_zh(ui.plain_text(str(exc), 300))}"


def run_build(title: str):
    """Build or update the index from the corpus with a progress bar; the ``BuildReport`` when it
    worked, else None (the message is on the page; the previous index keeps serving)."""
    index, corpus = index_dir(), corpus_dir()
    bar = st.progress(0.0, text=f"{title}：正在读取 {ui.display_path(corpus)}/ 中的文件…")

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"{title}：正在生成向量 {done}/{total}")

    try:
        with st.spinner(f"{title}，请稍候…"):
            report = build_index(corpus, index, build_settings(index), progress=progress)
    except BuildLocked:
        bar.empty()
        st.info("另一个进程正在构建索引，请稍候片刻后刷新页面。")
        return None
    except Exception as exc:  # show it on the page instead of a traceback
        bar.empty()
        st.error(ui.message(build_error(exc, corpus)))
        return None
    bar.progress(1.0, text=f"{title}完成：{report.documents} 份文件，{report.chunks} 个任务")
    return report


def corpus_is_empty(corpus: Path) -> bool:
    from policy_search.ingest.corpus import corpus_files

    return not corpus.is_dir() or not corpus_files(corpus)


def get_engine(required: bool = True) -> SearchEngine | None:
    """The loaded engine (cached per process); builds the index first if there is none.

    Stops the page with a clear message when no engine can be had (``required=False``: shows
    the message and returns None, so the corpus page can still offer the upload form).
    """
    index, corpus = index_dir(), corpus_dir()
    target = milvus_target()
    if target is not None:  # POLICY_SEARCH_MILVUS_URI: the index lives in Milvus
        try:
            return _milvus_engine(target, str(corpus), corpus_signature(corpus))
        except IndexNotReady as exc:
            st.error(f"检索索引无法打开：{ui.message(str(exc))}")
            st.stop()
    version = current_version(index)
    if version is None or not version.is_dir():
        if corpus.is_dir() and corpus_is_empty(corpus):
            st.warning(ui.message(EMPTY_CORPUS.format(folder=ui.display_path(corpus), skipped="")))
            if required:
                st.page_link(
                    "app_pages/corpus.py", label="去「文件与索引」页上传文件", icon=":material/upload:"
                )
                st.stop()
            return None
        if not corpus.is_dir():
            st.error(
                f"没有找到检索索引（{ui.display_path(index)}），也没有找到文件夹 "
                f"{ui.display_path(corpus)}/，无法建立索引。"
            )
            st.stop()
        st.info(f"首次使用：正在根据 {ui.display_path(corpus)}/ 中的规划文件建立检索索引，只需一次。")
        if run_build("建立索引"):
            st.rerun()
        if not required:
            return None
        st.stop()
    try:
        return _engine(str(index), str(corpus), version.name, corpus_signature(corpus))
    except IndexNotReady as exc:
        st.error(f"检索索引无法打开：{ui.message(ui.reason_zh(str(exc)))}")
        if st.button("重建索引", key="rebuild_broken", type="primary") and run_build("重建索引"):
            st.rerun()
        if not required:
            return None
        st.stop()
    raise AssertionError("unreachable")


def admin_password() -> str:
    """The administrator password from the environment or Streamlit secrets ("" = read-only)."""
    try:
        secrets = dict(st.secrets)
    except Exception:  # no secrets file: only the environment counts
        secrets = None
    return ui.manage.admin_password(secrets)


def is_admin() -> bool:
    """Whether this browser session has signed in as administrator (no form drawn)."""
    return bool(admin_password() and st.session_state.get("admin_ok"))


def rebuild_button(key: str, label: str = "重建索引") -> None:
    hint = "根据 corpus/ 中的文件更新索引；只重新计算有变化的部分"
    if st.button(label, key=key, type="primary", help=hint) and run_build("重建索引"):
        st.rerun()


def stale_notice(engine: SearchEngine, key: str) -> None:
    if engine.stale:
        with st.container(border=True):
            st.warning(
                f"规划文件在建立索引后有改动，检索结果可能不是最新的。（{ui_reason(engine.stale_reason)}）"
            )
            if is_admin():
                rebuild_button(key)
            else:
                st.caption("管理员登录「文件与索引」页后可以重建索引。")


def ui_reason(reason: str) -> str:
    return ui.message(reason.split(";")[0]) if reason else "索引已过期"


@st.cache_data(max_entries=4, show_spinner=False)
def corpus_documents(corpus: str, signature: str) -> list[dict]:
    """Metadata of the documents in the corpus folder now (no text), for the corpus page."""
    from policy_search.ingest.corpus import load_corpus

    try:
        docs = load_corpus(corpus).documents
        return [{k: v for k, v in d.to_dict().items() if k != "removed"} for d in docs]
    except Exception:  # a broken corpus folder is reported by the build; the page still shows the index
        return []


def download_row(stem: str, key: str, files: list[tuple[str, bytes, str, str, str]]) -> None:
    """Download buttons (label, data, extension, MIME, widget key) kept together: the group
    moves below the heading beside it when the row is too narrow. Files are ``{stem}.{ext}``."""
    with st.container(horizontal=True, width="content", gap="small", key=key):
        for label, data, ext, mime, dl_key in files:
            st.download_button(
                label,
                data,
                file_name=f"{stem}.{ext}",
                mime=mime,
                key=dl_key,
                on_click="ignore",
                icon=":material/download:",
                width="content",
            )

"""The administrator part of the 文件与索引 page: sign in, upload, correct metadata, delete.

All checks live in ``policy_search.ui.manage`` (no Streamlit); this module only draws them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from app_pages import shared
from policy_search import ui
from policy_search.ingest.loaders import SUPPORTED_EXTENSIONS
from policy_search.ingest.metadata import LEVELS
from policy_search.store.index import IndexNotReady, read_manifest
from policy_search.ui import manage

HOW_TO_ENABLE = (
    "文件管理（上传、修改元数据、删除、重建索引）需要管理员密码，目前未设置，本页只读。"
    f"启用方法：启动前设置环境变量 {manage.PASSWORD_ENV}，"
    '或在 .streamlit/secrets.toml 中写 admin_password = "…"，然后重启页面。检索不受影响。'
)
FORM_LABELS = {
    "title": "规划名称",
    "issuer": "发文机关",
    "region": "地区",
    "level": "层级",
    "period": "期间（如 2021 或 2021-2035）",
    "published": "发布日期（YYYY-MM-DD）",
    "doc_number": "文号",
    "id": "编号（链接里用的 plan=）",
    "note": "备注",
}


def signed_in() -> bool:
    """Shows the sign-in form or the read-only notice; True when an administrator is signed in."""
    expected = shared.admin_password()
    if not expected:
        st.info(HOW_TO_ENABLE)
        return False
    if st.session_state.get("admin_ok"):
        if st.button("退出管理", key="admin_logout"):
            st.session_state.admin_ok = False
            st.rerun()
        return True
    with st.form("admin_login", enter_to_submit=True):
        given = st.text_input("管理员密码", type="password", key="admin_pw")
        if st.form_submit_button("登录管理"):
            if manage.password_ok(given, expected):
                st.session_state.admin_ok = True
                st.rerun()
            st.error("密码不正确")
    st.caption("登录后可以上传、修改和删除规划文件；检索页无需登录。")
    return False


def _previous_documents() -> list[dict]:
    try:
        return list(read_manifest(shared.index_dir()).get("documents") or [])
    except IndexNotReady:
        return []


def rebuild(title: str, rollback: Sequence[Path] = ()) -> bool:
    """Rebuild with progress and a Chinese summary; on failure the new files are taken back."""
    before = _previous_documents()
    report = shared.run_build(title)
    if report is None:
        for path in rollback:
            path.unlink(missing_ok=True)
        if rollback:
            st.warning(f"索引未更新，刚上传的 {len(rollback)} 个文件已撤回，文件目录恢复原样。")
        return False
    st.session_state.build_summary = manage.build_summary(before, report)
    return True


def upload_section(corpus: Path) -> None:
    st.markdown("#### 上传规划文件")
    limit_mb = manage.max_upload_bytes() / 1024 / 1024
    turn = st.session_state.setdefault("upload_turn", 0)
    files = st.file_uploader(
        f"选择文件（{' '.join(SUPPORTED_EXTENSIONS)}；每个不超过 {limit_mb:g} MB，"
        f"一次最多 {manage.MAX_FILES} 个）",
        type=[e.lstrip(".") for e in SUPPORTED_EXTENSIONS],
        accept_multiple_files=True,
        key=f"upload_{turn}",
    )
    if not files or not st.button("保存并更新索引", key="upload_save", type="primary"):
        return
    try:
        results = manage.save_uploads(corpus, [(f.name, f.getvalue()) for f in files])
    except manage.UploadRefused as exc:
        st.error(ui.message(str(exc)))
        return
    saved = [r.saved for r in results if r.saved]
    for r in results:
        if r.error:
            st.error(ui.message(r.error))
    if not saved:
        return
    names = "、".join(s.name for s in saved)
    st.success(ui.message(f"已保存 {len(saved)} 个文件：{names}"))
    if rebuild("更新索引", rollback=[corpus / s.name for s in saved]):
        st.session_state.upload_turn = turn + 1
        st.rerun()


def metadata_section(corpus: Path, docs: Sequence[Mapping[str, Any]]) -> None:
    st.markdown("#### 更正元数据")
    if not docs:
        st.caption("文件目录中还没有可读取的规划文件。")
        return
    by_path = {d["path"]: d for d in docs}
    path = st.selectbox(
        "选择文件",
        list(by_path),
        key="meta_file",
        format_func=lambda p: f"{by_path[p].get('title') or p}（{p}）",
    )
    doc = by_path[path]
    st.html(ui.provenance_html(doc))
    tag = hashlib.sha1(path.encode("utf-8")).hexdigest()[:10]  # widgets per file: no stale values
    with st.form(f"meta_form_{tag}"):
        values: dict[str, Any] = {}
        cols = st.columns(2)
        for i, (field, label) in enumerate(FORM_LABELS.items()):
            current = doc.get("doc_id" if field == "id" else field) or ""
            with cols[i % 2]:
                if field == "level":
                    options = ["", *LEVELS]
                    index = options.index(current) if current in options else 0
                    values[field] = st.selectbox(label, options, index=index, key=f"meta_{field}_{tag}")
                else:
                    values[field] = st.text_input(label, value=str(current), key=f"meta_{field}_{tag}")
        if st.form_submit_button("保存到目录文件并更新索引", type="primary"):
            try:
                manage.save_catalog_entry(corpus, path, values)
            except manage.UploadRefused as exc:
                st.error(ui.message(str(exc)))
                return
            st.success("已保存到 catalog.toml")
            if rebuild("更新索引"):
                st.rerun()


def delete_section(corpus: Path, docs: Sequence[Mapping[str, Any]], skipped: Sequence[Mapping]) -> None:
    st.markdown("#### 删除文件")
    paths = [d["path"] for d in docs] + [str(s.get("path")) for s in skipped if s.get("path")]
    if not paths:
        st.caption("没有可删除的文件。")
        return
    path = st.selectbox("选择要删除的文件", paths, key="delete_file", index=None, placeholder="选择文件")
    sure = st.checkbox("确认删除这个文件及其目录条目（无法撤销）", key="delete_sure")
    if st.button("删除并更新索引", key="delete_go", disabled=not (path and sure)):
        try:
            manage.delete_document(corpus, str(path))
        except manage.UploadRefused as exc:
            st.error(ui.message(str(exc)))
            return
        rebuild("更新索引")
        st.rerun()


def panel(corpus: Path, docs: Sequence[Mapping[str, Any]], skipped: Sequence[Mapping] = ()) -> None:
    st.markdown("### 文件管理")
    summary = st.session_state.pop("build_summary", None)
    if summary:
        st.success(ui.message(summary[0]))
        for line in summary[1:]:
            st.text(line)
    if not signed_in():
        return
    upload_section(corpus)
    metadata_section(corpus, docs)
    delete_section(corpus, docs, skipped)

# ruff: noqa: F811 (make_app is a fixture imported from test_app)
"""The 文件与索引 page's management part, driven with AppTest: password gate, empty corpus, edits."""

from __future__ import annotations

import shutil
from pathlib import Path

from policy_search.ingest.metadata import load_catalog
from tests.test_app import CORPUS_DIR, build_hash_index, make_app, no_errors  # noqa: F401 (fixture)

PASSWORD_ENV = "POLICY_SEARCH_ADMIN_PASSWORD"


def corpus_page(make_app, index: Path, corpus: Path = CORPUS_DIR, **state):
    at = make_app(index, corpus, encoder="hash")
    for name, value in state.items():
        at.session_state[name] = value
    at.run()
    at.switch_page("app_pages/corpus.py").run()
    return at


def field(at, label: str):
    return next(t for t in at.text_input if t.label == label)


def texts(at) -> str:
    parts = [
        e.value
        for kind in ("info", "warning", "error", "success", "caption", "markdown")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_without_a_password_the_page_is_read_only_and_says_how_to_enable(
    make_app, seed_index_hash, monkeypatch
):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    at = corpus_page(make_app, seed_index_hash, admin_ok=True)  # a forged session flag is not enough
    no_errors(at)
    assert any(PASSWORD_ENV in i.value and "只读" in i.value for i in at.info)
    keys = {b.key for b in at.button}
    assert "rebuild_corpus_page" not in keys and "upload_save" not in keys and "delete_go" not in keys


def test_wrong_password_is_refused_and_right_one_opens_management(make_app, seed_index_hash, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "正确的密码")
    at = corpus_page(make_app, seed_index_hash)
    at.text_input(key="admin_pw").set_value("wrong")
    at.button[[b.label for b in at.button].index("登录管理")].click().run()
    assert [e.value for e in at.error] == ["密码不正确"]
    assert "delete_go" not in {b.key for b in at.button}
    at.text_input(key="admin_pw").set_value("正确的密码")
    at.button[[b.label for b in at.button].index("登录管理")].click().run()
    no_errors(at)
    assert {"rebuild_corpus_page", "delete_go"} <= {b.key for b in at.button}


def test_stale_notice_offers_rebuild_only_to_the_administrator(make_app, tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "pw")
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    index = build_hash_index(corpus, tmp_path / "index")
    (corpus / "shandong-2015-work-plan.txt").write_text(
        "山东省2015年工作要点\n\n一、新任务\n\n（一）测试。\n"
    )
    at = make_app(index, corpus).run()
    no_errors(at)
    assert "rebuild_stale_search" not in {b.key for b in at.button}
    assert any("管理员" in c.value for c in at.caption)


def test_empty_corpus_gets_a_chinese_message_and_no_crash(make_app, tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "pw")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    index = tmp_path / "index"
    at = make_app(index, corpus, encoder="hash").run()
    assert not at.exception
    assert any("没有可检索的规划文件" in w.value for w in at.warning)
    assert not index.exists() or not any(index.iterdir())
    at = corpus_page(make_app, index, corpus, admin_ok=True)
    assert not at.exception and not at.error
    assert "没有可检索的规划文件" in texts(at)
    assert "上传规划文件" in texts(at)


def test_corpus_of_only_bad_files_says_why_in_chinese(make_app, tmp_path, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes(b"")
    index = tmp_path / "index"
    at = make_app(index, corpus, encoder="hash").run()
    assert not at.exception
    shown = texts(at)
    assert "没有可检索的规划文件" in shown and "max()" not in shown and "no documents" not in shown


def test_metadata_form_saves_to_the_catalog_and_rebuilds(make_app, tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "pw")
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    index = build_hash_index(corpus, tmp_path / "index")
    at = corpus_page(make_app, index, corpus, admin_ok=True)
    at.selectbox(key="meta_file").set_value("guangan-2017-pilot-city-programme.txt").run()
    field(at, "文号").set_value('广府发〔2017〕"12"号')
    field(at, "发布日期（YYYY-MM-DD）").set_value("2017-13-40")
    at.button[[b.label for b in at.button].index("保存到目录文件并更新索引")].click().run()
    assert any("发布日期" in e.value for e in at.error)
    assert (
        load_catalog(corpus)["guangan-2017-pilot-city-programme.txt"]["doc_number"] == "广安府发〔2017〕11号"
    )
    field(at, "文号").set_value('广府发〔2017〕"12"号')
    field(at, "发布日期（YYYY-MM-DD）").set_value("2017-06-01")
    at.button[[b.label for b in at.button].index("保存到目录文件并更新索引")].click().run()
    no_errors(at)
    entry = load_catalog(corpus)["guangan-2017-pilot-city-programme.txt"]
    assert entry["doc_number"] == '广府发〔2017〕"12"号' and entry["published"] == "2017-06-01"
    assert len(load_catalog(corpus)) == 5


def test_delete_removes_the_file_and_rebuilds(make_app, tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "pw")
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    index = build_hash_index(corpus, tmp_path / "index")
    at = corpus_page(make_app, index, corpus, admin_ok=True)
    at.selectbox(key="delete_file").set_value("tianjin-2013-work-plan.txt")
    at.checkbox(key="delete_sure").check().run()
    at.button(key="delete_go").click().run()
    no_errors(at)
    assert not (corpus / "tianjin-2013-work-plan.txt").exists()
    assert "tianjin-2013-work-plan.txt" not in load_catalog(corpus)
    assert {m.label: m.value for m in at.metric}["规划文件"] == "4"

from __future__ import annotations

import shutil
from pathlib import Path

from policy_search.ingest.corpus import load_corpus

from .conftest import CORPUS_DIR

GOOD = "一、总体要求\n加强知识产权保护，推动高质量发展，营造良好的创新环境和营商环境。\n"


def test_bad_files_are_reported_and_the_rest_loads(tmp_path: Path):
    shutil.copy(CORPUS_DIR / "tianjin-2013-work-plan.txt", tmp_path / "tianjin.txt")
    (tmp_path / "good.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PK\x00\x00" * 50)
    (tmp_path / "undecodable.txt").write_bytes(b"\xff\xfe\xfa\x80\x81\xfe\xff" * 10 + b"\x81")
    (tmp_path / "notes.xyz").write_text("whatever", encoding="utf-8")
    (tmp_path / "copy.txt").write_text(GOOD, encoding="utf-8")  # same text as good.md
    corpus = load_corpus(tmp_path)
    # files load in name order, so copy.txt is kept and good.md is the duplicate
    assert sorted(d.path for d in corpus.documents) == ["copy.txt", "tianjin.txt"]
    reasons = {s.path: s.reason for s in corpus.skipped}
    assert set(reasons) == {"empty.txt", "binary.txt", "undecodable.txt", "notes.xyz", "good.md"}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "undecodable" in reasons["undecodable.txt"] or "decode" in reasons["undecodable.txt"]
    assert "unsupported" in reasons["notes.xyz"] and ".txt" in reasons["notes.xyz"]
    assert reasons["good.md"] == "same text as copy.txt; indexed once"
    for skipped in corpus.skipped:
        assert "\n" not in str(skipped) and str(skipped).startswith(skipped.path)
    assert len(corpus.chunks_of("tianjin-2013")) == 0  # no catalog here: id comes from the file name
    assert len(corpus.chunks_of("tianjin")) > 30


def test_gbk_file_loads_like_utf8(tmp_path: Path):
    (tmp_path / "a.txt").write_bytes(GOOD.encode("gbk"))
    corpus = load_corpus(tmp_path)
    assert corpus.documents[0].text == GOOD.strip()


def test_document_without_headings_is_noted(tmp_path: Path):
    (tmp_path / "plain.txt").write_text(
        "这是一段没有任何标题结构的普通政策说明文字，内容完整。\n", encoding="utf-8"
    )
    corpus = load_corpus(tmp_path)
    assert len(corpus.chunks) == 1 and corpus.chunks[0].kind == "preamble"
    assert any("no headings" in n for n in corpus.notes)


def test_boilerplate_is_reported_not_lost(seed_corpus):
    cnipa = seed_corpus.document("cnipa-2013")
    removed = [r.text for r in cnipa.removed]
    assert any(t.startswith("当前位置") for t in removed)
    assert "当前位置" not in cnipa.text
    tianjin = seed_corpus.document("tianjin-2013")
    assert any("分享到" in r.text for r in tianjin.removed) and "分享到" not in tianjin.text
    assert "浏览次数" not in tianjin.text


def test_symlinks_and_special_files_are_skipped_with_a_reason(tmp_path):
    import os

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plan.txt").write_text("一、总体要求\n加强知识产权保护，推进各项工作落实。", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("服务器上的秘密内容，不得被索引。", encoding="utf-8")
    (corpus / "link.txt").symlink_to(secret)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.txt").write_text("目录外的文件内容。", encoding="utf-8")
    (corpus / "sub").symlink_to(tmp_path / "outside", target_is_directory=True)
    os.mkfifo(corpus / "pipe.txt")  # reading it would block the build forever
    loaded = load_corpus(corpus)
    assert [d.path for d in loaded.documents] == ["plan.txt"]
    reasons = {s.path: s.reason for s in loaded.skipped}
    assert "symbolic link" in reasons["link.txt"] and "regular file" in reasons["pipe.txt"]
    assert not any("秘密" in c.text or "目录外" in c.text for c in loaded.chunks)


def test_a_file_over_the_size_limit_is_skipped_before_it_is_read(tmp_path):
    from policy_search import ui
    from policy_search.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plan.txt").write_text("一、总体要求\n加强知识产权保护，推进各项工作落实。", encoding="utf-8")
    (corpus / "huge.txt").write_text("加强保护。" * 300_000, encoding="utf-8")  # about 4.5 MB
    loaded = load_corpus(corpus, Settings(max_file_mb=1))
    assert [d.path for d in loaded.documents] == ["plan.txt"]
    (skipped,) = loaded.skipped
    assert (
        skipped.path == "huge.txt"
        and "file too large" in skipped.reason
        and "limit is 1 MB" in skipped.reason
    )
    assert ui.reason_zh(skipped.reason).startswith("文件过大（4.3 MB，上限 1 MB）")


def _limit_corpus(folder: Path) -> None:
    folder.mkdir()
    (folder / "long.txt").write_text("推进知识产权保护工作。" * 1000, encoding="utf-8")  # 11,000 characters
    (folder / "run.txt").write_text("一、任务\n" + "甲" * 1200 + "。", encoding="utf-8")
    deep = "<html><body>" + "<div>" * 120 + "深处的正文。" + "</div>" * 120 + "<p>正文。</p></body></html>"
    (folder / "deep.html").write_text(deep, encoding="utf-8")
    wide = "<p>表格如下。</p><table><tr>" + "<td>格</td>" * 10_005 + "</tr></table>"
    (folder / "wide.html").write_text(wide, encoding="utf-8")


LIMIT_NOTES = {
    "long.txt: 1 line(s) over the 10,000-character line limit (longest: line 1, 11,000 characters)"
    " split into 2 lines; worst cut: sentence ends": "long.txt：1 行超过每行 10,000 字的上限（最长为第 1 行，"
    "11,000 字），已切分为 2 行（均在句末切分）",
    "run.txt: 2 cut(s) inside a sentence without punctuation at the 500-character chunk limit": "run.txt："
    "2 处无标点的长句超过每段 500 字的上限，已按字数切分",
    "deep.html: HTML nested deeper than 100 levels: the deeper elements were flattened": "deep.html："
    "HTML 嵌套超过 100 层，更深的部分已展平",
    "wide.html: a table has more than 10,000 cells: the other 5 cells were left out": "wide.html："
    "表格超过 10,000 格，其余 5 格已略去",
}


def test_what_each_limit_cuts_is_a_note_in_english_and_in_chinese(tmp_path: Path):
    from policy_search.ui import note_zh

    _limit_corpus(tmp_path / "corpus")
    corpus = load_corpus(tmp_path / "corpus")
    assert max(len(c.text) for c in corpus.chunks) <= 500
    for english, chinese in LIMIT_NOTES.items():
        assert english in corpus.notes
        assert note_zh(english) == chinese
    assert (
        note_zh("x.txt: no headings recognised; chunked by paragraph")
        == "x.txt：未识别出标题层级，已按段落切分"
    )
    assert note_zh("something new") == "something new"  # an unknown note is shown as it is


def test_the_limits_come_from_the_settings(tmp_path: Path):
    from policy_search.settings import Settings

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("推进工作，" * 30, encoding="utf-8")
    assert not any("line limit" in n for n in load_corpus(folder).notes)
    notes = load_corpus(folder, Settings(max_line_chars=50, max_chunk_chars=60)).notes
    assert "a.txt: 1 line(s) over the 50-character line limit (longest: line 1, 150 characters) split" in (
        " ".join(notes)
    )


def test_cli_docs_prints_each_limit_note(tmp_path: Path, capsys):
    from policy_search.cli import main

    _limit_corpus(tmp_path / "corpus")
    assert main(["docs", "--corpus", str(tmp_path / "corpus")]) == 0
    err = capsys.readouterr().err
    for english in LIMIT_NOTES:
        assert f"note: {english}\n" in err


def test_a_build_keeps_the_notes_for_the_corpus_page(tmp_path: Path):
    from policy_search.encoders import HashEncoder
    from policy_search.settings import Settings
    from policy_search.store.index import build_index, read_manifest
    from policy_search.ui import limit_lines

    _limit_corpus(tmp_path / "corpus")
    build_index(tmp_path / "corpus", tmp_path / "index", Settings(encoder="hash"), encoder=HashEncoder())
    assert set(LIMIT_NOTES) <= set(read_manifest(tmp_path / "index")["notes"])
    lines = limit_lines(Settings())
    assert "每行最多 10,000 字：更长的行在句末、标点处切分，无标点处按字数切分" in lines
    assert any("表格最多 10,000 格" in line for line in lines) and len(lines) == 8


def test_the_corpus_page_shows_the_notes_in_chinese_and_the_active_limits(tmp_path: Path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from policy_search.encoders import HashEncoder
    from policy_search.settings import Settings
    from policy_search.store.index import build_index

    _limit_corpus(tmp_path / "corpus")
    build_index(tmp_path / "corpus", tmp_path / "index", Settings(encoder="hash"), encoder=HashEncoder())
    monkeypatch.setenv("POLICY_SEARCH_INDEX", str(tmp_path / "index"))
    monkeypatch.setenv("POLICY_SEARCH_CORPUS", str(tmp_path / "corpus"))
    at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/corpus.py").run()
    assert not at.exception
    shown = [t.value for t in at.text]
    for chinese in LIMIT_NOTES.values():
        assert chinese in shown
    limits = next(t for t in shown if t.startswith("单个文件最大"))
    assert "每个任务条目最多 500 字" in limits and "网页嵌套最多 100 层" in limits

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

"""Document management without Streamlit: bad uploads are refused in Chinese and leave the corpus
byte-for-byte as it was; good ones land inside corpus/ only; catalog edits keep other entries."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import tomllib
import zipfile
from pathlib import Path

import pytest

from policy_search.ingest.metadata import load_catalog
from policy_search.ui import manage

REPO = Path(__file__).resolve().parents[1]
PLAN = (
    "测试市知识产权局2020年工作要点\n\n一、加强知识产权运用\n\n"
    "（一）推进质押融资。全年知识产权质押融资达到3亿元。（责任单位：市财政局）\n\n"
    "（二）做好宣传。组织知识产权宣传周活动。\n"
).encode()
ENGLISH = re.compile(r"[A-Za-z]{4,}")


def folder_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.parent.rglob("*")):
        h.update(str(p.relative_to(folder.parent)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "root" / "corpus"
    shutil.copytree(REPO / "corpus", folder)
    return folder


def docx_bytes(text: str) -> bytes:
    import docx

    d = docx.Document()
    for line in text.splitlines():
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def pdf_blank() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(100, 100, 200, 200, fill=1)
    c.showPage()
    c.save()
    return buf.getvalue()


def pdf_encrypted() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.encrypt("secret")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (30 * 1024 * 1024))
    return buf.getvalue()


def corrupt_docx() -> bytes:
    return docx_bytes("测试")[:300]


def bad_cases() -> dict[str, tuple[str, bytes]]:
    return {
        "empty": ("a.txt", b""),
        "whitespace only": ("a.txt", b"   \n\t\n"),
        "binary renamed txt": ("a.txt", bytes(range(256)) * 8),
        "NUL bytes": ("a.txt", b"abc\x00def" * 100),
        "undecodable": ("a.txt", bytes([0x81, 0xFF, 0xFE, 0x80]) * 50),
        "corrupt docx": ("a.docx", corrupt_docx()),
        "text renamed docx": ("a.docx", PLAN),
        "zip bomb docx": ("a.docx", zip_bomb()),
        "zip without document": ("a.docx", _zip({"x.txt": "hello"})),
        "empty docx": ("a.docx", docx_bytes("")),
        "encrypted pdf": ("a.pdf", pdf_encrypted()),
        "image-only pdf": ("a.pdf", pdf_blank()),
        "text renamed pdf": ("a.pdf", PLAN),
        "truncated pdf": ("a.pdf", pdf_blank()[:40]),
        "over size": ("a.txt", PLAN * 2000),
        "unsupported extension": ("a.exe", PLAN),
        "legacy doc": ("a.doc", PLAN),
        "no extension": ("plan", PLAN),
        "only an extension": (".txt", PLAN),
        "hidden name": (".x.txt", PLAN),
        "NUL in name": ("a\x00.txt", PLAN),
        "dot-dot only": ("../..", PLAN),
        "path to hidden": ("../../.bashrc.txt", PLAN),
        "windows reserved": ("CON.txt", PLAN),
        "windows reserved com1": ("com1.txt", PLAN),
        "script-only html": ("a.html", b"<html><body><script>alert(1)</script></body></html>"),
        "style-only htm": ("a.htm", b"<html><head><style>p{}</style></head><body></body></html>"),
        "boilerplate-only html": (
            "a.html",
            b"<html><body><p>\xe6\x89\x93\xe5\x8d\xb0\xe6\x9c\xac\xe9\xa1\xb5</p></body></html>",
        ),
        "duplicate content": ("copy.txt", (REPO / "corpus" / "tianjin-2013-work-plan.txt").read_bytes()),
        "catalog name": ("catalog.toml", b'x = "1"'),
        "control-character name only": ("\x01\x02.txt", PLAN),
        "spaces name": ("   .txt", PLAN),
    }


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


@pytest.mark.parametrize("kind", sorted(bad_cases()))
def test_bad_upload_refused_in_one_chinese_line_and_corpus_unchanged(corpus: Path, kind: str) -> None:
    name, data = bad_cases()[kind]
    before = folder_hash(corpus)
    with pytest.raises(manage.UploadRefused) as err:
        manage.save_upload(corpus, name, data, limit=100_000)
    text = str(err.value)
    assert "\n" not in text and re.search(r"[\u4e00-\u9fff]", text), text
    head = re.sub(
        r"[\w-]*\.[a-z]+|MB|PDF|Word|UTF-8|GB18030", "", text.rsplit("：", 1)[0]
    )  # the name is the user's
    assert not ENGLISH.search(head), text
    assert folder_hash(corpus) == before


def test_hundred_files_at_once_refused_as_a_batch(corpus: Path) -> None:
    before = folder_hash(corpus)
    with pytest.raises(manage.UploadRefused, match="一次最多"):
        manage.save_uploads(corpus, [(f"p{i}.txt", PLAN) for i in range(100)])
    assert folder_hash(corpus) == before


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("/abs/path/计划.txt", "计划.txt"),
        ("..\\..\\win\\计划.md", "计划.md"),
        ("<script>alert(1)</script>.html", "script.html"),
        ("<b>计划</b>.html", "b.html"),
        ("<i>计划.html", "i计划.html"),
        ("a" * 200 + ".docx", "a" * 91 + ".docx"),
        ("Plan.TXT", "Plan.txt"),
        ("工作要点 2020.pdf", "工作要点 2020.pdf"),
    ],
)
def test_safe_name(name: str, expected: str) -> None:
    got = manage.safe_name(name)
    assert got == expected
    assert len(got) <= manage.MAX_NAME_CHARS and "/" not in got and "\\" not in got


def test_safe_name_deduplicates() -> None:
    assert manage.safe_name("a.txt", {"a.txt", "A-2.txt"}) == "a-3.txt"


def test_good_uploads_land_inside_corpus_only(corpus: Path) -> None:
    outside = sorted(p.name for p in corpus.parent.iterdir())
    results = manage.save_uploads(
        corpus,
        [
            ("../../逃逸.txt", PLAN),
            ("测试.docx", docx_bytes(PLAN.decode())),
            ("tianjin-2013-work-plan.txt", PLAN.replace(b"2020", b"2021")),
        ],
    )
    assert [r.error for r in results] == ["", "", ""]
    names = [r.saved.name for r in results]
    assert names == ["逃逸.txt", "测试.docx", "tianjin-2013-work-plan-2.txt"]
    assert all((corpus / n).is_file() for n in names)
    assert sorted(p.name for p in corpus.parent.iterdir()) == outside
    assert not any(p.name.startswith(".") for p in corpus.iterdir())
    doc = results[0].saved.document
    assert doc.title == "测试市知识产权局2020年工作要点"
    assert {p.field for p in doc.provenance} >= {"title", "issuer", "level"}


def test_partial_batch_keeps_good_files_and_names_bad(corpus: Path) -> None:
    results = manage.save_uploads(corpus, [("ok.txt", PLAN), ("bad.txt", b"")])
    assert results[0].saved and not results[0].error
    assert results[1].saved is None and "空文件" in results[1].error


def test_delete_removes_file_and_catalog_entry_only(corpus: Path) -> None:
    before = load_catalog(corpus)
    text = (corpus / "catalog.toml").read_text(encoding="utf-8")
    manage.delete_document(corpus, "tianjin-2013-work-plan.txt")
    assert not (corpus / "tianjin-2013-work-plan.txt").exists()
    after = load_catalog(corpus)
    assert set(before) - set(after) == {"tianjin-2013-work-plan.txt"}
    assert all(after[k] == before[k] for k in after)
    new_text = (corpus / "catalog.toml").read_text(encoding="utf-8")
    assert new_text.startswith(text.split("[[document]]")[0])  # the header comments kept


@pytest.mark.parametrize("rel", ["../outside.txt", "catalog.toml", "missing.txt", "/etc/passwd", "a\x00b"])
def test_delete_refuses_unsafe_or_missing(corpus: Path, rel: str) -> None:
    (corpus.parent / "outside.txt").write_text("x")
    before = folder_hash(corpus)
    with pytest.raises(manage.UploadRefused):
        manage.delete_document(corpus, rel)
    assert folder_hash(corpus) == before


def test_catalog_entry_saved_escaped_and_others_kept(corpus: Path) -> None:
    before = load_catalog(corpus)
    evil = 'A "quoted" \\ title\n[[document]]\nfile = "x"'
    saved = manage.save_catalog_entry(
        corpus,
        "guangan-2017-pilot-city-programme.txt",
        {"title": evil, "level": "市", "published": "2017-6-1", "period": "2017—2020", "id": "guangan-2017"},
    )
    assert saved["published"] == "2017-06-01" and saved["period"] == "2017-2020"
    after = load_catalog(corpus)
    entry = after["guangan-2017-pilot-city-programme.txt"]
    assert entry["title"] == " ".join(evil.split())
    assert set(after) == set(before)
    assert all(after[k] == before[k] for k in after if k != "guangan-2017-pilot-city-programme.txt")
    tomllib.loads((corpus / "catalog.toml").read_text(encoding="utf-8"))


def test_catalog_entry_for_new_file_is_appended(corpus: Path) -> None:
    manage.save_upload(corpus, "新计划.txt", PLAN)
    manage.save_catalog_entry(corpus, "新计划.txt", {"region": "测试市", "level": "市"})
    assert load_catalog(corpus)["新计划.txt"] == {"file": "新计划.txt", "region": "测试市", "level": "市"}
    assert len(load_catalog(corpus)) == 6


@pytest.mark.parametrize(
    "values, fragment",
    [
        ({"level": "县"}, "层级"),
        ({"published": "2021-13-01"}, "发布日期"),
        ({"published": "yesterday"}, "发布日期"),
        ({"published": "1800-01-01"}, "年份"),
        ({"period": "2035-2021"}, "期间"),
        ({"period": "明年"}, "期间"),
        ({"id": "a b/c"}, "编号"),
        ({"title": "长" * 400}, "太长"),
    ],
)
def test_catalog_form_validation(corpus: Path, values: dict, fragment: str) -> None:
    before = folder_hash(corpus)
    with pytest.raises(manage.UploadRefused, match=fragment):
        manage.save_catalog_entry(corpus, "guangan-2017-pilot-city-programme.txt", values)
    assert folder_hash(corpus) == before


def test_password_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(manage.PASSWORD_ENV, raising=False)
    assert manage.admin_password() == ""
    assert manage.admin_password({"admin_password": "s3"}) == "s3"
    monkeypatch.setenv(manage.PASSWORD_ENV, "秘密")
    assert manage.admin_password({"admin_password": "s3"}) == "秘密"
    assert manage.password_ok("秘密", "秘密")
    assert not manage.password_ok("秘", "秘密")
    assert not manage.password_ok("", "")

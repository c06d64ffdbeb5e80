"""Loaders: every supported format and encoding gives the same plain text; bad files give one
clear ``LoadError`` line instead of a traceback."""

from __future__ import annotations

import codecs
import tempfile
from pathlib import Path

import charset_normalizer
import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_search.ingest.loaders import (
    SUPPORTED_EXTENSIONS,
    LoadError,
    decode_bytes,
    html_to_text,
    html_to_text_noted,
    join_wrapped_lines,
    load_source,
    read_source,
)
from policy_search.settings import Settings

TEXT = "国家知识产权局2013年工作要点\n一、深入实施知识产权战略\n推进知识产权区域促进工程。"
# Fails UTF-8 (0xff is never valid), GB18030 (0xff is no lead byte) and has no BOM.
UNDECODABLE = b"\xff\xfa\xff\xfb\x80\xff" * 50


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _minimal_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF with ASCII text in Helvetica, written by hand (no generator)."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) Tj T*" for line in lines)
    content += " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("ascii")
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out + trailer.encode("ascii")


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("gb18030"),
        TEXT.encode("gbk"),
        TEXT.encode("gb2312"),
        TEXT.encode("utf-16"),  # with BOM
        TEXT.replace("\n", "\r\n").encode("utf-8"),
        TEXT.replace("\n", "\r").encode("gbk"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "gbk", "gb2312", "utf16-bom", "crlf", "cr-gbk"],
)
def test_encodings_decode_to_the_same_text(tmp_path: Path, data: bytes) -> None:
    assert decode_bytes(data) == TEXT
    assert read_source(_write(tmp_path, "plan.txt", data)) == (TEXT, "txt")


def test_undecodable_bytes_raise_value_error() -> None:
    for codec in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            UNDECODABLE.decode(codec)
    best = charset_normalizer.from_bytes(UNDECODABLE).best()
    assert best is None or best.coherence < 0.1  # the guess is noise, so it must not be used
    with pytest.raises(ValueError, match="undecodable"):
        decode_bytes(UNDECODABLE)


@settings(max_examples=50, deadline=None)
@given(st.text())
def test_utf8_round_trip(text: str) -> None:
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert decode_bytes(text.encode("utf-8")) == expected


def test_markdown_is_kept_as_written(tmp_path: Path) -> None:
    md = "# 天津市知识产权局2013年工作要点\n\n- 专利申请5万件\n"
    assert read_source(_write(tmp_path, "plan.md", md.encode("utf-8"))) == (md, "md")


# --- HTML --------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>页面标题不要</title>
<style>.x { color: red }</style><script>var 脚本 = "不要";</script></head>
<body>
<header><div>网站头部不要</div></header>
<nav><a href="/">首页</a> &gt; <a>政策文件</a></nav>
<div class="content" id="zoom">
  <h1>关于印发《天津市知识产权局2013年工作要点》的通知</h1>
  <p>各区县知识产权局、
     各有关单位：</p>
  <p>现将工作要点印发给你们。<br>请认真贯彻执行。</p>
  <!-- 注释不要 -->
  <table><tr><td>指标</td><td>目标</td></tr><tr><td>专利申请</td><td>5万件</td></tr></table>
  <ul><li>一、服务创新型城市建设</li><li>二、促进企业发展</li></ul>
</div>
<aside>相关链接不要</aside>
<noscript>请启用脚本不要</noscript>
<form><input name="q"><button>搜索不要</button></form>
<footer>版权所有不要</footer>
<script>document.write("不要")</script>
</body></html>"""


def test_html_keeps_body_text_and_drops_chrome(tmp_path: Path) -> None:
    text, fmt = read_source(_write(tmp_path, "page.html", PAGE.encode("utf-8")))
    assert fmt == "html"
    assert text.split("\n") == [
        "关于印发《天津市知识产权局2013年工作要点》的通知",
        "各区县知识产权局、 各有关单位：",
        "现将工作要点印发给你们。",
        "请认真贯彻执行。",
        "指标\t目标",
        "专利申请\t5万件",
        "一、服务创新型城市建设",
        "二、促进企业发展",
    ]
    assert "不要" not in text


def test_htm_in_gbk_with_meta_charset(tmp_path: Path) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "</head><body><p>推进知识产权强市建设。</p></body></html>"
    )
    path = _write(tmp_path, "page.htm", page.encode("gbk"))
    assert read_source(path) == ("推进知识产权强市建设。", "html")


def test_html_page_wrapped_in_a_form_keeps_its_content() -> None:
    page = '<body><form id="form1"><div><p>加强知识产权保护。</p></div></form></body>'
    assert html_to_text(page) == "加强知识产权保护。"


def test_html_article_header_is_kept() -> None:
    article = "<article><header><h1>纲要</h1></header><p>正文。</p></article>"
    page = f"<body><header>站点</header>{article}</body>"
    assert html_to_text(page) == "纲要\n正文。"


# --- DOCX --------------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_body_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("天津市知识产权局2013年工作要点")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([("指标", "目标"), ("专利申请", "5万件")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("一、服务创新型城市建设")
    path = tmp_path / "plan.docx"
    document.save(str(path))
    text, fmt = read_source(path)
    assert fmt == "docx"
    assert text.split("\n") == [
        "天津市知识产权局2013年工作要点",
        "指标\t目标",
        "专利申请\t5万件",
        "一、服务创新型城市建设",
    ]


# --- PDF ---------------------------------------------------------------------------------------


def test_handmade_pdf_with_wrapped_lines(tmp_path: Path) -> None:
    pdf = _minimal_pdf(
        [
            "1. Patent protection",
            "Strengthen patent protection and",
            "enforcement in all districts.",
            "2. Patent services",
        ]
    )
    text, fmt = read_source(_write(tmp_path, "plan.pdf", pdf))
    assert fmt == "pdf"
    assert text.split("\n") == [
        "1. Patent protection",
        "Strengthen patent protection and enforcement in all districts.",
        "2. Patent services",
    ]


def test_chinese_pdf_made_with_reportlab(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "plan.pdf"
    pdf = canvas.Canvas(str(path))
    y = 800
    for line in [
        "一、总体要求",
        "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻",
        "党的二十大精神，深入实施知识产权强国战略，推动高质量",
    ]:
        pdf.setFont("STSong-Light", 12)
        pdf.drawString(50, y, line)
        y -= 20
    pdf.drawString(290, 40, "— 1 —")  # page number: not glued into the sentence
    pdf.showPage()
    pdf.setFont("STSong-Light", 12)
    pdf.drawString(50, 800, "发展。")
    pdf.drawString(50, 780, "（一）推动知识产权高水平保护")
    pdf.save()
    text, fmt = read_source(path)
    assert fmt == "pdf"
    assert text.split("\n") == [
        "一、总体要求",
        "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，"
        "深入实施知识产权强国战略，推动高质量发展。",
        "（一）推动知识产权高水平保护",
    ]


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"no text layer \(scanned PDF\?\)"):
        read_source(_write(tmp_path, "scan.pdf", _minimal_pdf([])))


@pytest.mark.parametrize(
    ("wrapped", "joined"),
    [
        # a sentence cut by the margin is re-joined
        ("推进知识产权区域促进工\n程，开展区域帮扶。", "推进知识产权区域促进工程，开展区域帮扶。"),
        # sentence punctuation and closing brackets end a line for good
        ("开展帮扶。\n推进评议。", "开展帮扶。\n推进评议。"),
        ("各有关单位：\n现将要点印发给你们。", "各有关单位：\n现将要点印发给你们。"),
        ("（专利管理司）\n推进工作。", "（专利管理司）\n推进工作。"),
        # a heading marker starts a new line
        ("加强知识产权保护工作\n（一）推进执法", "加强知识产权保护工作\n（一）推进执法"),
        ("加强知识产权保护工作\n(二)推进执法", "加强知识产权保护工作\n(二)推进执法"),
        ("加强知识产权保护工作\n二、推进执法", "加强知识产权保护工作\n二、推进执法"),
        ("加强知识产权保护工作\n3.推进执法", "加强知识产权保护工作\n3.推进执法"),
        ("加强知识产权保护工作\n3、推进执法", "加强知识产权保护工作\n3、推进执法"),
        ("加强知识产权保护工作\n（4）推进执法", "加强知识产权保护工作\n（4）推进执法"),
        ("加强知识产权保护工作\n——推进执法", "加强知识产权保护工作\n——推进执法"),
        # 1.5亿元 is a number, not an item marker
        ("质押贷款达到\n1.5亿元。", "质押贷款达到1.5亿元。"),
        # a short heading does not swallow the paragraph under it
        (
            "一、总体要求\n坚持以新时代中国特色社会主义思想为指导，全面贯彻\n党的精神。",
            "一、总体要求\n坚持以新时代中国特色社会主义思想为指导，全面贯彻党的精神。",
        ),
        # short lines (titles, table rows, signatures) end their paragraph
        (
            "关于印发工作要点的通知\n各区县知识产权局、各有关单位：\n"
            "现将《天津市知识产权局2013年工作要点》印发给你们，望结合\n"
            "各自实际认真贯彻执行。\n指标\t目标\n专利申请\t5万件\n天津市知识产权局\n2013年2月26日",
            "关于印发工作要点的通知\n各区县知识产权局、各有关单位：\n"
            "现将《天津市知识产权局2013年工作要点》印发给你们，望结合各自实际认真贯彻执行。\n"
            "指标\t目标\n专利申请\t5万件\n天津市知识产权局\n2013年2月26日",
        ),
        # a blank line is a paragraph break
        ("第一段没有句号\n\n第二段", "第一段没有句号\n第二段"),
        (
            "Strengthen patent protection and\nenforcement.",
            "Strengthen patent protection and enforcement.",
        ),
        # Chinese text and numbers cut by the margin get no space
        ("有效发明专利达到70\n00件。", "有效发明专利达到7000件。"),
        ("推进专利运营试点PP\nP项目。", "推进专利运营试点PPP项目。"),
    ],
)
def test_join_wrapped_lines(wrapped: str, joined: str) -> None:
    assert join_wrapped_lines(wrapped) == joined


# --- bad inputs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", " \n\t\r\n\u3000\n".encode(), "empty file"),
        ("bom-only.md", codecs.BOM_UTF8, "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        ("page.html", b"<html>\x00\x00\x00\x01\x02</html>", "binary file"),
        ("noise.txt", UNDECODABLE, "undecodable bytes"),
        ("plan.xyz", "中文".encode(), "unsupported file type .xyz (supported: .txt, .md, .html"),
        ("plan", b"text", "unsupported file type (no extension)"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "corrupt or unreadable .docx"),
        ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "corrupt or unreadable"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "corrupt or unreadable PDF"),
        ("fake.pdf", b"this is not a pdf", "corrupt or unreadable PDF"),
        ("empty.html", b"<html><body><script>x()</script></body></html>", "no text"),
        ("blank.htm", b" \r\n\t", "empty file (only whitespace)"),
    ],
)
def test_bad_inputs_raise_load_error(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = _write(tmp_path, name, data)
    with pytest.raises(LoadError) as info:
        read_source(path)
    message = str(info.value)
    assert message == f"{path}: {info.value.reason}"
    assert info.value.path == str(path)
    assert reason in message
    assert "\n" not in message


def test_truncated_pdf(tmp_path: Path) -> None:
    pdf = _minimal_pdf(["Strengthen patent protection."])
    with pytest.raises(LoadError, match=r"corrupt or unreadable PDF|no text layer"):
        read_source(_write(tmp_path, "cut.pdf", pdf[: len(pdf) // 2]))


def test_unreadable_paths(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.txt", tmp_path / "folder.txt"):
        if path.name == "folder.txt":
            path.mkdir()
        with pytest.raises(LoadError, match="cannot read file") as info:
            read_source(path)
        assert str(info.value).startswith(str(path) + ": ")


def test_load_error_is_one_line_and_pickles() -> None:
    import pickle

    error = LoadError("a.txt", "bad\nthing  here")
    assert str(error) == "a.txt: bad thing here"
    again = pickle.loads(pickle.dumps(error))
    assert (again.path, again.reason, str(again)) == ("a.txt", "bad thing here", str(error))


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300), ext=st.sampled_from(SUPPORTED_EXTENSIONS))
def test_arbitrary_bytes_never_escape_as_other_exceptions(data: bytes, ext: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"any{ext}"
        path.write_bytes(data)
        message = ""
        try:
            text, fmt = read_source(path)
        except LoadError as error:
            message = str(error)
        else:
            assert text.strip()
            assert fmt in {"txt", "md", "html", "docx", "pdf"}
        assert "\n" not in message


def test_join_wrapped_lines_recovers_real_paragraphs() -> None:
    """Hard-wrap a real plan at 32 characters a line, as a PDF would print it, and re-join."""
    corpus = Path(__file__).parent.parent / "corpus"
    raw = (corpus / "hongqiao-2021-2035-strong-district-outline.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    paragraphs = lines[3:-2]  # the plan itself, without the web page's header and footer
    width = 32
    printed = "\n".join(p[i : i + width] for p in paragraphs for i in range(0, len(p), width))
    rejoined = join_wrapped_lines(printed).split("\n")
    recovered = sum(1 for p in paragraphs if p in rejoined)
    assert recovered >= 0.9 * len(paragraphs)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_deeply_nested_headers_and_wide_tables_read_in_linear_time():
    # before: 68 KB of nested <header> took 6.7 s and 100k cells in one row 52 s (quadratic)
    nested = (
        "<html><body>" + "<header>" * 8000 + "导航" + "</header>" * 8000 + "<p>正文内容。</p></body></html>"
    )
    assert html_to_text(nested) == "正文内容。"
    kept = "<article><header>文章标题</header><p>正文。</p></article>"
    assert html_to_text(kept).splitlines() == ["文章标题", "正文。"]
    wide = "<table><tr>" + "<td>格</td>" * 50_000 + "</tr></table>"
    text, notes = html_to_text_noted(wide, max_depth=100, max_cells=50_000)  # no cell over the limit
    (row,) = text.splitlines()
    assert row.count("\t") == 49_999 and notes == ()


def test_html_nested_deeper_than_the_limit_is_flattened_with_a_note():
    page = "<body>" + "<div>" * 5 + "甲<p>乙</p><br>丙" + "</div>" * 5 + "<p>丁。</p></body>"
    assert html_to_text_noted(page, max_depth=100, max_cells=10) == ("甲\n乙\n丙\n丁。", ())
    text, notes = html_to_text_noted(page, max_depth=3, max_cells=10)
    assert text == "甲乙 丙\n丁。"  # every character kept; only the deeper breaks are gone
    assert notes == ("HTML nested deeper than 3 levels: the deeper elements were flattened",)
    # scripts are still dropped beyond the limit
    deep_script = "<body>" + "<div>" * 5 + "<script>alert(1)</script>正文。" + "</div>" * 5 + "</body>"
    assert html_to_text_noted(deep_script, max_depth=2, max_cells=10)[0] == "正文。"


def test_table_cells_beyond_the_limit_are_left_out_with_a_note():
    page = (
        "<table><tr><td>甲</td><td>乙</td></tr><tr><td>丙</td><td>丁</td></tr></table>"
        "<table><tr><td>戊</td><td>己</td></tr></table>"  # each table counts its own cells
    )
    text, notes = html_to_text_noted(page, max_depth=100, max_cells=3)
    assert text.splitlines() == ["甲\t乙", "丙", "戊\t己"]
    assert notes == ("a table has more than 3 cells: the other 1 cells were left out",)
    assert html_to_text_noted(page, max_depth=100, max_cells=4) == ("甲\t乙\n丙\t丁\n戊\t己", ())


def test_load_source_applies_the_html_limits_of_the_settings(tmp_path):
    path = _write(tmp_path, "wide.html", ("<table><tr>" + "<td>格</td>" * 30 + "</tr></table>").encode())
    source = load_source(path, Settings(max_html_cells=20))
    assert source.format == "html" and source.text.count("格") == 20
    assert source.notes == ("a table has more than 20 cells: the other 10 cells were left out",)
    assert load_source(path).notes == ()  # the default limit (10,000 cells) cuts nothing here
    with pytest.raises(LoadError, match="file too large"):
        load_source(path, Settings(max_file_mb=0))


def test_web_pages_have_their_own_smaller_size_limit(tmp_path):
    # parsing a page builds a tree tens of times its size, so pages stop before other files do
    page = _write(tmp_path, "big.html", b"<p>" + "知识产权质押融资。".encode() * 70_000 + b"</p>")  # ~1.9 MB
    text = _write(tmp_path, "big.txt", "知识产权质押融资。".encode() * 70_000)
    limits = Settings(max_html_mb=1, max_file_mb=50)
    with pytest.raises(LoadError, match=r"web page too large \(1\.8 MB; the limit for web pages is 1 MB\)"):
        load_source(page, limits)
    assert load_source(text, limits).format == "txt"  # other formats keep the file limit
    assert load_source(page).format == "html"  # the default page limit (5 MB) lets it through
    from policy_search.ui.messages import reason_zh

    assert (
        reason_zh("web page too large (1.8 MB; the limit for web pages is 1 MB)")
        == "网页文件过大（1.8 MB，网页上限 1 MB）"
    )

"""Messages for the page: plain-text escaping for Markdown, display paths, skip reasons in Chinese."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from ..search.retrieval import MAX_QUERY_CHARS


def plain_text(value: str | None, limit: int = MAX_QUERY_CHARS) -> str:
    """``value`` without control characters and runs of whitespace, cut to ``limit``; no other change."""
    value = (value or "")[: 4 * limit + 16]  # a 500 KB link is cut before any work on it
    value = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in value)
    return " ".join(value.split())[:limit]


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


_AUTOLINK = re.compile(r"(?i)(https?|ftp|www|@)")


def markdown_escape(text: str, limit: int = 60) -> str:
    """``text`` (cut to ``limit`` characters) safe to put inside Streamlit Markdown as plain text:
    no formatting, no image or link syntax, and no web or mail address turned into a link (an
    invisible word joiner breaks http / www / @)."""
    text = plain_text(text)
    if len(text) > limit:
        text = text[:limit] + "…"
    text = _AUTOLINK.sub("\\1\u2060", text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def message(text: str) -> str:
    """A notice or error (from a file, a catalog value, an exception) as plain text for Markdown."""
    return markdown_escape(text, 400)


def display_path(path: str | Path) -> str:
    """A folder as shown on the page: relative to the working folder, never the server's
    absolute path (a folder elsewhere shows only its name)."""
    path = Path(path)
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return f"…/{path.name}"


_REASONS_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), zh)
    for pattern, zh in (
        (r"^empty file \(0 bytes\)", "空文件（0 字节）"),
        (r"^empty file \(only whitespace\)", "空文件（只有空白字符）"),
        (
            r"^unsupported file type (\S+|'[^']*')",
            r"不支持的文件类型 \1（支持 .txt .md .html .htm .docx .pdf）",
        ),
        (r"^binary file", "二进制文件，不是文本"),
        (
            r"^undecodable bytes|cannot read txt file \(ValueError: undecodable",
            "无法识别的文字编码（不是 UTF-8 或 GB18030）",
        ),
        (r"^encrypted PDF", "PDF 已加密（需要密码）"),
        (r"^corrupt or unreadable PDF", "PDF 文件损坏或无法读取"),
        (r"^corrupt or unreadable \.docx", "Word 文件损坏或无法读取"),
        (r"^no text layer", "PDF 没有文字层（可能是扫描件）"),
        (r"^no text in the HTML body", "网页正文中没有文字"),
        (r"^no text in the document", "文档中没有文字"),
        (r"^no text left after removing", "去除网页模板内容后没有正文"),
        (r"^same text as (.+); indexed once", r"与 \1 内容相同，只收录一次"),
        (r"^symbolic link", "符号链接：出于安全考虑不读取"),
        (r"^file too large \(([\d.]+) MB; the limit is ([\d.]+) MB\)", r"文件过大（\1 MB，上限 \2 MB）"),
        (
            r"^web page too large \(([\d.]+) MB; the limit for web pages is ([\d.]+) MB\)",
            r"网页文件过大（\1 MB，网页上限 \2 MB）",
        ),
        (r"^not a regular file", "不是普通文件（设备、管道或套接字）"),
        (r"^cannot read", "无法读取文件"),
    )
)


def reason_zh(reason: str) -> str:
    """A skipped file's reason (English in the library and the CLI) in Chinese for the page;
    an unknown reason is shown as it is."""
    for pattern, zh in _REASONS_ZH:
        m = pattern.search(reason)
        if m:
            return m.expand(zh)
    return reason


_NOTES_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), zh)
    for pattern, zh in (  # the English wording is ingest/limits.py's and ingest/corpus.py's
        (
            r"^(.+?): ([\d,]+) line\(s\) over the ([\d,]+)-character line limit \(longest: line "
            r"(\d+), ([\d,]+) characters\) split into ([\d,]+) lines; worst cut: (sentence ends"
            r"|clause punctuation|hard cuts)$",
            r"\1：\2 行超过每行 \3 字的上限（最长为第 \4 行，\5 字），已切分为 \6 行（\7）",
        ),
        (
            r"^(.+?): HTML nested deeper than ([\d,]+) levels: the deeper elements were flattened$",
            r"\1：HTML 嵌套超过 \2 层，更深的部分已展平",
        ),
        (
            r"^(.+?): a table has more than ([\d,]+) cells: the other ([\d,]+) cells were left out$",
            r"\1：表格超过 \2 格，其余 \3 格已略去",
        ),
        (
            r"^(.+?): ([\d,]+) cut\(s\) inside a sentence without punctuation at the ([\d,]+)-"
            r"character chunk limit$",
            r"\1：\2 处无标点的长句超过每段 \3 字的上限，已按字数切分",
        ),
        (r"^(.+?): document id '(.*)' is taken; using '(.*)'$", r"\1：文档编号“\2”已被占用，改用“\3”"),
        (r"^(.+?): no headings recognised; chunked by paragraph$", r"\1：未识别出标题层级，已按段落切分"),
        (r"^(.+?): entry for '(.*)' matches no file$", r"\1：条目“\2”没有对应的文件"),
    )
)
_CUTS_ZH = {
    "（sentence ends）": "（均在句末切分）",
    "（clause punctuation）": "（在句末或逗号等标点处切分）",
    "（hard cuts）": "（在句末、标点处切分，无标点处按字数硬切分）",
}


def note_zh(note: str) -> str:
    """A corpus note (English in the library and the CLI: what a limit cut, an id taken…) in
    Chinese for the page; an unknown note is shown as it is."""
    for pattern, zh in _NOTES_ZH:
        m = pattern.search(note)
        if m:
            text = m.expand(zh)
            for english, chinese in _CUTS_ZH.items():
                text = text.replace(english, chinese)
            return text
    return note


def limit_lines(settings: Any) -> list[str]:
    """The active limits of ``settings`` (a ``Settings``), one line each, for the corpus page."""
    s = settings
    return [
        f"单个文件最大 {s.max_file_mb:,} MB：更大的文件不收录",
        f"每行最多 {s.max_line_chars:,} 字：更长的行在句末、标点处切分，无标点处按字数切分",
        f"每个任务条目最多 {s.max_chunk_chars:,} 字：更长的条目拆成几段",
        f"网页文件最大 {s.max_html_mb:,} MB：更大的网页不收录",
        f"网页嵌套最多 {s.max_html_depth:,} 层：更深的部分展平",
        f"每个表格最多 {s.max_html_cells:,} 格：其余的格略去",
        f"检索词最多 {s.max_query_chars:,} 字：更长的只用前面部分",
        f"链接中每个筛选条件最多 {s.max_url_values:,} 个值，只读前 {s.max_url_param_chars:,} 字",
    ]


_URL_LISTS = {"region": "地区", "level": "层级", "plan": "规划"}


def url_notes(params: Any, max_values: int, max_chars: int) -> list[str]:
    """What the URL limits cut from ``params`` (name → value or list of values), in Chinese, so a
    link's filters are never dropped silently (``state_from_params`` keeps the first values)."""
    notes = []
    for name, label in _URL_LISTS.items():
        value = params.get(name)
        if value is None:
            continue
        values = [value] if isinstance(value, str) else list(value)
        long = any(len(str(v)) > max_chars for v in values)
        count = sum(len([p for p in str(v)[:max_chars].split(",") if p.strip()]) for v in values[:max_values])
        if long or len(values) > max_values or count > max_values:
            notes.append(f"链接中的「{label}」筛选值过多或过长，只使用了前 {max_values:,} 个。")
    return notes


def _cell(value: Any) -> str:
    """A CSV cell that spreadsheets will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

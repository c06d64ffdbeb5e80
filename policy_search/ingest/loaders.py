"""Read one policy file into plain text, whatever its format or encoding.

Why: the corpus is saved by many sites and tools — UTF-8, GBK/GB18030 and UTF-16 text, web
pages, Word files and PDFs. Every reader returns plain text with one paragraph (or table row)
per line, so cleaning and chunking see one shape. Every failure becomes a ``LoadError`` with a
one-line reason, so the indexer can skip the file and tell the user why instead of crashing.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import charset_normalizer

from ..settings import Settings
from .html_text import html_to_text as html_to_text  # re-exported: callers read pages here
from .html_text import html_to_text_noted
from .repair import join_wrapped_lines

if TYPE_CHECKING:
    from docx.table import Table

SUPPORTED_EXTENSIONS = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")

_FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}
_CONVERT_HINTS = {
    ".doc": "save it as .docx",
    ".wps": "save it as .docx",
    ".rtf": "save it as .docx",
}


class LoadError(Exception):
    """A file that cannot be turned into text; ``str(e)`` is one line for the user."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = " ".join(reason.split())  # one line, whatever the library said
        super().__init__(self.path, self.reason)  # args kept so the error pickles

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class _UnreadableError(Exception):
    """Internal: a reader's reason for rejecting a file; ``read_source`` adds the path."""


# ---------------------------------------------------------------------------------------------
# Decoding

# UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# charset_normalizer always names a "best" encoding, even for noise (e.g. cp1251 with chaos 0.0
# but coherence 0.0); only a low mess ratio together with some language coherence is trusted.
_MAX_CHAOS = 0.1
_MIN_COHERENCE = 0.1
_MAX_CONTROL_RATIO = 0.05  # more control characters than this in decoded text → binary


def decode_bytes(data: bytes) -> str:
    """Decode a text file's bytes; newlines become ``"\\n"``.

    Order: BOM (UTF-8, UTF-16, UTF-32), strict UTF-8, strict GB18030 (a superset of GBK and
    GB2312, the usual legacy encodings of Chinese government sites), then charset_normalizer's
    guess only when it is confident. Raises ``ValueError`` when nothing fits, rather than
    returning mojibake that would be indexed as if it were text.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _normalize_newlines(data.decode(codec))
            except UnicodeDecodeError:
                continue
    for codec in ("utf-8", "gb18030"):
        try:
            return _normalize_newlines(data.decode(codec))
        except UnicodeDecodeError:
            pass
    guess = _confident_guess(data)
    if guess is not None:
        return guess[1]
    raise ValueError("undecodable bytes (not UTF-8 or GB18030)")


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _confident_guess(data: bytes) -> tuple[str, str] | None:
    """(encoding, text) from charset_normalizer, or None unless it is confident."""
    try:
        best = charset_normalizer.from_bytes(data).best()
        if best is None or best.chaos > _MAX_CHAOS or best.coherence < _MIN_COHERENCE:
            return None
        return best.encoding, _normalize_newlines(str(best))
    except Exception:  # a failed guess is just "no guess"
        return None


def _has_bom(data: bytes) -> bool:
    return any(data.startswith(bom) for bom, _ in _BOMS)


def _decode_text_file(data: bytes, declared: str | None = None) -> str:
    """Decode a .txt/.md/.html file, rejecting binary content.

    NUL bytes mean binary unless the text is UTF-16/32 (BOM, or a confident guess without one).
    ``declared`` is an HTML page's own charset, used only when the bytes are not UTF-8.
    """
    if b"\x00" in data and not _has_bom(data):
        guess = _confident_guess(data)
        if guess is None or not guess[0].lower().startswith(("utf_16", "utf_32")):
            raise _UnreadableError("binary file (contains NUL bytes), not text")
        text = guess[1]
    elif declared is not None and not _has_bom(data) and not _is_utf8(data):
        try:
            text = _normalize_newlines(data.decode(declared))
        except (UnicodeDecodeError, LookupError):
            text = _decode_or_raise(data)
    else:
        text = _decode_or_raise(data)
    if text and _control_ratio(text) > _MAX_CONTROL_RATIO:
        raise _UnreadableError("binary file (control characters), not text")
    return text


def _decode_or_raise(data: bytes) -> str:
    try:
        return decode_bytes(data)
    except ValueError as exc:
        raise _UnreadableError(str(exc)) from None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _control_ratio(text: str) -> float:
    controls = sum(1 for ch in text if ch not in "\t\n\f\v" and unicodedata.category(ch) == "Cc")
    return controls / len(text)


# ---------------------------------------------------------------------------------------------
# Entry point


DEFAULT_MAX_FILE_BYTES = Settings.max_file_mb * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """One file's text, its format, and what a limit cut while reading it (English notes)."""

    text: str
    format: str  # txt / md / html / docx / pdf
    notes: tuple[str, ...] = ()


def read_source(path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> tuple[str, str]:
    """Return ``(text, format)`` for one corpus file; format is txt / md / html / docx / pdf.

    Raises ``LoadError`` (and nothing else) for unsupported extensions, empty, binary,
    undecodable, corrupt or unreadable files and PDFs without a text layer.
    """
    source = _load(Path(path), max_bytes, Settings())
    return source.text, source.format


def load_source(path: Path, settings: Settings | None = None) -> Source:
    """``read_source`` with the limits of ``settings`` (file size, HTML depth and cells), and
    notes saying what those limits cut."""
    settings = settings or Settings()
    return _load(Path(path), settings.max_file_mb * 1024 * 1024, settings)


def _load(path: Path, max_bytes: int, settings: Settings) -> Source:
    ext = path.suffix.lower()
    fmt = _FORMATS.get(ext)
    if fmt is None:
        shown = ext or "(no extension)"
        hint = f"; {_CONVERT_HINTS[ext]}" if ext in _CONVERT_HINTS else ""
        supported = ", ".join(SUPPORTED_EXTENSIONS)
        raise LoadError(path, f"unsupported file type {shown} (supported: {supported}){hint}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(path, f"cannot read file ({exc.strerror or type(exc).__name__})") from None
    if size > max_bytes:  # checked before reading: a huge file is never loaded into memory
        limit = max_bytes / 1024 / 1024
        raise LoadError(path, f"file too large ({size / 1024 / 1024:.1f} MB; the limit is {limit:g} MB)")
    html_limit = settings.max_html_mb * 1024 * 1024
    if fmt == "html" and size > html_limit:  # the parse tree costs tens of bytes per byte
        raise LoadError(
            path,
            f"web page too large ({size / 1024 / 1024:.1f} MB; the limit for web pages is "
            f"{settings.max_html_mb:g} MB)",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(path, f"cannot read file ({exc.strerror or type(exc).__name__})") from None
    except Exception as exc:  # never let a library error escape
        raise LoadError(path, f"cannot read file ({_summary(exc)})") from None
    if not data:
        raise LoadError(path, "empty file (0 bytes)")
    notes: tuple[str, ...] = ()
    try:
        if fmt == "html":
            text, notes = _read_html(data, settings.max_html_depth, settings.max_html_cells)
        else:
            text = _READERS[fmt](data)
    except _UnreadableError as exc:
        raise LoadError(path, str(exc)) from None
    except Exception as exc:  # never let a library error escape
        raise LoadError(path, f"cannot read {fmt} file ({_summary(exc)})") from None
    if not text.strip():
        raise LoadError(path, _EMPTY_REASONS[fmt])
    return Source(text, fmt, notes)


_EMPTY_REASONS = {
    "txt": "empty file (only whitespace)",
    "md": "empty file (only whitespace)",
    "html": "no text in the HTML body",
    "docx": "no text in the document",
    "pdf": "no text layer (scanned PDF?)",
}


def _summary(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    if len(message) > 100:
        message = message[:97] + "..."
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


# ---------------------------------------------------------------------------------------------
# Plain text and Markdown


def _read_text(data: bytes) -> str:
    """Text and Markdown are kept as written: the cleaning stage decides what is boilerplate."""
    return _decode_text_file(data)


# ---------------------------------------------------------------------------------------------
# HTML

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Sites that declare GB2312/GBK routinely use characters outside it; GB18030 is the superset.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}


def _read_html(data: bytes, max_depth: int, max_cells: int) -> tuple[str, tuple[str, ...]]:
    page = _decode_text_file(data, declared=_declared_charset(data))
    if not page.strip():
        raise _UnreadableError(_EMPTY_REASONS["txt"])
    return html_to_text_noted(page, max_depth, max_cells)


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if match is None:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


# ---------------------------------------------------------------------------------------------
# DOCX


def _read_docx(data: bytes) -> str:
    """Body paragraphs and tables in document order; a table row is its cells joined by a tab."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # zip, XML and package errors all mean "corrupt"
        raise _UnreadableError(f"corrupt or unreadable .docx file ({_summary(exc)})") from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_rows(block))
        else:
            lines.append(block.text)
    return "\n".join(lines)


def _table_rows(table: Table) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()  # ids of this row's cell elements, alive while the row is read
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is repeated per grid column
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        yield "\t".join(cells).strip("\t")


# ---------------------------------------------------------------------------------------------
# PDF

_DECORATED_PAGE_NUMBER = re.compile(r"[-—–－\s]*(\d{1,4})[-—–－\s]*")
_WORDED_PAGE_NUMBER = re.compile(r"第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+")


def _read_pdf(data: bytes) -> str:
    from pypdf import PdfReader

    pypdf_logger = logging.getLogger("pypdf")
    level = pypdf_logger.level
    # pypdf logs and warns about every quirk of a broken file ("EOF marker not found", unknown
    # encodings...): the LoadError reason says what the user needs, so keep stderr clean.
    pypdf_logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise _UnreadableError("encrypted PDF (password required)")
            pages = [
                _strip_page_number(_normalize_newlines(page.extract_text() or ""), number)
                for number, page in enumerate(reader.pages, start=1)
            ]
    except _UnreadableError:
        raise
    except Exception as exc:  # pypdf raises many types for broken files
        raise _UnreadableError(f"corrupt or unreadable PDF ({_summary(exc)})") from None
    finally:
        pypdf_logger.setLevel(level)
    return join_wrapped_lines("\n".join(pages))


def _strip_page_number(page_text: str, page_no: int) -> str:
    """Drop a page-number line (— 3 —, 第3页, 3/10, or the bare page number) at a page's start
    or end, and the page's outer blank lines, so a sentence running across the page break is
    re-joined instead of having the page number glued into it."""
    lines = [line for line in page_text.split("\n") if line.strip()] or [""]
    for end in (-1, 0):
        text = lines[end].strip()
        match = _DECORATED_PAGE_NUMBER.fullmatch(text)
        decorated = match is not None and text != match.group(1)
        bare_page = match is not None and int(match.group(1)) == page_no
        if decorated or bare_page or _WORDED_PAGE_NUMBER.fullmatch(text):
            lines.pop(end)
        if not lines:
            return ""
    return "\n".join(lines)


_READERS: dict[str, Callable[[bytes], str]] = {
    "txt": _read_text,
    "md": _read_text,  # html: _read_html, which also returns notes
    "docx": _read_docx,
    "pdf": _read_pdf,
}

"""Document management for the 文件与索引 page, without Streamlit: uploads, deletes, catalog edits.

Every refusal is an ``UploadRefused`` whose ``str()`` is one Chinese line for the page. An
upload is checked in a private temporary folder (type, size, name, the library's own loader)
before a single byte is written into the corpus folder; it then lands there by an atomic
link/rename, so a refused or failed upload leaves the corpus exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import tempfile
import tomllib
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..ingest.corpus import document_from_text
from ..ingest.loaders import SUPPORTED_EXTENSIONS, LoadError, read_source
from ..ingest.metadata import CATALOG_NAME, LEVELS, CatalogError, load_catalog
from ..records import Document
from .messages import reason_zh

PASSWORD_ENV = "POLICY_SEARCH_ADMIN_PASSWORD"
MAX_UPLOAD_ENV = "POLICY_SEARCH_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 20
MAX_FILES = 20  # files per upload batch
MAX_NAME_CHARS = 100
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a .docx that declares more than this is refused
MAX_ZIP_RATIO = 200  # declared size / compressed size above this looks like a zip bomb
CATALOG_FIELDS = ("id", "title", "issuer", "region", "level", "period", "published", "doc_number", "note")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"{p}{i}" for p in ("com", "lpt") for i in range(10))}
_BAD_NAME_CHARS = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
_MAGIC = {".pdf": b"%PDF", ".docx": b"PK\x03\x04"}


class UploadRefused(ValueError):
    """Why an upload, delete or catalog edit was refused: one Chinese line."""


@dataclass(frozen=True)
class Saved:
    name: str  # the file name inside the corpus folder
    document: Document  # what the library read from it (metadata and provenance)


@dataclass(frozen=True)
class UploadResult:
    original: str  # the name as uploaded (shown escaped)
    saved: Saved | None = None
    error: str = ""


# --- administrator password


def admin_password(secrets: Mapping[str, Any] | None = None) -> str:
    """The configured administrator password ("" when none: the page is then read-only)."""
    value = os.environ.get(PASSWORD_ENV, "")
    if not value and secrets is not None:
        try:
            value = str(secrets.get("admin_password", "") or "")
        except Exception:  # no secrets file at all
            value = ""
    return value


def password_ok(given: str, expected: str) -> bool:
    """Constant-time comparison; never true when no password is configured."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def max_upload_bytes() -> int:
    try:
        mb = float(os.environ.get(MAX_UPLOAD_ENV) or DEFAULT_MAX_UPLOAD_MB)
    except ValueError:
        mb = DEFAULT_MAX_UPLOAD_MB
    return int(max(mb, 0.001) * 1024 * 1024)


# --- names


def shown_name(name: str, limit: int = 60) -> str:
    """An uploaded name made printable for a message (control characters dropped, shortened)."""
    text = "".join(ch for ch in str(name) if unicodedata.category(ch)[0] != "C")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_name(name: str, taken: Iterable[str] = ()) -> str:
    """A file name safe to create in the corpus folder, or ``UploadRefused``.

    Any folder part (``/``, ``\\``, ``..``) is dropped, characters that are illegal or
    invisible in file names are removed, the stem is cut so the name stays within
    ``MAX_NAME_CHARS`` (the extension kept), and a name already in ``taken`` gets ``-2``, ``-3``….
    """
    raw = str(name or "")
    if "\x00" in raw:
        raise UploadRefused(f"文件名含有空字符，已拒绝：{shown_name(raw)}")
    base = re.split(r"[/\\]", raw)[-1]
    base = unicodedata.normalize("NFC", _BAD_NAME_CHARS.sub("", base)).strip().rstrip(". ")
    ext = Path(base).suffix.lower()
    stem = base[: -len(ext)] if ext else base
    if ext not in SUPPORTED_EXTENSIONS:
        shown = ext or "（无扩展名）"
        supported = " ".join(SUPPORTED_EXTENSIONS)
        raise UploadRefused(f"不支持的文件类型 {shown}（支持 {supported}）：{shown_name(raw)}")
    stem = stem.strip()
    if not stem or stem in {".", ".."}:
        raise UploadRefused(f"文件名为空（只有扩展名），已拒绝：{shown_name(raw)}")
    if stem.startswith("."):
        raise UploadRefused(f"隐藏文件名（以“.”开头）不能上传：{shown_name(raw)}")
    if stem.split(".")[0].strip().lower() in _WINDOWS_RESERVED:
        raise UploadRefused(f"文件名是系统保留名，请改名后再上传：{shown_name(raw)}")
    stem = stem[: MAX_NAME_CHARS - len(ext) - 4].rstrip(". ")  # room for a "-99" suffix
    taken_lower = {t.lower() for t in taken}
    candidate, n = f"{stem}{ext}", 2
    while candidate.lower() in taken_lower or candidate == CATALOG_NAME:
        candidate, n = f"{stem}-{n}{ext}", n + 1
    return candidate


def existing_names(corpus_dir: Path) -> set[str]:
    return {p.name for p in Path(corpus_dir).iterdir()} if Path(corpus_dir).is_dir() else set()


# --- content


def _check_zip(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(_bytes_io(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRefused(f"Word 文件损坏或无法读取：{shown_name(name)}") from None
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNZIPPED_BYTES or declared > MAX_ZIP_RATIO * max(len(data), 1):
        raise UploadRefused(f"Word 文件解压后过大（疑似压缩炸弹），已拒绝：{shown_name(name)}")


def _bytes_io(data: bytes):
    import io

    return io.BytesIO(data)


def validate_upload(name: str, data: bytes, taken: Iterable[str] = (), limit: int | None = None) -> Saved:
    """Check one upload completely (name, size, type, the library loading it); nothing is written
    to the corpus. Returns the name it would get and the document the library reads."""
    limit = max_upload_bytes() if limit is None else limit
    target = safe_name(name, taken)
    shown = shown_name(name)
    if not data:
        raise UploadRefused(f"空文件（0 字节）：{shown}")
    if len(data) > limit:
        raise UploadRefused(f"文件超过大小上限 {limit / 1024 / 1024:g} MB：{shown}")
    ext = Path(target).suffix.lower()
    magic = _MAGIC.get(ext)
    if magic and not data.startswith(magic):
        kind = "PDF" if ext == ".pdf" else "Word"
        raise UploadRefused(f"{kind} 文件损坏或无法读取（内容与扩展名不符）：{shown}")
    if ext == ".docx":
        _check_zip(data, name)
    with tempfile.TemporaryDirectory(prefix="policy-upload-") as tmp:
        path = Path(tmp) / target
        path.write_bytes(data)
        try:
            raw, fmt = read_source(path)
            doc = document_from_text(target, raw, None, fmt=fmt, fingerprint=hashlib.sha256(data).hexdigest())
        except LoadError as exc:
            raise UploadRefused(f"{reason_zh(exc.reason)}：{shown}") from None
        except Exception:  # the loader promises LoadError; never let anything else through
            raise UploadRefused(f"无法读取文件：{shown}") from None
    return Saved(target, doc)


def _same_bytes(corpus_dir: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    for p in sorted(Path(corpus_dir).iterdir()):
        same_size = p.is_file() and not p.is_symlink() and p.stat().st_size == len(data)
        if same_size and hashlib.sha256(p.read_bytes()).hexdigest() == digest:
            return p.name
    return ""


def save_upload(corpus_dir: str | Path, name: str, data: bytes, limit: int | None = None) -> Saved:
    """Validate one upload, then place it in the corpus folder atomically (never elsewhere)."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir() or corpus_dir.is_symlink():
        raise UploadRefused("文件目录不存在，无法保存上传的文件")
    saved = validate_upload(name, data, existing_names(corpus_dir), limit)
    twin = _same_bytes(corpus_dir, data)
    if twin:
        raise UploadRefused(f"与已有文件 {shown_name(twin)} 内容相同，未重复保存：{shown_name(name)}")
    final = corpus_dir / saved.name
    if final.resolve().parent != corpus_dir.resolve():
        raise UploadRefused(f"文件名不安全，已拒绝：{shown_name(name)}")
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=corpus_dir)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, final)  # fails instead of overwriting a file created meanwhile
        except FileExistsError:
            raise UploadRefused(f"同名文件已存在，请重试：{shown_name(name)}") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return saved


def save_uploads(
    corpus_dir: str | Path, files: Sequence[tuple[str, bytes]], limit: int | None = None
) -> list[UploadResult]:
    """Save several uploads; each is accepted or refused on its own. More than ``MAX_FILES`` at
    once is refused as a whole."""
    if len(files) > MAX_FILES:
        raise UploadRefused(f"一次最多上传 {MAX_FILES} 个文件（这次选了 {len(files)} 个），请分批上传")
    results = []
    for name, data in files:
        try:
            results.append(UploadResult(name, saved=save_upload(corpus_dir, name, data, limit)))
        except UploadRefused as exc:
            results.append(UploadResult(name, error=str(exc)))
    return results


def _inside(corpus_dir: Path, rel: str) -> Path:
    path = corpus_dir / rel
    if ".." in Path(rel).parts or Path(rel).is_absolute() or "\x00" in rel:
        raise UploadRefused(f"文件路径不安全：{shown_name(rel)}")
    if path.is_symlink() or not _under(path, corpus_dir):
        raise UploadRefused(f"文件路径不安全：{shown_name(rel)}")
    return path


def _under(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def delete_document(corpus_dir: str | Path, rel: str) -> None:
    """Remove one file of the corpus folder and its catalog entry (catalog first, atomically)."""
    corpus_dir = Path(corpus_dir)
    path = _inside(corpus_dir, rel)
    if Path(rel).name == CATALOG_NAME or not path.is_file():
        raise UploadRefused(f"没有这个文件：{shown_name(rel)}")
    _write_catalog_block(corpus_dir, rel, None)
    path.unlink()


# --- catalog


def toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and every control character escaped."""
    out = []
    for ch in str(value):
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif unicodedata.category(ch) == "Cc":
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_PERIOD = re.compile(r"((?:19|20)\d{2})(?:\s*[-–—至]\s*((?:19|20)\d{2}))?")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_ID = re.compile(r"[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff_-]{0,79}")


def clean_entry(values: Mapping[str, Any]) -> dict[str, str]:
    """Validate a catalog form; ``UploadRefused`` names the first bad field. Empty fields are left out."""
    entry: dict[str, str] = {}
    for key in CATALOG_FIELDS:
        value = " ".join(str(values.get(key) or "").split())
        value = "".join(ch for ch in value if unicodedata.category(ch) != "Cc")
        if not value:
            continue
        if len(value) > 300:
            raise UploadRefused(f"「{key}」太长（最多 300 字）")
        entry[key] = value
    if "level" in entry and entry["level"] not in LEVELS:
        raise UploadRefused(f"层级只能是 {'、'.join(LEVELS)} 之一")
    if "id" in entry and not _ID.fullmatch(entry["id"]):
        raise UploadRefused("编号只能用字母、数字、汉字、“-”和“_”，最多 80 个字符")
    if "published" in entry:
        m = _DATE.fullmatch(entry["published"])
        try:
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
        except ValueError:
            day = None
        if day is None:
            raise UploadRefused("发布日期应写成 YYYY-MM-DD，例如 2021-03-05")
        if not 1949 <= day.year <= dt.date.today().year + 1:
            raise UploadRefused("发布日期的年份不合理")
        entry["published"] = day.isoformat()
    if "period" in entry:
        m = _PERIOD.fullmatch(entry["period"])
        if not m or (m.group(2) and int(m.group(2)) < int(m.group(1))):
            raise UploadRefused("期间应写成 2021 或 2021-2035")
        entry["period"] = f"{m.group(1)}-{m.group(2)}" if m.group(2) else m.group(1)
    return entry


def _blocks(text: str) -> tuple[str, list[str]]:
    parts = re.split(r"(?m)^(?=\[\[document\]\][ \t]*(?:#.*)?$)", text)
    return parts[0], parts[1:]


def _block_file(block: str) -> str:
    try:
        data = tomllib.loads(block.replace("[[document]]", "", 1))
    except tomllib.TOMLDecodeError:
        return ""
    return str(data.get("file", ""))


def _write_catalog_block(corpus_dir: Path, file: str, entry: Mapping[str, str] | None) -> None:
    """Replace (or add, or with ``None`` remove) the ``[[document]]`` block of one file, keeping
    every other byte of the catalog; checked, then written atomically."""
    path = corpus_dir / CATALOG_NAME
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    header, blocks = _blocks(text)
    new = None
    if entry is not None:
        lines = ["[[document]]", f"file = {toml_string(file)}"]
        lines += [f"{k} = {toml_string(v)}" for k, v in entry.items() if k != "file"]
        new = "\n".join(lines) + "\n"
    out, replaced = [], False
    for block in blocks:
        if _block_file(block) != file:
            out.append(block)
        elif new is not None and not replaced:
            out.append(new + ("\n" if block.endswith("\n\n") else ""))
            replaced = True
    result = header + "".join(out)
    if new is not None and not replaced:
        if result and not result.endswith("\n"):
            result += "\n"
        result += ("\n" if result and not result.endswith("\n\n") else "") + new
    if result == text:
        return
    with tempfile.TemporaryDirectory(prefix="policy-catalog-") as check:
        (Path(check) / CATALOG_NAME).write_text(result, encoding="utf-8")
        try:
            load_catalog(Path(check))
        except CatalogError:
            raise UploadRefused("目录文件修改后无法读取，已放弃修改") from None
    fd, tmp = tempfile.mkstemp(prefix=".catalog-", suffix=".part", dir=corpus_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(result)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def save_catalog_entry(corpus_dir: str | Path, file: str, values: Mapping[str, Any]) -> dict[str, str]:
    """Save the corrected metadata of one corpus file to ``catalog.toml``; returns what was saved."""
    corpus_dir = Path(corpus_dir)
    path = _inside(corpus_dir, file)
    if not path.is_file() or Path(file).name == CATALOG_NAME:
        raise UploadRefused(f"没有这个文件：{shown_name(file)}")
    entry = clean_entry(values)
    _write_catalog_block(corpus_dir, Path(file).as_posix(), entry)
    return entry

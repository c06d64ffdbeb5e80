"""Document management for the 文件与索引 page, without Streamlit: uploads, deletes, catalog edits.

Every refusal is an ``UploadRefused`` whose ``str()`` is one Chinese line for the page. An
upload is checked in a private temporary folder (type, size, name, the library's own loader)
before a single byte is written into the corpus folder; it then lands there by an atomic
link/rename, so a refused or failed upload leaves the corpus exactly as it was.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..ingest.corpus import document_from_text
from ..ingest.loaders import SUPPORTED_EXTENSIONS, LoadError, read_source
from ..ingest.metadata import CATALOG_NAME
from ..records import Document
from .catalog_edit import UploadRefused, _write_catalog_block, inside, shown_name
from .catalog_edit import clean_entry as clean_entry
from .catalog_edit import save_catalog_entry as save_catalog_entry
from .catalog_edit import toml_string as toml_string
from .messages import reason_zh

PASSWORD_ENV = "POLICY_SEARCH_ADMIN_PASSWORD"
MAX_UPLOAD_ENV = "POLICY_SEARCH_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 20
MAX_FILES = 20  # files per upload batch
MAX_NAME_CHARS = 100
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a .docx that declares more than this is refused
MAX_ZIP_RATIO = 200  # declared size / compressed size above this looks like a zip bomb
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"{p}{i}" for p in ("com", "lpt") for i in range(10))}
_BAD_NAME_CHARS = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
_MAGIC = {".pdf": b"%PDF", ".docx": b"PK\x03\x04"}


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


def delete_document(corpus_dir: str | Path, rel: str) -> None:
    """Remove one file of the corpus folder and its catalog entry (catalog first, atomically)."""
    corpus_dir = Path(corpus_dir)
    path = inside(corpus_dir, rel)
    if Path(rel).name == CATALOG_NAME or not path.is_file():
        raise UploadRefused(f"没有这个文件：{shown_name(rel)}")
    _write_catalog_block(corpus_dir, rel, None)
    path.unlink()


# --- what a rebuild changed


def build_summary(before: Sequence[Mapping[str, Any]], report: Any) -> list[str]:
    """Chinese lines saying what a rebuild added, updated, removed and skipped (and why).

    ``before`` is the previous manifest's ``documents``; ``report`` a ``BuildReport`` whose
    ``index_dir`` holds the new manifest."""
    from ..store.index import read_manifest

    after = read_manifest(report.index_dir).get("documents") or []
    old = {d.get("path"): d.get("fingerprint") for d in before}
    new = {d.get("path"): d.get("fingerprint") for d in after}
    titles = {d.get("path"): d.get("title") or d.get("path") for d in [*before, *after]}
    added = [titles[p] for p in new if p not in old]
    updated = [titles[p] for p in new if p in old and old[p] != new[p]]
    removed = [titles[p] for p in old if p not in new]
    lines = [
        f"共 {report.documents} 份规划、{report.chunks} 个任务条目；"
        f"新计算向量 {report.embedded} 个，沿用 {report.reused} 个"
    ]
    for label, items in (("新增", added), ("更新", updated), ("移除", removed)):
        if items:
            lines.append(f"{label} {len(items)} 份：{'、'.join(shown_name(t, 40) for t in items)}")
    unchanged = len([p for p in new if p in old and old[p] == new[p]])
    if unchanged:
        lines.append(f"未变 {unchanged} 份")
    for s in report.skipped:
        lines.append(f"未收录 {shown_name(s.path)}：{reason_zh(s.reason)}")
    return lines

"""Corrections of a plan's metadata saved to ``corpus/catalog.toml``: validated, escaped, atomic,
every other entry (and the file's comments) kept byte for byte."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import tomllib
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..ingest.metadata import CATALOG_NAME, LEVELS, CatalogError, load_catalog


class UploadRefused(ValueError):
    """Why an upload, delete or catalog edit was refused: one Chinese line."""


CATALOG_FIELDS = ("id", "title", "issuer", "region", "level", "period", "published", "doc_number", "note")


def shown_name(name: str, limit: int = 60) -> str:
    """A user-given name made printable for a message (control characters dropped, shortened)."""
    text = "".join(ch for ch in str(name) if unicodedata.category(ch)[0] != "C")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def inside(corpus_dir: Path, rel: str) -> Path:
    """``corpus_dir / rel`` when that is a path inside the corpus folder (no link, no ``..``)."""
    path = corpus_dir / rel
    if ".." in Path(rel).parts or Path(rel).is_absolute() or "\x00" in rel:
        raise UploadRefused(f"文件路径不安全：{shown_name(rel)}")
    try:
        path.resolve().relative_to(corpus_dir.resolve())
    except ValueError:
        raise UploadRefused(f"文件路径不安全：{shown_name(rel)}") from None
    if path.is_symlink():
        raise UploadRefused(f"文件路径不安全：{shown_name(rel)}")
    return path


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
    path = inside(corpus_dir, file)
    if not path.is_file() or Path(file).name == CATALOG_NAME:
        raise UploadRefused(f"没有这个文件：{shown_name(file)}")
    entry = clean_entry(values)
    _write_catalog_block(corpus_dir, Path(file).as_posix(), entry)
    return entry

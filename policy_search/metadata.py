"""Plan metadata: read what the text says about itself, then let the catalog override.

Web captures carry their title in a covering notice (关于印发《…》的通知), a title line or a
page header, their date in 发布日期 / 发布时间 lines and their number as 〔2017〕11号. Some
seeds lack a title or carry garbled lines, so ``corpus/catalog.toml`` states what the text
does not, and always wins.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .normalize import normalize_char_width

CATALOG_NAME = "catalog.toml"
LEVELS = ("国家", "省", "市", "区县")
_FIELDS = ("id", "title", "issuer", "region", "level", "period", "published", "doc_number")
_PLAN_SUFFIX = r"(?:工作要点|工作方案|实施方案|行动方案|纲要|规划|行动计划|计划|实施意见|意见|办法|方案)"
_MUNICIPALITIES = ("北京", "天津", "上海", "重庆")


class CatalogError(ValueError):
    """The catalog file cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class PlanMeta:
    doc_id: str
    title: str
    issuer: str
    region: str
    level: str
    year: int | None
    period: str
    published: str
    doc_number: str


def load_catalog(corpus_dir: Path) -> dict[str, dict[str, Any]]:
    """Catalog entries keyed by file name (``[[document]]`` tables with a ``file`` key)."""
    path = corpus_dir / CATALOG_NAME
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: not valid TOML ({exc})") from None
    entries: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(data.get("document", []), start=1):
        if not isinstance(entry, dict) or not entry.get("file"):
            raise CatalogError(f"{path}: [[document]] #{i} has no 'file' key")
        unknown = set(entry) - set(_FIELDS) - {"file", "note"}
        if unknown:
            raise CatalogError(f"{path}: [[document]] {entry['file']} has unknown keys {sorted(unknown)}")
        level = entry.get("level")
        if level and level not in LEVELS:
            raise CatalogError(f"{path}: {entry['file']}: level must be one of {'/'.join(LEVELS)}")
        entries[entry["file"]] = entry
    return entries


def slugify(stem: str) -> str:
    """A stable ASCII-ish id from a file name: lower case, runs of other chars → '-'."""
    slug = re.sub(r"[^0-9a-zA-Z\u4e00-\u9fff]+", "-", stem).strip("-").lower()
    return slug or "doc"


def parse_period(text: str) -> tuple[int | None, str]:
    """First year and display period from text like 2021—2035年 or 2013年."""
    m = re.search(r"((?:19|20)\d{2})\s*[—–\-－~至到]+\s*((?:19|20)\d{2})\s*年?", text)
    if m:
        return int(m.group(1)), f"{m.group(1)}–{m.group(2)}"
    m = re.search(r"((?:19|20)\d{2})\s*年", text)
    if m:
        return int(m.group(1)), m.group(1)
    m = re.fullmatch(r"\s*((?:19|20)\d{2})\s*", text)
    if m:
        return int(m.group(1)), m.group(1)
    return None, ""


def _iso_date(text: str) -> str:
    m = re.search(r"((?:19|20)\d{2})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})", text)
    if not m:
        return ""
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"


def find_title(text: str) -> str:
    """The plan title: 《…》 of a covering notice, 关于印发…的通知, or a title-like line."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:20]
    for line in lines[:3]:
        if "印发" in line and "通知" in line:
            m = re.search(r"《([^》]{4,80})》", line)
            if m:
                return m.group(1)
            m = re.search(r"印发(.{4,80}?)的通知", line)
            if m:
                return m.group(1)
    for line in lines:
        title_like = len(line) <= 60 and "。" not in line
        if (
            title_like
            and re.search(rf"{_PLAN_SUFFIX}(?:（[^）]*）?)?$", line)
            and not re.match(r"^(?:当前位置|来源|发布|>|》)", line)
        ):
            return line
    return ""


def guess_issuer(text: str, title: str) -> str:
    m = re.search(r"发布部门：\s*(\S+)", text)
    if m:
        return m.group(1)
    m = re.match(r"^(.+?(?:知识产权局|人民政府|市场监督管理局|委员会|办公厅|办公室))", title)
    if m:
        return m.group(1)
    m = re.search(r"来源：\s*(\S+)", text)
    return m.group(1) if m else ""


def guess_region_level(issuer: str, title: str) -> tuple[str, str]:
    """Region and administrative level from the issuer's (or title's) place name."""
    name = issuer or title
    if name.startswith(("国家", "国务院", "中华人民共和国", "全国")):
        return "全国", "国家"
    m = re.match(r"^([^区县]{2,8}?(?:省|自治区|市))?([^省市]{1,6}?(?:区|县|旗))?", name)
    if not m or not m.group(0):
        return "", ""
    region = m.group(0)
    if m.group(2):
        return region, "区县"
    if m.group(1).endswith(("省", "自治区")) or m.group(1).startswith(_MUNICIPALITIES):
        return region, "省"
    return region, "市"


def extract_metadata(raw_text: str) -> dict[str, Any]:
    """What the text itself says: title, issuer, dates, number, period."""
    text = normalize_char_width(raw_text)
    title = find_title(text)
    published = ""
    m = re.search(r"(?:发布日期|发布时间|成文日期)：\s*([^\n]{6,20})", text)
    if m:
        published = _iso_date(m.group(1))
    number = ""
    m = re.search(r"[\u4e00-\u9fff]{1,12}〔(?:19|20)\d{2}〕\d+号", text[:3000])
    if m:
        number = m.group(0)
    year, period = parse_period(title)
    if year is None and published:
        year, period = int(published[:4]), published[:4]
    issuer = guess_issuer(text, title)
    region, level = guess_region_level(issuer, title)
    return {
        "title": title,
        "issuer": issuer,
        "region": region,
        "level": level,
        "year": year,
        "period": period,
        "published": published,
        "doc_number": number,
    }


def resolve_metadata(file_name: str, raw_text: str, entry: dict[str, Any] | None) -> PlanMeta:
    """Extracted metadata with every catalog field that is set taking precedence."""
    meta = extract_metadata(raw_text)
    entry = entry or {}
    for key in ("title", "issuer", "region", "level", "published", "doc_number"):
        if entry.get(key):
            meta[key] = str(entry[key])
    if entry.get("period"):
        meta["year"], meta["period"] = parse_period(str(entry["period"]))
    elif not meta["period"]:
        meta["year"], meta["period"] = parse_period(meta["title"])
    return PlanMeta(doc_id=str(entry.get("id") or slugify(Path(file_name).stem)), **meta)

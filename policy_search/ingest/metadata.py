"""Plan metadata: read what the text says about itself, then let the catalog override.

``meta_text`` reads the title, issuer, dates and 文号 off the text (each with its line);
``gazetteer`` turns the issuer or title into a region and level. Some seeds lack a title or
carry garbled lines, so ``corpus/catalog.toml`` states what the text does not, and always
wins. ``PlanMeta.provenance`` records where every value came from.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..records import FieldSource
from .gazetteer import locate
from .meta_sign import find_label, find_number, find_signature, label_date, year_cues
from .meta_text import (
    Found,
    _speech,
    find_adoption,
    find_order,
    find_title,
    header_events,
    rules,
    split_lines,
    title_issuer,
)
from .normalize import normalize_char_width, to_simplified

CATALOG_NAME = "catalog.toml"
LEVELS = ("国家", "省", "市", "区县")
_FIELDS = ("id", "title", "issuer", "region", "level", "period", "published", "doc_number")
_META_FIELDS = ("title", "issuer", "region", "level", "year", "period", "published", "doc_number")


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
    provenance: tuple[FieldSource, ...] = ()


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


def _period_from(text: str) -> tuple[int | None, str]:
    """A plan period: 2021—2035年, 2013年, or a five-year plan number like “十四五”."""
    year, period = parse_period(text)
    if year is not None:
        return year, period
    m = re.search(r"十([一二三四五六七八九])五", text)
    if m:
        first = five_year_plan_start(10 + "一二三四五六七八九".index(m.group(1)) + 1)
        return first, f"{first}–{first + 4}"
    return None, ""


def five_year_plan_start(number: int) -> int:
    """First year of the n-th five-year plan (1st 1953, 2nd 1958, from the 3rd on every 5 years)."""
    anchor = rules().data["five_year_plan"]
    if number < anchor["number"]:
        return anchor["early_first_year"] + 5 * (number - 1)
    return anchor["first_year"] + 5 * (number - anchor["number"])


def _placed(issuer: str) -> bool:
    return bool(locate(to_simplified(issuer.split("、")[0]))[0])


def extract_found(raw_text: str, file_name: str = "") -> dict[str, Found | None]:
    """Every field the text states, each with the line it was read from (None when absent)."""
    lines = split_lines(raw_text)
    title = find_title(lines)
    speech_title, speech_issuer = _speech(lines)
    title = title or speech_title
    order_issuer, order_number = find_order(lines)
    sig_issuer, sig_date = find_signature(lines)
    prefix_issuer = title_issuer(lines, title)
    if (
        prefix_issuer
        and sig_issuer
        and prefix_issuer.value in sig_issuer.value
        and "、" not in prefix_issuer.value
    ):
        prefix_issuer = sig_issuer  # the signature spells the same agency out in full
    elif prefix_issuer and sig_issuer and not _placed(prefix_issuer.value) and _placed(sig_issuer.value):
        prefix_issuer = sig_issuer  # 省政府办公厅关于… signed 某某省人民政府办公厅
    issuer = (
        find_label(lines, rules().data["issuer_labels"])
        or order_issuer
        or find_adoption(lines)
        or prefix_issuer
        or sig_issuer
        or speech_issuer
    )
    events = header_events(lines)
    promulgated = [e for e in events if e[1] in ("公布", "发布", "印发", "会议上")]
    published = label_date(lines, ["成文日期"]) or sig_date
    if published is None and promulgated:
        iso, _, i, _ = max(promulgated)
        published = Found(iso, i + 1, lines.raw[i].strip()[:160])
    published = published or label_date(lines, rules().data["date_labels"])
    number = find_label(lines, rules().data["number_labels"]) or order_number or find_number(lines)
    year: Found | None = None
    period: Found | None = None
    if title:
        first, span = _period_from(to_simplified(normalize_char_width(title.value)))
        if first is not None:
            year, period = Found(str(first), title.line, title.text), Found(span, title.line, title.text)
    if year is not None and period is not None and (published or number):
        # a plan issued some way into its period (a covering notice 印发…“十一五”规划的通知 signed
        # or numbered in its second year) was issued in the year its own date or 文号 says
        bounds = [int(y) for y in re.findall(r"(?:19|20)\d{2}", period.value)]
        first, last = (bounds[0], bounds[-1]) if bounds else (0, 0)
        own = published or number
        m = re.search(r"(?:19|20)\d{2}", own.value) if own else None
        if m and first < int(m.group(0)) <= last:
            year = Found(m.group(0), own.line, own.text)
    history = [e for e in events if e[1] != "施行"]
    if year is None and history:
        iso, _, i, _ = max(history)
        year = Found(iso[:4], i + 1, lines.raw[i].strip()[:160])
    if year is None and published:
        year = Found(published.value[:4], published.line, published.text)
    if year is None and number:
        m = re.search(r"(?:19|20)\d{2}", number.value)
        year = Found(m.group(0), number.line, number.text) if m else None
    year = year or year_cues(lines)
    if year is None and file_name:
        m = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", Path(file_name).stem)
        year = Found(m.group(1), 0, file_name) if m else None
    title_years = re.search(r"(?:19|20)\d{2}\s*年", normalize_char_width(title.value)) if title else None
    if period is None and title_years and year:
        period = Found(year.value, title.line, title.text)
    region = level = None
    context = "\n".join(lines.simp)
    for source in (issuer, sig_issuer, title):
        if source is None:
            continue
        for name in source.value.split("、"):
            reg, lev = locate(to_simplified(name), context)
            if reg:
                region, level = Found(reg, source.line, source.text), Found(lev, source.line, source.text)
                break
        if region:
            break
    if region is None and title and to_simplified(title.value).startswith("中华人民共和国"):
        # 中华人民共和国XX条例 with no issuer line: a national law or regulation
        nat = rules().data["national_region"]
        region, level = Found(nat, title.line, title.text), Found("国家", title.line, title.text)
    if region is None:
        # addressed to every province (各省、自治区、直辖市…): a central document
        for i in range(min(len(lines.simp), 60)):
            if re.match(r"\s*各省、自治区、直辖市", lines.simp[i]):
                nat, where = rules().data["national_region"], lines.raw[i][:160]
                region, level = Found(nat, i + 1, where), Found("国家", i + 1, where)
                break
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


def extract_metadata(raw_text: str, file_name: str = "") -> dict[str, Any]:
    """What the text itself says: title, issuer, region, level, dates, number, period."""
    found = extract_found(raw_text, file_name)
    values: dict[str, Any] = {k: (f.value if f else "") for k, f in found.items()}
    values["year"] = int(values["year"]) if values["year"] else None
    return values


def resolve_metadata(file_name: str, raw_text: str, entry: dict[str, Any] | None) -> PlanMeta:
    """Extracted metadata with every catalog field that is set taking precedence.

    ``provenance`` says for each field where its value came from: the text (with the line),
    the catalog, the file name, or nowhere.
    """
    found = extract_found(raw_text, file_name)
    entry = entry or {}
    sources: dict[str, FieldSource] = {}
    for key, f in found.items():
        if f is None:
            sources[key] = FieldSource(key, "", "none")
        elif f.line == 0:
            sources[key] = FieldSource(key, f.value, "file name")
        else:
            sources[key] = FieldSource(key, f.value, "text", f.line, f.text)
    for key in ("title", "issuer", "region", "level", "published", "doc_number"):
        if entry.get(key):
            sources[key] = FieldSource(key, str(entry[key]), "catalog")
    if entry.get("period"):
        year, period = parse_period(str(entry["period"]))
        sources["year"] = FieldSource("year", str(year or ""), "catalog")
        sources["period"] = FieldSource("period", period, "catalog")
    values = {k: sources[k].value for k in _META_FIELDS}
    return PlanMeta(
        doc_id=str(entry.get("id") or slugify(Path(file_name).stem)),
        title=values["title"],
        issuer=values["issuer"],
        region=values["region"],
        level=values["level"],
        year=int(values["year"]) if values["year"] else None,
        period=values["period"],
        published=values["published"],
        doc_number=values["doc_number"],
        provenance=tuple(sources[k] for k in _META_FIELDS),
    )

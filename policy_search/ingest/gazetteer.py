"""Where a document comes from: region and administrative level from place names.

``data/gazetteer.tsv`` lists every province-, prefecture- and county-level division with its
parents. An issuer or title is read from its start: the longest place name there (full name,
or the short form of a province or prefecture such as 广东 / 深圳) gives the region; a county or
district name alone (黄浦区) is placed under the province or city that the rest of the document
names, or under its only parent when the name is unique.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from ..data import DATA_DIR

_SHORT_ENDINGS = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "地区", "省", "市", "盟",
)  # fmt: skip
_MAX_NAME = 16


@dataclass(frozen=True)
class Place:
    province: str
    prefecture: str  # "" for a province, or a district of a municipality
    county: str  # "" above county level

    @property
    def region(self) -> str:
        return f"{self.province}{self.prefecture}{self.county}"

    @property
    def level(self) -> str:
        if self.county:
            return "区县"
        if self.prefecture:
            return "市"
        return "省"


@dataclass(frozen=True)
class Gazetteer:
    names: dict[str, tuple[Place, ...]]  # full or short name → places it may be

    def match_at_start(self, text: str) -> tuple[str, tuple[Place, ...]]:
        """The longest place name at the very start of ``text`` (name, candidates)."""
        for n in range(min(_MAX_NAME, len(text)), 1, -1):
            places = self.names.get(text[:n])
            if places:
                return text[:n], places
        return "", ()


def _short(name: str) -> str:
    for end in _SHORT_ENDINGS:
        if name.endswith(end) and len(name) - len(end) >= 2:
            return name[: -len(end)]
    return ""


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    names: dict[str, list[Place]] = {}
    short: dict[str, list[Place]] = {}
    for raw in (DATA_DIR / "gazetteer.tsv").read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        province, prefecture, county = [*raw.split("\t"), "", ""][:3]
        place = Place(province, prefecture, county)
        own = county or prefecture or province
        names.setdefault(own, []).append(place)
        if not county and _short(own):
            short.setdefault(_short(own), []).append(place)
    for key, places in short.items():
        names.setdefault(key, places)
    return Gazetteer({k: tuple(v) for k, v in names.items()})


@lru_cache(maxsize=1)
def _national() -> tuple[tuple[str, ...], tuple[str, ...], str, tuple[str, ...]]:
    rules = tomllib.loads((DATA_DIR / "metadata_rules.toml").read_text(encoding="utf-8"))
    return (
        tuple(rules["national_prefixes"]),
        tuple(rules["central_suffixes"]),
        rules["national_region"],
        tuple(rules["strip_prefixes"]),
    )


def _pick(places: tuple[Place, ...], context: str) -> Place | None:
    """One place out of several with the same name: the one whose parents the context names."""
    if len(places) == 1:
        return places[0]
    named = [p for p in places if (p.prefecture and p.prefecture in context) or p.province in context]
    if len(named) == 1:
        return named[0]
    provinces = {p.province for p in places}
    if len(provinces) == 1 and not any(p.county for p in places):
        return places[0]
    return None


def locate(name: str, context: str = "") -> tuple[str, str]:
    """(region, level) for an issuer or title; ("", "") when it names no known place.

    ``context`` is the rest of the document, used to place a bare district name.
    """
    prefixes, central, national_region, strip = _national()
    name = "".join(name.split())
    for p in strip:
        if name.startswith(p) and not name[len(p) :].startswith(("国务院", "国家")):
            name = name[len(p) :] or p
            break
    if name.startswith(prefixes):
        return national_region, "国家"
    gaz = gazetteer()
    first, places = gaz.match_at_start(name)
    if not places:
        if name.endswith(central) and 2 <= len(name) <= 12:
            return national_region, "国家"
        return "", ""
    place = _pick(places, context)
    if place is None:
        return "", ""
    rest = name[len(first) :]
    if not place.county:
        second, below = gaz.match_at_start(rest)
        inner = [
            p
            for p in below
            if p.province == place.province and (not place.prefecture or p.prefecture == place.prefecture)
        ]
        if second and inner:
            place = _pick(tuple(inner), context) or inner[0]
            rest = rest[len(second) :]
            if not place.county:
                third, lowest = gaz.match_at_start(rest)
                inner = [p for p in lowest if p.prefecture == place.prefecture and p.county]
                if third and inner:
                    place = inner[0]
    return place.region, place.level

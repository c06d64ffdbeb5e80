"""Responsible units and their role (牵头 lead / 配合 supporting / 责任 responsible).

Plans name who does a task in a labelled parenthesis — （责任单位：A、B）, （牵头单位：A；配合单位：
B、C） — on a labelled line of its own (牵头单位：A), inline (（A牵头，B、C配合）), or as a bare
trailing list of offices (（协调管理处，各市知识产权局）). Labels, role words and collective
phrases (各区、县级市) are data in ``data/units.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache

from ..data import DATA_DIR
from ..records import Unit
from .normalize import normalize_char_width

ROLE_ORDER = ("牵头", "责任", "配合")  # lead first


@dataclass(frozen=True)
class _UnitRules:
    label_re: re.Pattern[str]
    label_role: dict[str, str]
    inline: dict[str, tuple[str, ...]]
    office_re: re.Pattern[str]
    generic: frozenset[str]
    collective: tuple[str, ...]


@lru_cache(maxsize=1)
def unit_rules() -> _UnitRules:
    data = tomllib.loads((DATA_DIR / "units.toml").read_text(encoding="utf-8"))
    label_role = {label: role for role, labels in data["roles"].items() for label in labels}
    labels = "|".join(sorted(map(re.escape, label_role), key=len, reverse=True))
    offices = "|".join(sorted(map(re.escape, data["names"]["office_suffixes"]), key=len, reverse=True))
    return _UnitRules(
        label_re=re.compile(rf"({labels})\s*："),
        label_role=label_role,
        inline={role: tuple(words) for role, words in data["inline_roles"].items()},
        office_re=re.compile(rf"(?:{offices})$"),
        generic=frozenset(data["names"]["generic"]),
        collective=tuple(sorted(data["names"]["collective"], key=len, reverse=True)),
    )


def split_names(body: str) -> list[str]:
    """Unit names in a list: split at ，；、 but keep collective phrases (各区、县级市) whole."""
    r = unit_rules()
    protected: dict[str, str] = {}
    for k, phrase in enumerate(r.collective):
        if phrase in body:
            key = chr(0xE000 + k)
            protected[key] = phrase
            body = body.replace(phrase, key)
    names: list[str] = []
    for group in re.split(r"[，；;,]", body):
        for part in re.split(r"及(?=各)", group):
            pieces = [p.strip(" \t。") for p in part.split("、") if p.strip(" \t。")]
            merged: list[str] = []
            for piece in pieces:
                if merged and piece in r.generic:
                    merged[-1] = f"{merged[-1]}、{piece}"
                else:
                    merged.append(piece)
            names.extend(merged)
    out: dict[str, None] = {}
    for name in names:
        for key, phrase in protected.items():
            name = name.replace(key, phrase)
        name = name.rsplit("：", 1)[-1].strip()  # never a label glued to a name
        if name:
            out.setdefault(name, None)
    return list(out)


def _body_end(text: str, start: int, stop: int) -> int:
    """End of a labelled list: the paren that closes it, a sentence end, a line end, or ``stop``."""
    depth = 0
    for i in range(start, min(stop, start + 600)):
        ch = text[i]
        if ch == "（":
            depth += 1
        elif ch == "）":
            if depth == 0:
                return i
            depth -= 1
        elif ch in "。\n":
            return i
    return min(stop, start + 600)


def _labelled(text: str) -> list[Unit]:
    r = unit_rules()
    matches = list(r.label_re.finditer(text))
    units: list[Unit] = []
    for k, m in enumerate(matches):
        stop = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        end = _body_end(text, m.end(), stop)
        body = text[m.end() : end].strip(" ；;，,")
        role = r.label_role[m.group(1)]
        units.extend(Unit(name, role) for name in split_names(body))
    return units


def _last_paren(text: str) -> str:
    """The body of a parenthesis closing the text, nested parens allowed; "" when none."""
    text = text.rstrip(" \t\n。；")
    if not text.endswith("）"):
        return ""
    depth = 0
    for i in range(len(text) - 1, max(-1, len(text) - 400), -1):
        if text[i] == "）":
            depth += 1
        elif text[i] == "（":
            depth -= 1
            if depth == 0:
                return text[i + 1 : -1]
    return ""


def _inline(body: str) -> list[Unit]:
    """（A牵头，B、C配合） → A 牵头, B and C 配合; [] unless every clause ends in a role word."""
    r = unit_rules()
    units: list[Unit] = []
    for clause in re.split(r"[，；;,]", body):
        clause = clause.strip()
        for role, words in r.inline.items():
            word = next((w for w in sorted(words, key=len, reverse=True) if clause.endswith(w)), "")
            if word and len(clause) > len(word):
                names = re.sub(r"等$", "", clause[: -len(word)].strip())
                units.extend(Unit(n, role) for n in split_names(names))
                break
        else:
            return []
    return units


def extract_unit_roles(text: str) -> tuple[Unit, ...]:
    """Responsible units with their roles, in the order the text names them."""
    text = normalize_char_width(text)
    units = _labelled(text)
    if not units:
        body = _last_paren(text)
        if body:
            units = _inline(body)
            if not units:
                names = split_names(body)
                if names and all(unit_rules().office_re.search(n) for n in names):
                    units = [Unit(n, "责任") for n in names]
    seen: dict[str, Unit] = {}
    for u in units:
        seen.setdefault(u.name, u)
    return tuple(seen.values())


def extract_units(text: str) -> tuple[str, ...]:
    """Names of the responsible units, lead units first."""
    roles = extract_unit_roles(text)
    ordered = sorted(roles, key=lambda u: ROLE_ORDER.index(u.role) if u.role in ROLE_ORDER else 9)
    return tuple(u.name for u in ordered)

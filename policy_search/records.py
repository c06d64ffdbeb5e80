"""Typed, frozen records passed between pipeline stages.

They are plain dataclasses so that every stage (loader, chunker, index, retrieval) can be
tested on its own, and so that ``to_dict`` gives the JSON contract the CLI prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Removed:
    """A line dropped from a document as web-page boilerplate, kept so nothing is silently lost."""

    line_no: int  # 1-based line number in the decoded source text
    text: str
    reason: str


@dataclass(frozen=True)
class FieldSource:
    """Where one metadata field's value came from: text (with its line), catalog, file name or none."""

    field: str
    value: str
    source: str  # "text" / "catalog" / "file name" / "none"
    line: int = 0  # 1-based line number in the source text when source == "text"
    text: str = ""  # that line (trimmed)


@dataclass(frozen=True)
class Unit:
    """A responsible unit and its role: 牵头 (lead), 配合 (supporting) or 责任 (responsible)."""

    name: str
    role: str


@dataclass(frozen=True)
class Document:
    """One policy plan: its cleaned text plus the metadata that describes the plan."""

    doc_id: str
    path: str  # file name relative to the corpus folder
    title: str
    issuer: str
    region: str
    level: str  # 国家 / 省 / 市 / 区县
    year: int | None  # first year of the plan's period
    period: str  # "2013" or "2021–2035"
    published: str  # ISO date, "" when unknown
    doc_number: str  # 文号, "" when none
    text: str  # cleaned text; chunk offsets point into it
    fingerprint: str  # sha256 of the source file's bytes
    format: str  # txt / md / html / docx / pdf
    removed: tuple[Removed, ...] = ()
    provenance: tuple[FieldSource, ...] = ()

    def to_dict(self, with_text: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if not with_text:
            data.pop("text")
        data["removed"] = [asdict(r) for r in self.removed]
        data["provenance"] = [asdict(p) for p in self.provenance]
        return data


@dataclass(frozen=True)
class Target:
    """A quantitative target inside a chunk, e.g. 专利权质押贷款达到15亿元."""

    text: str  # the span as written, e.g. 达到15亿元
    value: float
    unit: str  # 亿元 / 件 / % / 人次 ...
    comparator: str  # 达到 / 不少于 / 不低于 / 以上 / 增长 / 年均增长 / "" ...
    indicator: str  # phrase naming what is measured, e.g. 专利权质押贷款
    deadline: str  # e.g. 2020年, "" when the sentence names none
    start: int  # offsets of ``text`` inside the chunk text
    end: int
    kind: str = "target"  # "target", or "achievement" for a result already reached

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Target:
        return cls(**{**data, "kind": data.get("kind", "target")})


@dataclass(frozen=True)
class Chunk:
    """One task (or preamble / goals / safeguard paragraph) of one plan: the unit of every answer."""

    chunk_id: str  # e.g. tianjin-2013/二/八 ; stable across edits elsewhere in the document
    doc_id: str
    plan_title: str
    issuer: str
    region: str
    level: str
    year: int | None
    period: str
    section: tuple[str, ...]  # heading texts, top first
    title: str  # the task's lead phrase
    text: str  # the task as written
    units: tuple[str, ...]  # responsible units
    targets: tuple[Target, ...]
    kind: str  # notice / preamble / principle / goals / task / measure / schedule / safeguard
    start: int  # offsets into Document.text
    end: int
    part: int = 1  # >1 when a long task was split at sentence ends
    unit_roles: tuple[Unit, ...] = ()  # responsible units with their role
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def has_target(self) -> bool:
        return any(t.kind == "target" for t in self.targets)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract printed by ``chunks --json`` and stored in the index."""
        return {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "plan_title": self.plan_title,
            "issuer": self.issuer,
            "region": self.region,
            "level": self.level,
            "year": self.year,
            "period": self.period,
            "section": list(self.section),
            "title": self.title,
            "text": self.text,
            "units": list(self.units),
            "targets": [t.to_dict() for t in self.targets],
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "part": self.part,
            "unit_roles": [{"name": u.name, "role": u.role} for u in self.unit_roles],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        return cls(
            chunk_id=data["chunk_id"],
            doc_id=data["doc_id"],
            plan_title=data["plan_title"],
            issuer=data["issuer"],
            region=data["region"],
            level=data["level"],
            year=data["year"],
            period=data["period"],
            section=tuple(data["section"]),
            title=data["title"],
            text=data["text"],
            units=tuple(data["units"]),
            targets=tuple(Target.from_dict(t) for t in data["targets"]),
            kind=data["kind"],
            start=data["start"],
            end=data["end"],
            part=data.get("part", 1),
            unit_roles=tuple(Unit(u["name"], u["role"]) for u in data.get("unit_roles", [])),
        )


@dataclass(frozen=True)
class Skipped:
    """A corpus file that was not indexed, and why (one line for the user)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

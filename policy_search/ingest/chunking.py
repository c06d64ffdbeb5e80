"""Structure-aware chunking: one chunk per article of a regulation, per task of a plan.

The outline (``outline.py``) gives each part of a file (a covering notice, the document it
issues, further attachments) its layout and heading tree; this module turns the tree into the
chunks every answer is built from:

- an **article** (第X条) with all its paragraphs and inline （一）（二） lists is one chunk; its
  chapters and sections (第X章 / 第X节) are its section path, not chunks of their own;
- a **task item** of a plan (（八）, 1., ——) is one chunk, whatever its paragraphs;
- paragraphs directly under a top-level section (一、) and in the preamble are one chunk each;
- a covering notice without headings is one chunk;
- a heading with no text of its own, or a fragment shorter than ``min_chunk_chars``, joins the
  next chunk as its context (never dropped, never a chunk alone);
- a chunk longer than ``max_chunk_chars`` is split at paragraph ends first and sentence ends
  second, never mid-sentence; every part keeps the heading path, title and responsible units;
- every character of the cleaned text lies in exactly one chunk, or in a legal heading
  (第X章 …) that is the section path of the chunks after it, which ``check_coverage`` verifies.

Chunk ids are ``doc_id/labels`` built from the heading path (``doc/二/八``, ``doc/第三章/第十五条``);
bullets and unnumbered paragraphs use their lead phrase, so edits elsewhere never change an id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..data import DATA_DIR
from ..records import Chunk, Document
from ..settings import Settings
from .grammar import SENTENCE_END, cn_to_int
from .outline import Node, Part, build_tree, find_body_start, legal_markers, plan_markers, split_parts
from .targets import extract_targets, extract_unit_roles, extract_units, mark_kinds

__all__ = ["check_coverage", "chunk_document", "cn_to_int", "lead_phrase"]

_SENTENCE_END = SENTENCE_END
_CLAUSE_END = "，、：,"
_KIND_RULES: tuple[tuple[str, str], ...] = (
    ("保障", "safeguard"),
    ("组织实施", "safeguard"),
    ("工作要求", "safeguard"),
    ("步骤", "schedule"),
    ("进度", "schedule"),
    ("时间安排", "schedule"),
    ("目标", "goals"),
    ("总体要求", "principle"),
    ("指导思想", "principle"),
    ("基本原则", "principle"),
    ("总体思路", "principle"),
    ("主题", "principle"),
    ("措施", "measure"),
)
_GOALS_LEAD = re.compile(r"主要工作目标|主要目标|工作目标|发展目标|总体目标|目标和指标|主要指标|目标任务")


@cache
def doc_types() -> tuple[str, ...]:
    """Document-type words a title ends with (data/doc_types.txt)."""
    path = DATA_DIR / "doc_types.txt"
    words = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    return tuple(w for w in words if w and not w.startswith("#"))


@dataclass
class _Unit:
    start: int
    end: int
    node: Node
    context: bool  # joins the next chunk (heading, short fragment)
    paragraph_mode: bool
    notice: bool = False
    article: bool = False


# ------------------------------------------------------------------ helpers


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def lead_phrase(text: str, limit: int = 30) -> str:
    """A task's lead phrase: its first clause (促进专利财富价值), shortened when long."""
    text = text.strip().removeprefix("——").strip()
    m = re.search(rf"[{_SENTENCE_END}：\n]", text)
    phrase = text[: m.start()] if m else text
    if len(phrase) > limit:
        comma = phrase.find("，")
        phrase = phrase[:comma] if 6 <= comma <= limit else phrase[:limit] + "…"
    return phrase.strip()


def _id_component(title: str) -> str:
    return re.sub(r"[/#\s]+", "", title.rstrip("…"))[:20] or "_"


def _is_heading_like(s: str, min_chars: int) -> bool:
    return len(s) < min_chars or (len(s) <= 40 and not any(c in s for c in _SENTENCE_END))


# ------------------------------------------------------------------ units


def _paragraph_units(text: str, node: Node, pos: int, settings: Settings, units: list[_Unit]) -> None:
    paragraphs = list(re.finditer(r"[^\n]+", text[pos : node.end]))
    # a numbered section whose whole text is one short sentence (四、总量 / 规模为20万千瓦。) is
    # content of its own, not the context of the next section
    alone = node.marker is not None and not node.children and len(paragraphs) == 1
    for m in paragraphs:
        s, e = _strip_span(text, pos + m.start(), pos + m.end())
        if s < e:
            context = _is_heading_like(text[s:e], settings.min_chunk_chars)
            if context and alone and text[e - 1] in _SENTENCE_END and len(text[s:e]) >= 8:
                context = False
            units.append(_Unit(s, e, node, context=context, paragraph_mode=True))


def _units(text: str, nodes: list[Node], part: Part, legal: bool, settings: Settings) -> list[_Unit]:
    units: list[_Unit] = []
    if part.notice and len(nodes) == 1:
        s, e = _strip_span(text, part.start, part.end)
        if s < e:
            units.append(_Unit(s, e, nodes[0], context=False, paragraph_mode=True, notice=True))
        return units
    for node in nodes:
        mk = node.marker
        if legal and mk is not None:
            if mk.family == "article":
                s, e = _strip_span(text, node.start, node.end)
                units.append(_Unit(s, e, node, context=False, paragraph_mode=False, article=True))
            else:  # 第X章 and its kin: the section path of what follows, never a chunk
                _paragraph_units(text, node, node.title_end, settings, units)
            continue
        if node.depth <= 1:
            pos = node.start
            if mk is not None:
                # the heading line itself (to its line end) is the first piece
                line_end = text.find("\n", node.title_end)
                line_end = node.end if line_end == -1 or line_end > node.end else line_end
                s, e = _strip_span(text, node.start, line_end)
                if s < e:
                    own = text[node.title_end : e].strip()
                    # 一、原则同意…（a whole long sentence）is content, not a heading
                    # (or a shorter one with a clause in it: 三、…的，经…确认，不行使…。)
                    sentence = (
                        not node.children
                        and (len(node.title) > 40 or "，" in node.title or len(node.title) >= 12)
                        and text[node.title_end - 1] in _SENTENCE_END
                    )
                    units.append(_Unit(s, e, node, context=not own and not sentence, paragraph_mode=True))
                pos = line_end
            _paragraph_units(text, node, pos, settings, units)
        else:
            s, e = _strip_span(text, node.start, node.end)
            if s < e:
                own = text[node.title_end : e].strip()
                # an item that is one whole sentence (1.本区总体情况；) is content, not a heading
                sentence = not node.children and text[node.title_end - 1] in _SENTENCE_END
                units.append(_Unit(s, e, node, context=not own and not sentence, paragraph_mode=False))
    return units


def _group(units: list[_Unit]) -> list[tuple[int, int, _Unit]]:
    """Merge context units into the chunk they introduce; returns (start, end, main unit)."""
    groups: list[list] = []  # [start, end, main]
    pending: int | None = None
    next_main: list[_Unit | None] = [None] * len(units)  # the next non-context unit, O(n)
    following: _Unit | None = None
    for i in range(len(units) - 1, -1, -1):
        next_main[i] = following
        if not units[i].context:
            following = units[i]
    for i, unit in enumerate(units):
        if not unit.context:
            start = pending if pending is not None else unit.start
            groups.append([start, unit.end, unit])
            pending = None
            continue
        is_heading = unit.node.marker is not None and unit.start == unit.node.start
        nxt = next_main[i]
        same_next = nxt is not None and nxt.node is unit.node
        same_prev = bool(groups) and groups[-1][2].node is unit.node and pending is None
        if not is_heading and not same_next and same_prev:
            groups[-1][1] = unit.end  # trailing fragment: stays with its own section
        elif pending is None:
            pending = unit.start
    if pending is not None:
        if groups:
            groups[-1][1] = units[-1].end
        else:
            groups.append([pending, units[-1].end, units[-1]])
    return [(s, e, u) for s, e, u in groups]


def _kind(unit: _Unit, body: str, section: list[str]) -> str:
    if unit.notice:
        return "notice"
    if unit.article:
        return "article"
    if unit.paragraph_mode and (re.match(r"^到\d{4}年", body) or _GOALS_LEAD.search(lead_phrase(body))):
        return "goals"
    if not section:
        return "preamble" if unit.node.parent is None else "task"
    if len(section[0]) <= 12:  # a section-type heading such as 保障措施, not a long task heading
        for word, kind in _KIND_RULES:
            if word in section[0]:
                return kind
    return "task"


# ------------------------------------------------------------------ long chunks


def _pieces(text: str, start: int, end: int, stops: str) -> list[int]:
    """Cut points inside [start, end): just after each stop character (and its closing quotes)."""
    cuts = []
    for m in re.finditer(rf"[{stops}]+[”」』）]*", text[start:end]):
        if start + m.end() < end:
            cuts.append(start + m.end())
    return cuts


def _pack(bounds: list[int], limit: int) -> list[tuple[int, int]]:
    """Greedily pack consecutive pieces [bounds[i], bounds[i+1]) into spans of at most ``limit``."""
    out: list[tuple[int, int]] = []
    s = bounds[0]
    for i in range(1, len(bounds)):
        if bounds[i] - s > limit and bounds[i - 1] > s:
            out.append((s, bounds[i - 1]))
            s = bounds[i - 1]
    out.append((s, bounds[-1]))
    return out


def _split_long(text: str, start: int, end: int, settings: Settings) -> list[tuple[int, int]]:
    """Split [start, end) into parts of at most ``max_chunk_chars``: at paragraph ends first,
    then at sentence ends; a single sentence longer than the limit stays whole."""
    limit = settings.max_chunk_chars
    if end - start <= limit:
        return [(start, end)]
    spans: list[tuple[int, int]] = []
    cuts, prev = [], start
    for cut in _pieces(text, start, end, "\n"):
        piece = text[prev:cut].strip()
        if len(piece) > 60 or any(ch in piece for ch in _SENTENCE_END):  # not after a heading line
            cuts.append(cut)
            prev = cut
    for ps, pe in _pack([start, *cuts, end], limit):
        if pe - ps <= limit:
            spans.append((ps, pe))
            continue
        for ss, se in _pack([ps, *_pieces(text, ps, pe, _SENTENCE_END), pe], limit):
            if se - ss <= limit:
                spans.append((ss, se))
                continue
            # one sentence over the limit: at clause punctuation, and as a last resort every
            # ``limit`` characters, so no chunk is ever longer than the limit
            for cs, ce in _pack([ss, *_pieces(text, ss, se, _CLAUSE_END), se], limit):
                spans.extend((h, min(h + limit, ce)) for h in range(cs, ce, limit))
    short_tail = len(spans) > 1 and spans[-1][1] - spans[-1][0] < settings.min_chunk_chars
    if short_tail and spans[-1][1] - spans[-2][0] <= limit:  # a short tail joins the part before
        tail = spans.pop()
        spans[-1] = (spans[-1][0], tail[1])
    out: list[tuple[int, int]] = []
    carry: int | None = None  # a heading piece joins the part after it, never a part alone
    for s, e in spans:
        if carry is not None and e - carry > limit:  # cannot fit: the heading stays a part
            out.append(_strip_span(text, carry, s))
            carry = None
        s, e = _strip_span(text, s if carry is None else carry, e)
        if s >= e:
            continue
        piece = text[s:e]
        if len(piece) <= 60 and not any(ch in piece for ch in _SENTENCE_END) and e < end:
            carry = s
            continue
        carry = None
        out.append((s, e))
    if carry is not None:
        s, e = _strip_span(text, carry, end)
        if out and e - out[-1][0] <= limit:
            out[-1] = (out[-1][0], e)
        elif s < e:
            out.append((s, e))
    return [(s, e) for s, e in out if s < e]


# ------------------------------------------------------------------ chunks


def _describe(text: str, unit: _Unit, part: Part) -> tuple[list[str], str, list[str]]:
    """Section path, title and id path of a unit."""
    node = unit.node
    heads = node.ancestors()
    if unit.paragraph_mode and node.marker is not None and not unit.article:
        heads.append(node)
    section = [n.heading for n in heads]
    has_heading = unit.start == node.start and node.marker is not None
    body = text[node.title_end if has_heading else unit.start : unit.end]
    prefix = [part.prefix] if part.prefix else []
    if unit.notice:
        return section, lead_phrase(text[unit.start : unit.end], 40), ["notice"]
    if unit.article:
        title = f"{node.label} {lead_phrase(text[node.marker.end : unit.end], 24)}".strip()
        return section, title, [*prefix, *(n.label for n in heads), node.label]
    if unit.paragraph_mode:
        title = lead_phrase(body) or node.title
        path = [n.label for n in heads] + [_id_component(title)]
        return section, title, [*prefix, "preamble", *path] if node.parent is None else [*prefix, *path]
    title = node.title or lead_phrase(body)
    return section, title, [*prefix, *(n.label for n in heads), node.label]


def _outline(text: str, part: Part) -> tuple[list[Node], bool]:
    legal = legal_markers(text, part.start, part.end)
    markers = legal or plan_markers(text, part.start, part.end)
    return build_tree(text, part, markers, _id_component), bool(legal)


def chunk_document(doc: Document, settings: Settings | None = None) -> list[Chunk]:
    """Split one document's cleaned text into article- or task-level chunks with its metadata."""
    settings = settings or Settings()
    text, meta = doc.text, doc
    if not text.strip():
        return []
    chunks: list[Chunk] = []
    seen_ids: dict[str, int] = {}
    parts = split_parts(text, doc_types())
    if len(parts) == 1:  # a covering notice run into its document: cut where the title recurs
        body = find_body_start(text, meta.title)
        parts = [Part(0, body, True, "notice"), Part(body, len(text), False, "")] if body else parts
    for part in parts:
        nodes, legal = _outline(text, part)
        for start, end, unit in _group(_units(text, nodes, part, legal, settings)):
            section, title, path = _describe(text, unit, part)
            body_from = (
                unit.node.title_end if unit.start == unit.node.start and unit.node.marker else unit.start
            )
            base_id = "/".join([meta.doc_id, *path])
            seen_ids[base_id] = seen_ids.get(base_id, 0) + 1
            if seen_ids[base_id] > 1:
                base_id = f"{base_id}~{seen_ids[base_id]}"
            kind = _kind(unit, text[body_from : unit.end].strip(), section)
            units = extract_units(text[start:end])
            roles = extract_unit_roles(text[start:end])
            for n, (s, e) in enumerate(_split_long(text, start, end, settings), start=1):
                part_text = text[s:e]
                chunks.append(
                    Chunk(
                        chunk_id=base_id if n == 1 else f"{base_id}#{n}",
                        doc_id=meta.doc_id,
                        plan_title=meta.title,
                        issuer=meta.issuer,
                        region=meta.region,
                        level=meta.level,
                        year=meta.year,
                        period=meta.period,
                        section=tuple(section),
                        title=title,
                        text=part_text,
                        units=units,
                        unit_roles=roles,
                        targets=extract_targets(part_text),
                        kind=kind,
                        start=s,
                        end=e,
                        part=n,
                    )
                )
    return [mark_kinds(c, doc.year) for c in chunks]  # past results are achievements, not targets


def check_coverage(doc_text: str, chunks: list[Chunk]) -> list[str]:
    """Problems with how chunks cover the text (empty when every character is in one chunk,
    legal headings that are the section path of the next chunk aside)."""
    problems: list[str] = []
    pos = 0
    for c in sorted(chunks, key=lambda c: c.start):
        gap = re.sub(r"\s+", "", doc_text[pos : c.start])
        if c.start < pos:
            problems.append(f"{c.chunk_id} overlaps the previous chunk")
        elif gap and gap not in re.sub(r"\s+", "", "".join(c.section)):
            problems.append(f"text before {c.chunk_id} is in no chunk: {doc_text[pos : c.start][:40]!r}")
        if doc_text[c.start : c.end] != c.text:
            problems.append(f"{c.chunk_id} text does not match its offsets")
        pos = max(pos, c.end)
    if doc_text[pos:].strip():
        problems.append(f"trailing text is in no chunk: {doc_text[pos:][:40]!r}")
    return problems

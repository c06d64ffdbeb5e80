"""Structure-aware chunking: one chunk per task item of a plan.

Chinese policy plans number their structure with a small set of markers:
一、 → （一） → 1. / 1、 → （1） → —— bullets → plain paragraphs. Captures from the web keep
those markers but not always the line breaks (one seed is a single line), so markers are
found anywhere in the text and accepted inline only when they continue a numbering
sequence at a plausible place (after a sentence end, a closing bracket, or a short heading).

Rules that make a chunk useful as an answer:
- a task item (（八）, 1., ——) is one chunk, whatever its paragraphs;
- paragraphs directly under a top-level section (一、) and the preamble are one chunk each;
- a heading with no text of its own, or a fragment shorter than ``min_chunk_chars``, joins
  the next chunk as its context (never dropped);
- an item longer than ``max_chunk_chars`` is split at sentence ends, every part keeping the
  heading path, title and responsible units;
- every character of the cleaned text lies in exactly one chunk (whitespace between chunks
  aside), which ``check_coverage`` verifies.

Chunk ids are ``doc_id/labels`` built from the heading path (``tianjin-2013/二/八``); bullets
and unnumbered paragraphs use their lead phrase, so edits elsewhere never change an id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .records import Chunk, Document
from .settings import Settings
from .targets import extract_targets, extract_unit_roles, extract_units

CHUNKER_VERSION = "1"

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUM = "一二三四五六七八九十"

# rank: smaller is higher in the hierarchy
_MARKER_PATTERNS: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("cn", 1, re.compile(rf"(?<![{_CN_NUM}百零〇第])([{_CN_NUM}]{{1,3}})、")),
    ("cn_paren", 2, re.compile(rf"（([{_CN_NUM}]{{1,4}})）")),
    ("arabic", 3, re.compile(r"(?<![\d.%])(\d{1,2})[.、](?![\d%])")),
    ("arabic_paren", 4, re.compile(r"（(\d{1,2})）")),
    ("dash", 5, re.compile(r"(?m)^[ \t]*(——)")),
)
_SENTENCE_END = "。；！？"
_BOUNDARY_BEFORE = "。；！？：）」”\n"
# Section words that end a run-on top-level heading such as 一、总体要求认真贯彻…
_SECTION_WORDS = (
    "总体要求", "指导思想", "基本原则", "总体思路", "主要目标", "工作目标", "发展目标", "试点主题",
    "重点任务", "主要任务", "工作任务", "工作步骤", "实施步骤", "进度安排", "保障措施", "组织保障",
    "工作措施", "主要措施", "组织实施", "工作要求",
)  # fmt: skip
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


def cn_to_int(numeral: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 三十二 → 32."""
    if "十" not in numeral:
        return _CN_DIGITS.get(numeral, 0)
    tens, _, ones = numeral.partition("十")
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


@dataclass
class _Marker:
    pos: int
    end: int
    kind: str
    rank: int
    number: int
    label: str
    line_start: bool


@dataclass
class _Node:
    marker: _Marker | None  # None for the document root
    parent: _Node | None
    title: str = ""
    title_end: int = 0  # where the heading text (plus its 。) ends
    start: int = 0
    end: int = 0  # own span: up to the next accepted marker
    label: str = ""
    children: list[_Node] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1

    def ancestors(self) -> list[_Node]:
        """Heading nodes from the top down to this node's parent (root excluded)."""
        out: list[_Node] = []
        node = self.parent
        while node is not None and node.parent is not None:
            out.append(node)
            node = node.parent
        return out[::-1]


@dataclass
class _Unit:
    start: int
    end: int
    node: _Node
    context: bool  # joins the next chunk (heading, short fragment)
    paragraph_mode: bool
    notice: bool = False


# ------------------------------------------------------------------ markers


def _candidates(text: str, begin: int) -> list[_Marker]:
    found: list[_Marker] = []
    for kind, rank, pattern in _MARKER_PATTERNS:
        for m in pattern.finditer(text, begin):
            raw = m.group(1)
            if kind == "dash":
                number, label = 0, ""
            elif kind in ("cn", "cn_paren"):
                number, label = cn_to_int(raw), raw
            else:
                number = int(raw)
                label = raw if kind == "arabic" else f"({raw})"
            pos = m.start(1) if kind == "dash" else m.start()
            if kind == "cn_paren" or kind == "arabic_paren":
                pos = m.start()
            line_start = text[text.rfind("\n", 0, pos) + 1 : pos].strip() == ""
            found.append(_Marker(pos, m.end(), kind, rank, number, label, line_start))
    found.sort(key=lambda mk: (mk.pos, mk.rank))
    return found


def _accept_markers(text: str, begin: int) -> list[_Marker]:
    """Keep the candidates that are real headings (see module docstring)."""
    accepted: list[_Marker] = []
    last_number: dict[str, int] = {}
    reset: dict[str, bool] = {}
    for mk in _candidates(text, begin):
        if accepted and mk.pos < accepted[-1].end:
            continue  # overlaps the previous marker
        if not mk.line_start:
            if mk.kind == "dash":
                continue
            prev_last = last_number.get(mk.kind, 0)
            in_sequence = mk.number == prev_last + 1 or (mk.number == 1 and reset.get(mk.kind, True))
            if not in_sequence:
                continue
            before = text[: mk.pos].rstrip(" \t")
            boundary = not before or before[-1] in _BOUNDARY_BEFORE
            if not boundary and accepted:
                prev = accepted[-1]
                gap = text[prev.end : mk.pos]
                boundary = prev.rank < mk.rank and len(gap) <= 30 and "。" not in gap
            if not boundary:
                continue
        accepted.append(mk)
        last_number[mk.kind] = mk.number
        reset[mk.kind] = False
        for kind, rank, _ in _MARKER_PATTERNS:
            if rank > mk.rank:
                reset[kind] = True
    return accepted


# ------------------------------------------------------------------ tree


def _heading_title(text: str, mk: _Marker, limit: int) -> tuple[str, int]:
    """The heading text after a marker and where it ends (after its 。 if any)."""
    start = mk.end
    while start < limit and text[start] in " \t\n":
        start += 1
    if mk.kind == "cn" and not mk.line_start:
        for word in _SECTION_WORDS:
            if text.startswith(word, start):
                return word, start + len(word)
    end = start
    while end < limit and text[end] not in _SENTENCE_END + "\n":
        end += 1
    title = text[start:end].strip(" ：:")
    if end < limit and text[end] in _SENTENCE_END:
        end += 1
    return title, end


def _build_tree(text: str, body_start: int, markers: list[_Marker]) -> list[_Node]:
    """Nodes in document order; node 0 is the root (the preamble)."""
    root = _Node(marker=None, parent=None, start=body_start, title_end=body_start)
    nodes = [root]
    stack = [root]
    for i, mk in enumerate(markers):
        limit = markers[i + 1].pos if i + 1 < len(markers) else len(text)
        while len(stack) > 1 and stack[-1].marker is not None and stack[-1].marker.rank >= mk.rank:
            stack.pop()
        title, title_end = _heading_title(text, mk, limit)
        node = _Node(marker=mk, parent=stack[-1], title=title, title_end=title_end, start=mk.pos)
        node.label = mk.label or _id_component(title)
        stack[-1].children.append(node)
        stack.append(node)
        nodes.append(node)
    for i, node in enumerate(nodes):
        node.end = nodes[i + 1].start if i + 1 < len(nodes) else len(text)
    return nodes


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


def find_body_start(text: str, title: str) -> int:
    """Where the plan proper starts: after a covering notice (关于印发…的通知) if there is one."""
    if not title or "通知" not in text[:200]:
        return 0
    first_heading = re.search(rf"(?m)^[{_CN_NUM}]{{1,3}}、|[。）][{_CN_NUM}]{{1,3}}、", text)
    limit = first_heading.start() if first_heading else len(text)
    best = 0
    for m in re.finditer(re.escape(title), text[:limit]):
        before = text[max(0, m.start() - 2) : m.start()]
        if m.start() > 0 and not before.endswith(("《", "印发")):
            best = m.start()
    return best


# ------------------------------------------------------------------ units → chunks


def _units(text: str, nodes: list[_Node], body_start: int, settings: Settings) -> list[_Unit]:
    units: list[_Unit] = []
    if body_start > 0:
        s, e = _strip_span(text, 0, body_start)
        if s < e:
            units.append(_Unit(s, e, nodes[0], context=False, paragraph_mode=True, notice=True))
    for node in nodes:
        paragraph_mode = node.depth <= 1
        if paragraph_mode:
            pos = node.start
            if node.marker is not None:
                # the heading line itself (to its line end) is the first piece
                line_end = text.find("\n", node.title_end)
                line_end = node.end if line_end == -1 or line_end > node.end else line_end
                s, e = _strip_span(text, node.start, line_end)
                if s < e:
                    own = text[node.title_end : e].strip()
                    units.append(_Unit(s, e, node, context=not own, paragraph_mode=True))
                pos = line_end
            for m in re.finditer(r"[^\n]+", text[pos : node.end]):
                s, e = _strip_span(text, pos + m.start(), pos + m.end())
                if s < e:
                    context = _is_heading_like(text[s:e], settings.min_chunk_chars)
                    units.append(_Unit(s, e, node, context=context, paragraph_mode=True))
        else:
            s, e = _strip_span(text, node.start, node.end)
            if s < e:
                own = text[node.title_end : e].strip()
                units.append(_Unit(s, e, node, context=not own, paragraph_mode=False))
    return units


def _group(units: list[_Unit]) -> list[tuple[int, int, _Unit]]:
    """Merge context units into the chunk they introduce; returns (start, end, main unit)."""
    groups: list[list] = []  # [start, end, main]
    pending: int | None = None
    for i, unit in enumerate(units):
        if not unit.context:
            start = pending if pending is not None else unit.start
            groups.append([start, unit.end, unit])
            pending = None
            continue
        is_heading = unit.node.marker is not None and unit.start == unit.node.start
        nxt = next((u for u in units[i + 1 :] if not u.context), None)
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
    if unit.paragraph_mode and (re.match(r"^到\d{4}年", body) or _GOALS_LEAD.search(lead_phrase(body))):
        return "goals"
    if not section:
        return "preamble" if unit.node.parent is None else "task"
    if len(section[0]) <= 12:  # a section-type heading such as 保障措施, not a long task heading
        for word, kind in _KIND_RULES:
            if word in section[0]:
                return kind
    return "task"


def _split_long(text: str, start: int, end: int, settings: Settings) -> list[tuple[int, int]]:
    """Split [start, end) at sentence ends into parts of at most ``max_chunk_chars``."""
    if end - start <= settings.max_chunk_chars:
        return [(start, end)]
    cuts = [m.end() for m in re.finditer(rf"[{_SENTENCE_END}\n]", text[start:end])]
    parts: list[tuple[int, int]] = []
    part_start = 0
    last_cut = 0
    for cut in cuts:
        if cut - part_start > settings.max_chunk_chars and last_cut > part_start:
            parts.append((part_start, last_cut))
            part_start = last_cut
        last_cut = cut
    parts.append((part_start, end - start))
    if len(parts) > 1 and parts[-1][1] - parts[-1][0] < settings.min_chunk_chars:
        tail = parts.pop()
        parts[-1] = (parts[-1][0], tail[1])
    out = []
    for s, e in parts:
        s, e = _strip_span(text, start + s, start + e)
        if s < e:
            out.append((s, e))
    return out


def chunk_document(doc: Document, settings: Settings | None = None) -> list[Chunk]:
    """Split one document's cleaned text into task-level chunks carrying its metadata."""
    settings = settings or Settings()
    text, meta = doc.text, doc
    if not text.strip():
        return []
    body_start = find_body_start(text, meta.title)
    nodes = _build_tree(text, body_start, _accept_markers(text, body_start))
    chunks: list[Chunk] = []
    seen_ids: dict[str, int] = {}
    for start, end, unit in _group(_units(text, nodes, body_start, settings)):
        node = unit.node
        heads = [n for n in node.ancestors()]
        if unit.paragraph_mode and node.marker is not None:
            heads.append(node)
        section = [n.title for n in heads]
        body_from = node.title_end if unit.start == node.start and node.marker is not None else unit.start
        body = text[body_from : unit.end]
        if unit.notice:
            title, path = lead_phrase(text[unit.start : unit.end], 40), ["notice"]
        elif unit.paragraph_mode:
            title = lead_phrase(body) or node.title
            path = [n.label for n in heads] + [_id_component(title)]
            if node.parent is None:
                path = ["preamble", *path]
        else:
            title = node.title or lead_phrase(body)
            path = [n.label for n in heads] + [node.label]
        base_id = "/".join([meta.doc_id, *path])
        seen_ids[base_id] = seen_ids.get(base_id, 0) + 1
        if seen_ids[base_id] > 1:
            base_id = f"{base_id}~{seen_ids[base_id]}"
        kind = _kind(unit, body.strip(), section)
        units = extract_units(text[start:end])
        for part, (s, e) in enumerate(_split_long(text, start, end, settings), start=1):
            part_text = text[s:e]
            chunks.append(
                Chunk(
                    chunk_id=base_id if part == 1 else f"{base_id}#{part}",
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
                    unit_roles=extract_unit_roles(text[start:end]),
                    targets=extract_targets(part_text),
                    kind=kind,
                    start=s,
                    end=e,
                    part=part,
                )
            )
    return chunks


def check_coverage(doc_text: str, chunks: list[Chunk]) -> list[str]:
    """Problems with how chunks cover the text (empty when every character is in one chunk)."""
    problems: list[str] = []
    pos = 0
    for c in sorted(chunks, key=lambda c: c.start):
        if c.start < pos:
            problems.append(f"{c.chunk_id} overlaps the previous chunk")
        elif doc_text[pos : c.start].strip():
            problems.append(f"text before {c.chunk_id} is in no chunk: {doc_text[pos : c.start][:40]!r}")
        if doc_text[c.start : c.end] != c.text:
            problems.append(f"{c.chunk_id} text does not match its offsets")
        pos = max(pos, c.end)
    if doc_text[pos:].strip():
        problems.append(f"trailing text is in no chunk: {doc_text[pos:][:40]!r}")
    return problems

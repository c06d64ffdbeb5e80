"""Text → outline: the parts of a file, each part's layout, and its tree of headings.

A file may hold several documents (a covering notice and its attachment, two notices): each is
a ``Part`` and numbering starts afresh in each, so no chunk spans a boundary. A part is either

- an **article** layout (regulations, 办法, 规定): 第X编 › 第X章 › 第X节 › 第X条. An article is
  the unit; （一） / 1. lists inside an article are its content, never headings; or
- a **plan** layout (plans, programmes, opinions, notices): 一、 › （一） › 1. › （1） › ① › ——.

A marker from ``grammar`` is a heading only where the document's own numbering confirms it: it
continues its family's sequence and sits at a line start or, in run-on text, right after a
sentence end, a closing bracket or a short heading. Everything here is one pass over the
candidates, linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .grammar import CN_NUM, LEGAL_FAMILIES, Marker, at_line_start, find_markers

_PLAN_FAMILIES = ("cn", "cn_paren", "arabic", "arabic_paren", "dash")
_INLINE_BOUNDARY = "。！？）」”\n"  # not ：；, after which a marker is an enumeration in a sentence
_LEGAL_BOUNDARY = "。；！？：）」”\n"
_SENTENCE_END = "。；！？"
_SHORT_GAP = 30  # a heading in run-on text is at most this long before its first child
# Section words that end a run-on top-level heading such as 一、总体要求认真贯彻…
_SECTION_WORDS = (
    "总体要求", "指导思想", "基本原则", "总体思路", "主要目标", "工作目标", "发展目标", "试点主题",
    "重点任务", "主要任务", "工作任务", "工作步骤", "实施步骤", "进度安排", "保障措施", "组织保障",
    "工作措施", "主要措施", "组织实施", "工作要求",
)  # fmt: skip
_DATE_LINE = re.compile(
    r"(?:(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月"
    r"\s*[\d一二三四五六七八九十]{1,3}\s*日"
)
_AFTER_SIGNATURE = re.compile(r"^(?:[（(]此件[^）)]{0,12}[）)]|附件\s*\d*\s*[：:]?|抄送.*|印发.*)$")
_ANNEX = re.compile(r"^附件\s*\d*\s*[：:]?\s*(.*)$")


@dataclass
class Node:
    """A heading (or the root of a part) and the span it owns up to the next heading."""

    marker: Marker | None  # None for a part's root
    parent: Node | None
    title: str = ""
    title_end: int = 0  # where the heading text (plus its 。) ends
    start: int = 0
    end: int = 0
    label: str = ""
    children: list[Node] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1

    def ancestors(self) -> list[Node]:
        """Heading nodes from the top down to this node's parent (root excluded)."""
        out: list[Node] = []
        node = self.parent
        while node is not None and node.parent is not None:
            out.append(node)
            node = node.parent
        return out[::-1]

    @property
    def heading(self) -> str:
        """The heading as printed in a section path: 第一章 总则 for legal headings, else the title."""
        if self.marker is not None and self.marker.family in LEGAL_FAMILIES:
            return f"{self.label} {self.title}".strip()
        return self.title


@dataclass(frozen=True)
class Part:
    """One document inside a file: [start, end) of the text, its layout and id prefix."""

    start: int
    end: int
    notice: bool  # a covering notice followed by what it issues
    prefix: str  # "" for the main document, "notice", "附件2" …


# ------------------------------------------------------------------ parts


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    while pos < end:
        nl = text.find("\n", pos, end)
        nl = end if nl == -1 else nl
        s, e = pos, nl
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
        pos = nl + 1
    return out


def is_title_line(line: str, doc_types: tuple[str, ...]) -> bool:
    """A document title: short, no sentence inside, ends with a document type (意见, 条例 …)."""
    core = re.sub(r"[（(][^（）()]{1,20}[）)]$", "", line).strip()
    return 4 <= len(core) <= 80 and not any(ch in core for ch in _SENTENCE_END) and core.endswith(doc_types)


def split_parts(text: str, doc_types: tuple[str, ...]) -> list[Part]:
    """Documents inside one file, split after a signature date line (or at an 附件 line) that is
    followed by a new title."""
    lines = _lines(text, 0, len(text))
    cuts: list[int] = []
    for i, (s, e) in enumerate(lines):
        line = text[s:e]
        date = _DATE_LINE.fullmatch(line) is not None
        annex = _ANNEX.match(line)
        if not date and not annex:
            continue
        j = i + 1
        if date:
            while j < len(lines) and _AFTER_SIGNATURE.match(text[lines[j][0] : lines[j][1]]):
                j += 1
        if annex and annex.group(1) and is_title_line(annex.group(1), doc_types) and i > 0:
            cut = s
        elif j < len(lines) and is_title_line(text[lines[j][0] : lines[j][1]], doc_types):
            cut = lines[j][0] if date else s
        else:
            continue
        if (not cuts or cut > cuts[-1]) and cut > 0:
            cuts.append(cut)
    bounds = [0, *cuts, len(text)]
    parts: list[Part] = []
    body = 0
    for k in range(len(bounds) - 1):
        s, e = bounds[k], bounds[k + 1]
        head = text[s : min(e, s + 300)]
        notice = k == 0 and len(bounds) > 2 and bool(re.search(r"印发|通知|转发", head))
        if notice:
            prefix = "notice"
        else:
            body += 1
            prefix = "" if body == 1 else f"附件{body}"
        parts.append(Part(s, e, notice, prefix))
    return parts


def find_body_start(text: str, title: str) -> int:
    """Where a document starts after a covering notice run into it (关于印发X的通知 … X为加快…):
    the last place before the first 一、 heading where the issued title recurs, not in 《》."""
    if not title or not re.search(r"(?:印发|转发).{0,80}通知", text[:300]):
        return 0
    inner = re.search(r"《([^》]{4,80})》|印发(.{4,80}?)的通知", title)
    names = [g for g in (inner.groups() if inner else ()) if g] or [title]
    first_heading = re.search(rf"(?m)^[{CN_NUM}]{{1,3}}、|[。）][{CN_NUM}]{{1,3}}、", text)
    limit = first_heading.start() if first_heading else len(text)
    best = 0
    for name in names:
        for m in re.finditer(re.escape(name), text[:limit]):
            before = text[max(0, m.start() - 2) : m.start()]
            line = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
            quoted = line.rfind("《") > line.rfind("》")  # 《示范市2030年示范细则》 names it
            if m.start() > 0 and not before.endswith(("《", "印发")) and not quoted:
                best = max(best, m.start())
    return best


# ------------------------------------------------------------------ markers


def _boundary(text: str, pos: int, chars: str, floor: int) -> bool:
    """Only spaces between ``pos`` and one of ``chars`` (or the part start); two or more spaces
    count as a boundary too: crawlers flatten paragraph breaks into runs of (ideographic) spaces."""
    i = pos - 1
    while i >= floor and text[i] in " \t\u3000":
        i -= 1
    return i < floor or text[i] in chars or pos - 1 - i >= 2


def legal_markers(text: str, start: int, end: int) -> list[Marker]:
    """Accepted 编/章/节/条 headings of a part (empty when it has fewer than three articles)."""
    cands = find_markers(text, LEGAL_FAMILIES, start, end)
    expected = {name: 1 for name in LEGAL_FAMILIES}
    accepted: list[Marker] = []
    for i, mk in enumerate(cands):
        if accepted and mk.pos < accepted[-1].end:
            continue
        exp = expected[mk.family]
        if (
            mk.number == 1 < exp
            and mk.family != "article"
            and not any(m.family == "article" for m in accepted)
        ):
            # the headings so far were a table of contents (第一章 … 第五章, then 第一章 again)
            accepted.clear()
            expected = {name: 1 for name in LEGAL_FAMILIES}
            exp = 1
        if mk.number != exp:
            continue
        ok = at_line_start(text, mk.pos) or _boundary(text, mk.pos, _LEGAL_BOUNDARY, start)
        if not ok and accepted:  # run-on: right after a short heading (第一章 总则第一条)
            prev = accepted[-1]
            gap = text[prev.end : mk.pos]
            ok = prev.rank < mk.rank and len(gap) <= _SHORT_GAP and not any(c in gap for c in _SENTENCE_END)
        if not ok and mk.family != "article":  # a heading whose first child follows closely
            nxt = next((c for c in cands[i + 1 : i + 4] if c.family == "article"), None)
            gap = text[mk.end : nxt.pos] if nxt else "。"
            ok = (
                nxt is not None
                and nxt.number == expected["article"]
                and len(gap) <= _SHORT_GAP
                and not any(c in gap for c in _SENTENCE_END)
            )
        if not ok:
            continue
        accepted.append(mk)
        expected[mk.family] = exp + 1
        if mk.family == "chapter":
            expected["section"] = 1
        if mk.family == "part":
            expected["chapter"] = expected["chapter"]  # chapters run on through parts
    if sum(m.family == "article" for m in accepted) < 3:
        return []
    return accepted


def plan_markers(text: str, start: int, end: int) -> list[Marker]:
    """Accepted 一、 / （一） / 1. / （1） / —— headings of a plan-layout part."""
    accepted: list[Marker] = []
    last: dict[str, int] = {}
    reset: dict[str, bool] = {}
    ranks = {mk: i for i, mk in enumerate(_PLAN_FAMILIES)}
    for mk in find_markers(text, _PLAN_FAMILIES, start, end):
        if accepted and mk.pos < accepted[-1].end:
            continue
        if not at_line_start(text, mk.pos):
            if mk.family == "dash":
                continue
            in_sequence = mk.number == last.get(mk.family, 0) + 1 or (
                mk.number == 1 and reset.get(mk.family, True)
            )
            if not in_sequence:
                continue
            chars = _INLINE_BOUNDARY + "：" if mk.family == "cn" else _INLINE_BOUNDARY  # 现批复如下：一、
            boundary = _boundary(text, mk.pos, chars, start)
            if not boundary and accepted:
                prev = accepted[-1]
                gap = text[prev.end : mk.pos]
                short = len(gap) <= _SHORT_GAP and not any(ch in gap for ch in "。，：；\n")
                boundary = ranks[prev.family] < ranks[mk.family] and short
            if not boundary:
                continue
        accepted.append(mk)
        last[mk.family] = mk.number
        reset[mk.family] = False
        for fam in _PLAN_FAMILIES:
            if ranks[fam] > ranks[mk.family]:
                reset[fam] = True
    return accepted


# ------------------------------------------------------------------ tree


def _heading_title(text: str, mk: Marker, limit: int) -> tuple[str, int]:
    """The heading text after a marker and where it ends (after its 。 if any)."""
    start = mk.end
    while start < limit and text[start] in " \t\u3000\n":
        start += 1
    if mk.family == "cn" and not at_line_start(text, mk.pos):
        for word in _SECTION_WORDS:
            if text.startswith(word, start):
                return word, start + len(word)
    stops = "\n" if mk.family in LEGAL_FAMILIES and mk.family != "article" else _SENTENCE_END + "\n"
    end = start
    while end < limit and text[end] not in stops:
        end += 1
    title = text[start:end].strip(" \t\u3000：:")
    if mk.family in LEGAL_FAMILIES and mk.family != "article":
        title = re.sub(r"\s+", " ", title)
        title = title.replace(" ", "") if re.fullmatch(r"(?:\S ){1,4}\S", title) else title  # 总 则
    if end < limit and text[end] in _SENTENCE_END:
        end += 1
    return title, end


def build_tree(text: str, part: Part, markers: list[Marker], label_of) -> list[Node]:
    """Nodes of one part in document order; node 0 is the part's root."""
    root = Node(marker=None, parent=None, start=part.start, title_end=part.start)
    nodes = [root]
    stack = [root]
    for i, mk in enumerate(markers):
        limit = markers[i + 1].pos if i + 1 < len(markers) else part.end
        while len(stack) > 1 and stack[-1].marker is not None and stack[-1].marker.rank >= mk.rank:
            stack.pop()
        title, title_end = _heading_title(text, mk, limit)
        node = Node(marker=mk, parent=stack[-1], title=title, title_end=title_end, start=mk.pos)
        node.label = mk.label or label_of(title)
        stack[-1].children.append(node)
        stack.append(node)
        nodes.append(node)
    for i, node in enumerate(nodes):
        node.end = nodes[i + 1].start if i + 1 < len(nodes) else part.end
    return nodes


__all__ = ["CN_NUM", "Node", "Part", "build_tree", "legal_markers", "plan_markers", "split_parts"]

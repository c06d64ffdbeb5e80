"""HTML for the page: highlighting (escape first, then mark), result cards, citations, the
section context view, the answer panel and the comparison table. All corpus and user text is
escaped before any markup is added."""

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from ..records import Chunk
from ..search.retrieval import Hit

log = logging.getLogger("policy_search.ui")


# ------------------------------------------------------------------ highlighting


def common_terms(terms: Iterable[str], texts: Sequence[str], max_share: float = 0.6) -> frozenset[str]:
    """The terms found in more than ``max_share`` of ``texts`` (lower-cased chunk texts): 知识产权 …

    Marking those would colour nearly every line, so highlighting leaves them out.
    """
    if not texts:
        return frozenset()
    limit = max_share * len(texts)
    return frozenset(t for t in set(terms) if t and sum(t.lower() in x for x in texts) > limit)


def highlight_terms(terms: Sequence[str], common: Iterable[str] = ()) -> list[str]:
    """The matched terms worth marking: not the ``common`` ones, no lone characters, longest first.

    If every term would be dropped, all are kept so something is still marked.
    """
    terms = [t for t in dict.fromkeys(t for t in terms if t and t.strip())]
    if not terms:
        return []
    kept = [t for t in terms if len(t) > 1] or terms
    common = set(common)
    kept = [t for t in kept if t not in common] or kept
    return sorted(kept, key=lambda t: (-len(t), t))


def _spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Merged [start, end) spans of every (overlapping, case-insensitive) occurrence."""
    spans = []
    for term in terms:
        if not term:
            continue
        for m in re.finditer(f"(?=({re.escape(term)}))", text, re.IGNORECASE):
            spans.append((m.start(1), m.end(1)))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def render_text(text: str, terms: Iterable[str] = (), targets: Iterable[tuple[int, int]] = ()) -> str:
    """HTML for ``text``: escaped, matched terms in <mark>, target spans in <strong>.

    Works on runs of characters with the same marking, so overlapping terms and targets
    always give well-formed HTML, and markup never lands inside an escaped entity.
    """
    n = len(text)
    marked = [False] * (n + 1)
    target = [False] * (n + 1)
    for s, e in _spans(text, terms):
        for i in range(s, e):
            marked[i] = True
    for s, e in targets:
        for i in range(max(0, s), min(n, e)):
            target[i] = True
    out = []
    i = 0
    while i < n:
        j = i
        while j < n and marked[j] == marked[i] and target[j] == target[i]:
            j += 1
        piece = escape(text[i:j])
        if marked[i]:
            piece = f"<mark>{piece}</mark>"
        if target[i]:
            piece = f'<strong class="ps-tgt">{piece}</strong>'
        out.append(piece)
        i = j
    return "".join(out)


def highlight(text: str, terms: Iterable[str]) -> str:
    """Escape ``text`` and wrap each occurrence of ``terms`` in <mark> (overlaps merged)."""
    return render_text(text, terms)


# ------------------------------------------------------------------ cards


def section_path(chunk: Chunk) -> str:
    return " › ".join(p for p in chunk.section if p)


def task_title(chunk: Chunk) -> str:
    if chunk.title:
        return chunk.title
    text = " ".join(chunk.text.split())
    return text[:30] + ("…" if len(text) > 30 else "")


def plan_source(chunk: Chunk, doc: Mapping[str, Any] | None = None) -> str:
    """（issuer，文号，date）of a plan, from the chunk and, when known, its document's metadata."""
    doc = doc or {}
    bits = [doc.get("issuer") or chunk.issuer, doc.get("doc_number", ""), doc.get("published", "")]
    bits = [" ".join(str(b).split()) for b in bits if b]
    return f"（{'，'.join(bits)}）" if bits else ""


def citation(chunk: Chunk, doc: Mapping[str, Any] | None = None) -> str:
    """One line to paste into a report: 《plan》（issuer，文号，date） · section › path · task."""
    parts = [f"《{chunk.plan_title or chunk.doc_id}》{plan_source(chunk, doc)}"]
    if section_path(chunk):
        parts.append(section_path(chunk))
    title = task_title(chunk)
    if title and title not in chunk.section:
        parts.append(title + (f"（第{chunk.part}部分）" if chunk.part > 1 else ""))
    return " · ".join(" ".join(p.split()) for p in parts)


def target_label(t: Any) -> str:
    label = t.text if not t.indicator or t.indicator in t.text else f"{t.indicator} {t.text}"
    return f"{t.deadline} {label}" if t.deadline and t.deadline not in label else label


def export_target_label(t: Any) -> str:
    """Target label for exports: achievements (results already reached) are marked 已实现."""
    label = target_label(t)
    return f"[已实现] {label}" if getattr(t, "kind", "target") == "achievement" else label


def plan_meta(chunk: Chunk) -> str:
    parts = [chunk.issuer, chunk.region, chunk.level]  # 省 / 市 as in the filters, CSV and CLI
    parts.append(chunk.period or (str(chunk.year) if chunk.year else ""))
    return " · ".join(p for p in parts if p)


NOTHING_RELEVANT = "未找到相关内容"


def nothing_relevant(hits: Sequence[Hit]) -> bool:
    """True when there are hits but none reaches the calibrated relevance threshold."""
    return bool(hits) and not any(h.relevant for h in hits)


def relevance_percent(score: float) -> int:
    return round(100 * min(max(score, 0.0), 1.0))


def card_html(hit: Hit, terms: Sequence[str] | None = None) -> str:
    """One result card. ``terms`` defaults to the hit's matched terms."""
    c = hit.chunk
    terms = hit.matched_terms if terms is None else terms
    pct = relevance_percent(hit.relevance)  # the calibrated score, comparable across queries
    weak = "" if hit.relevant else '<span class="ps-weak">弱相关</span>'
    path = section_path(c)
    title = task_title(c)
    where = (f'<span class="ps-section">{escape(path)}</span> › ' if path else "") + (
        f'<span class="ps-task">{escape(title)}</span>'
    )
    rows = [
        f'<div class="ps-card" id="card-{hit.rank}" data-rank="{hit.rank}" data-doc="{escape(c.doc_id)}" '
        f'data-region="{escape(c.region)}">',
        '<div class="ps-head">',
        f'<span class="ps-rank">{hit.rank}</span>',
        '<div class="ps-headtext">',
        f'<div class="ps-plan">{escape(c.plan_title or c.doc_id)}</div>',
        f'<div class="ps-meta">{escape(plan_meta(c))}</div>',
        "</div>",
        f'<div class="ps-score" title="相关度 {hit.relevance:.2f}（排序分 {hit.score:.2f}）">'
        f'<div class="ps-bar"><span style="width:{pct}%"></span></div>'
        f'<span class="ps-score-num">{weak}相关度 {hit.relevance:.2f}</span></div>',
        "</div>",
        f'<div class="ps-path">{where}</div>',
    ]
    if c.units:
        tags = "".join(f'<span class="ps-tag">{escape(u)}</span>' for u in c.units)
        rows.append(f'<div class="ps-row"><span class="ps-label">责任单位</span>{tags}</div>')
    goals = [t for t in c.targets if getattr(t, "kind", "target") != "achievement"]
    done = [t for t in c.targets if getattr(t, "kind", "target") == "achievement"]
    if goals:
        chips = "".join(f'<span class="ps-goal">{escape(target_label(t))}</span>' for t in goals)
        rows.append(f'<div class="ps-row"><span class="ps-label">量化目标</span>{chips}</div>')
    if done:
        chips = "".join(f'<span class="ps-done">{escape(target_label(t))}</span>' for t in done)
        rows.append(f'<div class="ps-row"><span class="ps-label">已实现</span>{chips}</div>')
    body, skip = body_text(c)
    spans = [(t.start - skip, t.end - skip) for t in goals]
    rows.append(f'<div class="ps-text">{render_text(body, terms, spans)}</div>')
    if hit.boosts:
        why = "、".join(_boost_label(b) for b in hit.boosts)
        rows.append(f'<div class="ps-why">{escape(why)}</div>')
    rows.append(
        f'<div class="ps-open"><a href="{escape(document_link(c))}" target="_self">全文与原件 ›</a></div>'
    )
    rows.append("</div>")
    return "".join(rows)


def _boost_label(boost: str) -> str:
    kind, _, value = boost.partition(":")
    labels = {"region": f"检索词提到地区「{value}」", "year": f"检索词提到年份 {value}"}
    labels["unit"] = f"检索词提到责任单位「{value}」"
    return labels.get(kind, boost)


_NUMBERING = re.compile(r"^[（(]?[一二三四五六七八九十百零〇\d]{1,4}[)）、.．]?\s*")
_RULE_LINE = re.compile(r"^[\s—\-－─━_＿=＝~～·•]+$")


def body_text(chunk: Chunk) -> tuple[str, int]:
    """The chunk text as a card shows it, and how many leading characters were dropped: separator
    lines (「——」) and the section headings the card already shows in its path, when they open the
    text. Never drops everything."""
    headings = {h.strip().rstrip("。：:") for h in chunk.section if h.strip()}
    text, skip = chunk.text, 0
    while True:
        line, sep, rest = text.partition("\n")
        bare = _NUMBERING.sub("", line.strip()).rstrip("。：:")
        if not sep or not rest.strip() or not (_RULE_LINE.match(line) or bare in headings):
            return text, skip
        text, skip = rest, skip + len(line) + 1


# ------------------------------------------------------------------ context view


def section_chunks(chunks: Sequence[Chunk], chunk: Chunk) -> list[Chunk]:
    """All chunks of ``chunk``'s document that share its section path, in document order."""
    same = [c for c in chunks if c.doc_id == chunk.doc_id and c.section == chunk.section]
    if not any(c.chunk_id == chunk.chunk_id for c in same):
        same.append(chunk)
    return sorted(same, key=lambda c: (c.start, c.part))


def context_html(section: Sequence[Chunk], chunk: Chunk, terms: Sequence[str] = (), window: int = 12) -> str:
    """The whole section with ``chunk`` marked; very long sections show ``window`` items each side."""
    at = next((i for i, c in enumerate(section) if c.chunk_id == chunk.chunk_id), 0)
    lo, hi = max(0, at - window), min(len(section), at + window + 1)
    path = section_path(chunk) or "（未分节）"
    rows = [
        '<div class="ps-context">',
        f'<div class="ps-context-path">{escape(chunk.plan_title)} › {escape(path)}'
        f"（本节共 {len(section)} 条）</div>",
    ]
    if lo > 0:
        rows.append(f'<div class="ps-context-more">… 前面还有 {lo} 条</div>')
    for c in section[lo:hi]:
        if c.chunk_id == chunk.chunk_id:
            body, skip = body_text(c)
            spans = [(t.start - skip, t.end - skip) for t in c.targets]
            rows.append(
                '<div class="ps-context-item ps-context-hit"><span class="ps-here">本条</span>'
                f"{render_text(body, terms, spans)}</div>"
            )
        else:
            rows.append(f'<div class="ps-context-item">{escape(body_text(c)[0])}</div>')
    if hi < len(section):
        rows.append(f'<div class="ps-context-more">… 后面还有 {len(section) - hi} 条</div>')
    rows.append("</div>")
    return "".join(rows)


# ------------------------------------------------------------------ corpus page


def _card_link(chunk_id: str, rank_of: Mapping[str, int]) -> str:
    rank = rank_of.get(chunk_id)
    return f' <a class="ps-jump" href="#card-{rank}">→ 第{rank}条结果</a>' if rank else ""


def answer_html(result: Any, rank_of: Mapping[str, int]) -> str:
    """The answer panel: cited sentences with their targets emphasised, or a plain not-found.

    ``rank_of`` maps chunk ids to the rank of their result card, for the links.
    """
    if not result.found:
        return f'<div class="ps-answer ps-answer-none">{escape(result.message)}</div>'
    rows = ['<div class="ps-answer"><div class="ps-answer-head">回答（摘自原文）</div><ol>']
    for item in result.items:
        spans = [(t.start - item.start, t.end - item.start) for t in item.targets]
        where = " › ".join([*item.section, item.title])
        rows.append(
            f'<li><span class="ps-answer-text">{render_text(item.text, (), spans)}</span>'
            f'<div class="ps-answer-cite">—《{escape(item.plan_title)}》 · {escape(where)}'
            f"{_card_link(item.chunk_id, rank_of)}</div></li>"
        )
    rows.append("</ol>")
    if result.generated:
        rows.append(
            '<div class="ps-generated"><b>生成的概述</b>（仅依据上面的摘录）：'
            f"{escape(result.generated)}</div>"
        )
    if result.generation_error:
        rows.append(f'<div class="ps-why">生成回答不可用：{escape(result.generation_error)}</div>')
    rows.append("</div>")
    return "".join(rows)


def comparison_html(rows: Sequence[Any], rank_of: Mapping[str, int]) -> str:
    """One row per plan: its best task, the targets it sets on the topic, and a link to its card."""
    out = [
        '<table class="ps-compare"><thead><tr><th>规划</th><th>章节 › 任务</th><th>量化目标</th>'
        "<th>原文</th></tr></thead><tbody>"
    ]
    for row in rows:
        goals = (
            "".join(f'<span class="ps-goal">{escape(target_label(t))}</span> ' for t in row.targets) or "—"
        )
        where = " › ".join([*row.section, row.title])
        out.append(
            f"<tr><td><b>{escape(row.plan_title)}</b><br>"
            f'<span class="ps-meta">{escape(row.period)}</span></td>'
            f"<td>{escape(where)}{_card_link(row.chunk_id, rank_of)}</td><td>{goals}</td>"
            f"<td>{escape(row.text)}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def document_link(chunk: Chunk) -> str:
    """The page that shows a chunk's whole document with the chunk highlighted."""
    from urllib.parse import urlencode

    return "document?" + urlencode({"doc": chunk.doc_id, "chunk": chunk.chunk_id})

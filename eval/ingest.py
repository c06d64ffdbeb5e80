"""Score ingestion on a folder of real documents: structure (articles, items, junk chunks) and,
with a manifest, metadata.

    python eval/ingest.py FOLDER [--manifest FILE] [--markdown OUT.md]

Per document and in total:

- **articles whole**: 第X条 articles (found independently of the chunker: a 第X条 at a line
  start or after a sentence end, continuing the 第一条, 第二条 … sequence) that are exactly one
  chunk or the parts of one chunk — the chunk holds the whole article and no other article's
  start — and whose section path names the chapter (第X章) the article sits in;
- **items intact**: lines starting with an item marker (（一） 1. （1） ① —— 一、) outside
  articles that are neither cut by a chunk boundary (parts of one split chunk aside) nor merged
  into one chunk with a sibling item (same marker family, no higher-ranked marker between);
- **junk chunks**: chunks that are only navigation, a table of contents or a heading alone;
- **metadata** (``--manifest``): each field right, see ``eval/ingest_meta.py``.

The folder is an argument: the scoring never reads a fixed path, and nothing of the folder is
copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from policy_search.ingest.corpus import load_corpus  # noqa: E402
from policy_search.ingest.grammar import FAMILY, SENTENCE_END, line_marker  # noqa: E402
from policy_search.records import Chunk, Document  # noqa: E402

_ARTICLE = re.compile(r"第\s*([零〇一二三四五六七八九十百千两]{1,6}|\d{1,3})\s*[条條]")
_CHAPTER = re.compile(r"第\s*([零〇一二三四五六七八九十百千两]{1,6}|\d{1,3})\s*章")
_SECTION = re.compile(r"第\s*[零〇一二三四五六七八九十百]{1,4}\s*[节節](?=\s)")
_HEADS_ARTICLE = re.compile(r"\s*[^。；\n]{1,20}?第[零〇一二三四五六七八九十百]{1,6}条")
_ITEM_FAMILIES = ("cn", "cn_paren", "arabic", "arabic_paren", "circled", "dash")
_NAV_WORDS = ("首页", "返回", "打印", "关闭", "分享", "当前位置", "上一篇", "下一篇", "收藏", "网站地图")


def _numeral(raw: str) -> int:
    from policy_search.ingest.grammar import cn_to_int

    return int(raw) if raw.isdigit() else cn_to_int(raw)


def _boundary_before(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t\u3000":
        i -= 1
    if i < 0 or text[i] in "\n" + SENTENCE_END + "：:":
        return True
    if pos - i - 1 >= 2:
        return True  # run-on crawl: a paragraph keeps its two-character indent (…规定　　第十条)
    # run-on text: right after a short chapter heading (…。第一章 总则第一条)
    return (
        re.search(
            r"第\s*[零〇一二三四五六七八九十百]{1,4}\s*[章节][^。；\n]{0,20}$", text[max(0, pos - 25) : pos]
        )
        is not None
    )


def find_articles(text: str) -> list[tuple[int, int, str]]:
    """(start, end, chapter label) of each article, by the document's own numbering."""
    starts: list[int] = []
    expected = 1
    for m in _ARTICLE.finditer(text):
        n = _numeral(m.group(1))
        if n == expected and _boundary_before(text, m.start()):
            starts.append(m.start())
            expected += 1
    chapters: list[tuple[int, str]] = []
    expected = 1
    for m in _CHAPTER.finditer(text):
        heads_article = _HEADS_ARTICLE.match(text, m.end()) is not None  # 第一章 总则第一条 (run-on)
        if _numeral(m.group(1)) == expected and (_boundary_before(text, m.start()) or heads_article):
            chapters.append((m.start(), re.sub(r"\s+", "", m.group(0))))
            expected += 1
    if len(starts) < 3:
        return []
    sections = [m.start() for m in _SECTION.finditer(text) if _boundary_before(text, m.start())]
    stops = sorted({*starts, *(p for p, _ in chapters), *sections})
    out = []
    for s in starts:
        later = [p for p in stops if p > s]
        if later:
            end = later[0]
        else:  # the last article: up to the end of its line and the list items it introduces
            nl = text.find("\n", s)
            end = len(text) if nl == -1 else nl
            if text[max(s, end - 2) : end].rstrip().endswith(("：", ":")):
                end = _list_end(text, end)
        chapter = ""
        for pos, label in chapters:
            if pos < s:
                chapter = label
        out.append((s, end, chapter))
    return out


def _list_end(text: str, pos: int) -> int:
    """End of the run of list-item lines (（一） 1. （1）) from ``pos`` on (blank lines skipped)."""
    end = pos
    while pos < len(text):
        nl = text.find("\n", pos + 1)
        line_end = len(text) if nl == -1 else nl
        line = text[pos:line_end].strip()
        if line:
            mk = line_marker(line)
            if mk is None or mk.family not in ("cn_paren", "arabic", "arabic_paren", "circled"):
                break
            end = line_end
        pos = line_end
    return end


def _inline_sibling(line: str, ls: int, le: int, mk) -> int:
    """Where an item's line ends: its line end, or (run-on text) the next item of its family
    and number on that line after a sentence end (3.…。 4.…。 5.… is three items)."""
    from policy_search.ingest.grammar import match_at

    for m in re.finditer(rf"[{SENTENCE_END}]\s*", line):
        nxt = match_at(line, m.end(), (mk.family,))
        if nxt is not None and nxt.number == mk.number + 1:
            return ls + m.end()
    return le


def _base(chunk_id: str) -> str:
    return chunk_id.split("#", 1)[0]


@dataclass
class DocScore:
    doc: str
    articles: int = 0
    articles_ok: int = 0
    items: int = 0
    items_ok: int = 0
    chunks: int = 0
    junk: int = 0
    problems: list[str] = field(default_factory=list)


def _groups(chunks: list[Chunk]) -> dict[str, tuple[int, int]]:
    spans: dict[str, tuple[int, int]] = {}
    for c in chunks:
        b = _base(c.chunk_id)
        s, e = spans.get(b, (c.start, c.end))
        spans[b] = (min(s, c.start), max(e, c.end))
    return spans


def _holder(chunks: list[Chunk], pos: int) -> Chunk | None:
    for c in chunks:
        if c.start <= pos < c.end:
            return c
    return None


def _is_junk(c: Chunk) -> str:
    text = c.text.strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if "目录" in lines[:2] and len(lines) >= 3:
        return "contents"
    nav = sum(any(w in ln for w in _NAV_WORDS) or ln in (">", "》") for ln in lines)
    if lines and nav * 2 >= len(lines) and not any(ch in text for ch in SENTENCE_END):
        return "navigation"
    if len(lines) == 1 and len(text) <= 60 and not any(ch in text for ch in SENTENCE_END + "，："):
        mk = line_marker(text)
        # an article (第十九条 本办法自发布之日起施行) is content even without a full stop
        if (mk is not None and mk.family not in ("arabic", "article")) or text in c.section:
            return "heading"
    return ""


def score_document(doc: Document, chunks: list[Chunk]) -> DocScore:
    text = doc.text
    chunks = sorted(chunks, key=lambda c: c.start)
    score = DocScore(doc.path, chunks=len(chunks))
    groups = _groups(chunks)
    articles = find_articles(text)
    starts = [s for s, _, _ in articles]
    for s, e, chapter in articles:
        score.articles += 1
        holder = _holder(chunks, s)
        if holder is None:
            score.problems.append(f"article at {s} in no chunk")
            continue
        gs, ge = groups[_base(holder.chunk_id)]
        body_end = e
        while body_end > s and text[body_end - 1].isspace():
            body_end -= 1
        whole = gs <= s and ge >= body_end
        alone = not any(gs <= o < ge for o in starts if o != s)
        in_chapter = not chapter or any(chapter in re.sub(r"\s+", "", h) for h in holder.section)
        if whole and alone and in_chapter:
            score.articles_ok += 1
        else:
            why = "cut" if not whole else "merged" if not alone else f"not under {chapter}"
            score.problems.append(f"article {text[s : s + 8]!r}: {why} ({holder.chunk_id})")
    spans = [(s, e) for s, e, _ in articles]
    # item-marker lines outside articles
    lines: list[tuple[int, int, str, int]] = []  # start, end, family, rank
    pos = 0
    for line in text.split("\n"):
        ls, le = pos, pos + len(line)
        pos = le + 1
        mk = line_marker(line)
        if mk is None or (
            mk.family not in _ITEM_FAMILIES and mk.family not in ("chapter", "section", "part")
        ):
            continue
        if any(s <= ls < e for s, e in spans):
            continue
        lines.append((ls, _inline_sibling(line, ls, le, mk), mk.family, FAMILY[mk.family].rank))
    for i, (ls, le, fam, rank) in enumerate(lines):
        if fam not in _ITEM_FAMILIES:
            continue
        score.items += 1
        holder = _holder(chunks, ls)
        if holder is None:
            score.problems.append(f"item {text[ls : ls + 10]!r} in no chunk")
            continue
        base = _base(holder.chunk_id)
        gs, ge = groups[base]
        end = le
        while end > ls and text[end - 1].isspace():
            end -= 1
        cut = not (gs <= ls and end <= ge)
        merged = False
        for j in range(i + 1, len(lines)):  # the next sibling, if any, must be in another chunk
            ns, _, nfam, nrank = lines[j]
            if nrank < rank:
                break
            if nfam == fam:
                merged = gs <= ns < ge
                break
        for j in range(i - 1, -1, -1):  # and the previous one
            ps, _, pfam, prank = lines[j]
            if prank < rank:
                break
            if pfam == fam:
                merged = merged or gs <= ps < ge
                break
        if not cut and not merged:
            score.items_ok += 1
        else:
            why = "cut" if cut else "merged with a sibling"
            score.problems.append(f"item {text[ls : ls + 12]!r}: {why} ({holder.chunk_id})")
    for c in chunks:
        why = _is_junk(c)
        if why:
            score.junk += 1
            score.problems.append(f"junk chunk ({why}): {c.chunk_id} {c.text[:30]!r}")
    return score


def _pct(ok: int, n: int) -> str:
    return f"{ok}/{n} ({100 * ok / n:.0f}%)" if n else "–"


def structure_table(scores: list[DocScore]) -> str:
    rows = ["| document | chunks | articles whole | items intact | junk chunks |", "|---|---|---|---|---|"]
    for s in scores:
        rows.append(
            f"| {s.doc} | {s.chunks} | {_pct(s.articles_ok, s.articles)} | {_pct(s.items_ok, s.items)} "
            f"| {s.junk} |"
        )
    tot = DocScore("**total**")
    for s in scores:
        tot.chunks += s.chunks
        tot.articles += s.articles
        tot.articles_ok += s.articles_ok
        tot.items += s.items
        tot.items_ok += s.items_ok
        tot.junk += s.junk
    rows.append(
        f"| **total** ({len(scores)} documents) | {tot.chunks} | {_pct(tot.articles_ok, tot.articles)} "
        f"| {_pct(tot.items_ok, tot.items)} | {tot.junk} |"
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a folder of documents")
    parser.add_argument("--manifest", type=Path, help="manifest.json with the true metadata")
    parser.add_argument("--problems", action="store_true", help="list every miss")
    parser.add_argument("--json", action="store_true", help="print scores as JSON")
    args = parser.parse_args(argv)
    corpus = load_corpus(args.folder)
    scores = [score_document(d, corpus.chunks_of(d.doc_id)) for d in corpus.documents]
    if args.json:
        print(json.dumps([s.__dict__ for s in scores], ensure_ascii=False, indent=1))
    else:
        print(structure_table(scores))
    if args.problems:
        for s in scores:
            for p in s.problems:
                print(f"{s.doc}: {p}")
    if args.manifest:
        try:
            from ingest_meta import render, score_metadata
        except ImportError:
            print("metadata scoring is not available (eval/ingest_meta.py)", file=sys.stderr)
            return 0
        print()
        print(render(score_metadata(args.folder, args.manifest)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

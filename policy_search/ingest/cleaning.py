"""Remove web-page boilerplate from a captured policy text, then let ``repair`` re-join it.

Why: most of the corpus is captured from government web sites, so the policy comes wrapped in
breadcrumbs (当前位置：首页, >政务>政策文件>工作要点, or one item per line), page titles
(【…】-某某网站), page metadata (发布日期：… 浏览次数：3, or 来源： with its value on the next
line), share/print widgets (分享到 收藏本文), validity disclaimers (有效性：…), navigation labels
(政策, [ 打印 ]), site menus (runs of short link labels), related-link lists at the foot and
tables of contents (目录 followed by headings the body repeats). Left in, such lines become
chunks of their own, match queries about 政策 or 发布, and get in the way of heading detection.

The rules are conservative: a single line is removed only if it is short (at most
``MAX_BOILERPLATE_CHARS``) and one rule in ``RULES`` matches the *whole* line, so a content line
that merely starts with 》 or > is kept; blocks are removed only when all their lines are
short labels without a sentence. Nothing is silently lost: every non-whitespace character of
``normalize_char_width(raw)`` ends up either in the cleaned text or in exactly one ``Removed``
record, which carries the line number and the reason, so every drop can be audited.
"""

from __future__ import annotations

import itertools
import re

from policy_search.ingest.limits import LineSplit, split_line
from policy_search.ingest.normalize import normalize_char_width
from policy_search.ingest.repair import Line, noise_words, repair_lines, starts_paragraph
from policy_search.records import Removed

MAX_BOILERPLATE_CHARS = 120

# Keys of the metadata block printed above or below a policy on government sites. Rules run
# after ``normalize_char_width``, so the separator is always the full-width "：".
_META_KEYS = (
    "发布日期|发布时间|发文日期|成文日期|发布机构|发布部门|发文机关|发文字号|政策文号|文号"
    "|索引号|主题分类|信息来源|文章来源|来源|作者|责任编辑"
    "|浏览次数|阅读次数|访问次数|点击次数|点击数|点击量|阅读量|浏览量"
)
_COUNTER_KEYS = "浏览次数|阅读次数|访问次数|点击次数|点击数|点击量|阅读量|浏览量"
_META_PAIR = rf"(?:{_META_KEYS})\s*：[^。；]{{0,60}}?"  # key：short value without a sentence
_NO_SENTENCE = r"(?!.*。)"
_SEP = r"[ \t\xa0]*[>》›»＞][ \t\xa0]*"  # breadcrumb separators (》 of a 《书名》 is masked first)
_CRUMB = r"[^>》›»＞\s。；！？，、…]{1,20}"  # one breadcrumb item: a short label, no sentence
_CRUMB_PREFIX = r"(?:当前位置|您的位置|你的位置|您现在的位置|您所在的位置|您所在位置|所在位置)"
_WIDGET_WORDS = (
    r"分享到|分享|收藏本文|收藏|打印本页|打印|关闭窗口|关闭|【字体|字体|字号|大|中|小|默认"
    r"|扫一扫在手机(?:上)?(?:打开|查看|浏览)(?:当前页面?|本页)?|扫一扫|新浪微博|腾讯微博|微博|微信"
    r"|QQ空间|QQ|复制链接|[【】\[\]：|｜/、]"
)
_DASHES = "[-—–－]+"
_PAGE_NUMBER = (  # - 3 - / —12— / 第3页 / 第 3 页，共 10 页
    rf"{_DASHES}\s*\d{{1,4}}\s*{_DASHES}|第\s*\d{{1,4}}\s*页(?:\s*[，/]?\s*共\s*\d{{1,4}}\s*页)?"
)
# a widget line holds at least one of these
_WIDGET_SIGN = r"分享到|分享：|收藏本文|打印本页|关闭窗口|【字体|【打印|【关闭|字号|扫一扫"

# (pattern, reason), tried in order on each stripped line; the first pattern matching the
# whole line wins (``fullmatch``): a line that merely starts like boilerplate is kept.
RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(rf"{_CRUMB_PREFIX}\s*(?:(?:：|{_SEP})\s*(?:{_CRUMB}(?:{_SEP}{_CRUMB})*(?:{_SEP})?)?)?"),
        "breadcrumb",
    ),
    (re.compile(rf"(?:{_SEP})?{_CRUMB}(?:{_SEP}{_CRUMB}){{2,}}(?:{_SEP})?"), "breadcrumb"),
    (re.compile(rf"{_SEP}{_CRUMB}(?:{_SEP}{_CRUMB})+(?:{_SEP})?"), "breadcrumb"),
    (re.compile(rf"{_SEP}[^>》›»＞\s。；！？，、…\d.%]{{1,6}}(?:{_SEP})?|{_SEP}"), "breadcrumb"),
    # one breadcrumb item per line after a slash: / 政务公开 / 政策文件 (Chinese labels only, so a
    # table's /kWh cell stays)
    (re.compile(r"[/／]\s*[\u4e00-\u9fff]{2,10}"), "breadcrumb"),
    (re.compile(rf"(?:{_COUNTER_KEYS})\s*：\s*\d+\s*次?"), "view counter"),
    (re.compile(rf"{_META_PAIR}(?:[\s|｜/]*{_META_PAIR})*"), "page metadata"),
    (re.compile(r"(?:有效性|时效性)\s*：.{0,40}"), "validity disclaimer"),
    (
        re.compile(
            r"[\[【]?\s*(?:政策|首页|正文|返回|打印|关闭|返回顶部|返回首页|返回列表|打印本页|关闭窗口|分享|收藏)\s*[\]】]?"
        ),
        "navigation label",
    ),
    (re.compile(rf"(?=.*(?:{_WIDGET_SIGN}))(?:\s*(?:{_WIDGET_WORDS}))+\s*"), "share/print widget"),
    (re.compile(_PAGE_NUMBER), "page number"),
    # a site's footer: copyright, registration numbers, webmaster mailbox, browser advice
    (
        re.compile(
            r"(?=.*(?:版权所有|ICP备|ICP证|公网安备|网站标识码|网站识别码|Copyright|©))[^。；，]{0,120}"
            r"|(?:主办|承办|主办单位|承办单位|技术支持)\s*：[^。，；]{2,40}(?:\s+[^。，；]{2,40})?"
            r"|[^。，；\s]{0,20}(?:信箱|邮箱|E-?mail)\s*：?\s*[\w.\-]+@[\w.\-]+"
            r"|(?=.*您)(?=.*浏览器)[^。]{0,80}",
            re.IGNORECASE,
        ),
        "site footer",
    ),
    (re.compile(rf"(?:上一篇|下一篇|上一条|下一条)\s*：{_NO_SENTENCE}.{{0,100}}"), "navigation label"),
)
_INNER_PUNCT = frozenset("，。；：！？、")
_META_KEY_ONLY = re.compile(rf"(?:{_META_KEYS})\s*：")
_MAX_META_VALUE = 30
_ATTACHMENT_TAIL = re.compile(r"^附件\s*：?$")  # only when nothing follows it
_BOOK_TITLE = re.compile(r"《[^《》]*》")  # 《专利法》: its 》 is not a breadcrumb separator


def boilerplate_reason(line: str) -> str | None:
    """The reason ``line`` (normalised and stripped) is boilerplate, or None to keep it."""
    if not line or len(line) > MAX_BOILERPLATE_CHARS:
        return None
    masked = _BOOK_TITLE.sub("□", line)
    for pattern, reason in RULES:
        if pattern.fullmatch(masked):
            return reason
    return None


def clean_text(raw: str) -> tuple[str, tuple[Removed, ...]]:
    """``clean_text_limited`` without a line limit: ``(cleaned text, removed lines)``."""
    cleaned, removed, _ = clean_text_limited(raw, 0)
    return cleaned, removed


def clean_text_limited(
    raw: str, max_line_chars: int
) -> tuple[str, tuple[Removed, ...], tuple[LineSplit, ...]]:
    """Return ``(cleaned text, removed lines, long lines split)`` for a decoded source text.

    The text is put in canonical punctuation (``normalize_char_width``), split into lines
    (line numbers are 1-based, counted as ``str.splitlines`` does), each line is stripped and
    empty lines are dropped. Boilerplate lines (``boilerplate_reason``; the value line under a
    bare 来源： key), navigation blocks and tables of contents are moved into ``Removed``
    records; ``repair.repair_lines`` then re-joins flattened tables, lone numbers, PDF hard
    wraps and wrapped titles; a bare 附件： line left at the very end (its attachment was not
    captured) is removed too. Last, a line longer than ``max_line_chars`` (when > 0) is split at
    sentence ends, then clause punctuation, then hard (``limits.split_line``): after repair, so
    no re-joining undoes it. The cleaned text is the kept lines joined with "\\n".
    """
    lines: list[Line] = []
    blank = False
    for line_no, source_line in enumerate(normalize_char_width(raw).splitlines(), start=1):
        text = source_line.strip()
        if text:
            lines.append(Line(line_no, text, blank, boilerplate_reason(text)))
        blank = not text
    _mark_metadata_values(lines)
    _mark_navigation(lines)
    kept = [line for line in lines if not line.reason]
    _mark_table_of_contents(kept)
    removed = [Removed(line.no, line.text, line.reason) for line in lines if line.reason is not None]
    kept = repair_lines([line for line in kept if not line.reason])
    while kept and _ATTACHMENT_TAIL.match(kept[-1].text):
        line = kept.pop()
        removed.append(Removed(line_no=line.no, text=line.text, reason="empty attachment tail"))
    removed.sort(key=lambda record: record.line_no)
    splits: list[LineSplit] = []
    if max_line_chars > 0 and any(len(line.text) > max_line_chars for line in kept):
        kept, splits = _split_long_lines(kept, max_line_chars)
    return "\n".join(line.text for line in kept), tuple(removed), tuple(splits)


def _split_long_lines(lines: list[Line], limit: int) -> tuple[list[Line], list[LineSplit]]:
    out: list[Line] = []
    splits: list[LineSplit] = []
    for line in lines:
        if len(line.text) <= limit:
            out.append(line)
            continue
        pieces, worst = split_line(line.text, limit)
        splits.append(LineSplit(line.no, len(line.text), len(pieces), worst))
        out.extend(Line(line.no, piece, line.blank_before and k == 0) for k, piece in enumerate(pieces))
    return out, splits


def _mark_metadata_values(lines: list[Line]) -> None:
    """来源： alone on a line, its value (能源局) on the next: the value is page metadata too."""
    for key, value in itertools.pairwise(lines):
        if (
            key.reason == "page metadata"
            and _META_KEY_ONLY.fullmatch(key.text)
            and value.reason is None
            and len(value.text) <= _MAX_META_VALUE
            and not any(ch in "。；！？" for ch in value.text)
            and not starts_paragraph(value.text)
        ):
            value.reason = "page metadata"


# ---------------------------------------------------------------------------------------------
# Navigation blocks

_SEPARATOR_LINE = re.compile(r"[>》›»＞/|｜]{1,2}")
_PAGE_TITLE = re.compile(r"【[^【】]{4,200}】\s*[-—–_|｜]{1,2}\s*(?P<site>[^\s【】。；，]{2,40})")
_UNDERSCORE_TITLE = re.compile(r"[^_\s]{4,200}(?:_[^_\s。；，]{2,40}){1,3}")
_MAX_CRUMB = 15
_MAX_MENU_LABEL = 8
_MAX_LINK = 80


def _short_label(text: str, limit: int) -> bool:
    return (
        len(text) <= limit
        and not any(ch.isdigit() or ch in _INNER_PUNCT for ch in text)
        and not starts_paragraph(text)
    )


def _mark_navigation(lines: list[Line]) -> None:
    words = noise_words()
    for line in lines:
        if line.reason is None and _is_page_title(line.text, words["site_suffixes"]):
            line.reason = "page title"
    # breadcrumbs written one item per line: 首页 / > / 政务公开 / > / 政策
    for i, line in enumerate(lines):
        if line.reason not in (None, "breadcrumb") or not _SEPARATOR_LINE.fullmatch(line.text):
            continue
        line.reason = "breadcrumb"
        for j in (i - 1, i + 1):
            if 0 <= j < len(lines) and lines[j].reason is None and _short_label(lines[j].text, _MAX_CRUMB):
                lines[j].reason = "breadcrumb"
    _mark_menus(lines, frozenset(words["menu_labels"]))
    _mark_related_links(lines, frozenset(words["related_headings"]))


def _is_page_title(text: str, suffixes: tuple[str, ...]) -> bool:
    if len(text) > 250:
        return False
    match = _PAGE_TITLE.fullmatch(text)
    if match:
        return match.group("site").endswith(suffixes)
    match = _UNDERSCORE_TITLE.fullmatch(text)
    return match is not None and text.rsplit("_", 1)[1].endswith(("网", "网站", "门户", "门户网站"))


_NAVIGATION_REASONS = frozenset({"navigation label", "breadcrumb", "site menu"})


def _mark_menus(lines: list[Line], labels: frozenset[str]) -> None:
    """A run of 4+ short link labels, at least two of them (and a third of the run) known menu
    labels, is a site menu."""
    run: list[Line] = []
    for line in [*lines, Line(0, "。")]:  # the sentinel ends the last run
        menu_like = line.reason in _NAVIGATION_REASONS or (
            line.reason is None and _short_label(line.text, _MAX_MENU_LABEL)
        )
        if menu_like:
            run.append(line)
            continue
        known = sum(1 for item in run if item.text.strip("[]【】 ") in labels)
        if len(run) >= 4 and known >= 2 and 3 * known >= len(run):
            for item in run:
                item.reason = item.reason or "site menu"
        run = []


def _mark_related_links(lines: list[Line], headings: frozenset[str]) -> None:
    """相关链接 / 排行榜 … in the page foot, followed only by link lines (no sentence): removed."""
    start = None
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if line.reason is not None:
            continue
        if line.text.rstrip("：") in headings:
            start = i
        elif len(line.text) > _MAX_LINK or any(ch in "。；！？" for ch in line.text):
            break
    if start is not None:
        for line in lines[start:]:
            line.reason = line.reason or "related links"


# ---------------------------------------------------------------------------------------------
# Table of contents

_TOC_HEAD = re.compile(r"(?:目\s*录|目\s*次)\s*：?")
_TOC_PAGE = re.compile(r"(?:\s*[.·…．_-]{2,}\s*|\s+)\d{1,4}$")
_WHITESPACE = re.compile(r"\s+")
_MAX_TOC_LINE = 60


_LEADER = re.compile(r"[.·…．_-]{3,}")  # a dotted leader wrapped onto a line of its own
_TOC_TAIL = re.compile(r"[.·…．_-]{2,}\s*$")  # an entry's leader whose page number went elsewhere


def _toc_key(text: str) -> str:
    return _WHITESPACE.sub("", _TOC_TAIL.sub("", _TOC_PAGE.sub("", text)))


def _toc_heads(lines: list[Line]) -> list[int]:
    """Lines reading 目录/目次, also when a capture put its two characters on two lines."""
    heads = []
    for i, line in enumerate(lines):
        if _TOC_HEAD.fullmatch(line.text):
            heads.append(i)
        elif i + 1 < len(lines) and line.text + lines[i + 1].text in ("目录", "目次"):
            lines[i].reason = "table of contents"  # the first character; the second is the head
            heads.append(i + 1)
    return heads


def _toc_entry(text: str) -> bool:
    return (
        len(text) <= 60
        and text[-1] not in "。；！？"
        and (starts_paragraph(text) or bool(_TOC_PAGE.search(text)))
    )


def _mark_table_of_contents(lines: list[Line]) -> None:
    """A 目录 line and the heading lines after it that the body repeats are marked."""
    heads = _toc_heads(lines)
    if not heads:
        return
    last_seen: dict[str, int] = {}
    for i, line in enumerate(lines):
        if len(line.text) <= _MAX_TOC_LINE:  # a heading the contents list; keeps _TOC_PAGE linear
            last_seen[_toc_key(line.text)] = i
    for head in heads:
        keys: set[str] = set()
        end = head + 1
        while end < len(lines):
            text = lines[end].text
            if _LEADER.fullmatch(text):
                end += 1
                continue
            if not _toc_entry(text) or _toc_key(text) in keys:
                break
            keys.add(_toc_key(text))
            end += 1
        again = sum(1 for key in keys if last_seen.get(key, -1) >= end)
        if len(keys) >= 2 and 5 * again >= 3 * len(keys):
            for line in lines[head:end]:
                line.reason = "table of contents"
        elif (
            head > 0
            and lines[head - 1].reason == "table of contents"
            and not _TOC_HEAD.fullmatch(lines[head - 1].text)
        ):
            lines[head - 1].reason = None  # 目 / 录 read as a split head, but no contents follow

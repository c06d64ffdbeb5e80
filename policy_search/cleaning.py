"""Remove web-page boilerplate lines from a captured policy text.

Why: most of the corpus is captured from government web sites, so the policy comes wrapped in
breadcrumbs (当前位置：首页, >政务>政策文件>工作要点), page metadata (发布日期：… 浏览次数：3),
share/print widgets (分享到 收藏本文), validity disclaimers (有效性：…) and lone navigation
labels (政策). Left in, such lines become chunks of their own, match queries about 政策 or 发布,
and get in the way of heading detection.

The rules are conservative: a line is removed only if it is short (at most
``MAX_BOILERPLATE_CHARS``) and matches one rule in ``RULES``; no rule matches a line that holds
a sentence (。) of policy text. Nothing is silently lost: every non-whitespace character of
``normalize_char_width(raw)`` ends up either in the cleaned text or in exactly one ``Removed``
record, which carries the line number and the reason, so every drop can be audited.
"""

from __future__ import annotations

import itertools
import re

from policy_search.normalize import normalize_char_width
from policy_search.records import Removed
from policy_search.repair import Line, repair, starts_paragraph

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
_CRUMB_PREFIX = r"(?:当前位置|您的位置|你的位置|您现在的位置|所在位置)\s*：?\s*"
_WIDGET_WORDS = (
    r"分享到|收藏本文|收藏|打印本页|打印|关闭窗口|关闭|【字体|字体|字号|大|中|小|默认"
    r"|扫一扫在手机(?:上)?(?:打开|查看|浏览)(?:当前页面?|本页)?|扫一扫|新浪微博|腾讯微博|微博|微信"
    r"|QQ空间|QQ|复制链接|[【】\[\]：|｜/、]"
)
_WIDGET_SIGN = r"分享到|收藏本文|打印本页|关闭窗口|【字体|【打印|【关闭|字号|扫一扫"  # one must be there

# (pattern, reason), tried in order on each stripped line; the first pattern matching the
# whole line wins (``fullmatch``): a line that merely starts like boilerplate is kept.
RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"{_CRUMB_PREFIX}(?:(?:{_SEP})?{_CRUMB}(?:{_SEP}{_CRUMB})*(?:{_SEP})?)?"), "breadcrumb"),
    (re.compile(rf"(?:{_SEP})?{_CRUMB}(?:{_SEP}{_CRUMB}){{2,}}(?:{_SEP})?"), "breadcrumb"),
    (re.compile(rf"{_SEP}{_CRUMB}(?:{_SEP}{_CRUMB})+(?:{_SEP})?"), "breadcrumb"),
    (re.compile(rf"{_SEP}[^>》›»＞\s。；！？，、…\d.%]{{1,6}}(?:{_SEP})?|{_SEP}"), "breadcrumb"),
    (re.compile(rf"(?:{_COUNTER_KEYS})\s*：\s*\d+\s*次?"), "view counter"),
    (re.compile(rf"{_META_PAIR}(?:[\s|｜/]*{_META_PAIR})*"), "page metadata"),
    (re.compile(r"(?:有效性|时效性)\s*：.{0,40}"), "validity disclaimer"),
    (
        re.compile(
            r"[\[【]?\s*(?:政策|首页|正文|返回|打印|关闭|返回顶部|返回首页|返回列表|打印本页|关闭窗口)\s*[\]】]?"
        ),
        "navigation label",
    ),
    (re.compile(rf"(?=.*(?:{_WIDGET_SIGN}))(?:\s*(?:{_WIDGET_WORDS}))+\s*"), "share/print widget"),
    (re.compile(rf"(?:上一篇|下一篇|上一条|下一条)\s*：{_NO_SENTENCE}.{{0,100}}"), "navigation label"),
)
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
    """Return ``(cleaned text, removed lines)`` for a decoded source text.

    The text is put in canonical punctuation (``normalize_char_width``), split into lines
    (line numbers are 1-based, counted as ``str.splitlines`` does), each line is stripped and
    empty lines are dropped. Boilerplate lines (``boilerplate_reason``; the value line under a
    bare 来源： key) are moved into ``Removed`` records, then ``repair`` removes navigation
    blocks and tables of contents and re-joins flattened tables, lone numbers, PDF hard wraps
    and wrapped titles; a bare 附件： line left at the very end (its attachment was not
    captured) is removed too. The cleaned text is the kept lines joined with "\\n".
    """
    lines: list[Line] = []
    blank = False
    for line_no, source_line in enumerate(normalize_char_width(raw).splitlines(), start=1):
        text = source_line.strip()
        if text:
            lines.append(Line(line_no, text, blank, boilerplate_reason(text)))
        blank = not text
    _mark_metadata_values(lines)
    kept, removed = repair(lines)
    while kept and _ATTACHMENT_TAIL.match(kept[-1].text):
        line = kept.pop()
        removed.append(Removed(line_no=line.no, text=line.text, reason="empty attachment tail"))
    removed.sort(key=lambda record: record.line_no)
    return "\n".join(line.text for line in kept), tuple(removed)


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

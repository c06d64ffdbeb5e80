"""Signature blocks, labelled header values, document numbers and year cues.

A signature is one or more agency lines followed by a date that ends a line (Arabic or Chinese
numerals: 2020年3月5日, 二〇二〇年三月五日); labels are 发布部门：… / 成文日期：… in web
captures; a document's own 文号 stands on its own line or before its first sentence.
"""

from __future__ import annotations

import re

from .cnnum import CN_DATE_RE, cn_date
from .meta_text import (
    _BRACKET_NO_RE,
    _CUT,
    _DATE_RE,
    Found,
    Lines,
    _found,
    _head,
    _is_agency,
    _iso,
    agency_names,
    own_number_start,
    rules,
)

_TAIL_DATE_RE = re.compile(
    r"((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇○零OＯ一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)\s*"
    r"(?:[（(]此件[^）)]{0,12}[）)]\s*)?$"  # 2030年1月2日（此件公开发布）
)


def find_signature(lines: Lines) -> tuple[Found | None, Found | None]:
    """(issuer, date) of the first signature block: agency lines, then a date ending a line."""
    for i, line in enumerate(lines.simp):
        tail = line[-60:].rstrip()
        m = _TAIL_DATE_RE.search(tail)
        if not m:
            continue
        before = tail[: m.start()]
        if re.search(r"(?:日期|时间)\s*[：:]\s*$", before):
            continue  # a labelled date (发布日期：…) is no signature
        in_line = re.split(r"[。！；：]", line[: len(line) - len(tail) + m.start()])[-1]
        whitespace_gap = bool(re.search(r"\s{2,}$", before))
        if in_line.strip() and not _is_agency(in_line) and not whitespace_gap:
            continue
        if not in_line.strip() and _after_closing(lines, i):
            iso = cn_date(m.group(1)) if CN_DATE_RE.search(m.group(1)) else _iso(_DATE_RE.search(m.group(1)))  # type: ignore[arg-type]
            if iso:  # 特此通知。 / 2030年2月2日: a date with no agency line signed in
                return None, _found(lines, i, iso)
        raw_date = m.group(1)
        iso = cn_date(raw_date) if CN_DATE_RE.search(raw_date) else _iso(_DATE_RE.search(raw_date))  # type: ignore[arg-type]
        if not iso:
            continue
        names: list[str] = []
        first_line = i
        if in_line.strip() and _is_agency(in_line):
            names = agency_names(in_line)
        else:
            k = i - 1
            block: list[int] = []
            while k >= 0 and len(block) < 8:
                if not lines.simp[k].strip():
                    k -= 1
                    continue
                if not _is_agency(lines.simp[k]):
                    break
                block.insert(0, k)
                k -= 1
            for k in block:
                names.extend(agency_names(lines.simp[k]))
            first_line = block[0] if block else i
        seen = list(dict.fromkeys(names))
        issuer = _found(lines, first_line, "、".join(seen)) if seen else None
        return issuer, _found(lines, i, iso)
    return None, None


def _unbalanced(value: str) -> bool:
    """More closing than opening brackets."""
    return value.count("（") + value.count("(") < value.count("）") + value.count(")")


def _spaced(label: str) -> str:
    """A label as web pages spell it, also with spaces between its characters (发 布 机 构)."""
    return "[ \u3000]?".join(map(re.escape, label))


def _after_closing(lines: Lines, i: int) -> bool:
    """The line before ``i`` (blank lines skipped) is a closing formula: 特此通知。"""
    k = i - 1
    while k >= 0 and not lines.simp[k].strip():
        k -= 1
    return k >= 0 and bool(_CLOSING_RE.fullmatch(lines.simp[k].strip()))


_CLOSING_RE = re.compile(r"特此(?:通知|通告|公告|函告|批复|函复)。?")


def find_label(lines: Lines, labels: list[str]) -> Found | None:
    """The value after the first ``label：`` (same line, or the next line when empty)."""
    pat = re.compile(rf"(?:{'|'.join(map(_spaced, labels))})\s*：\s*([^\s：]*)")
    head = _head(lines)
    for pos, i in enumerate(head):
        m = pat.search(lines.simp[i][:_CUT])
        if m:
            value = m.group(1).strip()
            if value:
                end = m.end(1)
                # (发布日期：… 文号：样发〔2030〕7号): the bracket closes the label block, not the value
                while end > m.start(1) and lines.simp[i][end - 1] in ")）" and _unbalanced(value):
                    end -= 1
                    value = value[:-1]
                return _found(lines, i, lines.written(i, m.start(1), end).strip())
            # 发 布 机 构 ： / 示范市示范局: a capture put the value on the next line
            nxt = head[pos + 1] if pos + 1 < len(head) and not lines.simp[i][m.end() :].strip() else None
            if nxt is not None and 2 <= len(lines.simp[nxt].strip()) <= 40 and "：" not in lines.simp[nxt]:
                return _found(lines, nxt, lines.raw[nxt].strip())
    return None


def label_date(lines: Lines, labels: list[str]) -> Found | None:
    pat = re.compile(rf"(?:{'|'.join(map(_spaced, labels))})\s*：\s*")
    for i in _head(lines):
        m = pat.search(lines.simp[i][:_CUT])
        if m:
            d = _DATE_RE.match(lines.simp[i], m.end())
            if d and _iso(d):
                return _found(lines, i, _iso(d))
    return None


def find_number(lines: Lines) -> Found | None:
    """A 〔2023〕17号-style number that belongs to the document (not one it cites)."""
    seen_sentence = False
    for i in _head(lines):
        simp = lines.simp[i]
        first_stop = simp.find("。")
        for m in _BRACKET_NO_RE.finditer(simp[:_CUT] if seen_sentence else simp[: max(first_stop, _CUT)]):
            standalone = len(simp) < 80 and not re.sub(r"[\s（）()]", "", simp.replace(m.group(0), ""))
            cited = "》" in simp[max(0, m.start() - 2) : m.start()]
            before_body = not seen_sentence and (first_stop < 0 or m.start() < first_stop)
            if (standalone or before_body) and not cited:
                start = own_number_start(simp, m)
                return _found(lines, i, lines.written(i, start, m.end()).strip())
        seen_sentence = seen_sentence or first_stop >= 0
    return None


def year_cues(lines: Lines) -> Found | None:
    for rule in rules().data.get("year_cue", []):
        pat = re.compile(rule["pattern"])
        for i, line in enumerate(lines.simp):
            m = pat.search(line)
            if m:
                return _found(lines, i, str(int(m.group("year")) + int(rule["offset"])))
    return None

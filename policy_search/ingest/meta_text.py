"""Read a document's own metadata off its text, remembering the line each value came from.

Layouts covered (rules and word lists live in ``data/metadata_rules.toml`` and
``data/doc_types.txt``): a title line, possibly wrapped over 2–3 lines, ending in a
document-type word; a promulgation order (…令第N号 / …公告第N号) and an adoption line
(…人民代表大会常务委员会第N次会议通过) in a regulation's header; a covering notice whose title
starts with its issuers (XX、YY关于…); a signature block (agency lines, then a date, Arabic or
Chinese numerals); labelled web-page headers (发布部门：…, 发布日期：…); a speech to a people's
congress (我代表国务院向大会…). Values are returned as written in the text.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..data import DATA_DIR
from .grammar import match_at
from .normalize import normalize_char_width, to_simplified

_HEAD_LINES = 40
_CUT = 400  # characters of a (possibly run-on) line looked at for header patterns
_ZW = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), " ")


@dataclass(frozen=True)
class Found:
    """A value read from the text: the value, its 1-based line number and that line."""

    value: str
    line: int
    text: str


@dataclass(frozen=True)
class _Rules:
    data: dict[str, Any]
    title_re: re.Pattern[str]
    agency_re: re.Pattern[str]


@lru_cache(maxsize=1)
def rules() -> _Rules:
    data = tomllib.loads((DATA_DIR / "metadata_rules.toml").read_text(encoding="utf-8"))
    kinds = [
        w.strip()
        for w in (DATA_DIR / "doc_types.txt").read_text(encoding="utf-8").splitlines()
        if w.strip() and not w.startswith("#")
    ]
    suffix = "|".join(sorted(map(re.escape, kinds), key=len, reverse=True))
    # what may follow a title on its line: nothing, a space, a date, a 文号, or (run-on crawls) the
    # first chapter or article of the text itself (XX条例第一章 总则 第一条 …)
    end = (
        r"(?=$|\s|(?:19|20)\d{2}年|[〇○零一二三四五六七八九]{4}年|(?!的)[\u4e00-\u9fff]{1,12}\s*[〔\[［]"
        r"|第[一1]\s*[章条])"
    )
    paren = r"（(?:[^（）]{0,20}(?:年|试行|暂行|修订|修正|草案|稿|版)|[一二三四五六七八九十]{1,3})）"
    title_re = re.compile(rf"^([^。，；：、\s《][^。，；：]{{1,100}}?(?:{suffix})(?:{paren})?){end}")
    agencies = "|".join(sorted(map(re.escape, data["agency_suffixes"]), key=len, reverse=True))
    return _Rules(data, title_re, re.compile(rf"(?:{agencies})$"))


@dataclass(frozen=True)
class Lines:
    """One text three ways, line by line: as written, width-normalised, simplified."""

    raw: list[str]
    norm: list[str]
    simp: list[str]

    def written(self, i: int, start: int, end: int) -> str:
        """The span of simplified line ``i`` as written (when conversion kept lengths)."""
        if len(self.raw[i]) == len(self.simp[i]):
            return self.raw[i][start:end]
        return self.simp[i][start:end]


def split_lines(raw_text: str) -> Lines:
    raw = raw_text.translate(_ZW).split("\n")
    norm = [normalize_char_width(line) for line in raw]
    text = "\n".join(norm)
    simp_text = to_simplified(text)
    same = len(simp_text) == len(text)
    simp = simp_text.split("\n") if same else [to_simplified(line) for line in norm]
    return Lines(raw, norm, simp)


def _excerpt(lines: Lines, i: int) -> str:
    return lines.raw[i].strip()[:160]


def _found(lines: Lines, i: int, value: str) -> Found:
    return Found(value, i + 1, _excerpt(lines, i))


def _head(lines: Lines) -> list[int]:
    """Indices of the first non-empty lines (where headers, titles and numbers are)."""
    out: list[int] = []
    for i, line in enumerate(lines.simp):
        if line.strip():
            out.append(i)
            if len(out) >= _HEAD_LINES:
                break
    return out


_BODY_FAMILIES = ("chapter", "article", "cn", "cn_paren")  # a line starting so opens the body
_SALUTATION = re.compile(r"^\s*各[^。]{1,200}：\s*$|^\s*[^。：]{2,200}[、，][^。：]{1,200}：\s*$")


def _body_start(line: str) -> bool:
    return match_at(line, 0, _BODY_FAMILIES) is not None


def _not_title_part(line: str) -> bool:
    """A red-head line (XX人民政府文件), a 文号 or an order number never belongs to a title."""
    compact = re.sub(r"\s+", "", line)
    return (
        compact.endswith(("文件", "令"))
        or bool(_LONE_DATE_RE.fullmatch(compact))
        or bool(_BRACKET_NO_RE.match(compact[:80].lstrip("（(")))
        or bool(
            re.fullmatch(r"[\u4e00-\u9fff、]{0,60}(?:令|公告)?第[0-9一二三四五六七八九十百零〇]+号", compact)
        )
    )


def find_title(lines: Lines) -> Found | None:
    """The first title line (joined when wrapped) ending in a document-type word."""
    r = rules()
    head = _head(lines)
    bad_starts = tuple(r.data["not_title_starts"])
    for pos, i in enumerate(head):
        first = lines.simp[i].strip()[:_CUT]
        if _body_start(first) or _SALUTATION.match(first):
            return None
        if len(re.findall(r"[\u4e00-\u9fff]", first[:20])) < 4 or first.startswith(bad_starts):
            continue
        furniture = re.search(r"[\[\]【】>|]", first[:20]) or first[0] in "/／"
        if furniture or ("》" in first and "《" not in first):
            continue  # page furniture: [打印], 【page title】, breadcrumbs 首页 > 政策 or A 》 B
        if _not_title_part(first):
            continue
        block, parts = "", []
        for j in head[pos : pos + 3]:
            piece = lines.simp[j].strip()[:_CUT]
            if parts and (len(piece) > 40 or re.search(r"[。，；：]", piece) or re.match(r"[（(\d]", piece)):
                # a crawl may run the title's last part on into the 文号 and salutation
                # (…关于印发XX / 规划的通知国发〔2030〕1号各省…): take the title off its start
                number = _BRACKET_NO_RE.search(piece)
                cand = block + piece[: own_number_start(piece, number)] if number else ""
                m = r.title_re.match(cand) if cand else None
                if m and len(m.group(1)) == len(cand) > len(block):
                    parts.append(j)
                    value = "".join(lines.written(k, 0, len(lines.simp[k])).strip() for k in parts)
                    return Found(value[: len(cand)].strip(), i + 1, _excerpt(lines, i))
                break
            if parts and _not_title_part(piece):
                break
            parts.append(j)
            block += piece
            m = r.title_re.match(block)
            if m:
                value = "".join(lines.written(k, 0, len(lines.simp[k])).strip() for k in parts)
                value = value[: len(m.group(1))] if len(value) >= len(m.group(1)) else m.group(1)
                return Found(value.strip(), i + 1, _excerpt(lines, i))
    return None


def _speech(lines: Lines) -> tuple[Found | None, Found | None]:
    """(title, issuer) of a government work report delivered to a people's congress."""
    for rule in rules().data.get("speech", []):
        pat = re.compile(rule["pattern"])
        for i, line in enumerate(lines.simp):
            m = pat.search(line)
            if m:
                return _found(lines, i, rule["title"]), _found(lines, i, m.group("issuer"))
    return None, None


# ------------------------------------------------------------------ issuers

_ORDER_RE = re.compile(
    r"(?<![\u4e00-\u9fff、])([\u4e00-\u9fff、]{2,60}?)(令|公告)第\s*([0-9]+|[一二三四五六七八九十百零〇]+)\s*号"
)
_TERM = re.compile(r"第[一二三四五六七八九十]+届")
_ADOPT_RE = re.compile(
    r"([\u4e00-\u9fff]{2,30}?)(?:第[一二三四五六七八九十]+届)?(人民代表大会常务委员会|人民代表大会|常务委员会)"
    r"第[一二三四五六七八九十百0-9]+次(?:全体)?会议[^，。；]{0,60}?(通过|修订|修正|批准)"
)
_GOV_MEETING_RE = re.compile(r"(国务院|[\u4e00-\u9fff]{2,20}人民政府)第\s*\d+\s*次常务会议(?:修订)?通过")
# a header line amending the text by a decision names who made this version:
# 2030年5月6日 《示范院关于修改〈示范办法〉的决定》第二次修订
_AMEND_DECISION_RE = re.compile(
    r"《((?:国务院|[\u4e00-\u9fff]{2,24}?(?:人民政府|部|局|总局|署|委员会)))关于修改〈[^〉]{2,60}〉[^》]{0,20}的决定》"
    r"[^，。；]{0,10}?(?:修订|修正)"
)
# a history line naming who issued a version: 1990年1月2日 示范院发布
_ISSUED_BY_RE = re.compile(
    r"\s*(?:19|20)\d{2}年\d{1,2}月\d{1,2}日\s*((?:国务院|政务院|[\u4e00-\u9fff]{2,24}?(?:人民政府|部|局|总局|署|委员会)))"
    r"(?:令第\s*\d+\s*号)?\s*(?:发布|公布|印发)"
)
# a department's rules adopted at its own meeting: 经示范部第6次部务会议通过
_DEPT_MEETING_RE = re.compile(
    r"经([\u4e00-\u9fff]{2,24}?(?:部|局|总局|署|委员会|行|院))第\s*[0-9一二三四五六七八九十百]+\s*次"
    r"(?:部务|局务|署务|委务|主任|行务|院务)(?:扩大)?会议(?:审议)?通过"
)


def _clean_agency(name: str) -> str:
    name = re.sub(r"\s+", "", name)
    for p in rules().data["strip_prefixes"]:
        if name.startswith(p) and len(name) > len(p):
            name = name[len(p) :]
    return _TERM.sub("", name)


def agency_names(segment: str) -> list[str]:
    """Agency names in a signature or title-prefix segment (spaced names collapsed)."""
    r = rules()
    pieces: list[str] = []
    for token in segment.split():
        if pieces and (len(pieces[-1]) == 1 or (len(token) == 1 and not r.agency_re.search(pieces[-1]))):
            pieces[-1] += token  # 国 家 能 源 局 → 国家能源局
        else:
            pieces.append(token)
    names: list[str] = []
    for piece in pieces:
        names.extend(_split_glued(_clean_agency(piece)))
    return [n for n in names if n]


def _split_glued(name: str) -> list[str]:
    """黄浦区发展和改革委员会黄浦区建设和管理委员会 → two names (split where the prefix repeats)."""
    from .gazetteer import gazetteer

    place, _ = gazetteer().match_at_start(name)
    if not place or name.count(place) < 2:
        return [name]
    parts = [place + p for p in name.split(place) if p]
    return parts if all(rules().agency_re.search(p) for p in parts) else [name]


def _is_agency(text: str) -> bool:
    compact = re.sub(r"\s+", "", text)
    return (
        2 <= len(compact) <= 80
        and not re.search(r"[。，；：《》“”]", compact)
        and bool(rules().agency_re.search(compact))
    )


def header_events(lines: Lines) -> list[tuple[str, str, int, str]]:
    """(iso date, verb, line index, segment) of the dated lines heading a regulation."""
    events: list[tuple[str, str, int, str]] = []
    for i in _head(lines)[:15]:
        text = lines.simp[i][:_CUT]
        # the header ends where the body starts: a chapter or article, or (run-on text) the
        # salutation 各省、…：
        cut = re.search(r"第[一二三四五六七八九十]+[章条]|各[^。：]{1,80}：", text)
        text = text[: cut.start()] if cut else text
        dates = list(_DATE_RE.finditer(text))
        for k, m in enumerate(dates):
            seg = text[m.end() : dates[k + 1].start() if k + 1 < len(dates) else len(text)]
            verb = re.search(r"(通过|修订|修正|批准|公布|发布|施行|印发|会议上)", seg)
            if verb and len(seg) <= 160:
                events.append((_iso(m), verb.group(1), i, seg))
        if cut:
            break
    return events


def find_order(lines: Lines) -> tuple[Found | None, Found | None]:
    """(issuer, 文号) from a promulgation order or 公告 in the header (latest date wins).

    The number may sit on the line after the order's name (XX人民政府令 / 第123号).
    """
    best: tuple[str, int, re.Match[str], bool] | None = None
    head = _head(lines)[:15]
    for pos, i in enumerate(head):
        text = lines.simp[i][:_CUT]
        split = False
        if text.rstrip().endswith(("令", "公告")) and pos + 1 < len(head):
            following = lines.simp[head[pos + 1]].strip()
            if re.match(r"第\s*[0-9一二三四五六七八九十百零〇]+\s*号", following):
                text, split = text.rstrip() + following[:20], True
        for m in _ORDER_RE.finditer(text):
            before = text[max(0, m.start() - 2) : m.start()]
            if before.endswith("《") or before in ("》（", "》("):
                continue  # a cited order: 根据《…办法》（国务院令第N号）; not （XX令第N号） alone
            before = _DATE_RE.findall(text[: m.start()])
            date = _iso_tuple(before[-1]) if before else ""
            # an order standing alone (中华人民共和国国务院令 / 第682号) is the text's own; one
            # inside a history line (1998年…国务院令第253号发布) is an earlier version's
            alone = split or not re.sub(r"[\s（）()]", "", text.replace(m.group(0), ""))
            if best is None or (alone, date) >= (best[4], best[0]):
                best = (date, i, m, split, alone)
    if best is None:
        return None, None
    _, i, m, split, _ = best
    names = [
        _clean_agency(re.sub(r"^日(?=\S)", "", n) if k == 0 and _after_date(m) else n)
        for k, n in enumerate(m.group(1).split("、"))
    ]
    issuer = "、".join(n for n in names if n)
    start = m.start() + 1 if _after_date(m) else m.start()
    number = m.group(0)[start - m.start() :] if split else lines.written(i, start, m.end())
    return _found(lines, i, issuer), _found(lines, i, number)


def _after_date(m: re.Match[str]) -> bool:
    """The match starts with the 日 of a date before it (1998年11月29日中华人民共和国国务院令…)."""
    return m.group(0).startswith("日") and m.string[max(0, m.start() - 1) : m.start()].isdigit()


def find_adoption(lines: Lines) -> Found | None:
    """The body that adopted a regulation (通过 beats 批准: the approver is a higher body)."""
    hits: list[tuple[int, int, str]] = []
    for i in _head(lines)[:15]:
        text = lines.simp[i][:_CUT]
        for m in _ADOPT_RE.finditer(text):
            body = m.group(1)
            if body.startswith("日") and text[max(0, m.start(1) - 1) : m.start(1)].isdigit():
                body = body[1:]  # （2030年3月13日第十五届全国人民代表大会…）: 日 ends the date
            hits.append((0 if m.group(3) != "批准" else 1, i, _clean_agency(body + m.group(2))))
        for m in _GOV_MEETING_RE.finditer(text):
            hits.append((0, i, _clean_agency(m.group(1))))
        for m in _DEPT_MEETING_RE.finditer(text):
            hits.append((0, i, _clean_agency(m.group(1))))
        for m in _AMEND_DECISION_RE.finditer(text):
            hits.append((2, -i, _clean_agency(m.group(1))))  # the latest amendment, when nothing else
        m = _ISSUED_BY_RE.match(text)
        if m:
            hits.append((2, -i, _clean_agency(m.group(1))))  # 1982年3月16日 国务院发布
    if not hits:
        return None
    _, i, name = min(hits, key=lambda h: (h[0], h[1]))
    return _found(lines, abs(i), name)


def title_issuer(lines: Lines, title: Found | None) -> Found | None:
    """XX、YY关于… → XX、YY; XX2013年工作要点 → XX (also inside 关于印发《…》的通知).

    Wrapped title lines are read with a space between them, so names split by a line end stay apart.
    """
    if title is None:
        return None
    about = rules().data["about_word"]
    i = title.line - 1
    joined = " ".join(lines.simp[k].strip()[:_CUT] for k in range(i, min(i + 3, len(lines.simp))))
    joined = joined[: len(joined) - len(joined.lstrip())] + joined.strip()
    candidates = [joined.split(about, 1)[0]] if about in title.value else []
    inner = re.search(r"《([^》]{4,80})》", title.value)
    plain = normalize_char_width(re.sub(r"\s+", "", title.value))
    for text in (plain, normalize_char_width(inner.group(1)) if inner else ""):
        m = re.match(r"^([^《》\s]{2,40}?)(?=(?:19|20)\d{2}\s*年|“?十[一二三四五六七八九]五)", text)
        if m:
            candidates.append(m.group(1))
    for prefix in candidates:
        # XX印发关于…的通知: the verb is not part of the name; 第N届XX人民代表大会第N次会议关于…:
        # the session is not part of the body's name
        prefix = re.sub(r"(?:印发|转发|批转)\s*$", "", prefix.strip())
        prefix = re.sub(r"(人民代表大会)第[一二三四五六七八九十]+次会议$", r"\1", prefix)
        names = agency_names(prefix)
        if names and all(rules().agency_re.search(n) for n in names):
            return _found(lines, i, "、".join(names))
    return None


# ------------------------------------------------------------------ dates

_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[年/.\-－／]\s*(\d{1,2})\s*[月/.\-－／]\s*(\d{1,2})\s*日?")


def _iso_tuple(groups: tuple[str, str, str]) -> str:
    year, month, day = (int(g) for g in groups)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"


def _iso(m: re.Match[str]) -> str:
    return _iso_tuple((m.group(1), m.group(2), m.group(3)))


_LONE_DATE_RE = re.compile(
    r"(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|[〇○零OＯ一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日"
)
_BRACKET_NO_RE = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［（(]\s*(?:19|20)\d{2}\s*[〕\]］）)]\s*第?\s*\d{1,5}\s*号"
)


def own_number_start(text: str, m: re.Match[str]) -> int:
    """Where a 文号 found by ``_BRACKET_NO_RE`` starts once a run-on title is taken off its front.

    The pattern's prefix (the issuer's abbreviation, 国发 in 国发〔2030〕1号) may swallow the end
    of a title the crawl glued to it (…工作的决定国发〔…〕): the prefix starts after the last
    的+document-type word (a title's end), which never occurs inside an abbreviation.
    """
    prefix = text[m.start() : m.end()].split("〔")[0].split("[")[0].split("［")[0]
    ends = list(_TITLE_END_RE.finditer(prefix))
    return m.start() + (ends[-1].end() if ends else 0)


def _title_end_re() -> re.Pattern[str]:
    kinds = [
        w.strip()
        for w in (DATA_DIR / "doc_types.txt").read_text(encoding="utf-8").splitlines()
        if w.strip() and not w.startswith("#")
    ]
    return re.compile("的(?:" + "|".join(sorted(map(re.escape, kinds), key=len, reverse=True)) + ")")


_TITLE_END_RE = _title_end_re()

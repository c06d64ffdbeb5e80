"""Invariants of cleaning + repair: the seeds clean as before, nothing is lost, paragraphs are
never glued, every removed line is listed, and the cost is linear in the input."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_search.cli import main
from policy_search.ingest import repair
from policy_search.ingest.cleaning import clean_text
from policy_search.ingest.loaders import read_source
from policy_search.ingest.normalize import normalize_char_width

from .test_repair import TOC_WITH_PAGES, WEB_CAPTURE

CORPUS = Path(__file__).parent.parent / "corpus"

# sha256 of each seed's cleaned text, computed with the cleaning code before repair existed:
# repair must leave the seeds alone so their chunk ids never move.
SEED_CLEANED_SHA256 = {
    "cnipa-2013-work-plan.txt": "0c5d587318d2c0b729194ae0b5243a4c7a9d79de317a9bbd92b9f34ad934919a",
    "guangan-2017-pilot-city-programme.txt": "49fa669997dad02d9bd721e94d562b20b5ab479de0b3b09bc72d002902097220",
    "hongqiao-2021-2035-strong-district-outline.txt": "ecc33b3dbfeb3b8df4543a4b2811ce27c3565eb6efa3e871672ccb41545da977",
    "shandong-2015-work-plan.txt": "af9442d30efa8f268426f35d19ebe825b049885f22fcdd0410b1728a224d3331",
    "tianjin-2013-work-plan.txt": "dd76504f6e686e9c7ce5da5d0443ba06fe5206c68fc3b445cc3fe24482761466",
}


@pytest.mark.parametrize("name", sorted(SEED_CLEANED_SHA256))
def test_seed_texts_clean_exactly_as_before(name: str) -> None:
    raw, _ = read_source(CORPUS / name)
    cleaned, _ = clean_text(raw)
    assert hashlib.sha256(cleaned.encode("utf-8")).hexdigest() == SEED_CLEANED_SHA256[name]


# --- invariants ------------------------------------------------------------------------------------

_MARKERS = ["一、", "（二）", "3.", "（4）", "——", "第五条 ", "第二章 ", "①"]
_ENDS = ["。", "；", "！", "？", "：", "）", "】", "。”"]
_BODY = st.text(alphabet="知识产权专利保护推进建设工作 0123456789.，、%（", min_size=1, max_size=30)


@st.composite
def _paragraph_lines(draw: st.DrawFn) -> list[str]:
    """Lines each of which is a real paragraph: it ends a sentence, or the next one starts
    with a marker."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 25))):
        body = draw(_BODY)
        if (lines and not _ends(lines[-1])) or draw(st.booleans()):
            body = draw(st.sampled_from(_MARKERS)) + "推进" + body
        if draw(st.integers(0, 3)):
            body += draw(st.sampled_from(_ENDS))
        lines.append(body)
    return lines


def _ends(line: str) -> bool:
    return line.rstrip()[-1:] in "。；！？：）】”"


def _squeeze(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=300, deadline=None)
@given(_paragraph_lines())
def test_joining_never_glues_two_real_paragraphs(lines: list[str]) -> None:
    raw = "\n".join(lines)
    cleaned, _ = clean_text(raw)
    sources = {_squeeze(line) for line in normalize_char_width(raw).split("\n")}
    for line in cleaned.split("\n") if cleaned else []:
        assert _squeeze(line) in sources, line


def test_every_removed_line_is_listed_by_docs_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "web.txt").write_text(WEB_CAPTURE + "\n" + TOC_WITH_PAGES, encoding="utf-8")
    _, removed = clean_text(WEB_CAPTURE + "\n" + TOC_WITH_PAGES)
    assert main(["docs", "--corpus", str(tmp_path), "--removed"]) == 0
    listed = capsys.readouterr().out
    assert len(removed) >= 15
    for record in removed:
        assert f"web.txt:{record.line_no}: removed ({record.reason}): {record.text}" in listed


# --- linear cost -------------------------------------------------------------------------------------


def test_cost_is_linear_in_the_number_of_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """20,000 short lines built to hit every rule (contents heads, entries, separators, cells,
    numbers, title parts): the marker grammar is asked a bounded number of times per line, so
    no rule compares lines with lines."""
    calls = 0
    real = repair.line_marker

    def counting(text: str) -> object:
        nonlocal calls
        calls += 1
        return real(text)

    monkeypatch.setattr(repair, "line_marker", counting)
    unit = ["目录", "第一章 总则 …… 1", ">", "政务公开", "序号", "1", "专利", "30", "关于加强", "工作的通知"]
    raw = "\n".join(unit * 2000)
    cleaned, removed = clean_text(raw)
    assert len(cleaned.split("\n")) + len(removed) <= 20_000
    assert calls <= 12 * 20_000


def test_long_single_lines_clean_quickly() -> None:
    """60 KB lines that would make a backtracking regex or a per-character rescan quadratic."""
    dots = "目录\n第一章 总则\n" + "…" * 60_000 + "\n" + "." * 60_000 + "1"
    spaced = " ".join("知识产权专利" for _ in range(10_000))
    runon = "一、" + "推进知识产权保护，" * 7_000 + "。"
    for raw in (dots, spaced, runon, "\n".join([spaced] * 5)):
        cleaned, removed = clean_text(raw)
        assert len(_squeeze(cleaned)) + sum(len(_squeeze(r.text)) for r in removed) == len(
            _squeeze(normalize_char_width(raw))
        )

"""Limits: long lines split at the best boundary available, and notes on what was cut."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from policy_search.ingest.cleaning import clean_text, clean_text_limited
from policy_search.ingest.limits import LineSplit, hard_cuts, line_note, split_line
from policy_search.records import Document
from policy_search.settings import Settings


def test_a_long_line_is_cut_after_sentence_ends_first():
    pieces, worst = split_line("甲乙。丙丁，戊己。庚辛", 6)
    assert pieces == ["甲乙。", "丙丁，戊己。", "庚辛"] and worst == 0


def test_then_after_clause_marks_then_hard():
    assert split_line("甲乙，丙丁戊己庚", 5) == (["甲乙，", "丙丁戊己庚"], 1)
    assert split_line("甲乙丙丁戊己庚", 3) == (["甲乙丙", "丁戊己", "庚"], 2)
    assert split_line("甲\t乙\t丙\t丁", 4) == (["甲\t乙", "丙\t丁"], 1)  # a table row: at a cell
    assert split_line("甲乙。」丙丁", 4) == (["甲乙。」", "丙丁"], 0)  # closing quotes stay


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="甲乙。，\t 」", max_size=80), st.integers(min_value=1, max_value=12))
def test_pieces_keep_every_character_and_respect_the_limit(text, limit):
    pieces, _ = split_line(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert re.sub(r"\s", "", "".join(pieces)) == re.sub(r"\s", "", text)


def test_cleaning_splits_long_lines_after_repair_and_says_which():
    raw = "标题\n" + "推进保护工作，" * 30 + "\n短句。"  # line 2: 210 characters, clause marks only
    text, removed, splits = clean_text_limited(raw, 100)
    lines = text.split("\n")
    assert lines[0] == "标题" and lines[-1] == "短句。" and removed == ()
    assert all(len(line) <= 100 for line in lines) and len(lines) == 5
    assert splits == (LineSplit(line_no=2, chars=210, pieces=3, worst=1),)
    assert clean_text(raw) == ("\n".join(["标题", "推进保护工作，" * 30, "短句。"]), ())
    assert line_note(splits, 100) == (
        "1 line(s) over the 100-character line limit (longest: line 2, 210 characters) "
        "split into 3 lines; worst cut: clause punctuation"
    )


def test_hard_cuts_count_only_the_cuts_inside_a_sentence():
    from policy_search.ingest.chunking import chunk_document

    text = "一、任务\n" + "甲" * 1200 + "\n" + "推进工作。" * 200
    doc = Document("d", "d.txt", "d", "", "", "", None, "", "", "", text, "", "txt")
    chunks = chunk_document(doc, Settings())
    assert max(len(c.text) for c in chunks) <= 500
    assert hard_cuts(text, chunks) == 2  # 1,200 characters without punctuation: two hard cuts

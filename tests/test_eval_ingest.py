"""eval/ingest.py scores structure by rules that do not depend on the chunker under test."""

from __future__ import annotations

import sys
from dataclasses import replace

from policy_search.chunking import chunk_document
from policy_search.records import Chunk

from .conftest import REPO, make_doc
from .test_outline import REGULATION

sys.path.insert(0, str(REPO / "eval"))

import ingest


def _line_chunks(doc) -> list[Chunk]:
    """A naive splitter: one chunk per line, as generic splitters do."""
    out, pos = [], 0
    for n, line in enumerate(doc.text.split("\n")):
        template = chunk_document(doc)[0]
        out.append(
            replace(template, chunk_id=f"d/{n}", text=line, start=pos, end=pos + len(line), section=())
        )
        pos += len(line) + 1
    return out


def test_articles_are_found_by_their_own_numbering():
    found = ingest.find_articles(REGULATION)
    assert len(found) == 6
    assert [chapter for _, _, chapter in found] == [
        "第一章",
        "第一章",
        "第二章",
        "第二章",
        "第二章",
        "第三章",
    ]
    assert len(ingest.find_articles(REGULATION.replace("\n", ""))) == 6


def test_scores_tell_a_structure_chunker_from_a_line_splitter():
    doc = make_doc(REGULATION, doc_id="d")
    good = ingest.score_document(doc, chunk_document(doc))
    assert (good.articles_ok, good.articles, good.junk) == (6, 6, 0)
    naive = ingest.score_document(doc, _line_chunks(doc))
    assert naive.articles_ok < 6  # multi-paragraph articles are cut, chapter paths are missing
    assert naive.junk >= 3  # chapter and section headings alone


def test_item_lines_merged_with_a_sibling_are_counted():
    text = "一、任务\n（一）加强保护。完善制度。\n（二）推进运用。开展试点。\n二、保障\n（一）加强领导。明确责任。"
    doc = make_doc(text, doc_id="d")
    assert ingest.score_document(doc, chunk_document(doc)).items_ok == 5  # 一、 lines count too
    one = replace(chunk_document(doc)[0], chunk_id="d/all", text=text, start=0, end=len(text))
    merged = ingest.score_document(doc, [one])
    assert merged.items == 5 and merged.items_ok == 1  # only the lone （一） under 二、 is intact

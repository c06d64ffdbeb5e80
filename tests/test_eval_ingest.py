"""eval/ingest.py scores structure by rules that do not depend on the chunker under test."""

from __future__ import annotations

import sys
from dataclasses import replace

from policy_search.ingest.chunking import chunk_document
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


def test_run_on_article_after_an_indent_and_a_wrapped_chapter_heading():
    # a crawl that kept paragraph indents but joined the lines: 第十条 follows a chapter heading
    # cut over two lines and a two-character indent, not a sentence end
    text = (
        "第一章　总　　则 　　第一条　为了示范，制定本条例。　　第二条　本条例适用于示范。\n"
        "第二章　示范资源及其有关活动\n示范的一般规定　　第三条　示范应当遵守规定。　　第四条　样例从其规定。\n"
    )
    found = ingest.find_articles(text)
    assert len(found) == 4 and found[2][2] == "第二章"


def test_an_article_without_a_full_stop_is_not_a_heading_alone():
    text = "第一条 为了示范，制定本办法。\n第二条 示范应当遵守规定。\n第三条 本办法自发布之日起施行"
    doc = make_doc(text, doc_id="d")
    assert ingest.score_document(doc, chunk_document(doc)).junk == 0


def test_an_item_line_that_runs_on_into_its_next_siblings_ends_where_they_start():
    text = "一、说明\n1.示范指标按年度统计。\n2.样例指标覆盖全部地区，数量逐年增加。 3.含历年累计数。 4.在样例地区推进示范。\n"
    doc = make_doc(text, doc_id="d")
    chunks = chunk_document(doc)
    score = ingest.score_document(doc, chunks)
    assert score.items == 3 and score.items_ok == 3, score.problems


def test_the_last_article_takes_the_list_it_introduces():
    text = "第一条 为了示范，制定本条例。\n第二条 示范应当遵守规定。\n"
    text += "第三条 工作人员有下列行为之一的，依法给予处分：\n（一）不履行职责的；\n（二）滥用职权的。\n"
    doc = make_doc(text, doc_id="d")
    score = ingest.score_document(doc, chunk_document(doc))
    assert (score.articles_ok, score.articles, score.items) == (3, 3, 0)

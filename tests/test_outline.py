"""Structure of layouts beyond the seeds: regulations, run-on text, several documents in a file.

Every fixture here is synthetic (fictional places and wording) and shows one layout.
"""

from __future__ import annotations

import pytest

from policy_search.ingest.chunking import check_coverage, chunk_document, doc_types
from policy_search.ingest.grammar import cn_to_int, find_markers, line_marker, sentences
from policy_search.ingest.outline import legal_markers, plan_markers, split_parts
from policy_search.settings import Settings

from .conftest import make_doc

REGULATION = """某某省专利促进条例
（2010年5月20日某某省人民代表大会常务委员会第十五次会议通过）
第一章　总　则
第一条　为了促进专利的创造和运用，根据有关法律，结合本省实际，制定本条例。
第二条　本省行政区域内的专利促进工作，适用本条例。
县级以上人民政府应当加强对专利工作的领导，将其纳入国民经济和社会发展规划。
第二章　专利保护
第一节　一般规定
第三条　有下列行为之一的，由管理专利工作的部门责令改正：
（一）未经许可实施他人专利的；
（二）假冒他人专利的；
（三）其他侵犯专利权的行为。
第四条　管理专利工作的部门应当建立投诉举报制度。
第二节　纠纷处理
第五条　当事人可以请求管理专利工作的部门处理专利侵权纠纷。
第三章　附　则
第六条　本条例自2011年1月1日起施行。"""


def _chunks(text: str, **kw):
    doc = make_doc(text, doc_id="d")
    chunks = chunk_document(doc, Settings(**kw) if kw else None)
    assert check_coverage(text, chunks) == []
    return chunks


def test_grammar_numerals_and_markers():
    assert [cn_to_int(n) for n in ["一百零二", "二十", "两千", "二〇二〇", "五万"]] == [
        102,
        20,
        2000,
        2020,
        50000,
    ]
    assert line_marker("第十五条　本条例").label == "第十五条"
    assert line_marker("第一章 总 则").family == "chapter"
    assert line_marker("（一）未经许可").family == "cn_paren"
    assert line_marker("1.5亿元的贷款") is None
    assert [m.label for m in find_markers("一是加强；二是推进。", ("ordinal",))] == ["一", "二"]
    assert [tuple("第一句。第二句；"[s:e] for s, e in sentences("第一句。第二句；"))] == [
        ("第一句。", "第二句；")
    ]


def test_each_article_is_one_chunk_under_its_chapter_and_section():
    chunks = _chunks(REGULATION)
    articles = [c for c in chunks if c.kind == "article"]
    assert [c.chunk_id for c in articles] == [
        "d/第一章/第一条",
        "d/第一章/第二条",
        "d/第二章/第一节/第三条",
        "d/第二章/第一节/第四条",
        "d/第二章/第二节/第五条",
        "d/第三章/第六条",
    ]
    second = articles[1]
    assert "县级以上人民政府" in second.text  # the article's second paragraph stays with it
    third = articles[2]
    assert third.section == ("第二章 专利保护", "第一节 一般规定")
    # the lead sentence and its enumeration stay together, and the enumeration is no heading
    assert "有下列行为之一的" in third.text and "（三）其他侵犯专利权的行为。" in third.text
    assert articles[3].section == ("第二章 专利保护", "第一节 一般规定")
    assert articles[5].section == ("第三章 附则",)
    # chapter headings are the section path, never a chunk nor glued onto an article
    assert not any(c.text.startswith(("第一章", "第二章", "第一节")) for c in chunks)


def test_run_on_regulation_is_structured_like_a_lined_one():
    runon = REGULATION.replace("\n", "")
    chunks = _chunks(runon)
    ids = [c.chunk_id for c in chunks if c.kind == "article"]
    assert ids[:3] == ["d/第一章/第一条", "d/第一章/第二条", "d/第二章/第一节/第三条"]
    assert len(ids) == 6


def test_references_to_articles_are_not_headings():
    text = "第一条　总则内容。\n第二条　依照本条例第一条的规定办理。\n第三条　违反第二条规定的，予以处罚。"
    assert [m.label for m in legal_markers(text, 0, len(text))] == ["第一条", "第二条", "第三条"]


def test_enumeration_inside_a_sentence_is_never_a_heading():
    text = "一、重点任务\n加强保护，包括：（一）专利；（二）商标；（三）版权。继续推进工作落实。\n二、保障措施\n加强领导。"
    marks = plan_markers(text, 0, len(text))
    assert [m.family for m in marks] == ["cn", "cn"]
    chunks = _chunks(text)
    assert all(c.section in ((), ("重点任务",), ("保障措施",)) for c in chunks)


def test_covering_notice_and_attachment_are_separate_parts():
    text = (
        "某某区人民政府关于印发《某某区数据发展行动方案》的通知\n各街道、各委办局：\n"
        "现将《某某区数据发展行动方案》印发给你们，请认真贯彻执行。\n某某区人民政府\n2023年7月17日\n"
        "（此件公开发布）\n某某区数据发展行动方案\n为推动数据发展，制定本方案。\n"
        "一、总体要求\n（一）指导思想。坚持创新驱动，推进数字化转型。\n（二）基本原则。坚持统筹推进。\n"
        "二、重点任务\n（一）建设数据平台。到2025年建成平台3个。"
    )
    parts = split_parts(text, doc_types())
    assert [p.prefix for p in parts] == ["notice", ""]
    assert text[parts[1].start :].startswith("某某区数据发展行动方案")
    chunks = _chunks(text)
    notice = [c for c in chunks if c.chunk_id == "d/notice"]
    assert len(notice) == 1 and notice[0].text.endswith("（此件公开发布）")
    assert all(c.start >= parts[1].start for c in chunks if c.chunk_id != "d/notice")
    assert "d/一/一" in {c.chunk_id for c in chunks} and "d/二/一" in {c.chunk_id for c in chunks}


def test_two_notices_in_one_file_never_share_a_chunk():
    first = "关于做好甲项工作的通知\n各单位：\n一、加强领导。各单位要高度重视甲项工作。\n二、落实责任。明确分工。\n某某局\n2020年1月2日\n"
    second = "关于做好乙项工作的通知\n各单位：\n一、加强统筹。各单位要统筹推进乙项工作。\n二、强化督查。定期通报。\n某某局\n2020年3月4日"
    text = first + second
    chunks = _chunks(text)
    boundary = len(first)
    assert all(c.end <= boundary or c.start >= boundary for c in chunks)
    ids = [c.chunk_id for c in chunks]
    assert len(ids) == len(set(ids)) and any(i.startswith("d/notice/") for i in ids)


def test_long_section_splits_at_paragraphs_then_sentences():
    para = "推进知识产权工作的第{0}段内容，明确目标要求和保障措施，确保取得实效。" * 3
    body = "\n".join(para.format(i) for i in range(6))
    text = "一、重点任务\n（一）加强保护\n" + body
    chunks = _chunks(text, max_chunk_chars=250)
    assert len(chunks) > 1
    assert all(len(c.text) <= 250 for c in chunks)
    assert all(c.text.endswith("。") for c in chunks)  # never mid-sentence
    assert chunks[0].text.startswith("一、重点任务")  # the heading joins the first part
    assert {c.chunk_id.split("#")[0] for c in chunks} == {"d/一/一"}


def test_a_heading_alone_is_never_a_chunk():
    text = "一、总体要求\n二、重点任务\n（一）加强保护。完善保护体系，推进执法协作。\n三、保障措施加强组织领导的有关安排"
    chunks = _chunks(text)
    for c in chunks:
        assert any(ch in c.text for ch in "。；") or len(chunks) == 1, c.text


def test_one_sentence_items_are_their_own_chunks():
    text = (
        "一、工作内容\n报告主要内容包括：\n1.本区总体情况，指标现状调查情况；\n2.各项指标的评价结果和分析；\n"
        "3.制定重点行动计划和改进措施。"
    )
    chunks = _chunks(text)
    holders = [next(c.chunk_id for c in chunks if f"{n}." in c.text) for n in (1, 2, 3)]
    assert len(set(holders)) == 3


def test_a_table_of_contents_does_not_swallow_the_chapters():
    toc = "目录\n第一章　总　则\n第二章　专利保护\n第三章　附　则\n"
    title, body = REGULATION.split("\n", 1)
    chunks = _chunks(f"{title}\n{toc}{body}")
    articles = [c for c in chunks if c.kind == "article"]
    assert articles[0].chunk_id == "d/第一章/第一条" and articles[0].section == ("第一章 总则",)
    assert articles[-1].chunk_id == "d/第三章/第六条"


def test_no_chunk_is_ever_longer_than_the_limit():
    clauses = "推进知识产权保护，" * 200  # one 1,800-character sentence without a full stop
    unbroken = "x" * 5000  # no punctuation at all
    text = f"一、重点任务\n（一）加强保护。{clauses}完成。\n（二）{unbroken}"
    chunks = _chunks(text, max_chunk_chars=300)
    assert max(len(c.text) for c in chunks) <= 300
    assert all(not c.text.endswith("推进知识产") for c in chunks)  # clause ends before hard cuts


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_adversarial_sizes_stay_linear():
    # 40k short lines and a 400k-character single line: quadratic code would take minutes here
    many_lines = "\n".join(f"第{i}段。" if i % 3 else "短" for i in range(40_000))
    assert max(len(c.text) for c in _chunks(many_lines)) <= Settings().max_chunk_chars
    one_line = "专利质押融资达到1亿元，" * 33_000
    chunks = _chunks(one_line)
    assert max(len(c.text) for c in chunks) <= Settings().max_chunk_chars


def test_body_start_is_where_the_issued_document_starts_not_a_quote_or_the_notice_title_again():
    from policy_search.ingest.outline import find_body_start

    title = "示范局关于印发2030年示范响应实施细则的通知"
    text = (
        f"{title}_政务公开\n名称：\n{title}\n{title}\n各有关单位：\n"
        "依据有关文件，我局编制了《示范市2030年示范响应实施细则》，现予以印发。\n特此通知。\n"
    )
    assert find_body_start(text, title) == 0  # the细则 itself was not captured
    run_on = f"{title}各有关单位：现将《2030年示范响应实施细则》印发给你们。2030年示范响应实施细则为做好示范工作，制定本细则。一、总体要求"
    assert find_body_start(run_on, title) == run_on.index("2030年示范响应实施细则为")

"""Answer sentences are whole statements, stored with the index; engine state dies with it."""

from __future__ import annotations

import gc
import sys
import weakref

import numpy as np
import pytest

from policy_search.answers.answer import answer
from policy_search.answers.evidence import (
    SENTENCES_FILE,
    SentenceStore,
    answer_span,
    fragment_reason,
    statement_spans,
)
from policy_search.search.retrieval import SearchEngine
from policy_search.settings import Settings

from .conftest import CORPUS_DIR, REPO
from .test_ui import make_chunk

PLAN = "测试市知识产权局2020年工作要点"
TEXT = (
    f"{PLAN}\n"
    "（二）建立风险补偿机制。设立质押融资风险补偿资金，对合作银行的贷款损失给予补偿。"
    "（责任单位：市财政局、市金融局）\n"
    "11.探索知识产权金融创新。鼓励金融机构开发知识产权保险产品；（专利管理司）\n"
    "各区县知识产权局、各有关单位：\n"
    "全年专利权质押贷款达到15亿元"
)


def spans_text(chunk) -> list[str]:
    return [chunk.text[s:e] for s, e in statement_spans(chunk)]


def test_only_whole_statements_are_answer_sentences():
    chunk = make_chunk(TEXT, plan_title=PLAN, title="建立风险补偿机制", section=("重点任务",))
    assert spans_text(chunk) == [
        "设立质押融资风险补偿资金，对合作银行的贷款损失给予补偿。",
        "鼓励金融机构开发知识产权保险产品；",
        "全年专利权质押贷款达到15亿元",
    ]


@pytest.mark.parametrize(
    ("sentence", "why"),
    [("（专利管理司）", "fragment"), ("（责任单位：市财政局、市金融局、市市场监管局）", "unit list"),
     ("（二）建立风险补偿机制。", "heading"), ("11.探索知识产权金融创新。", "heading"),
     (PLAN, "title line"), ("关于印发测试市知识产权强市建设工作方案的通知", "title line"),
     ("各区县知识产权局、各有关单位：", "lead-in"), ("加强", "fragment")],
)  # fmt: skip
def test_fragment_reasons(sentence: str, why: str):
    chunk = make_chunk(TEXT, plan_title=PLAN, title="建立风险补偿机制")
    had_marker = sentence[:1] in "（1"
    assert fragment_reason(sentence, chunk, had_marker=had_marker) == why


def test_a_numbered_statement_is_a_statement_and_a_numbered_heading_is_not():
    chunk = make_chunk(
        "（1）支持企业开展专利导航，每年资助10个项目。\n（2）加强宣传。\n宣传工作由各区负责，每季度报送。"
    )
    assert spans_text(chunk) == [
        "（1）支持企业开展专利导航，每年资助10个项目。",
        "宣传工作由各区负责，每季度报送。",
    ]


def test_a_one_sentence_task_equal_to_its_title_is_a_statement():
    text = "（六）补贴申请自3月1日起受理，至年度资金用完为止。"
    chunk = make_chunk(text, title="补贴申请自3月1日起受理，至年度资金用完为止")
    assert spans_text(chunk) == [text]
    lead = make_chunk("为做好专利资助工作，现将有关事项通知如下：\n资助申请一律网上办理，窗口不再受理。")
    assert spans_text(lead) == ["资助申请一律网上办理，窗口不再受理。"]


def test_sentences_and_vectors_are_stored_with_the_index(hash_engine: SearchEngine):
    store = SentenceStore.load(hash_engine.loaded.path, len(hash_engine.chunks))
    assert (hash_engine.loaded.path / SENTENCES_FILE).exists() and store is not None
    assert store.vectors is not None and store.vectors.shape == (len(store), hash_engine.encoder.dim)
    row = hash_engine.position(next(c for c in hash_engine.chunks if c.chunk_id == "tianjin-2013/二/八"))
    texts = [hash_engine.chunks[row].text[store.starts[r] : store.ends[r]] for r in store.rows_of(row)]
    assert "全年专利权质押贷款达到15亿元。" in texts
    vec = hash_engine.encoder.encode_passages(["全年专利权质押贷款达到15亿元。"])[0]
    i = texts.index("全年专利权质押贷款达到15亿元。")
    assert np.allclose(store.vectors[store.rows_of(row)[i]], vec, atol=1e-5)


def test_an_index_without_stored_sentences_embeds_them_on_use(hash_engine: SearchEngine):
    store = SentenceStore.from_chunks(hash_engine.chunks)
    assert store.vectors is None
    rows = list(store.rows_of(0))[:2]
    texts = [hash_engine.chunks[0].text[store.starts[r] : store.ends[r]] for r in rows]
    got = store.vectors_of(rows, texts, hash_engine.encoder)
    assert np.allclose(got, hash_engine.sentences.vectors_of(rows, texts, hash_engine.encoder), atol=1e-5)


@pytest.mark.parametrize("question", ["专利", "哪些任务由财政局负责", "知识产权金融创新", "专利管理司"])
def test_answers_never_quote_fragments(hash_engine: SearchEngine, question: str):
    sys.path.insert(0, str(REPO / "eval"))
    from answers_eval import fragment_kind

    texts = {c.chunk_id: c.text for c in hash_engine.chunks}
    result = answer(hash_engine, question)
    assert [
        (i.text, fragment_kind(i, texts[i.chunk_id]))
        for i in result.items
        if fragment_kind(i, texts[i.chunk_id])
    ] == []
    for item in result.items:
        assert not item.text.startswith(("（", "(")) and item.plan_title not in item.text


def test_fragment_check_of_the_evaluation_catches_what_answers_used_to_quote(hash_engine: SearchEngine):
    sys.path.insert(0, str(REPO / "eval"))
    from answers_eval import fragment_kind

    result = answer(hash_engine, "专利流转储备中心要建几家")
    item = result.items[0]
    chunk = next(c for c in hash_engine.chunks if c.chunk_id == item.chunk_id)
    bad = [
        item.__class__(**{**item.__dict__, "text": t})
        for t in (
            "（专利管理司）",
            "（责任单位：市财政局）",
            f"（八）{chunk.title}。",
            chunk.plan_title,
            "专利",
        )
    ]
    assert all(fragment_kind(b, chunk.text) for b in bad)


def test_loading_an_index_ten_times_frees_every_engine(seed_index_hash):
    refs = []
    for _ in range(10):
        engine = SearchEngine.load(seed_index_hash, corpus_dir=CORPUS_DIR)
        answer(engine, "专利流转储备中心要建几家")  # builds and memoises per-engine state
        refs.append(weakref.ref(engine.loaded))
        del engine
    gc.collect()
    assert [r() for r in refs] == [None] * 10


def quoted(
    text: str, statement: str, statements: tuple[str, ...] = (), settings: Settings | None = None
) -> str:
    """What an answer quotes for ``statement`` of ``text`` (its whole list, block or paragraph)."""
    start = text.index(statement)
    spans = [(text.index(s), text.index(s) + len(s)) for s in statements or (statement,)]
    span = answer_span(text, start, start + len(statement), spans, settings)
    return text[span[0] : span[1]]


def test_an_item_of_a_short_list_is_answered_with_the_whole_list():
    text = (
        "申报方式如下：\n1.线上申报请登录市知识产权局网站。\n2.邮寄材料到市知识产权局窗口。"
        "\n3.现场申报到政务服务中心办理。\n其他事项另行通知。"
    )
    whole = (
        "1.线上申报请登录市知识产权局网站。\n2.邮寄材料到市知识产权局窗口。\n3.现场申报到政务服务中心办理。"
    )
    assert quoted(text, "2.邮寄材料到市知识产权局窗口。") == whole
    inline = "资助对象包括：（1）本市注册的企业； （2）本市高等院校和科研院所； （3）本市户籍的个人发明人。\n二、下一节"
    assert quoted(inline, "（2）本市高等院校和科研院所；") == inline.split("\n")[0][7:]


def test_long_items_sections_with_lists_and_unit_lists_are_not_joined():
    long_items = (
        "1.各区在申报前应制定详细的培育计划"
        + "，包括企业名单和培育目标" * 12
        + "。\n2.申报企业应当如实填写材料。"
    )
    assert quoted(long_items, "2.申报企业应当如实填写材料。") == "2.申报企业应当如实填写材料。"
    sections = "（一）加强领导。\n1.成立工作专班，统筹推进试点。\n2.建立月报制度，及时报告进展。\n（二）强化保障。\n1.落实资金，保障专项经费。"
    assert quoted(sections, "1.落实资金，保障专项经费。") == "强化保障。\n1.落实资金，保障专项经费。"
    units = "1.建立评议制度，规避项目风险。（责任单位：市发展改革委）\n2.完善激励机制，强化成果运用。"
    assert "单位" not in quoted(units, "2.完善激励机制，强化成果运用。")


def test_label_lines_are_answered_as_one_block():
    text = "（二）专利代办服务联系方式。\n联系人：测试市专利代办处\n电话：0571-87654321\n地\n址：测试市文三路1号\n（三）材料报送渠道。"
    block = "联系人：测试市专利代办处\n电话：0571-87654321\n地\n址：测试市文三路1号"
    assert quoted(text, "联系人：测试市专利代办处") == block


def test_a_paragraph_is_answered_whole_with_its_heading():
    text = "二、强化专利导航，服务产业发展\n各区要组织开展专利导航项目，每年不少于两项。导航成果要向企业公开，减少重复研发。\n三、做好宣传工作"
    body = ("各区要组织开展专利导航项目，每年不少于两项。", "导航成果要向企业公开，减少重复研发。")
    assert quoted(text, body[1], body) == text.split("\n三")[0][2:]  # without its marker
    inline = "三、培育高价值专利。支持企业布局核心专利，提升专利质量。高校要建立专利评估机制。\n请各单位认真组织落实。"
    body = ("支持企业布局核心专利，提升专利质量。", "高校要建立专利评估机制。")
    assert quoted(inline, body[1], body) == inline.split("\n")[0][2:]
    # a unit list between statements ends the paragraph
    units = "设立风险补偿资金，对贷款损失给予补偿。（责任单位：市财政局）对合作银行给予奖励。"
    body = ("设立风险补偿资金，对贷款损失给予补偿。", "对合作银行给予奖励。")
    assert quoted(units, body[1], body) == body[1]


def test_an_addressee_or_the_document_title_never_heads_a_paragraph():
    body = ("为做好专利资助工作，现就有关事项通知如下。",)
    for above in ("各区县知识产权局、各有关单位：", "关于开展知识产权宣传周活动的通知"):
        text = f"{above}\n{body[0]}"
        assert quoted(text, body[0], body) == body[0]


def test_span_limits_are_read_from_the_settings():
    items = (
        "1.线上申报请登录市知识产权局网站。",
        "2.邮寄材料到市知识产权局窗口。",
        "3.现场申报到政务服务中心办理。",
    )
    text = "申报方式如下：\n" + "\n".join(items) + "\n其他事项另行通知。"
    joined = "\n".join(items)
    assert quoted(text, items[1], settings=Settings()) == joined
    assert quoted(text, items[1], settings=Settings(answer_list_chars=len(joined))) == joined
    # a whole list one character over the limit, or items over theirs, are not joined
    for tight in (Settings(answer_list_chars=len(joined) - 1), Settings(answer_list_item_chars=10)):
        assert items[2] not in quoted(text, items[1], settings=tight)
        assert quoted(text, items[1], items, tight) == quoted(
            text, items[1], items, Settings(answer_list_chars=0)
        )

    contact = "联系人：测试市专利代办处\n电话：0571-87654321\n（三）材料报送渠道。"
    block = contact.rsplit("\n", 1)[0]
    assert quoted(contact, "联系人：测试市专利代办处") == block
    assert quoted(contact, "联系人：测试市专利代办处", settings=Settings(answer_label_line_chars=10)) != block

    text = "二、强化专利导航，服务产业发展\n各区要组织开展专利导航项目，每年不少于两项。导航成果要向企业公开，减少重复研发。"
    body = ("各区要组织开展专利导航项目，每年不少于两项。", "导航成果要向企业公开，减少重复研发。")
    assert quoted(text, body[1], body) == text[2:]
    # a shorter heading limit leaves the heading out; a shorter paragraph limit quotes the statement
    assert quoted(text, body[1], body, Settings(answer_heading_chars=10)) == "".join(body)
    assert quoted(text, body[1], body, Settings(answer_paragraph_chars=len(body[1]))) == body[1]

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from policy_search.ingest.chunking import check_coverage, chunk_document, cn_to_int, lead_phrase
from policy_search.ingest.corpus import Corpus
from policy_search.settings import Settings

from .conftest import make_doc


def by_id(corpus: Corpus, doc_id: str) -> dict:
    return {c.chunk_id: c for c in corpus.chunks_of(doc_id)}


def test_cn_numerals():
    assert [cn_to_int(n) for n in ["一", "九", "十", "十一", "二十", "三十二"]] == [1, 9, 10, 11, 20, 32]


def test_every_seed_is_fully_covered(seed_corpus: Corpus):
    assert len(seed_corpus.documents) == 5
    for doc in seed_corpus.documents:
        chunks = seed_corpus.chunks_of(doc.doc_id)
        assert chunks, doc.doc_id
        assert check_coverage(doc.text, chunks) == [], doc.doc_id


def test_chunk_ids_unique_and_repeatable(seed_corpus: Corpus):
    ids = [c.chunk_id for c in seed_corpus.chunks]
    assert len(ids) == len(set(ids))
    for doc in seed_corpus.documents:
        again = [c.chunk_id for c in chunk_document(doc)]
        assert again == [c.chunk_id for c in seed_corpus.chunks_of(doc.doc_id)]


def test_tianjin_32_tasks_under_8_sections(seed_corpus: Corpus):
    chunks = by_id(seed_corpus, "tianjin-2013")
    tasks = [
        c
        for cid, c in chunks.items()
        if re.fullmatch(r"tianjin-2013/[一二三四五六七八]/[一二三四五六七八九十]+", cid)
    ]
    assert sorted(cn_to_int(c.chunk_id.rsplit("/", 1)[1]) for c in tasks) == list(range(1, 33))
    assert {c.chunk_id.split("/")[1] for c in tasks} == set("一二三四五六七八")
    assert all(c.kind == "task" and len(c.section) == 1 for c in tasks)
    eight = chunks["tianjin-2013/二/八"]
    assert eight.title == "促进专利财富价值"
    assert "15亿元" in eight.text and "促进专利财富价值" in eight.text
    assert "（九）" not in eight.text and "深化专利运营试点" not in eight.text
    assert eight.section == ("服务加快科技型中小企业发展，促进企业知识产权综合实力实现新倍增",)
    assert [t.text for t in eight.targets] == ["达到15亿元"]
    assert eight.targets[0].indicator == "专利权质押贷款"
    assert eight.plan_title == "天津市知识产权局2013年工作要点" and eight.year == 2013


def test_tianjin_notice_preamble_and_goals(seed_corpus: Corpus):
    chunks = seed_corpus.chunks_of("tianjin-2013")
    assert chunks[0].kind == "notice" and chunks[0].text.startswith(
        "关于印发《天津市知识产权局2013年工作要点》"
    )
    goals = [c for c in chunks if c.kind == "goals"]
    assert len(goals) == 1 and "专利权质押贷款达到15亿元" in goals[0].text
    assert {"2.5万件", "6500家", "达到15亿元", "2万人"} <= {t.text for t in goals[0].targets}


def test_shandong_each_dash_task_is_its_own_chunk(seed_corpus: Corpus):
    doc = seed_corpus.document("shandong-2015")
    chunks = seed_corpus.chunks_of("shandong-2015")
    dash_chunks = [c for c in chunks if "——" in c.text]
    assert len(dash_chunks) == doc.text.count("——") == 36
    assert all(c.text.count("——") == 1 and c.units for c in dash_chunks)
    task = next(c for c in chunks if c.title == "深入推动科技型小微企业知识产权质押融资工作")
    assert task.units == ("协调管理处", "各有关市知识产权局")
    assert "实施专利导航重点产业发展工程" not in task.text
    # a bullet whose text starts on the next line
    nav = next(c for c in chunks if c.title == "实施专利导航重点产业发展工程")
    assert nav.text.startswith("——\n实施专利导航")
    assert chunks[0].kind == "preamble" and {"增长15%以上", "达到5件"} <= {t.text for t in chunks[0].targets}


def test_guangan_one_line_text_is_structured(seed_corpus: Corpus):
    doc = seed_corpus.document("guangan-2017")
    assert doc.text.count("\n") < 10  # the programme itself is one run-on line
    chunks = by_id(seed_corpus, "guangan-2017")
    tops = {cid.split("/")[1] for cid in chunks if cid.count("/") >= 1}
    assert {"一", "二", "三", "四", "五", "六"} <= tops
    subs = {cid.split("/")[2] for cid in chunks if cid.startswith("guangan-2017/四/")}
    assert subs == {"一", "二", "三", "四", "五", "六"}
    finance = chunks["guangan-2017/四/二/1"]
    assert finance.title == "创新知识产权投融资机制"
    assert "市科技和知识产权局" in finance.units and "广安银监分局" in finance.units
    assert "建立知识产权评议制度" not in finance.text
    assert finance.section == ("重点任务", "强化知识产权运用")
    stages = [chunks[f"guangan-2017/五/{n}"] for n in "一二三"]
    for stage, name in zip(stages, ["宣传发动阶段", "组织实施阶段", "考评验收阶段"]):
        assert stage.kind == "schedule" and stage.title.startswith(name)
    assert sum("阶段（" in s.text for s in stages) == 3
    assert all(chunks[f"guangan-2017/六/{n}"].kind == "safeguard" for n in "一二三")


def test_hongqiao_16_tasks_under_5_subsections(seed_corpus: Corpus):
    chunks = by_id(seed_corpus, "hongqiao-2021")
    tasks = {cid: c for cid, c in chunks.items() if re.fullmatch(r"hongqiao-2021/二/[一二三四五]/\d+", cid)}
    assert sorted(int(cid.rsplit("/", 1)[1]) for cid in tasks) == list(range(1, 17))
    assert {c.section[1] for c in tasks.values()} == {
        "推动知识产权高水平保护",
        "促进知识产权高质量创造",
        "加强知识产权高效益运用",
        "强化知识产权高标准服务管理",
        "打造知识产权高品质文化环境",
    }
    assert tasks["hongqiao-2021/二/三/11"].title == "探索知识产权金融创新"
    assert all(c.period == "2021–2035" and c.year == 2021 for c in chunks.values())
    goals = [c for c in chunks.values() if c.kind == "goals"]
    assert len(goals) == 1 and "达到16件" in {t.text for t in goals[0].targets}


def test_cnipa_paragraphs_are_chunks_with_department_units(seed_corpus: Corpus):
    doc = seed_corpus.document("cnipa-2013")
    chunks = seed_corpus.chunks_of("cnipa-2013")
    paragraphs = [ln for ln in doc.text.splitlines() if ln.endswith("）")]
    assert len(paragraphs) == 26
    for para in paragraphs:
        holders = [c for c in chunks if para in c.text]
        assert len(holders) == 1, para[:20]
        assert holders[0].units and all(u for u in holders[0].units)
    tops = {c.chunk_id.split("/")[1] for c in chunks if c.kind != "preamble"}
    assert tops == {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"}
    first = next(c for c in chunks if "推进全国专利事业发展战略" in c.text)
    assert first.units == ("专利管理司", "监察办公室")


def test_ids_survive_an_edit_elsewhere(seed_corpus: Corpus):
    doc = seed_corpus.document("tianjin-2013")
    before = {c.chunk_id: c.text for c in seed_corpus.chunks_of("tianjin-2013")}
    edited_text = doc.text.replace("扶持科技小巨人企业成长。", "扶持科技小巨人企业成长。新增一句话说明。")
    after = {c.chunk_id: c.text for c in chunk_document(replace(doc, text=edited_text))}
    assert set(before) == set(after)
    changed = [cid for cid in before if before[cid] != after[cid]]
    assert changed == ["tianjin-2013/二/五"]
    # bullets and paragraphs are keyed by their lead phrase, so inserting one keeps the others
    sd = seed_corpus.document("shandong-2015")
    inserted = sd.text.replace(
        "——推进培育专利技术市场。", "——新增一项任务。内容。（办公室）\n——推进培育专利技术市场。"
    )
    ids_before = {c.chunk_id for c in seed_corpus.chunks_of("shandong-2015")}
    ids_after = {c.chunk_id for c in chunk_document(replace(sd, text=inserted))}
    assert ids_after - ids_before == {"shandong-2015/二/新增一项任务"}
    assert ids_before <= ids_after


def test_no_headings_falls_back_to_paragraphs():
    text = "第一段很长的内容，说明了很多政策背景和要求，应当成为一个分块。\n第二段也是完整的内容，讲述了另外一些具体的工作安排。"
    chunks = chunk_document(make_doc(text))
    assert [c.kind for c in chunks] == ["preamble", "preamble"]
    assert check_coverage(text, chunks) == []


def test_long_item_is_split_at_sentence_ends_keeping_heading():
    sentence = "加强知识产权保护工作，完善相关制度建设，推动各项任务落到实处。"
    text = "一、重点任务\n（一）加强保护。" + sentence * 30 + "（责任单位：市知识产权局）"
    chunks = chunk_document(make_doc(text), Settings(max_chunk_chars=200))
    assert len(chunks) >= 4
    assert all(len(c.text) <= 200 for c in chunks)
    assert chunks[0].chunk_id == "t/一/一" and chunks[1].chunk_id == "t/一/一#2"
    assert {c.title for c in chunks} == {"加强保护"}
    assert {c.section for c in chunks} == {("重点任务",)}
    assert all(c.units == ("市知识产权局",) for c in chunks)
    assert all(c.text.endswith(("。", "）")) for c in chunks)
    assert check_coverage(text, chunks) == []


def test_short_fragment_and_lone_heading_join_next_chunk():
    text = "一、总体要求\n短句。\n这是一个足够长的段落，用来说明总体要求的具体内容和意义。"
    chunks = chunk_document(make_doc(text))
    assert len(chunks) == 1
    assert chunks[0].text == text


def test_lead_phrase():
    assert lead_phrase("促进专利财富价值。深化知识产权质押") == "促进专利财富价值"
    assert lead_phrase("——做好工作。内容") == "做好工作"
    long = "围绕重点区域、重点产业建立一批知识产权快速维权中心，深化维权援助机制建设，提升维权援助工作层次和水平。"
    assert lead_phrase(long) == "围绕重点区域、重点产业建立一批知识产权快速维权中心"
    assert (
        lead_phrase("加强对非正常专利申请的监控和处理，规范专利申请行为。")
        == "加强对非正常专利申请的监控和处理，规范专利申请行为"
    )


_PIECES = st.sampled_from(
    ["一、", "二、", "（一）", "（二）", "1.", "2、", "（1）", "——", "\n", "。", "；", "（责任单位：市局）",
     "到2020年达到15亿元", "加强知识产权保护", "推进专利", "工作", " ", "目标", "总体要求", "保障措施"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=60))
def test_property_chunker_never_loses_a_character(pieces):
    text = "\n".join(ln.strip() for ln in "".join(pieces).splitlines() if ln.strip())
    chunks = chunk_document(make_doc(text), Settings(max_chunk_chars=120))
    assert check_coverage(text, chunks) == []
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_short_numbered_provisions_that_are_sentences_stay_apart():
    # 规定 numbered 一、二、 whose short items are whole provisions, not headings
    text = (
        "为了示范，作如下规定：\n\n一、示范委员会负责示范事务，其组成人员由本级机关任命。\n\n"
        "二、样例人员不能行使示范权利的，经委员会确认，不行使权利。\n\n"
        "三、因示范案件被羁押的人，经有关机关决定，在羁押期间停止行使示范权利。\n"
        "四、本规定自2030年7月26日起施行。\n"
    )
    chunks = chunk_document(make_doc(text))
    starts = [c.text[:2] for c in chunks]
    assert starts.count("二、") == 1 and starts.count("三、") == 1 and starts.count("四、") == 1
    assert not any("二、" in c.text and "三、" in c.text for c in chunks)
    assert not any("三、" in c.text and "四、" in c.text for c in chunks)
    assert check_coverage(text, chunks) == []


def test_a_section_whose_text_is_one_short_sentence_is_its_own_chunk():
    text = "三、报名办法\n参加单位按照规定的时间和方式提交材料，逾期不予受理。\n四、名额安排\n今年共设示范名额12个。\n"
    text += "五、经费标准\n示范经费按照样例标准核拨，具体数额由主管部门另行公布。\n"
    chunks = chunk_document(make_doc(text))
    assert [c.chunk_id.split("/")[1] for c in chunks] == ["三", "四", "五"]
    assert check_coverage(text, chunks) == []

"""What a question asks for, and the sentence that supplies it, comes first."""

from __future__ import annotations

import pytest

from policy_search.answers.answer import answer
from policy_search.answers.asks import asked, supplies
from policy_search.search.retrieval import SearchEngine


@pytest.mark.parametrize(
    ("question", "kind"),
    [("服务热线电话是多少", "contact"), ("申报截止到什么时候", "date"), ("每亩补贴多少元", "figure"),
     ("由哪个部门负责审核", "unit"), ("哪些企业符合申请条件", "condition")],
)  # fmt: skip
def test_what_a_question_asks_for(question: str, kind: str):
    assert kind in asked(question)


def test_a_sentence_supplies_what_was_asked():
    assert supplies(("contact",), "咨询电话：0571-87654321。")
    assert supplies(("date",), "申报工作于3月15日前完成。")
    assert supplies(("figure",), "对新建温室每亩补贴3000元。")
    assert not supplies(("contact",), "进一步优化线上服务流程。")
    assert not supplies(("date",), "各部门要加强协调配合。")
    assert asked("如何加强协调配合") == ()


def test_the_sentence_with_the_number_answers_a_how_many_question(hash_engine: SearchEngine):
    result = answer(hash_engine, "专利流转储备中心要建几家")
    assert "8家" in result.items[0].text


@pytest.fixture(scope="module")
def hotline_engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    from policy_search.encoders import HashEncoder
    from policy_search.settings import Settings
    from policy_search.store.index import build_index

    corpus = tmp_path_factory.mktemp("hotline-corpus")
    (corpus / "service.txt").write_text(
        "测试市便民服务工作方案\n"
        "一、开通服务热线\n"
        "（一）开通热线。市政务中心开通便民服务热线，提供政策咨询服务。"
        "便民服务热线为0571-88886666，提供政策咨询服务。"
        "便民服务热线在工作日9时至17时提供政策咨询服务。\n"
        "（二）加强培训。各区组织窗口人员参加业务培训，提高服务水平。\n",
        encoding="utf-8",
    )
    index = tmp_path_factory.mktemp("hotline-index") / "index"
    build_index(corpus, index, Settings(encoder="hash"), encoder=HashEncoder())
    return SearchEngine.load(index, corpus_dir=corpus)


def test_the_sentence_with_the_phone_number_comes_first(hotline_engine: SearchEngine):
    result = answer(hotline_engine, "便民服务热线是多少")
    assert result.items and "0571-88886666" in result.items[0].text
    when = answer(hotline_engine, "便民服务热线什么时候提供政策咨询服务")
    assert "9时至17时" in when.items[0].text
    # without the bonus for supplying what was asked, the number sentence is not first
    plain = answer(
        hotline_engine.with_settings(answer_asked_bonus=0.0, answer_target_bonus=0.0), "便民服务热线是多少"
    )
    assert plain.items[0].text != result.items[0].text

"""Signature blocks, labels, document numbers and year cues read line by line."""

from __future__ import annotations

from policy_search.ingest.meta_sign import find_label, find_number, find_signature, label_date, year_cues
from policy_search.ingest.meta_text import split_lines


def test_signature_block_with_joint_spaced_names():
    lines = split_lines("请认真贯彻执行。\n示范局 样 例 局\n规 划 办\n2030年4月8日\n示范方案\n")
    issuer, date = find_signature(lines)
    assert issuer is not None and issuer.value == "示范局、样例局、规划办" and issuer.line == 2
    assert date is not None and (date.value, date.line) == ("2030-04-08", 4)


def test_signature_at_the_end_of_a_run_on_line():
    issuer, date = find_signature(split_lines("……认真落实。 　　　　示　范　局　　二〇三〇年十月十七日"))
    assert issuer is not None and issuer.value == "示范局"
    assert date is not None and date.value == "2030-10-17"


def test_a_date_inside_a_sentence_is_no_signature():
    assert find_signature(split_lines("完成时限 2030年12月31日\n")) == (None, None)


def test_labels():
    lines = split_lines(
        "发布部门： 示范局\n成文日期：2030年01月02日\n发布时间：2030/01/05\n文号：示发〔2030〕1号\n"
    )
    assert find_label(lines, ["发布部门"]).value == "示范局"  # type: ignore[union-attr]
    assert label_date(lines, ["成文日期"]).value == "2030-01-02"  # type: ignore[union-attr]
    assert label_date(lines, ["发布时间"]).value == "2030-01-05"  # type: ignore[union-attr]
    assert find_label(lines, ["文号"]).value == "示发〔2030〕1号"  # type: ignore[union-attr]


def test_own_number_versus_cited_number():
    assert find_number(split_lines("示范通知\n（示发〔2030〕2 号）\n")).value == "示发〔2030〕2 号"  # type: ignore[union-attr]
    assert find_number(split_lines("示范通知\n根据《示范办法》（示发〔2029〕1号）要求。\n")) is None


def test_year_cue_of_an_annual_report():
    assert year_cues(split_lines("首先报告2029年的工作\n")).value == "2030"  # type: ignore[union-attr]
    assert year_cues(split_lines("二、2030年主要任务\n")).value == "2030"  # type: ignore[union-attr]

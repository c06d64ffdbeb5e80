"""Each metadata layout rule on a small synthetic text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_search.ingest.metadata import extract_found, extract_metadata, five_year_plan_start


def meta(text: str, name: str = "") -> dict:
    return extract_metadata(text, name)


@pytest.mark.parametrize(
    "suffix", ["条例", "规定", "办法", "细则", "意见", "方案", "规划", "纲要", "要点", "计划", "通知", "决定",
               "报告", "批复", "措施"],
)  # fmt: skip
def test_every_document_type_ends_a_title(suffix: str):
    assert (
        meta(f"示范资源管理{suffix}\n\n第一条 为了规范管理，制定本{suffix}。\n")["title"]
        == f"示范资源管理{suffix}"
    )


def test_title_with_trailing_parenthesis_and_wrapped_lines():
    assert (
        meta("示范资源发展规划（2030—2035年）\n\n一、总体要求\n")["title"]
        == "示范资源发展规划（2030—2035年）"
    )
    assert meta("示范资源管理办法（试行）\n")["title"] == "示范资源管理办法（试行）"
    wrapped = "示范局 样例局关于加强示范资源\n登记和评估管理工作\n的通知\n样发〔2030〕3号\n各有关单位：\n"
    found = meta(wrapped)
    assert found["title"] == "示范局 样例局关于加强示范资源登记和评估管理工作的通知"
    assert found["issuer"] == "示范局、样例局"


def test_page_furniture_is_not_a_title():
    text = (
        "首页\n>\n政策文件\n示范局工作通知(样发〔2030〕1号)\n发布时间：2030/05/02\n来源：\n示范局\n[ 打印 ]\n"
    )
    text += "示范局关于做好示范工作的通知\n样发〔2030〕1号\n各有关单位：\n现将有关事项通知如下。\n"
    found = meta(text)
    assert found["title"] == "示范局关于做好示范工作的通知"
    assert found["doc_number"] == "样发〔2030〕1号" and found["published"] == "2030-05-02"


def test_promulgation_order_gives_issuer_number_and_latest_date():
    text = "示范条例\n\n2001年3月4日 中华人民共和国国务院令第76号发布\n\n2030年9月6日 中华人民共和国国务院令第906号公布\n\n第一条 为了示范，制定本条例。\n"
    found = meta(text)
    assert (found["issuer"], found["doc_number"]) == ("国务院", "中华人民共和国国务院令第906号")
    assert (found["published"], found["year"]) == ("2030-09-06", 2030)


def test_announcement_number_and_adoption_line():
    text = "江西省示范条例\n\n2030年9月25日 江西省第十五届人民代表大会常务委员会第二十次会议通过\n\n"
    text += "2030年9月25日 江西省第十五届人民代表大会常务委员会公告第31号公布\n\n2031年1月1日 施行\n\n第一条 为了示范，制定本条例。\n"
    found = meta(text)
    assert found["issuer"] == "江西省人民代表大会常务委员会"
    assert found["doc_number"] == "江西省第十五届人民代表大会常务委员会公告第31号"
    assert (found["year"], found["region"], found["level"]) == (2030, "江西省", "省")


def test_adoption_beats_approval_and_year_is_the_latest_amendment():
    text = "昆明市示范规定\n\n2020年10月25日 昆明市第十五届人民代表大会常务委员会第五次会议通过\n\n"
    text += "2020年11月25日 云南省第十三届人民代表大会常务委员会第八次会议批准\n\n"
    text += "2028年5月2日 昆明市第十六届人民代表大会常务委员会第九次会议修正\n\n2029年1月1日 施行\n\n第一条 为了示范，制定本规定。\n"
    found = meta(text)
    assert (found["issuer"], found["region"], found["level"], found["year"]) == (
        "昆明市人民代表大会常务委员会",
        "云南省昆明市",
        "市",
        2028,
    )


def test_run_on_text_with_spaced_signature_and_chinese_date():
    text = "国务院关于示范工作的批复 国函〔2030〕8号 示范局：你们的请示收悉。现批复如下：同意。 　　　国　务　院　　二〇三〇年三月五日"
    found = meta(text)
    assert (found["title"], found["issuer"], found["doc_number"]) == (
        "国务院关于示范工作的批复",
        "国务院",
        "国函〔2030〕8号",
    )
    assert (found["published"], found["region"], found["level"]) == ("2030-03-05", "全国", "国家")


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("国办发〔2030〕17 号", "国办发〔2030〕17 号"),
        ("国发 〔2030〕 35 号", "国发 〔2030〕 35 号"),
        ("（样卫医发〔2030〕2 号）", "样卫医发〔2030〕2 号"),
        ("样发[2030]5号", "样发[2030]5号"),
        ("样发(2030)6号", "样发(2030)6号"),
        ("樣發〔2030〕7號", "樣發〔2030〕7號"),
    ],
)
def test_number_forms(line: str, number: str):
    assert meta(f"示范局关于示范工作的通知\n{line}\n各有关单位：\n")["doc_number"] == number


def test_cited_numbers_are_not_the_documents_own():
    text = "示范工作方案\n\n为落实《示范意见》（样发〔2029〕3号），制定本方案。\n"
    assert meta(text)["doc_number"] == ""


def test_traditional_script_values_as_written():
    text = (
        "示範資源條例\n\n2030年9月17日 中華人民共和國國務院令第918號公佈\n\n第一條 為了示範，制定本條例。\n"
    )
    found = meta(text)
    assert (found["title"], found["doc_number"]) == ("示範資源條例", "中華人民共和國國務院令第918號")
    assert (found["issuer"], found["level"], found["published"]) == ("国务院", "国家", "2030-09-17")


def test_full_width_digits():
    found = meta("示范局２０３０年工作要点\n\n发布日期：２０３０－０２－０３\n\n一、总体要求\n")
    assert (found["title"], found["year"], found["issuer"]) == ("示范局２０３０年工作要点", 2030, "示范局")
    assert found["published"] == "2030-02-03"


def test_labels_and_joint_glued_signature():
    text = "关于印发《渝中区示范方案》的通知\n\n各有关单位：\n\n现将《渝中区示范方案》印发给你们。\n\n"
    text += "渝中区示范局渝中区样例委员会\n\n渝中区规划办公室\n\n2030年2月4日\n\n渝中区示范方案\n"
    found = meta(text)
    assert found["issuer"] == "渝中区示范局、渝中区样例委员会、渝中区规划办公室"
    assert (found["region"], found["level"], found["published"]) == ("重庆市渝中区", "区县", "2030-02-04")
    labelled = meta("示范通知\n发文机关：样例市示范局\n成文日期：2030年01月02日\n文号：样示〔2030〕1号\n")
    assert (labelled["issuer"], labelled["published"], labelled["doc_number"]) == (
        "样例市示范局",
        "2030-01-02",
        "样示〔2030〕1号",
    )


def test_speech_to_a_congress():
    text = "各位代表：\n\n现在，我代表国务院向大会作政府工作报告，请予审议。\n\n首先报告2029年的工作\n"
    found = meta(text)
    assert (found["title"], found["issuer"], found["year"], found["level"]) == (
        "政府工作报告",
        "国务院",
        2030,
        "国家",
    )


def test_five_year_plans_and_file_name_year():
    assert (
        five_year_plan_start(14) == 2021
        and five_year_plan_start(1) == 1953
        and five_year_plan_start(3) == 1966
    )
    found = meta("示范区示范资源“十五五”规划\n\n一、发展基础\n")
    assert (found["year"], found["period"]) == (2026, "2026–2030")
    assert meta("加强示范工作。\n", "notes-2031.txt")["year"] == 2031


def test_found_values_carry_their_line():
    found = extract_found("\n\n示范资源登记条例\n\n第一条 为了示范，制定本条例。\n")
    assert found["title"] is not None and (found["title"].line, found["title"].text) == (
        3,
        "示范资源登记条例",
    )
    assert found["doc_number"] is None


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("示范局关于通知条例〔〕()（）[]2019年月日号令第、，。：\n 　国务院区县市省一二〇")
        ),
        max_size=300,
    )
)
def test_any_text_gives_metadata_without_error(text: str):
    found = extract_metadata(text, "x.txt")
    assert set(found) == {"title", "issuer", "region", "level", "year", "period", "published", "doc_number"}


def test_long_single_line_and_many_lines_stay_fast():
    import time

    one_line = (
        "示范局关于示范工作的通知 样发〔2030〕1号 "
        + "各单位要加强示范资源登记，达到15亿元，（责任单位：示范局）" * 2000
    )
    many_lines = "\n".join(["2030年3月5日", "示范局", "国发〔2030〕1号"] * 6000)
    for text in (one_line, many_lines, "示" * 60000, "（" * 60000):
        start = time.perf_counter()
        extract_metadata(text)
        assert time.perf_counter() - start < 2.0


def test_red_head_and_government_order_on_two_lines():
    red_head = "样例市人民政府文件\n样府发〔2030〕4号\n样例市人民政府关于印发示范工作方案的通知\n各县（市、区）人民政府：\n"
    found = meta(red_head)
    assert (
        found["title"] == "样例市人民政府关于印发示范工作方案的通知"
        and found["doc_number"] == "样府发〔2030〕4号"
    )
    order = "江西省人民政府令\n第301号\n\n《江西省示范办法》已经省人民政府常务会议通过，现予公布。\n\n省长  张三\n2030年3月8日\n\n"
    order += "江西省示范办法\n\n第一条 为了示范，制定本办法。\n"
    found = meta(order)
    assert (found["title"], found["issuer"], found["doc_number"]) == (
        "江西省示范办法",
        "江西省人民政府",
        "江西省人民政府令第301号",
    )
    assert (found["published"], found["region"], found["level"]) == ("2030-03-08", "江西省", "省")


def test_signature_names_the_place_an_abbreviated_title_prefix_leaves_out():
    found = meta(
        "省政府办公厅关于印发示范方案的通知\n各市人民政府：\n现印发给你们。\n江西省人民政府办公厅\n2030年1月2日\n"
    )
    assert (found["issuer"], found["region"], found["level"]) == ("江西省人民政府办公厅", "江西省", "省")


def test_run_on_title_glued_to_its_number_and_salutation():
    text = "示范局关于加强示范工作的决定样发〔2030〕5号各有关单位：　　为了示范，现决定如下。\n"
    found = meta(text)
    assert (found["title"], found["doc_number"], found["issuer"]) == (
        "示范局关于加强示范工作的决定",
        "样发〔2030〕5号",
        "示范局",
    )


def test_wrapped_title_whose_last_part_runs_on_into_the_number():
    text = "示范局关于印发示范资源保护\n\n“十五五”规划的通知样发〔2027〕9号各有关单位：\n\n现将规划印发给你们。\n"
    found = meta(text)
    assert found["title"] == "示范局关于印发示范资源保护“十五五”规划的通知"
    assert (found["doc_number"], found["period"]) == ("样发〔2027〕9号", "2026–2030")
    assert found["year"] == 2027  # issued in the plan's second year, as its number says


def test_run_on_regulation_title_after_a_signed_order():
    text = (
        "中华人民共和国国务院令\n\n 第　909　号 　　《示范资源条例》已经2030年8月1日国务院第9次常务会议通过，"
        "现予公布。\n\n　　　　总　理　　 某某某\n\n　　　　二○三○年八月十七日\n\n"
        "示范资源条例第一章　总　　则 　　第一条　为了示范，制定本条例。\n"
    )
    found = meta(text)
    assert (found["title"], found["issuer"], found["published"]) == ("示范资源条例", "国务院", "2030-08-17")


def test_judicial_interpretation_title():
    found = meta(
        "最高人民法院关于审理示范纠纷案件适用法律若干问题的解释\n\n第一条 本解释所称示范，是指样例。\n"
    )
    assert (found["title"], found["issuer"], found["level"]) == (
        "最高人民法院关于审理示范纠纷案件适用法律若干问题的解释",
        "最高人民法院",
        "国家",
    )


def test_cited_order_in_parentheses_is_not_the_documents_own():
    text = "关于示范工时折算问题的通知\n\n样社部发[2030]3号\n\n各省、自治区、直辖市示范厅（局）：\n\n"
    text += "根据《示范放假办法》（国务院令第913号）的规定，现通知如下：\n"
    found = meta(text)
    assert (found["doc_number"], found["year"]) == ("样社部发[2030]3号", 2030)
    # addressed to every province: a central document
    assert (found["region"], found["level"]) == ("全国", "国家")


def test_rules_adopted_at_a_department_meeting():
    text = "示范职工休假实施办法\n\n2030年7月17日 经示范资源部第6次部务会议通过\n\n第一条 为了示范，制定本办法。\n"
    found = meta(text)
    assert (found["issuer"], found["level"]) == ("示范资源部", "国家")


def test_issuer_before_a_verb_or_a_congress_session_in_the_title():
    text = "样例区人民政府办公室印发关于建立示范机制实施意见的通知\n\n区政府各部门：\n\n现印发给你们。\n"
    found = meta(text)
    assert found["issuer"] == "样例区人民政府办公室"
    text = "第十五届全国人民代表大会第一次会议关于示范报告的决议\n\n（2030年3月13日第十五届全国人民代表大会第一次会议通过）\n\n会议同意示范报告。\n"
    found = meta(text)
    assert (found["issuer"], found["level"]) == ("全国人民代表大会", "国家")


def test_report_of_the_central_peoples_government():
    found = meta("各位代表：\n\n现在，我代表中央人民政府作工作报告。\n")
    assert (found["title"], found["issuer"], found["level"]) == ("政府工作报告", "中央人民政府", "国家")


def test_own_order_number_in_parentheses_under_the_title():
    text = (
        "示范基金检查暂行办法\n（示范保障局令第 6 号）\n《示范基金检查暂行办法》已经审议通过，现予以公布。\n"
    )
    text += "局 长：某某某\n2030年3月13日\n第一章 总则\n第一条 为了示范，制定本办法。\n"
    found = meta(text)
    assert (found["issuer"], found["doc_number"]) == ("示范保障局", "示范保障局令第 6 号")


def test_latest_amending_decision_names_the_issuer():
    text = "示范纪念日放假办法\n\n1990年1月2日 示范院发布\n\n"
    text += "2020年3月4日 《国务院关于修改〈示范纪念日放假办法〉的决定》第一次修订\n\n"
    text += "2030年5月6日 《国务院关于修改〈示范纪念日放假办法〉的决定》第二次修订）\n\n第一条 为了示范，制定本办法。\n"
    found = meta(text)
    assert (found["issuer"], found["level"], found["year"]) == ("国务院", "国家", 2030)


def test_national_title_prefix_without_any_header():
    found = meta("中华人民共和国示范物项管理条例\n\n第一章 总 则\n\n第一条 为了示范，制定本条例。\n")
    assert (found["region"], found["level"]) == ("全国", "国家")


def test_run_on_title_ending_in_a_type_word_that_is_also_inside_it():
    text = "示范局关于同意建立示范联席会议制度的函样办函〔2030〕12号示范部：你部请示收悉。\n"
    assert meta(text)["title"] == "示范局关于同意建立示范联席会议制度的函"
    text = "示范局关于印发示范改革方案的通知样办发〔2030〕13号各有关单位：现印发给你们。\n"
    assert meta(text)["title"] == "示范局关于印发示范改革方案的通知"


def test_spaced_labels_with_the_value_on_the_next_line_and_a_date_after_the_closing():
    text = "名 称 ：\n样例市示范局关于示范工作的通知\n发 布 机 构 ：\n样例市示范局\n成 文 日 期 ：\n发 文 日 期 ：\n"
    text += "样例市示范局关于示范工作的通知\n各有关单位：\n现将有关事项通知如下。\n特此通知。\n2030年2月2日\n"
    found = meta(text)
    assert (found["issuer"], found["published"]) == ("样例市示范局", "2030-02-02")


def test_signature_date_followed_by_a_publication_note():
    text = "示范局关于示范工作的通知样发〔2030〕1号各有关单位：　　现将有关事项通知如下。"
    text += "　　　　　　　　　　　　示范局　　　　　　　　　　　　2030年11月12日　　（此件公开发布）"
    found = meta(text)
    assert found["published"] == "2030-11-12"


def test_law_titles_and_numbered_part_suffix():
    assert (
        meta("中华人民共和国示范法\n\n第一章 总 则\n\n第一条 为了示范，制定本法。\n")["title"]
        == "中华人民共和国示范法"
    )
    text = "最高人民法院关于适用《中华人民共和国示范法》若干问题的规定（二）\n\n为正确适用示范法，作出如下规定。\n"
    found = meta(text)
    assert found["title"] == "最高人民法院关于适用《中华人民共和国示范法》若干问题的规定（二）"
    assert found["issuer"] == "最高人民法院"


def test_history_line_naming_who_issued_it():
    found = meta("示范奖励条例\n\n1982年3月16日 国务院发布\n\n第一章 总则\n\n第一条 为了示范，制定本条例。\n")
    assert (found["issuer"], found["level"], found["year"]) == ("国务院", "国家", 1982)


def test_standalone_order_beats_an_earlier_versions_order_in_a_history_line():
    text = "中华人民共和国国务院令\n\n第909号\n\n《国务院关于修改〈示范条例〉的决定》已经通过，现予公布。\n\n"
    text += "示范条例（2001年11月29日中华人民共和国国务院令第253号发布\n\n根据2030年7月16日《国务院关于修改〈示范条例〉的决定》修订）\n"
    found = meta(text)
    assert (found["issuer"], found["doc_number"]) == ("国务院", "中华人民共和国国务院令第909号")


def test_dates_in_a_run_on_body_are_not_header_events():
    text = "示范局关于印发示范应急预案的通知样办函〔2030〕119号各有关单位：　　经同意，现将修订后的预案印发给你们。"
    text += "2015年2月1日印发的《示范应急预案》同时废止。\n"
    assert meta(text)["year"] == 2030


def test_web_capture_with_slash_breadcrumbs_labelled_date_and_joint_signature():
    text = "关于印发《示范办法》的通知_能源\n当前位置：\n首页\n/ 政务公开\n/ 资源环境\n"
    text += (
        "关于印发《示范办法》的通知\n(发布日期：2030年05月31日\n文号：样发改〔2030〕7号)\n样发改〔2030〕7号\n"
    )
    text += "各有关单位：\n现印发给你们，请按照执行。\n附件：\n示范办法.docx\n"
    text += "上海市示范委员会\n上海市样例委员会\n2030年5月30日\n分享\n"
    found = meta(text)
    assert found["title"] == "关于印发《示范办法》的通知"
    assert found["doc_number"] == "样发改〔2030〕7号"
    assert found["issuer"] == "上海市示范委员会、上海市样例委员会"
    assert (found["region"], found["level"], found["published"]) == ("上海市", "省", "2030-05-30")

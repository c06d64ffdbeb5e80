"""Cleaning: web boilerplate goes, with a reason for each line; policy text always stays and no
character is ever lost."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_search.ingest.cleaning import MAX_BOILERPLATE_CHARS, boilerplate_reason, clean_text
from policy_search.ingest.normalize import normalize_char_width
from policy_search.records import Removed

CORPUS = Path(__file__).parent.parent / "corpus"

# Every line each corpus file loses: (1-based line number, normalised text, reason).
EXPECTED_REMOVED: dict[str, list[tuple[int, str, str]]] = {
    "cnipa-2013-work-plan.txt": [
        (1, "当前位置：首页", "breadcrumb"),
        (2, ">政务>政策文件>工作要点", "breadcrumb"),
    ],
    "guangan-2017-pilot-city-programme.txt": [
        (2, "政策", "navigation label"),
        (3, "发布部门：广安市人民政府办公室", "page metadata"),
        (4, "发布时间：2017年06月15日", "page metadata"),
        (5, "政策文号：广安府发〔2017〕11号", "page metadata"),
        (6, "有效性：政策是否有效未知，请慎用", "validity disclaimer"),
    ],
    "hongqiao-2021-2035-strong-district-outline.txt": [
        (
            1,
            "天津市红桥区市场监督管理局\xa0\xa0》\xa0新闻动态\xa0\xa0》\xa0工作通知",
            "breadcrumb",
        ),
        (3, "来源：红桥区市场监管局 发布日期：2023-04-10 17:45", "page metadata"),
        (111, "附件：", "empty attachment tail"),
    ],
    "shandong-2015-work-plan.txt": [],
    "tianjin-2013-work-plan.txt": [
        (3, "发布日期：2013-03-05  \xa0\xa0浏览次数：3", "page metadata"),
        (111, "分享到： 收藏本文", "share/print widget"),
    ],
}

# Lines that must survive: titles and the first paragraph of each plan (prefixes).
EXPECTED_KEPT: dict[str, list[str]] = {
    "cnipa-2013-work-plan.txt": [
        "国家知识产权局2013年工作要点",
        "2013年是全面深入贯彻落实党的十八大精神的开局之年",
        "一、深入实施知识产权战略",
    ],
    "guangan-2017-pilot-city-programme.txt": [
        "广安市人民政府关于印发广安市建设国家知识产权试点城市工作方案的通知",
        "各区市县人民政府，广安经开区",
    ],
    "hongqiao-2021-2035-strong-district-outline.txt": [
        "天津市红桥区知识产权强区建设纲要（2021—2035年）",
        "为全面提升我区知识产权创造、运用、保护、管理和服务水平",
        "天津市红桥区知识产权保护领导小组办公室",
    ],
    "shandong-2015-work-plan.txt": [
        "2015年是全面完成“十二五”发展规划的收官之年",
        "——",
    ],
    "tianjin-2013-work-plan.txt": [
        "关于印发《天津市知识产权局2013年工作要点》的通知",
        "各区县知识产权局、各有关单位：",
        "2013年是贯彻落实十八大精神的开局年",
        "（三十二）进一步提升机关行政能力。",
    ],
}


def _raw(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def test_every_corpus_file_is_covered() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.txt")) == sorted(EXPECTED_REMOVED)


@pytest.mark.parametrize("name", sorted(EXPECTED_REMOVED))
def test_corpus_boilerplate_removed_with_reasons(name: str) -> None:
    _, removed = clean_text(_raw(name))
    assert [(r.line_no, r.text, r.reason) for r in removed] == EXPECTED_REMOVED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_KEPT))
def test_corpus_content_kept(name: str) -> None:
    cleaned, _ = clean_text(_raw(name))
    lines = cleaned.split("\n")
    for prefix in EXPECTED_KEPT[name]:
        assert any(line.startswith(prefix) for line in lines), prefix


@pytest.mark.parametrize("name", sorted(EXPECTED_REMOVED))
def test_corpus_records_point_at_the_source_lines(name: str) -> None:
    raw = _raw(name)
    cleaned, removed = clean_text(raw)
    source_lines = raw.splitlines()
    for record in removed:
        assert normalize_char_width(source_lines[record.line_no - 1]).strip() == record.text
    assert cleaned == cleaned.strip()
    assert all(line.strip() == line and line for line in cleaned.split("\n"))


def test_cnipa_and_tianjin_edges() -> None:
    cleaned, _ = clean_text(_raw("cnipa-2013-work-plan.txt"))
    assert cleaned.startswith("国家知识产权局2013年工作要点\n")
    cleaned, _ = clean_text(_raw("tianjin-2013-work-plan.txt"))
    assert "分享到" not in cleaned
    assert "收藏本文" not in cleaned
    assert cleaned.endswith("。")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("当前位置：首页 > 政务 > 政策文件", "breadcrumb"),
        ("您的位置:首页>新闻中心", "breadcrumb"),
        ("首页 > 政务公开 > 通知公告", "breadcrumb"),
        ("》政策文件", "breadcrumb"),
        ("【字体：大 中 小】【打印本页】【关闭窗口】", "share/print widget"),
        ("扫一扫在手机打开当前页", "share/print widget"),
        ("字号:大 中 小", "share/print widget"),
        ("浏览次数:128", "view counter"),
        ("阅读次数：35次", "view counter"),
        ("索引号:000014348/2013-00123  主题分类:科技、教育", "page metadata"),
        ("信息来源:市知识产权局 | 作者:办公室 | 点击数:56", "page metadata"),
        ("成文日期:2021年06月01日", "page metadata"),
        ("文号:津知发〔2013〕3号", "page metadata"),
        ("有效性:现行有效", "validity disclaimer"),
        ("政策", "navigation label"),
        ("首页", "navigation label"),
        ("【返回顶部】", "navigation label"),
        ("[关闭]", "navigation label"),
        ("上一篇:关于开展专利执法的通知", "navigation label"),
        ("下一篇：无", "navigation label"),
        ("[ 打印 ]", "navigation label"),
        ("您所在的位置：首页 > 政务公开", "breadcrumb"),
        ("分享：微信 微博 QQ空间", "share/print widget"),
        ("【关闭】【打印】", "share/print widget"),
        ("发布日期：2024-01-05  来源：市知识产权局  字号：[大 中 小]", "page metadata"),
        (">", "breadcrumb"),
        ("- 3 -", "page number"),
        ("第 2 页 共 9 页", "page number"),
    ],
)
def test_boilerplate_rules(line: str, reason: str) -> None:
    assert boilerplate_reason(normalize_char_width(line).strip()) == reason


@pytest.mark.parametrize(
    "line",
    [
        # book titles are not breadcrumbs
        "根据《国家知识产权战略纲要》《专利法》和《商标法》，制定本方案",
        "贯彻落实《关于加强知识产权保护的意见》》",
        # sentences of policy text that mention widget or metadata words
        "建立专利信息分享到户机制。",
        "来源：国家统计局。全市专利申请量增长15%。",
        "发布日期、浏览次数等信息应当及时公开。",
        "有效性评价：建立政策实施效果评估机制，对政策有效性进行年度评估。",
        "首页展示知识产权公共服务事项。",
        "政策保障",
        "上一篇文章提到的任务已经完成。",
        # attachments with content, headings, issuer lines
        "附件：1.重点任务分工表",
        "（一）加强组织领导。",
        "天津市红桥区知识产权保护领导小组办公室  2023年3月10日印发",
        "专利质押融资达到15亿元，增长>20%",
        # content lines that merely start like a breadcrumb or a widget
        "> 各区要在2025年前完成知识产权服务站建设……",
        "》加强知识产权保护，完善快速维权机制",
        "》加强知识产权保护",
        "建立专利信息分享到户机制",
        "上一篇文章提到的任务已经完成",
        "、",
        "所在位置优越",
        # too long to be boilerplate even with a widget word
        "分享到" + "推进知识产权强市建设" * 13,
    ],
)
def test_policy_lines_are_kept(line: str) -> None:
    normalised = normalize_char_width(line).strip()
    assert boilerplate_reason(normalised) is None
    _, removed = clean_text(line + "\n正文。")
    assert removed == ()


def test_max_length_guard() -> None:
    assert len("分享到" + "推进知识产权强市建设" * 13) > MAX_BOILERPLATE_CHARS


def test_attachment_line_only_removed_at_the_end() -> None:
    raw = "一、总体要求\n附件：\n推进工作。\n\n附件\n分享到：收藏本文\n  \n"
    cleaned, removed = clean_text(raw)
    assert cleaned == "一、总体要求\n附件：\n推进工作。"
    assert removed == (
        Removed(5, "附件", "empty attachment tail"),
        Removed(6, "分享到：收藏本文", "share/print widget"),
    )


def test_crlf_and_blank_lines() -> None:
    cleaned, removed = clean_text("\r\n当前位置:首页\r\n\r\n  标题  \r\n正文。\r\n")
    assert cleaned == "标题\n正文。"
    assert removed == (Removed(2, "当前位置：首页", "breadcrumb"),)


def test_empty_input() -> None:
    assert clean_text("") == ("", ())
    assert clean_text(" \n\u3000\n") == ("", ())


_BOILERPLATE_BITS = [
    "当前位置:",
    "首页",
    ">",
    "》",
    "《",
    " > ",
    "分享到",
    "收藏本文",
    "打印本页",
    "【字体",
    "字号:大 中 小",
    "扫一扫",
    "发布日期:",
    "来源:",
    "浏览次数:",
    "3",
    "2013-03-05 17:45",
    "有效性:",
    "政策",
    "正文",
    "上一篇",
    "附件:",
    "附件",
    # navigation blocks, contents, tables, numbers, PDF joins, titles (repair)
    "【关于印发方案的通知】-某某网站",
    "[ 打印 ]",
    "相关链接",
    "目录",
    "目 录",
    "第一章 总则",
    "……3",
    " 5",
    "一、",
    "（一）",
    "序号",
    "30",
    "12.5",
    "万平方米",
    "关于加强",
    "工作的通知",
    "专利 转化",
    "2025 年",
    "》加强保护",
    "。",
    "，",
    ",",
    ":",
    "(",
    ")",
    "\n",
    "\r\n",
    "\r",
    "\u3000",
    "\xa0",
    "\u2028",
    "\x0c",
    "\t",
    "  ",
]
_TEXT = st.lists(
    st.one_of(
        st.sampled_from(_BOILERPLATE_BITS),
        st.text(
            alphabet="知识产权专利保护推进一二三、（）：；！？１２Ａａ,.:;!?()0123456789 ",
            max_size=8,
        ),
        st.text(max_size=5),
    ),
    max_size=60,
).map("".join)


def _chars(text: str) -> Counter[str]:
    return Counter(ch for ch in text if not ch.isspace())


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_nothing_is_silently_lost(raw: str) -> None:
    cleaned, removed = clean_text(raw)
    accounted = _chars(cleaned) + sum((_chars(r.text) for r in removed), Counter())
    assert accounted == _chars(normalize_char_width(raw))
    assert cleaned == cleaned.strip()
    assert "\n\n" not in cleaned
    assert [r.line_no for r in removed] == sorted(r.line_no for r in removed)
    assert all(r.line_no >= 1 and r.text == r.text.strip() and r.text for r in removed)


def test_site_footer_lines_are_boilerplate_but_sentences_are_not():
    for line in (
        "主办：示范市样例局 版权所有©",
        "网站标识码：1234567890 样ICP备12345678号",
        "样公网安备 12345678901234号",
        "编辑部客服信箱demo@example.gov.cn",
        "您的浏览器版本过低，建议升级后访问本站",
    ):
        assert boilerplate_reason(line) == "site footer", line
    for line in (
        "推动版权所有者依法维权。",
        "加强保护，维护著作权人的版权所有权益",
        "推动浏览器国产化适配。",
    ):
        assert boilerplate_reason(line) is None, line


def test_contents_whose_head_and_leaders_a_capture_split_over_lines():
    text = (
        "示范方案\n目\n录\n一、工作背景..........\n..........\n- 1 -\n二、组织方式\n..........\n- 2 -\n"
        "三、保障要求\n..........\n- 3 -\n一、工作背景\n示范工作已开展多年，成效明显。\n"
        "二、组织方式\n按照示范方式组织实施。\n三、保障要求\n加强组织保障。\n"
    )
    cleaned, removed = clean_text(text)
    assert cleaned.startswith("示范方案\n一、工作背景\n示范工作已开展多年")
    assert {r.reason for r in removed} == {"table of contents", "page number"}
    # 目 / 录 with no contents after them stay text
    kept, _ = clean_text("示范\n目\n录\n这是正文，不是目录。\n")
    assert kept == "示范\n目\n录\n这是正文，不是目录。"


def test_slash_breadcrumb_lines_and_lone_share_are_page_furniture():
    for line in ("/ 政务公开", "/ 政策文件", "／能源", "分享", "收藏"):
        assert boilerplate_reason(line) is not None, line
    for line in ("/kWh", "/", "/ 2030年"):
        assert boilerplate_reason(line) is None, line

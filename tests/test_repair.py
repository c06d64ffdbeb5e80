"""Noise repair before chunking, one layout at a time: navigation, contents, flattened tables,
lone numbers, PDF wraps and stray spaces, wrapped titles.

Every fixture is synthetic and written for one layout; none is copied from a real document.
"""

from __future__ import annotations

import pytest

from policy_search.ingest.cleaning import clean_text
from policy_search.ingest.grammar import line_marker


def _clean(raw: str) -> tuple[list[str], list[tuple[str, str]]]:
    cleaned, removed = clean_text(raw)
    return cleaned.split("\n"), [(r.text, r.reason) for r in removed]


# --- web captures: navigation blocks --------------------------------------------------------------

WEB_CAPTURE = """【关于开展创新园区年度评估工作的通知(创评办〔2024〕7号)】-某某省科学技术厅网站
首页
>
新闻中心
>
政策
>
通知公告
关于开展创新园区年度评估工作的通知(创评办〔2024〕7号)
发布时间：2024/03/01
来源：
办公室
[ 打印 ]
各有关单位：
为做好创新园区年度评估工作，现将有关事项通知如下：
一、评估范围
已认定满一年的创新园区。
二、评估方式
采取自评与抽查相结合的方式。
附件：
相关链接
某某省人民政府
《关于促进创新园区发展的若干措施》解读
"""


def test_web_capture_navigation_is_removed_line_by_line() -> None:
    lines, removed = _clean(WEB_CAPTURE)
    assert lines == [
        "关于开展创新园区年度评估工作的通知（创评办〔2024〕7号）",
        "各有关单位：",
        "为做好创新园区年度评估工作，现将有关事项通知如下：",
        "一、评估范围",
        "已认定满一年的创新园区。",
        "二、评估方式",
        "采取自评与抽查相结合的方式。",
    ]
    assert removed == [
        ("【关于开展创新园区年度评估工作的通知（创评办〔2024〕7号）】-某某省科学技术厅网站", "page title"),
        ("首页", "navigation label"),
        (">", "breadcrumb"),
        ("新闻中心", "breadcrumb"),
        (">", "breadcrumb"),
        ("政策", "navigation label"),
        (">", "breadcrumb"),
        ("通知公告", "breadcrumb"),
        ("发布时间：2024/03/01", "page metadata"),
        ("来源：", "page metadata"),
        ("办公室", "page metadata"),
        ("[ 打印 ]", "navigation label"),
        ("附件：", "empty attachment tail"),
        ("相关链接", "related links"),
        ("某某省人民政府", "related links"),
        ("《关于促进创新园区发展的若干措施》解读", "related links"),
    ]


def test_site_menu_of_short_link_labels_is_removed() -> None:
    raw = (
        "首页\n机构概况\n政务公开\n办事服务\n互动交流\n关于做好专利转化工作的通知\n各有关单位：\n请认真落实。"
    )
    lines, removed = _clean(raw)
    assert lines == ["关于做好专利转化工作的通知", "各有关单位：", "请认真落实。"]
    assert [reason for _, reason in removed] == ["navigation label"] + ["site menu"] * 4


def test_short_lines_without_menu_labels_are_not_a_menu() -> None:
    raw = "工作目标\n专利质量\n商标品牌\n版权保护\n地理标志\n推进知识产权强省建设。"
    lines, removed = _clean(raw)
    assert removed == [] and len(lines) == 6


def test_related_links_only_at_the_foot_and_only_without_sentences() -> None:
    raw = "一、相关政策\n相关政策\n各地要落实相关政策。\n推进工作。"
    lines, removed = _clean(raw)
    assert removed == [] and lines == raw.split("\n")


# --- content lines that merely start like a breadcrumb ------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "> 各区要在2025年前完成知识产权服务站建设……",
        "》加强知识产权保护，完善快速维权机制",
        "》加强知识产权保护",
        "> 2025年完成全部任务",
        "》第五条第一项规定的情形除外",
        ">3",
        "> 50%",
    ],
)
def test_content_line_starting_with_a_separator_is_kept(line: str) -> None:
    lines, removed = _clean(f"一、主要任务\n{line}\n推进工作。")
    assert removed == []
    assert line.replace("%", "%") in lines or lines[1] == line


def test_a_whole_line_breadcrumb_is_still_removed() -> None:
    for line in (
        "》政策文件",
        "首页 > 政务公开 > 通知公告",
        ">政务>政策文件>工作要点",
        "当前位置：首页 > 政策",
    ):
        _, removed = _clean(line + "\n推进工作。")
        assert [reason for _, reason in removed] == ["breadcrumb"], line


# --- tables of contents ------------------------------------------------------------------------

TOC_WITH_PAGES = """某某市专利促进条例
目  录
第一章 总则 ........ 1
第二章 专利创造 ..... 3
第三章 专利运用 ..... 5
第四章 附则 ....... 8
第一章　总　　则
第一条 为了促进专利创造和运用，制定本条例。
第二章 专利创造
第二条 鼓励单位和个人创造专利。
第三章 专利运用
第三条 支持专利转化。
第四章 附则
第四条 本条例自2025年1月1日起施行。"""


def test_table_of_contents_with_page_numbers_is_removed() -> None:
    lines, removed = _clean(TOC_WITH_PAGES)
    assert [text for text, _ in removed] == [
        "目  录",
        "第一章 总则 ........ 1",
        "第二章 专利创造 ..... 3",
        "第三章 专利运用 ..... 5",
        "第四章 附则 ....... 8",
    ]
    assert {reason for _, reason in removed} == {"table of contents"}
    assert lines[1] == "第一章 总  则" and lines[-1] == "第四条 本条例自2025年1月1日起施行。"
    assert sum(line.startswith("第一章") for line in lines) == 1


def test_table_of_contents_without_page_numbers_is_removed() -> None:
    raw = "目录：\n一、总体要求\n二、主要任务\n三、保障措施\n一、总体要求\n坚持创新。\n二、主要任务\n推进转化。\n三、保障措施\n加强领导。"
    lines, removed = _clean(raw)
    assert len(removed) == 4 and lines[0] == "一、总体要求" and lines.count("二、主要任务") == 1


def test_a_list_after_a_catalogue_heading_that_is_never_repeated_is_kept() -> None:
    raw = "目录\n1.专利导航服务\n2.专利运营服务\n3.专利保险服务\n以上服务按年度调整。"
    lines, removed = _clean(raw)
    assert removed == [] and lines == raw.split("\n")


# --- flattened tables and lone numbers ---------------------------------------------------------

FLAT_TABLE = """三、主要指标
附表1：
序号
指标名称
单位
目标值
1
专利授权量
件
5000
2
商标注册量
件
3000
3
技术合同成交额
亿元
12.5
（一）加强组织领导。"""


def test_flattened_table_becomes_one_line_of_tab_separated_cells() -> None:
    lines, removed = _clean(FLAT_TABLE)
    assert removed == []
    assert lines == [
        "三、主要指标",
        "附表1：",
        "序号\t指标名称\t单位\t目标值\t1\t专利授权量\t件\t5000\t2\t商标注册量\t件\t3000\t3\t技术合同成交额\t亿元\t12.5",
        "（一）加强组织领导。",
    ]
    assert line_marker(lines[2]) is None  # a cell "1" is never an item marker


def test_a_few_short_lines_are_not_a_table() -> None:
    raw = "上海市某某区人民政府\n2024年5月6日\n抄送：区委办公室\n3\n份"
    lines, _ = _clean(raw)
    assert "\t" not in "\n".join(lines)


def test_lone_numbers_inside_a_sentence_are_rejoined() -> None:
    raw = "截至2023年底，全市有效发明专利达到\n12850\n件，每万人口高价值发明专利拥有量达到\n9.6\n件。\n二、主要任务"
    lines, _ = _clean(raw)
    assert lines == [
        "截至2023年底，全市有效发明专利达到12850件，每万人口高价值发明专利拥有量达到9.6件。",
        "二、主要任务",
    ]


def test_lone_numbers_at_a_boundary_stay_apart() -> None:
    lines, _ = _clean("全年完成评估。\n3\n（二）加强保护。")
    assert lines == ["全年完成评估。", "3", "（二）加强保护。"]
    lines, _ = _clean("（一）发展目标\n30\n万件")  # a heading is not a sentence the number continues
    assert lines[0] == "（一）发展目标"


def test_a_row_number_after_a_finished_row_joins_its_row() -> None:
    lines, _ = _clean("推进专利导航。\n7\n建设知识产权服务站。\n8\n（三）加强保护。")
    assert lines == ["推进专利导航。", "7\t建设知识产权服务站。", "8", "（三）加强保护。"]
    lines, _ = _clean("各项任务如下。\n1\n建设知识产权服务站\n2\n完善专利导航机制，推进转化运用。")
    assert lines == ["各项任务如下。", "1\t建设知识产权服务站", "2\t完善专利导航机制，推进转化运用。"]


# --- PDF text ------------------------------------------------------------------------------------

_PARAGRAPHS = [
    "一、总体要求",
    "坚持以创新驱动发展为核心，全面加强知识产权创造、运用、保护、管理和服务，推动知识产权事业高质量发展，为建设创新型省份提供有力支撑。",
    "二、主要任务",
    "（一）提升创造质量。完善高价值专利培育机制，引导企业围绕关键核心技术开展专利布局，到2025年每万人口高价值发明专利拥有量达到12件。",
    "（二）强化保护力度。建立健全快速协同保护机制，加大侵权假冒行为打击力度，提高维权效率，降低维权成本，营造良好的创新环境和营商环境。",
    "（三）促进转化运用。支持高校和科研机构建立专利转移转化机构，推广先使用后付费的许可方式，推动专利技术向中小企业转移，提升转化效益。",
    "三、保障措施",
    "各地各有关部门要加强组织领导，将知识产权工作纳入年度考核内容，落实经费保障，强化督促检查，及时总结推广典型经验和做法，确保各项任务落到实处。",
]


def _wrap(paragraphs: list[str], width: int) -> str:
    return "\n".join(p[i : i + width] for p in paragraphs for i in range(0, len(p), width))


def test_hard_wrapped_plain_text_is_rejoined() -> None:
    lines, removed = _clean(_wrap(_PARAGRAPHS, 24))
    assert removed == [] and lines == _PARAGRAPHS


def test_hard_wrapped_text_with_blank_lines_between_paragraphs() -> None:
    raw = "\n\n".join(_wrap([p], 24) for p in _PARAGRAPHS)
    assert _clean(raw)[0] == _PARAGRAPHS


def test_double_spaced_hard_wrapped_text_is_rejoined() -> None:
    raw = "\n\n".join(_wrap(_PARAGRAPHS, 24).split("\n"))
    assert _clean(raw)[0] == _PARAGRAPHS


def _spaced(paragraph: str, every: int) -> str:
    """A paragraph as a PDF extractor joins its printed lines: with a space at each line end."""
    return " ".join(paragraph[i : i + every] for i in range(0, len(paragraph), every))


def test_stray_spaces_of_joined_pdf_lines_are_removed_and_page_breaks_rejoined() -> None:
    body = [_spaced(p, 23) for p in _PARAGRAPHS]
    cut = body[3].index("专利布局")  # a page break in the middle of a paragraph
    raw = "\n".join([*body[:3], body[3][:cut], body[3][cut:], *body[4:]])
    lines, _ = _clean(raw)
    assert lines == _PARAGRAPHS


def test_spaces_are_kept_in_documents_without_the_pdf_pattern() -> None:
    raw = "第一章 总则\n第一条 为了促进专利转化，制定本办法。\n某某省知识产权局 某某省财政厅\n2024年1月2日"
    lines, _ = _clean(raw)
    assert lines == raw.split("\n")


def test_a_heading_with_a_space_still_reads_as_a_heading_after_repair() -> None:
    body = [_spaced(p, 23) for p in _PARAGRAPHS]
    lines, _ = _clean("\n".join(["第一章 总则", *body]))
    marker = line_marker(lines[0])
    assert marker is not None and marker.family == "chapter"


def test_pdf_page_numbers_are_removed_and_the_page_break_rejoined() -> None:
    body = _wrap(_PARAGRAPHS, 24).split("\n")
    raw = "\n".join([*body[:4], "- 2 -", *body[4:]])
    lines, removed = _clean(raw)
    assert lines == _PARAGRAPHS and removed == [("- 2 -", "page number")]


def test_table_rows_with_tabs_are_never_wrapped() -> None:
    rows = ["指标名称\t单位\t2025年目标\t属性说明" + "说明" * i for i in range(8)]
    assert _clean("\n".join(rows))[0] == rows


def test_wrapped_title_is_joined() -> None:
    raw = "某某省市场监督管理局 某某省财政厅关于进一步加强\n专利转化运用工作的实施意见\n各市、县（区）市场监管局、财政局：\n现提出如下意见。"
    lines, _ = _clean(raw)
    assert lines[0] == "某某省市场监督管理局 某某省财政厅关于进一步加强专利转化运用工作的实施意见"
    three = "某某厅 某某委 某某局\n某某办关于印发促进专利转化运用\n若干措施的通知\n各有关单位："
    assert _clean(three)[0][0] == "某某厅 某某委 某某局某某办关于印发促进专利转化运用若干措施的通知"


def test_signature_date_and_next_title_stay_apart() -> None:
    raw = "某某区投资促进办公室\n2025年2月24日\n某某区可再生能源发展行动方案\n为推进能源转型，制定本方案。"
    assert _clean(raw)[0] == raw.split("\n")


def test_numbers_a_web_capture_put_on_lines_of_their_own_rejoin_their_sentence() -> None:
    text = (
        "按照《样例厅关于推进\n2030\n年样例工作的意见》（样例〔\n2030\n〕\n2\n号）要求，制定本方案。\n"
        "特此通知。\n2030\n年\n2\n月\n3\n日\n（此件主动公开）\n"
        "示范活动于\n2030\n年\n3\n月\n9\n日开展，经费约\n12\n万元。"
    )
    lines, _ = _clean(text)
    assert lines[0] == "按照《样例厅关于推进2030年样例工作的意见》（样例〔2030〕2号）要求，制定本方案。"
    assert "2030年2月3日" in lines and "（此件主动公开）" in lines
    assert "示范活动于2030年3月9日开展，经费约12万元。" in lines


def test_an_item_number_cut_from_its_mark_rejoins_it() -> None:
    lines, _ = _clean("四、工作要求\n1\n．明确样例分工，按期完成任务。\n2\n．加强示范督查。")
    assert lines == ["四、工作要求", "1.明确样例分工，按期完成任务。", "2.加强示范督查。"]

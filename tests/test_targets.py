from policy_search.targets import extract_targets, extract_units


def texts(s: str) -> list[str]:
    return [t.text for t in extract_targets(s)]


def test_targets_with_units_and_comparators():
    s = "专利申请5万件、授权2.5万件，专利权质押贷款达到15亿元，培训2万人次，电子申请率达到95%。"
    assert texts(s) == ["5万件", "2.5万件", "达到15亿元", "2万人次", "达到95%"]
    pledge = extract_targets(s)[2]
    assert (pledge.value, pledge.unit, pledge.comparator, pledge.indicator) == (
        15.0,
        "亿元",
        "达到",
        "专利权质押贷款",
    )
    assert s[pledge.start : pledge.end] == "达到15亿元"


def test_growth_rates_deadlines_and_durations():
    s = "到2020年，全市发明专利授权量年均增长10%以上，审查周期缩短至22.5个月，拥有专利的企业6500家。"
    found = extract_targets(s)
    assert [t.text for t in found] == ["年均增长10%以上", "缩短至22.5个月", "6500家"]
    assert found[0].comparator == "年均增长" and found[0].deadline == "2020年"
    assert found[0].indicator == "全市发明专利授权量"


def test_dates_numbers_and_ordinals_are_not_targets():
    s = "2013年2月26日，五届市政府第10次常务会议，广安府发〔2017〕11号，12330热线，“4.26”宣传周，12条产业链。"
    assert texts(s) == []


def test_weak_units_need_a_comparator():
    assert texts("召开2次会议") == []
    assert texts("全年大型宣传活动不少于3次") == ["不少于3次"]


def test_labelled_units():
    s = "创新投融资机制。（责任单位：市科技和知识产权局、市财政局，各区市县政府，广安经开区、协兴园区管委会）"
    assert extract_units(s) == (
        "市科技和知识产权局",
        "市财政局",
        "各区市县政府",
        "广安经开区",
        "协兴园区管委会",
    )


def test_trailing_office_lists():
    assert extract_units("…工作。（协调管理处，各有关市知识产权局）") == ("协调管理处", "各有关市知识产权局")
    assert extract_units("…工作。（国际合作处及各处室、单位，各市知识产权局）") == (
        "国际合作处",
        "各处室、单位",
        "各市知识产权局",
    )
    assert extract_units("…工作。（专利管理司、监察办公室）") == ("专利管理司", "监察办公室")


def test_parentheses_that_are_not_units():
    assert extract_units("制定《行动计划（2014—2020年）》。") == ()
    assert extract_units("宣传发动阶段（2017年6月—2017年12月）") == ()
    assert extract_units("开展试点（重点是中小企业和高校）") == ()


def test_number_first_phrasing_takes_the_noun_after():
    (target,) = extract_targets("全面启动专利创造千企万家工程，推动6500家科技型中小企业消除专利空白。")
    assert target.text == "6500家" and target.indicator == "推动科技型中小企业消除专利空白"


def test_households_with_comparator():
    assert texts("培育知识产权试点示范企业100户以上") == ["100户以上"]


def test_ranges_and_large_units():
    found = extract_targets("新增2—3家培训基地，遴选3-5所中小学，投入1.5亿元，培训2万人次以上")
    assert [(t.text, t.value, t.unit) for t in found] == [
        ("新增2—3家", 2.0, "家"),
        ("3-5所", 3.0, "所"),
        ("1.5亿元", 1.5, "亿元"),
        ("2万人次以上", 2.0, "万人次"),
    ]
    assert found[3].comparator == "以上"

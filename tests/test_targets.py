from policy_search.ingest.targets import extract_targets, extract_units


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


def test_chinese_numerals():
    found = extract_targets(
        "补助五万元，专利申请两千件，服务一千二百家企业，覆盖率达到百分之七十，应当在三十日内办结。"
    )
    assert [(t.text, t.value, t.unit) for t in found] == [
        ("五万元", 5.0, "万元"),
        ("两千件", 2000.0, "件"),
        ("一千二百家", 1200.0, "家"),
        ("达到百分之七十", 70.0, "%"),
        ("三十日内", 30.0, "日"),
    ]


def test_words_with_numerals_are_not_targets():
    assert texts("实施千人计划，推动一家一策，统一标准，第三次会议，“十四五”规划，3月26日") == []


def test_numbers_alone_on_their_own_line():
    assert texts("完善审批制度。\n21\n\n人才培养。\n22\n件事项") == []


def test_yearly_rates_and_ranges():
    found = extract_targets("新增3—5个示范区，登记量年均增长10%以上")
    assert [(t.text, t.comparator) for t in found] == [("新增3—5个", "新增"), ("年均增长10%以上", "年均增长")]


def test_past_results_are_achievements():
    def kinds(s: str, year: int | None = 2030, review: bool = False) -> list[str]:
        return [t.kind for t in extract_targets(s, year, review)]

    assert kinds("过去五年，累计完成登记3万件。") == ["achievement"]
    assert kinds("去年完成登记2万件。") == ["achievement"]
    assert kinds("已经建成示范基地12家。") == ["achievement"]
    assert kinds("2028年，登记量达到2万件。") == ["achievement"]  # a year before the document's
    assert kinds("登记量比上年增长15%。") == ["target"]  # a plan's yearly aim …
    assert kinds("登记量比上年增长15%。", review=True) == ["achievement"]  # … or a result in a review
    assert kinds("到2032年，登记量达到3万件。") == ["target"]
    assert kinds("力争登记量达到3万件。") == ["target"]
    assert kinds("2028年登记量达到2万件，到2032年达到5万件。") == ["target", "target"]


def test_has_target_counts_only_targets():
    from policy_search.records import Chunk, Target

    done = Target("达到2万件", 2.0, "万件", "达到", "登记量", "", 0, 5, kind="achievement")
    chunk = Chunk(
        chunk_id="d/一", doc_id="d", plan_title="p", issuer="", region="", level="", year=None, period="",
        section=(), title="t", text="达到2万件", units=(), targets=(done,), kind="task", start=0, end=5,
    )  # fmt: skip
    assert not chunk.has_target
    assert Chunk.from_dict(chunk.to_dict()).targets[0].kind == "achievement"
    data = chunk.to_dict()
    del data["targets"][0]["kind"]
    assert Chunk.from_dict(data).targets[0].kind == "target"


def test_no_seed_target_is_an_achievement(seed_corpus):
    # the seeds are plans: every number they state is an aim, none reports a past result
    targets = [t for c in seed_corpus.chunks for t in c.targets]
    assert len(targets) > 50
    assert [t.text for t in targets if t.kind == "achievement"] == []


def test_review_sections_mark_achievements(tmp_path):
    from policy_search.ingest.corpus import load_corpus

    from .meta_fixtures import DISTRICT

    (tmp_path / "district.txt").write_text(DISTRICT, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    by_kind: dict[str, list[str]] = {}
    for c in corpus.chunks:
        for t in c.targets:
            by_kind.setdefault(t.kind, []).append(t.text)
    assert "1200件" in by_kind["achievement"] and "增长15%" in by_kind["achievement"]
    assert {"达到3000件", "年均增长10%以上", "一千二百家", "不少于五百人次"} <= set(by_kind["target"])

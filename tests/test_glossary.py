from policy_search.search.glossary import expand_query, translate_terms


def test_longest_phrase_wins_and_terms_are_unique():
    assert translate_terms("patent pledge financing targets") == ["专利", "质押融资", "目标"]
    assert translate_terms("Administrative enforcement against patent infringement") == [
        "行政执法",
        "专利",
        "侵权",
    ]
    assert translate_terms("patent patents") == ["专利"]


def test_chinese_queries_are_unchanged():
    assert expand_query("知识产权质押融资目标") == "知识产权质押融资目标"
    assert expand_query("unknownword") == "unknownword"


def test_mixed_query_keeps_the_original_words():
    assert expand_query("IP training 山东") == "IP training 山东 知识产权 培训"

"""Chinese analysis for BM25: user-dictionary terms, stopwords, punctuation, fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_search.store import analysis
from policy_search.store.analysis import (
    STOPWORDS_PATH,
    USERDICT_PATH,
    Tokenizer,
    dictionary_fingerprint,
    fingerprint_contents,
    tokenize,
    tokenize_many,
)

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return Tokenizer()


@pytest.mark.parametrize(
    "text, term",
    [
        ("开展知识产权质押融资试点", "质押融资"),
        ("实施专利导航工程", "专利导航"),
        ("每万人口高价值发明专利拥有量达到16件", "高价值发明专利"),
        ("开通12330维权援助热线", "12330"),
        ("推进企业贯标工作", "贯标"),
        ("深入开展“双打”专项行动", "双打"),
        ("建设知识产权强区", "知识产权强区"),
        ("组织中国专利周活动", "中国专利周"),
        ("加强商业秘密保护", "商业秘密"),
    ],
)
def test_user_dictionary_terms_stay_whole(tok: Tokenizer, text: str, term: str) -> None:
    assert term in tok.tokenize(text)


def test_compounds_also_yield_their_parts(tok: Tokenizer) -> None:
    tokens = tok.tokenize("知识产权质押融资")
    assert {"质押", "融资"} <= set(tokens)
    # so a partial query still meets the document's compound
    assert set(tok.tokenize("维权中心")) <= set(tok.tokenize("设立快速维权中心"))


def test_collision_terms_do_not_swallow_the_next_word(tok: Tokenizer) -> None:
    # 专利法 has a modest frequency so 专利法律 stays 专利 / 法律
    assert "法律" in tok.tokenize("研究建立专利法律、法规")
    assert "专利法" in tok.tokenize("推动专利法修改")


def test_user_dictionary_terms_occur_in_the_corpus() -> None:
    """The dictionary is drawn from real policy text, not invented vocabulary."""
    corpus = "".join(p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")).lower()
    lines = [ln.split()[0] for ln in USERDICT_PATH.read_text(encoding="utf-8").splitlines()]
    terms = [t for t in lines if t and not t.startswith("#")]
    assert len(terms) >= 80
    found = [t for t in terms if t in corpus]
    assert len(found) >= 0.75 * len(terms)


def test_stopwords_removed_domain_words_kept(tok: Tokenizer) -> None:
    tokens = tok.tokenize("关于知识产权的目标和指标有哪些？进一步提到了什么")
    for stop in ("的", "和", "有", "哪些", "进一步", "提到", "了", "什么", "关于"):
        assert stop not in tokens
    assert {"知识产权", "目标", "指标"} <= set(tokens)
    assert {"目标", "指标", "发展"}.isdisjoint(tok.stopwords)
    assert {"the", "of", "and"} <= tok.stopwords


def test_punctuation_and_whitespace_removed(tok: Tokenizer) -> None:
    tokens = tok.tokenize("（一）专利、商标，版权。“双打”！\n\t  —— 《专利法》；?!...")
    assert tokens
    assert all(t.strip() == t and t for t in tokens)
    assert all(any(ch.isalnum() for ch in t) for t in tokens)
    assert {"专利", "商标", "版权", "双打"} <= set(tokens)


def test_numbers_latin_and_lower_case(tok: Tokenizer) -> None:
    tokens = tok.tokenize("专利权质押贷款达到15亿元，增长15%，授权2.5万件，PCT申请，ISO9001")
    assert {"15", "2.5", "pct", "iso9001"} <= set(tokens)
    assert "15%" not in tokens
    assert tok.tokenize("The Patent") == ["patent"]
    # full-width digits from a Chinese IME match half-width ones
    assert "12330" in tok.tokenize("１２３３０热线")


def test_deterministic_and_module_helpers_agree(tok: Tokenizer) -> None:
    text = (CORPUS / "tianjin-2013-work-plan.txt").read_text(encoding="utf-8")[:2000]
    first = tok.tokenize(text)
    assert first == tok.tokenize(text) == Tokenizer().tokenize(text) == tokenize(text)
    assert tokenize_many([text, "专利导航"]) == [first, tok.tokenize("专利导航")]
    assert tok.tokenize("") == [] and tok.tokenize(" \n，。") == []


def test_private_jieba_instance_leaves_global_jieba_alone(tok: Tokenizer) -> None:
    import jieba

    tok.tokenize("知识产权质押融资")
    assert not jieba.dt.FREQ.get("质押融资")  # our user words never reach the global one


def test_fingerprint_is_stable_and_tracks_the_files(tmp_path: Path) -> None:
    base = dictionary_fingerprint()
    assert base == dictionary_fingerprint() == Tokenizer().fingerprint()
    assert len(base) == 64 and set(base) <= set("0123456789abcdef")

    user = USERDICT_PATH.read_bytes()
    stop = STOPWORDS_PATH.read_bytes()
    version = analysis._jieba_version()
    assert fingerprint_contents(user, stop, version) == base
    assert fingerprint_contents(user + "专利护航 20000 nz\n".encode(), stop, version) != base
    assert fingerprint_contents(user, stop + b"zz\n", version) != base
    assert fingerprint_contents(user, stop, "0.0.0") != base
    # moving bytes between the two files changes it too (length-prefixed parts)
    assert fingerprint_contents(user + b"x", stop, version) != fingerprint_contents(
        user, b"x" + stop, version
    )

    edited = tmp_path / "userdict.txt"
    edited.write_bytes(user + "专利护航 20000 nz\n".encode())
    assert dictionary_fingerprint(edited, STOPWORDS_PATH) != base
    assert Tokenizer(userdict_path=edited).fingerprint() != base


def test_custom_dictionary_files_change_the_tokens(tmp_path: Path) -> None:
    user = tmp_path / "userdict.txt"
    user.write_text("# test dictionary\n专利护航行动 20000 nz\n", encoding="utf-8")
    stop = tmp_path / "stopwords.txt"
    stop.write_text("# none but one\n开展\n", encoding="utf-8")
    custom = Tokenizer(userdict_path=user, stopwords_path=stop)
    tokens = custom.tokenize("开展专利护航行动")
    assert "专利护航行动" in tokens and "开展" not in tokens
    assert "专利护航行动" not in Tokenizer().tokenize("开展专利护航行动")

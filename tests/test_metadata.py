from __future__ import annotations

from pathlib import Path

import pytest

from policy_search.ingest.corpus import Corpus
from policy_search.ingest.metadata import CatalogError, extract_metadata, load_catalog, parse_period

from .conftest import CORPUS_DIR


def test_extracted_from_text_without_catalog():
    tianjin = extract_metadata((CORPUS_DIR / "tianjin-2013-work-plan.txt").read_text(encoding="utf-8"))
    # the file is the covering notice, so its title is the notice's own title line
    assert tianjin["title"] == "关于印发《天津市知识产权局2013年工作要点》的通知"
    assert tianjin["published"] == "2013-02-26"  # the notice's signature date beats the page's 发布日期
    assert tianjin["issuer"] == "天津市知识产权局" and tianjin["year"] == 2013
    assert (tianjin["region"], tianjin["level"]) == ("天津市", "省")
    guangan = extract_metadata(
        (CORPUS_DIR / "guangan-2017-pilot-city-programme.txt").read_text(encoding="utf-8")
    )
    assert guangan["title"] == "广安市人民政府关于印发广安市建设国家知识产权试点城市工作方案的通知"
    assert guangan["doc_number"] == "广安府发〔2017〕11号"
    assert guangan["published"] == "2017-06-15"
    cnipa = extract_metadata((CORPUS_DIR / "cnipa-2013-work-plan.txt").read_text(encoding="utf-8"))
    assert (cnipa["title"], cnipa["region"], cnipa["level"]) == (
        "国家知识产权局2013年工作要点",
        "全国",
        "国家",
    )
    shandong = extract_metadata((CORPUS_DIR / "shandong-2015-work-plan.txt").read_text(encoding="utf-8"))
    assert shandong["title"] == ""  # the text has no title at all


def test_catalog_fills_and_overrides(seed_corpus: Corpus):
    docs = {d.doc_id: d for d in seed_corpus.documents}
    assert set(docs) == {"tianjin-2013", "shandong-2015", "guangan-2017", "hongqiao-2021", "cnipa-2013"}
    assert docs["shandong-2015"].title == "山东省知识产权局2015年工作要点"
    assert docs["hongqiao-2021"].period == "2021–2035" and docs["hongqiao-2021"].year == 2021
    assert docs["hongqiao-2021"].published == "2023-03-10"
    assert docs["guangan-2017"].issuer == "广安市人民政府"
    assert docs["guangan-2017"].period == "2017–2020"
    assert [docs[i].level for i in sorted(docs)] == ["国家", "市", "区县", "省", "省"]


def test_parse_period():
    assert parse_period("2021—2035年)") == (2021, "2021–2035")
    assert parse_period("2013年工作要点") == (2013, "2013")
    assert parse_period("2017-2020") == (2017, "2017–2020")
    assert parse_period("无年份") == (None, "")


def test_bad_catalog_is_one_clear_error(tmp_path: Path):
    (tmp_path / "catalog.toml").write_text("[[document]]\nfile = 'a.txt'\nlevel = '乡'\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"catalog\.toml: a\.txt: level must be one of"):
        load_catalog(tmp_path)
    (tmp_path / "catalog.toml").write_text("[[document\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid TOML"):
        load_catalog(tmp_path)

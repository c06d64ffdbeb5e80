"""Metadata read from synthetic documents of three levels, with provenance, and the filters that use it."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_search.encoders import HashEncoder
from policy_search.ingest.corpus import load_corpus
from policy_search.search.retrieval import Filters, SearchEngine
from policy_search.settings import Settings
from policy_search.store.index import build_index

from .meta_fixtures import DISTRICT, NATIONAL, PROVINCIAL


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("three-levels")
    (root / "national.txt").write_text(NATIONAL, encoding="utf-8")
    (root / "provincial.txt").write_text(PROVINCIAL, encoding="utf-8")
    (root / "district.txt").write_text(DISTRICT, encoding="utf-8")
    (root / "manifest.json").write_text("[]", encoding="utf-8")  # not a document
    (root / "README.md").write_text("# notes\n", encoding="utf-8")
    return root


def _docs(folder: Path):
    corpus = load_corpus(folder)
    assert not corpus.skipped
    return {d.path: d for d in corpus.documents}


def _source(doc, field):
    return next(p for p in doc.provenance if p.field == field)


def test_national_regulation(folder: Path):
    doc = _docs(folder)["national.txt"]
    assert (doc.title, doc.issuer, doc.region, doc.level, doc.year) == (
        "示范资源登记条例",
        "国务院",
        "全国",
        "国家",
        2030,
    )
    assert doc.doc_number == "中华人民共和国国务院令第901号" and doc.published == "2030-03-02"
    issuer = _source(doc, "issuer")
    assert (issuer.source, issuer.line) == ("text", 3) and "国务院令" in issuer.text
    assert _source(doc, "title").line == 1
    assert _source(doc, "period").source == "none"


def test_provincial_regulation_with_adoption_line(folder: Path):
    doc = _docs(folder)["provincial.txt"]
    assert (doc.title, doc.issuer) == ("江西省示范资源保护条例", "江西省人民代表大会常务委员会")
    assert (doc.region, doc.level, doc.year) == ("江西省", "省", 2029)
    assert _source(doc, "year").line == 3 and _source(doc, "doc_number").source == "none"


def test_district_plan_with_covering_notice_and_signature(folder: Path):
    doc = _docs(folder)["district.txt"]
    assert doc.title == "重庆市渝中区人民政府办公室关于印发渝中区示范资源提升行动方案（2030—2032年）的通知"
    assert (doc.issuer, doc.region, doc.level) == ("重庆市渝中区人民政府办公室", "重庆市渝中区", "区县")
    assert (doc.year, doc.period, doc.published) == (2030, "2030–2032", "2030-04-08")
    assert doc.doc_number == "渝中府办发〔2030〕12 号"
    assert _source(doc, "published").line == 11
    row = doc.to_dict()
    assert {"field": "level", "value": "区县", "source": "text", "line": 9}.items() <= row["provenance"][
        3
    ].items()


def test_file_name_stands_in_for_a_missing_title(tmp_path: Path):
    (tmp_path / "plan-2031.txt").write_text("加强示范资源工作。做好登记。\n", encoding="utf-8")
    (doc,) = load_corpus(tmp_path).documents
    assert doc.title == "plan-2031" and _source(doc, "title").source == "file name"
    assert doc.year == 2031 and _source(doc, "year").source == "file name"


def test_catalog_overrides_and_says_so(tmp_path: Path):
    (tmp_path / "national.txt").write_text(NATIONAL, encoding="utf-8")
    (tmp_path / "catalog.toml").write_text(
        '[[document]]\nfile = "national.txt"\nissuer = "某部"\n', encoding="utf-8"
    )
    (doc,) = load_corpus(tmp_path).documents
    assert doc.issuer == "某部" and _source(doc, "issuer").source == "catalog"
    assert _source(doc, "title").source == "text"


def test_region_level_and_year_filters_find_them(folder: Path, tmp_path: Path):
    index_dir = tmp_path / "index"
    build_index(folder, index_dir, Settings(encoder="hash"), encoder=HashEncoder())
    engine = SearchEngine.load(index_dir, corpus_dir=folder)

    def docs_for(filters: Filters) -> set[str]:
        return {h.chunk.doc_id for h in engine.search("示范资源登记", k=50, mode="hybrid", filters=filters)}

    assert docs_for(Filters(regions=("江西",))) == {"provincial"}
    assert docs_for(Filters(regions=("重庆",))) == {"district"}
    assert docs_for(Filters(levels=("国家",))) == {"national"}
    assert docs_for(Filters(levels=("区县",))) == {"district"}
    assert docs_for(Filters(year_min=2029, year_max=2029)) == {"provincial"}
    assert docs_for(Filters(year_min=2031, year_max=2031)) == {"district"}  # its period runs to 2032


def test_cli_docs_shows_provenance(folder: Path):
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "policy_search", "docs", "--corpus", str(folder), "--provenance"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "江西省人民代表大会常务委员会" in out.stdout and "text:3" in out.stdout

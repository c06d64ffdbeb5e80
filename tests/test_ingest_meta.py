"""eval/ingest_meta.py scores metadata against a manifest (synthetic folder)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .meta_fixtures import DISTRICT, NATIONAL, PROVINCIAL

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval.ingest_meta import main, render, score_metadata


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "n.txt").write_text(NATIONAL, encoding="utf-8")
    (tmp_path / "p.txt").write_text(PROVINCIAL, encoding="utf-8")
    (tmp_path / "d.txt").write_text(DISTRICT, encoding="utf-8")
    (tmp_path / "README.md").write_text("# set\n", encoding="utf-8")
    manifest = [
        {"file": "n.txt", "title": "示范资源 登记条例", "issuer": "国务院", "level": "国家", "region": "全国",
         "year": 2030, "doc_number": "中华人民共和国国务院令第901号", "period": "", "published": "2030-03-02"},
        {"file": "p.txt", "title": "江西省示范资源保护条例", "issuer": "江西省人民政府", "level": "省",
         "region": "江西省", "year": 2029, "doc_number": "", "period": "", "published": ""},
        {"file": "d.txt", "title": "重庆市渝中区人民政府办公室关于印发渝中区示范资源提升行动方案（2030—2032年）的通知",
         "issuer": "重庆市渝中区人民政府办公室", "level": "区县", "region": "重庆市渝中区", "year": 2030,
         "doc_number": "渝中府办发〔2030〕12 号", "period": "2030-2032", "published": "2030-04-08"},
    ]  # fmt: skip
    (tmp_path / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def test_scores_per_document_and_field(tmp_path: Path):
    folder = _folder(tmp_path)
    result = score_metadata(folder, folder / "manifest.json")
    assert result["skipped"] == []
    docs = result["documents"]
    assert docs["n.txt"]["title"]["right"]  # whitespace does not count
    assert not docs["p.txt"]["issuer"]["right"]  # a wrong issuer is scored wrong
    assert "doc_number" not in docs["p.txt"]  # empty truth is skipped
    assert docs["d.txt"]["period"]["right"]  # 2030–2032 equals 2030-2032
    totals = result["totals"]
    assert (totals["issuer"]["right"], totals["issuer"]["scored"]) == (2, 3)
    assert (totals["doc_number"]["right"], totals["doc_number"]["scored"]) == (2, 2)
    table = render(result)
    assert "| p.txt |" in table and "2/3 (67%)" in table


def test_main_prints_a_table_and_names_a_missing_input(tmp_path: Path, capsys):
    folder = _folder(tmp_path)
    assert main([str(folder)]) == 0
    assert "right / scored" in capsys.readouterr().out
    assert main([str(tmp_path / "nope")]) == 2
    assert "nope: not found" in capsys.readouterr().err

from __future__ import annotations

import pytest

from policy_search.ingest.gazetteer import gazetteer, locate


def test_gazetteer_has_every_province_and_the_municipalities():
    names = gazetteer().names
    provinces = {p.province for places in names.values() for p in places}
    assert len(provinces) == 34
    assert {"北京市", "上海市", "重庆市", "天津市", "内蒙古自治区", "新疆维吾尔自治区"} <= provinces


@pytest.mark.parametrize(
    ("name", "context", "expected"),
    [
        ("国务院", "", ("全国", "国家")),
        ("中华人民共和国国务院", "", ("全国", "国家")),
        ("国家示范局", "", ("全国", "国家")),
        ("全国人民代表大会常务委员会", "", ("全国", "国家")),
        ("教育部", "", ("全国", "国家")),  # a central ministry
        ("江西省人民代表大会常务委员会", "", ("江西省", "省")),
        ("江西示范资源条例", "", ("江西省", "省")),  # short form
        ("昆明市人民政府", "", ("云南省昆明市", "市")),  # a city alone gets its province
        ("珠海经济特区示范条例", "", ("广东省珠海市", "市")),
        ("重庆市人民政府", "", ("重庆市", "省")),  # municipalities count as province level
        ("重庆市渝中区人民政府", "", ("重庆市渝中区", "区县")),
        ("渝中区人民政府", "", ("重庆市渝中区", "区县")),  # unique district
        ("云南省昆明市五华区", "", ("云南省昆明市五华区", "区县")),
        ("朝阳区人民政府", "", ("", "")),  # two 朝阳区: unknown without context
        ("朝阳区人民政府", "北京市朝阳区人民政府办公室", ("北京市朝阳区", "区县")),
        ("某某省示范局", "", ("", "")),
        ("卫生健康委", "", ("", "")),
    ],
)
def test_locate(name: str, context: str, expected: tuple[str, str]):
    assert locate(name, context) == expected

"""Responsible units with their roles, on synthetic lines and on the seed plans."""

from __future__ import annotations

from policy_search.ingest.corpus import Corpus
from policy_search.ingest.units import extract_unit_roles, extract_units
from policy_search.records import Chunk, Unit


def roles(text: str) -> list[tuple[str, str]]:
    return [(u.name, u.role) for u in extract_unit_roles(text)]


def test_lead_and_supporting_in_one_parenthesis():
    text = "建设平台。（牵头单位：区示范局；配合单位：区财政局、区样例委）"
    assert roles(text) == [("区示范局", "牵头"), ("区财政局", "配合"), ("区样例委", "配合")]
    assert extract_units(text) == ("区示范局", "区财政局", "区样例委")


def test_labels_are_never_part_of_a_name():
    for text in (
        "（责任单位：区示范局；配合单位：区发展改革委）",
        "（配合单位：区发展改革委；牵头单位：区示范局）",
    ):
        names = extract_units(text)
        assert "区发展改革委" in names and not any("：" in n or "单位" in n for n in names)
    assert extract_units("（配合单位：区发展改革委；牵头单位：区示范局）")[0] == "区示范局"  # lead first


def test_labelled_lines_of_their_own():
    text = "加强协作。\n牵头单位：区示范局\n协办单位：区样例委、区规划办\n参与单位：各街道"
    assert roles(text) == [
        ("区示范局", "牵头"),
        ("区样例委", "配合"),
        ("区规划办", "配合"),
        ("各街道", "配合"),
    ]
    assert roles("主责单位：示范处\n责任部门：样例处") == [("示范处", "牵头"), ("样例处", "责任")]


def test_collective_phrases_stay_whole():
    assert extract_units("（责任单位：各区、县级市人民政府，市示范局）") == (
        "各区、县级市人民政府",
        "市示范局",
    )
    assert extract_units("（责任单位：各区、县级市）") == ("各区、县级市",)
    assert extract_units("（责任单位：各县（市、区）人民政府、市示范局）") == (
        "各县（市、区）人民政府",
        "市示范局",
    )


def test_inline_role_words():
    assert roles("开展培训。（区示范局牵头，区教委、区样例委配合）") == [
        ("区示范局", "牵头"),
        ("区教委", "配合"),
        ("区样例委", "配合"),
    ]


def test_bare_office_lists_are_responsible():
    assert roles("…工作。（示范处、样例办）") == [("示范处", "责任"), ("样例办", "责任")]
    assert roles("开展试点（重点是中小企业）") == []


def test_unit_roles_round_trip_through_chunk_json():
    chunk = Chunk(
        chunk_id="d/一", doc_id="d", plan_title="示范方案", issuer="示范局", region="", level="", year=None,
        period="", section=(), title="t", text="x", units=("A局",), targets=(), kind="task", start=0, end=1,
        unit_roles=(Unit("A局", "牵头"),),
    )  # fmt: skip
    data = chunk.to_dict()
    assert data["unit_roles"] == [{"name": "A局", "role": "牵头"}]
    assert Chunk.from_dict(data) == chunk
    del data["unit_roles"]
    assert Chunk.from_dict(data).unit_roles == ()


def test_seed_units_keep_their_roles(seed_corpus: Corpus):
    with_units = [c for c in seed_corpus.chunks if c.units]
    assert len(with_units) > 30
    for c in with_units:
        assert {u.name for u in c.unit_roles} == set(c.units), c.chunk_id
        assert all(u.role in ("牵头", "配合", "责任") for u in c.unit_roles)
        assert not any("：" in u for u in c.units)
    # the seeds label every list 责任单位 or give a bare list of offices: all responsible
    assert {u.role for c in with_units for u in c.unit_roles} == {"责任"}

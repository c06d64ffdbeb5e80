from __future__ import annotations

import pytest

from policy_search.ingest.cnnum import cn_date, cn_to_int


@pytest.mark.parametrize(
    ("text", "value"),
    [("五", 5), ("十", 10), ("十五", 15), ("三十", 30), ("七十", 70), ("两千", 2000), ("一千二百", 1200),
     ("一百零五", 105), ("一万五千", 15000), ("二〇三〇", 2030), ("一九九九", 1999), ("x", None), ("", None)],
)  # fmt: skip
def test_cn_to_int(text: str, value: int | None):
    assert cn_to_int(text) == value


def test_chinese_numeral_dates():
    assert cn_date("示范局 一九九九年十月三十一日") == "1999-10-31"
    assert cn_date("二〇三〇年三月五日") == "2030-03-05"
    assert cn_date("二○一一年十月十七日") == "2011-10-17"  # ○ (white circle) used for zero
    assert cn_date("二〇三〇年十三月五日") == ""

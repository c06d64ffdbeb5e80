"""What a question asks for, and whether a sentence supplies it.

A question that asks for a figure wants a sentence with a number and a unit; one that asks
when wants a date or a deadline; who — a unit or office; how to reach — a phone number,
website, app or address; who qualifies — a condition. The answer scorer gives a sentence that
supplies what was asked a bonus (``answers.py``), so the sentence with the hotline number comes
before the sentence that merely mentions the hotline.
"""

from __future__ import annotations

import re

# (kind, what in a question asks for it, what in a sentence supplies it)
_KINDS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    (
        "date",
        re.compile(
            r"何时|什么时候|哪天|哪一天|时间|期限|截止|多久|几月|几日|日期|起止|延长至|延期至|之前|前完成"
        ),
        re.compile(
            r"\d{1,2}月\d{1,2}日|[一二三四五六七八九十]+月[一二三四五六七八九十]+日|\d{4}年\d{1,2}月|即日起|之日起"
            r"|截至|截止|期限|前|以内|个工作日|日内|小时内|天内|每[天日周月年]|\d+\s*(?:年|个月|天|日|小时|分钟)"
        ),
    ),
    (
        "contact",
        re.compile(
            r"电话|热线|号码|联系方式|怎么联系|联系|网址|网站|邮箱|公众号|APP|app|小程序|账户|账号|地址|拨打"
        ),
        re.compile(
            r"\d{3,4}[-—－]\d{6,8}|(?<!\d)\d{5,8}(?!\d)|1\d{10}|https?://|www\.|\.(?:cn|com|gov)\b|APP|app|公众号"
            r"|小程序|邮箱|@|账\s*号"
        ),
    ),
    (
        "figure",
        re.compile(
            r"多少|几[个家项次件所名万亿元天人小时倍]|比例|标准|金额|额度|费用|补贴|补助|奖励|怎么算|几|上限|最高|多大"
        ),
        re.compile(
            r"\d|[一二三四五六七八九十百千万两]+(?:元|万|亿|个|家|人|次|件|倍|%|年|天|小时)|免费|全额|减半|百分之"
        ),
    ),
    (
        "unit",
        re.compile(
            r"谁|哪个部门|哪些部门|什么部门|哪个单位|哪些单位|什么单位|哪个机构|哪些机构|由谁|负责|牵头|主管"
        ),
        re.compile(r"[局委厅办处司部院会中心站所行]\b|部门|单位|机构|负责|牵头|主管|协会"),
    ),
    (
        "condition",
        re.compile(r"条件|哪些人|哪些企业|什么人|什么企业|对象|资格|范围|符合|适用|可以享受|能否|是否|可否"),
        re.compile(r"符合|对于|对象|范围|条件|凡|的[，,]|予以|给予|可以|可按|均可|适用"),
    ),
)


def asked(question: str) -> tuple[str, ...]:
    """What the question asks for — date, contact, figure, unit, condition — most specific first
    (「热线是多少」 asks for a contact, not for any figure)."""
    return tuple(kind for kind, ask, _ in _KINDS if ask.search(question))


def supplies(kinds: tuple[str, ...], sentence: str) -> bool:
    """True when the sentence supplies the most specific thing the question asks for."""
    return bool(kinds) and bool(_GIVES[kinds[0]].search(sentence))


_GIVES = {kind: give for kind, _, give in _KINDS}

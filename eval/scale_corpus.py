"""Plan-like synthetic corpora of any size, for the scale benchmark (``eval/bench_scale.py``).

The seed plans in ``corpus/`` give ~150 chunks; a scale test needs 1k–100k. This module
recombines their sentences into new plans, deterministically for a seed:

1. ``build_pool(seed)`` splits the seed chunks (read with ``policy_search.ingest.corpus.load_corpus``)
   into sentence *templates*: headings, task titles, body sentences by chunk kind, and
   responsible-unit parentheticals. Seed region names become slots, and each template is
   turned into a few *variants* with shifted years and rescaled numbers (15亿元 → 32亿元).
   Templates that name a region are filled per generated region (江苏, 苏州, 浦东 …).
   Every distinct text of the pool is one entry of ``SentencePool.texts``.
2. ``generate_chunks(n, seed)`` writes plans — plan title, issuer, region, level, period,
   preamble, goals, 3–7 sections of tasks, safeguards — until it has exactly ``n`` chunks.
   A chunk's text is made only of pool entries (plus enumerators such as （三） and
   sentence punctuation), and ``chunk.extra["parts"]`` lists the pool ids in the order
   ``contextual_text(chunk)`` shows them, so a benchmark can approximate a chunk's
   embedding from pool-sentence embeddings. Targets are found in the generated text by the
   library's own ``extract_targets``.

Corpora for the same seed are nested: the first 1,000 chunks of the 10k corpus are the 1k
corpus except possibly the last, truncated plan's ids. Generation never iterates over a set,
so the output is the same in every process (``PYTHONHASHSEED`` does not matter).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from policy_search.ingest.targets import extract_targets
from policy_search.records import Chunk
from policy_search.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SEED_CORPUS = REPO / "corpus"

# (region as stored on a plan, level, id slug, name used in text, short name)
REGIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("北京市", "省", "beijing", "北京市", "北京"),
    ("上海市", "省", "shanghai", "上海市", "上海"),
    ("重庆市", "省", "chongqing", "重庆市", "重庆"),
    ("河北省", "省", "hebei", "河北省", "河北"),
    ("山西省", "省", "shanxi", "山西省", "山西"),
    ("辽宁省", "省", "liaoning", "辽宁省", "辽宁"),
    ("吉林省", "省", "jilin", "吉林省", "吉林"),
    ("黑龙江省", "省", "heilongjiang", "黑龙江省", "黑龙江"),
    ("江苏省", "省", "jiangsu", "江苏省", "江苏"),
    ("浙江省", "省", "zhejiang", "浙江省", "浙江"),
    ("安徽省", "省", "anhui", "安徽省", "安徽"),
    ("福建省", "省", "fujian", "福建省", "福建"),
    ("江西省", "省", "jiangxi", "江西省", "江西"),
    ("河南省", "省", "henan", "河南省", "河南"),
    ("湖北省", "省", "hubei", "湖北省", "湖北"),
    ("湖南省", "省", "hunan", "湖南省", "湖南"),
    ("广东省", "省", "guangdong", "广东省", "广东"),
    ("海南省", "省", "hainan", "海南省", "海南"),
    ("四川省", "省", "sichuan", "四川省", "四川"),
    ("贵州省", "省", "guizhou", "贵州省", "贵州"),
    ("云南省", "省", "yunnan", "云南省", "云南"),
    ("陕西省", "省", "shaanxi", "陕西省", "陕西"),
    ("甘肃省", "省", "gansu", "甘肃省", "甘肃"),
    ("青海省", "省", "qinghai", "青海省", "青海"),
    ("广西壮族自治区", "省", "guangxi", "广西壮族自治区", "广西"),
    ("内蒙古自治区", "省", "neimenggu", "内蒙古自治区", "内蒙古"),
    ("宁夏回族自治区", "省", "ningxia", "宁夏回族自治区", "宁夏"),
    ("江苏省苏州市", "市", "suzhou", "苏州市", "苏州"),
    ("江苏省南京市", "市", "nanjing", "南京市", "南京"),
    ("江苏省无锡市", "市", "wuxi", "无锡市", "无锡"),
    ("浙江省杭州市", "市", "hangzhou", "杭州市", "杭州"),
    ("浙江省宁波市", "市", "ningbo", "宁波市", "宁波"),
    ("浙江省温州市", "市", "wenzhou", "温州市", "温州"),
    ("广东省深圳市", "市", "shenzhen", "深圳市", "深圳"),
    ("广东省广州市", "市", "guangzhou", "广州市", "广州"),
    ("广东省佛山市", "市", "foshan", "佛山市", "佛山"),
    ("广东省东莞市", "市", "dongguan", "东莞市", "东莞"),
    ("山东省青岛市", "市", "qingdao", "青岛市", "青岛"),
    ("山东省济南市", "市", "jinan", "济南市", "济南"),
    ("山东省潍坊市", "市", "weifang", "潍坊市", "潍坊"),
    ("湖北省武汉市", "市", "wuhan", "武汉市", "武汉"),
    ("湖北省襄阳市", "市", "xiangyang", "襄阳市", "襄阳"),
    ("四川省成都市", "市", "chengdu", "成都市", "成都"),
    ("四川省绵阳市", "市", "mianyang", "绵阳市", "绵阳"),
    ("四川省南充市", "市", "nanchong", "南充市", "南充"),
    ("湖南省长沙市", "市", "changsha", "长沙市", "长沙"),
    ("河南省郑州市", "市", "zhengzhou", "郑州市", "郑州"),
    ("河南省洛阳市", "市", "luoyang", "洛阳市", "洛阳"),
    ("安徽省合肥市", "市", "hefei", "合肥市", "合肥"),
    ("福建省厦门市", "市", "xiamen", "厦门市", "厦门"),
    ("福建省泉州市", "市", "quanzhou", "泉州市", "泉州"),
    ("陕西省西安市", "市", "xian", "西安市", "西安"),
    ("辽宁省大连市", "市", "dalian", "大连市", "大连"),
    ("辽宁省沈阳市", "市", "shenyang", "沈阳市", "沈阳"),
    ("江西省南昌市", "市", "nanchang", "南昌市", "南昌"),
    ("云南省昆明市", "市", "kunming", "昆明市", "昆明"),
    ("贵州省贵阳市", "市", "guiyang", "贵阳市", "贵阳"),
    ("上海市浦东新区", "区县", "pudong", "浦东新区", "浦东"),
    ("上海市闵行区", "区县", "minhang", "闵行区", "闵行"),
    ("北京市海淀区", "区县", "haidian", "海淀区", "海淀"),
    ("北京市朝阳区", "区县", "chaoyang", "朝阳区", "朝阳"),
    ("广东省深圳市南山区", "区县", "nanshan", "南山区", "南山"),
    ("江苏省苏州市昆山市", "区县", "kunshan", "昆山市", "昆山"),
    ("浙江省杭州市余杭区", "区县", "yuhang", "余杭区", "余杭"),
    ("重庆市渝北区", "区县", "yubei", "渝北区", "渝北"),
    ("四川省成都市高新区", "区县", "chengdu-gaoxin", "成都高新区", "成都高新"),
)
NATIONAL = ("全国", "国家", "national", "全国", "全国")

# seed region names → slots; longest first so 天津市红桥区 never becomes {R}红桥区
_SEED_REGION_NAMES = (
    ("天津市红桥区", "{R}"),
    ("红桥区", "{R}"),
    ("天津市", "{R}"),
    ("山东省", "{R}"),
    ("四川省广安市", "{R}"),
    ("广安市", "{R}"),
    ("四川省", "{R}"),
    ("天津", "{r}"),
    ("山东", "{r}"),
    ("广安", "{r}"),
    ("红桥", "{r}"),
)
# local names of the seed plans that have no sensible counterpart elsewhere: drop the sentence
_SEED_LOCAL = re.compile(r"烟台|和平区|西青区|枣山|协兴|华蓥|经开区|滨海|京津|环渤海|齐鲁|渝|半岛")
_SIGNATURE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日。?$")  # 广安市人民政府2017年6月13日
_ENUM = re.compile(
    r"^(?:\s|[（(][一二三四五六七八九十百]+[）)]|[一二三四五六七八九十]+、|\d+[.．、]|——|—|-)+"
)
_SPLIT = re.compile(r"(?<=[。；！？])|\n")
_PAREN_ONLY = re.compile(r"^[（(][^（）()]*[）)]$")
_YEAR = re.compile(r"(?<!\d)(19[89]\d|20[0-4]\d)(?=年|—|–|-|\))")
_NUMBER = re.compile(
    r"(?<![\d.第])(\d+(?:\.\d+)?)(?=\s*(?:万|亿|家|件|个|%|项|人|次|篇|所|名|场|倍|期|户|元|套|座|条))"
)
MAX_BODY_CHARS = 420  # plus title and units, chunks stay near Settings.max_chunk_chars (500)
_CN_ENUM = "一二三四五六七八九十"
_KIND_GROUP = {
    "task": "task",
    "measure": "task",
    "goals": "goals",
    "preamble": "preamble",
    "notice": "preamble",
    "principle": "preamble",
    "safeguard": "safeguard",
    "schedule": "safeguard",
}
_FIXED_HEADINGS = ("工作目标", "重点任务", "保障措施", "组织保障", "总体要求", "工作步骤", "试点主题")
_PLAN_TYPES = ("work_plan", "programme", "outline", "five_year")


def cn_numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (enough for enumerators up to 99)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_ENUM[tens - 1] + "十")
    return head + (_CN_ENUM[ones - 1] if ones else "") if n else "零"


@dataclass
class SentencePool:
    """Distinct texts a generated chunk is made of; index = pool id."""

    seed: int
    texts: list[str] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)
    titles: dict[str, list[int]] = field(default_factory=dict)  # kind group → title ids
    body: dict[str, list[int]] = field(default_factory=dict)  # kind group → sentence ids
    regional: dict[str, list[int]] = field(default_factory=dict)  # region slug → sentence ids
    units: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)  # （…） id, unit names
    fixed: dict[str, int] = field(default_factory=dict)  # headings every plan type uses
    _ids: dict[str, int] = field(default_factory=dict, repr=False)

    def add(self, text: str) -> int:
        found = self._ids.get(text)
        if found is None:
            found = self._ids[text] = len(self.texts)
            self.texts.append(text)
        return found


def _strip_enum(text: str) -> str:
    return _ENUM.sub("", text).strip()


def _templatise(text: str) -> str | None:
    """Seed region names → {R}/{r} slots; None when the text names a local place we cannot map."""
    if _SEED_LOCAL.search(text):
        return None
    for name, slot in _SEED_REGION_NAMES:
        text = text.replace(name, slot)
    return text


def _rescale(match: re.Match[str], rng: random.Random) -> str:
    raw = match.group(1)
    value = float(raw) * rng.uniform(0.4, 3.0)
    if match.string[match.end() : match.end() + 1] == "%":
        value = min(value, 95.0)
    if "." in raw:
        return f"{max(value, 0.1):.1f}"
    value = max(1, round(value))
    if value >= 100:  # keep two significant digits, as plans do (1500 → 2300)
        digits = len(str(value)) - 2
        value = round(value / 10**digits) * 10**digits
    return str(value)


def _variant(template: str, rng: random.Random, seed_year: int | None) -> str:
    """Shift every year by one offset and rescale every counted number."""
    base = rng.randint(2008, 2024)
    shift = base - (seed_year or base)

    def year(m: re.Match[str]) -> str:
        return str(min(2050, int(m.group(1)) + shift))

    text = _YEAR.sub(year, template)
    return _NUMBER.sub(lambda m: _rescale(m, rng), text)


def _fill(template: str, region: tuple[str, str, str, str, str]) -> str:
    return template.replace("{R}", region[3]).replace("{r}", region[4])


def _seed_parts(corpus_dir: Path) -> dict[str, list[tuple[str, int | None]]]:
    """Templates by role from the seed chunks: headings, titles:<kind>, body:<kind>, units."""
    from policy_search.ingest.corpus import load_corpus

    corpus = load_corpus(corpus_dir, Settings())
    parts: dict[str, dict[tuple[str, int | None], None]] = {}

    def put(role: str, text: str | None, year: int | None) -> None:
        if text and len(text) >= 4:
            parts.setdefault(role, {})[(text, year)] = None

    for ch in corpus.chunks:
        group = _KIND_GROUP.get(ch.kind, "task")
        for heading in ch.section:
            put("headings", _templatise(_strip_enum(heading)), None)
        title = _templatise(_strip_enum(ch.title)) if ch.title else None
        if group in ("task", "safeguard", "goals") and title and "{" not in title and len(title) <= 30:
            put(f"titles:{group}", title.rstrip("。；"), None)
        if ch.units and not any(_SEED_LOCAL.search(u) or _templatise(u) != u for u in ch.units):
            put("units", "|".join(ch.units), None)
        skip = {ch.plan_title, *ch.section}
        for piece in _SPLIT.split(ch.text):
            sentence = _strip_enum(piece)
            if (
                len(sentence) < 8
                or _PAREN_ONLY.match(sentence)
                or sentence in skip
                or sentence.rstrip("。；") == ch.title
                or sentence.startswith(ch.plan_title)
                or "印发" in sentence
                or (len(sentence) < 30 and _SIGNATURE.search(sentence))
            ):
                continue
            if sentence[-1] not in "。；！？":
                sentence += "。"
            put(f"body:{group}", _templatise(sentence), ch.year)
    return {role: list(items) for role, items in sorted(parts.items())}


def build_pool(
    seed: int = 0, variants: int = 3, per_region: int = 6, corpus_dir: Path = SEED_CORPUS
) -> SentencePool:
    """All texts generated chunks are made of, deterministic for ``seed``."""
    rng = random.Random(f"pool-{seed}")
    pool = SentencePool(seed=seed)
    parts = _seed_parts(corpus_dir)
    pool.fixed = {name: pool.add(name) for name in _FIXED_HEADINGS}
    pool.headings = [
        pool.add(t) for t, _ in parts.get("headings", []) if "{" not in t and t not in _FIXED_HEADINGS
    ]
    for role, items in parts.items():
        if role.startswith("titles:"):
            pool.titles[role[7:]] = [pool.add(t) for t, _ in items]
    regional: list[tuple[str, int | None]] = []
    for role, items in parts.items():
        if not role.startswith("body:"):
            continue
        ids: list[int] = []
        for template, year in items:
            if "{" in template:
                regional.append((template, year))
                continue
            for _ in range(variants):
                ids.append(pool.add(_variant(template, rng, year)))
        pool.body[role[5:]] = list(dict.fromkeys(ids))
    for region in REGIONS:
        chosen = rng.sample(regional, min(per_region, len(regional))) if regional else []
        pool.regional[region[2]] = [pool.add(_fill(_variant(t, rng, y), region)) for t, y in chosen]
    for joined, _ in parts.get("units", []):
        names = tuple(joined.split("|"))
        pool.units.append((pool.add(f"（{'、'.join(names)}）"), names))
    return pool


# ------------------------------------------------------------------ plans


@dataclass
class _Plan:
    doc_id: str
    title: str
    issuer: str
    region: tuple[str, str, str, str, str]
    year: int
    period: str
    kind: str


def _plan(rng: random.Random, n: int) -> _Plan:
    region = NATIONAL if rng.random() < 0.04 else rng.choice(REGIONS)
    name, level = region[3], region[1]
    kind = "work_plan" if level == "国家" else rng.choice(_PLAN_TYPES)
    year = rng.randint(2008, 2024)
    if level == "国家":
        title, issuer, period = f"国家知识产权局{year}年工作要点", "国家知识产权局", str(year)
    elif kind == "work_plan":
        title, issuer, period = f"{name}知识产权局{year}年工作要点", f"{name}知识产权局", str(year)
    elif kind == "programme":
        what = rng.choice(("国家知识产权示范城市", "国家知识产权试点城市", "知识产权强市"))
        if level == "省":
            what = rng.choice(("知识产权强省", "国家知识产权示范省"))
        title, issuer, period = f"{name}建设{what}工作方案", f"{name}人民政府", f"{year}–{year + 3}"
    elif kind == "outline":
        strong = "强市" if name.endswith("市") else {"省": "强省", "区县": "强区"}.get(level, "强省")
        end = year + rng.choice((5, 10, 14))
        title = f"{name}知识产权{strong}建设纲要（{year}—{end}年）"
        issuer, period = f"{name}人民政府", f"{year}–{end}"
    else:
        start = 2006 + 5 * max(0, (year - 2006) // 5)
        ordinal = {2006: "十一五", 2011: "十二五", 2016: "十三五", 2021: "十四五"}.get(start, "十四五")
        title = f"{name}“{ordinal}”知识产权保护和运用规划"
        issuer, period, year = f"{name}人民政府", f"{start}–{start + 4}", start
    return _Plan(f"gen-{region[2]}-{year}-{n}", title, issuer, region, year, period, kind)


def _sentences(rng: random.Random, pool: SentencePool, group: str, plan: _Plan, budget: int) -> list[int]:
    """Body sentence ids for one chunk: 1+ sentences, about ``budget`` characters."""
    ids = pool.body.get(group) or pool.body["task"]
    regional = pool.regional.get(plan.region[2], [])
    out: list[int] = []
    used = 0
    while not out or (used < budget and len(out) < 6):
        pick = rng.choice(regional) if regional and rng.random() < 0.08 else rng.choice(ids)
        if pick in out or (out and used + len(pool.texts[pick]) > MAX_BODY_CHARS):
            if len(out) >= 1 and rng.random() < 0.5:
                break
            continue
        out.append(pick)
        used += len(pool.texts[pick])
    return out


def _chunk(
    plan: _Plan,
    chunk_id: str,
    kind: str,
    section: tuple[int, ...],
    title: int | None,
    enum: str,
    body: list[int],
    units: tuple[int, tuple[str, ...]] | None,
    pool: SentencePool,
    start: int,
) -> Chunk:
    texts = pool.texts
    title_text = texts[title] if title is not None else ""
    text = (f"{enum}{title_text}。" if title_text else "") + "".join(texts[i] for i in body)
    if units is not None:
        text += texts[units[0]]
    # order of contextual_text(): headings, title (header), then the text: title, body, units
    order = [*section, *([title, title] if title is not None else []), *body]
    if units is not None:
        order.append(units[0])
    return Chunk(
        chunk_id=chunk_id,
        doc_id=plan.doc_id,
        plan_title=plan.title,
        issuer=plan.issuer,
        region=plan.region[0],
        level=plan.region[1],
        year=plan.year,
        period=plan.period,
        section=tuple(texts[i] for i in section),
        title=title_text,
        text=text,
        units=units[1] if units is not None else (),
        targets=extract_targets(text),
        kind=kind,
        start=start,
        end=start + len(text),
        extra={"parts": tuple(order)},
    )


def _plan_chunks(rng: random.Random, pool: SentencePool, plan: _Plan) -> list[Chunk]:
    chunks: list[Chunk] = []
    pos = len(plan.title) + 1

    def add(
        cid: str,
        kind: str,
        section: tuple[int, ...],
        title: int | None,
        enum: str,
        group: str,
        units: tuple[int, tuple[str, ...]] | None = None,
    ) -> None:
        nonlocal pos
        budget = rng.choice((40, 70, 100, 120, 150, 180, 240))
        chunk = _chunk(
            plan,
            f"{plan.doc_id}/{cid}",
            kind,
            section,
            title,
            enum,
            _sentences(rng, pool, group, plan, budget),
            units,
            pool,
            pos,
        )
        chunks.append(chunk)
        pos = chunk.end + 1

    add("preamble", "preamble", (), None, "", "preamble")
    if rng.random() < 0.6:
        goal_heading = (pool.fixed["工作目标"],) if plan.kind != "work_plan" else ()
        add("goals", "goals", goal_heading, rng.choice(pool.titles["goals"]), "", "goals")
    headings = rng.sample(pool.headings, min(len(pool.headings), rng.randint(3, 7)))
    parent = (pool.fixed["重点任务"],) if plan.kind in ("programme", "outline") else ()
    task_no = 0
    for s, heading in enumerate(headings, start=1):
        for t in range(1, rng.randint(2, 8) + 1):
            task_no += 1
            if plan.kind == "work_plan":
                enum = rng.choice((f"（{cn_numeral(task_no)}）", "——"))
            else:
                enum = f"{task_no}."
            units = rng.choice(pool.units) if pool.units and rng.random() < 0.45 else None
            add(f"{s}/{t}", "task", (*parent, heading), rng.choice(pool.titles["task"]), enum, "task", units)
    safeguard = (pool.fixed[rng.choice(("保障措施", "组织保障"))],)
    for g in range(1, rng.randint(1, 3) + 1):
        title = rng.choice(pool.titles.get("safeguard") or pool.titles["task"])
        add(f"safeguard/{g}", "safeguard", safeguard, title, f"（{cn_numeral(g)}）", "safeguard")
    return chunks


def generate_chunks(n: int, seed: int = 0, pool: SentencePool | None = None) -> list[Chunk]:
    """Exactly ``n`` plan-like chunks; the same ``n`` and ``seed`` always give the same chunks."""
    if n < 0:
        raise ValueError("n must be >= 0")
    pool = pool if pool is not None else build_pool(seed)
    if pool.seed != seed:
        raise ValueError(f"pool was built for seed {pool.seed}, not {seed}")
    rng = random.Random(f"plans-{seed}")
    chunks: list[Chunk] = []
    docs = 0
    while len(chunks) < n:
        docs += 1
        plan = _plan(rng, docs)
        chunks.extend(_plan_chunks(rng, pool, plan))
    return chunks[:n]

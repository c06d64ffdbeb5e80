"""Calibrated relevance: a 0–1 score that means the same for every query, and "nothing relevant"."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from policy_search.search.relevance import RelevanceModel, TermStats, load_term_stats, model_for
from policy_search.search.retrieval import SearchEngine
from policy_search.settings import Settings

from .conftest import REPO
from .test_cli import run

NONSENSE = ["xqzv 蓝色香蕉飞船 qwerty", "asdfgh qwerty zxcv", "红烧肉的做法", "世界杯决赛谁赢了"]


def test_model_is_the_calibrated_one_only_for_its_encoder():
    s = Settings()
    assert model_for(s, s.relevance_encoder).uses_cosine
    keyword_only = model_for(s, "hash")
    assert not keyword_only.uses_cosine and keyword_only.threshold == s.relevance_keyword_threshold
    m = RelevanceModel(10.0, 2.0, -9.0, 0.5)
    scores = m.score(np.array([0.8, 0.95]), np.array([0.0, 1.0]))
    assert 0 < scores[0] < 0.5 < scores[1] < 1


def test_settings_with_relevance_weights_survive_the_manifest():
    s = Settings()
    again = Settings.from_dict(json.loads(json.dumps(s.to_dict())))
    assert again == s and isinstance(again.relevance_weights, tuple)


def test_term_statistics_come_from_the_index(hash_engine: SearchEngine):
    stored = load_term_stats(hash_engine.loaded.path)
    assert stored is not None and stored.n_docs == len(hash_engine.chunks)
    assert stored.weight("专利") < stored.weight("12330") < stored.weight("不在语料里的词")
    stats = TermStats.from_tokens([["a", "b"], ["a"]])
    assert stats.df == {"a": 2, "b": 1}


def test_every_hit_has_relevance_and_the_ranking_is_the_fused_one(hash_engine: SearchEngine):
    hits = hash_engine.search("专利权质押贷款", k=10)
    assert all(0.0 <= h.relevance <= 1.0 for h in hits)
    assert [h.rank for h in sorted(hits, key=lambda h: -h.score)] == list(range(1, 11))
    assert hits[0].relevant and hits[0].coverage == 1.0
    row = hits[0].to_dict("专利权质押贷款")
    assert row["relevant"] is True and 0 < row["relevance"] <= 1


@pytest.mark.parametrize("query", NONSENSE)
def test_nonsense_has_no_relevant_hit_with_the_keyword_model(hash_engine: SearchEngine, query: str):
    hits = hash_engine.search(query, k=10)
    assert not any(h.relevant for h in hits)


def test_cli_says_nothing_relevant_in_one_line(seed_index_hash):
    out = run("search", "--index", str(seed_index_hash), "--k", "3", "asdfgh qwerty zxcv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("nothing relevant found") == 1
    found = run("search", "--index", str(seed_index_hash), "--k", "3", "专利权质押贷款")
    assert "nothing relevant" not in found.stdout and "relevance" in found.stdout
    rows = [json.loads(line) for line in run(
        "search", "--index", str(seed_index_hash), "--json", "--k", "3", "asdfgh qwerty zxcv"
    ).stdout.splitlines()]  # fmt: skip
    assert rows and all(r["relevant"] is False and 0 <= r["relevance"] < 1 for r in rows)


@pytest.mark.slow
@pytest.mark.parametrize("query", NONSENSE)
def test_real_e5_nonsense_is_nothing_relevant(e5_engine: SearchEngine, query: str):
    hits = e5_engine.search(query, k=10)
    assert hits and not any(h.relevant for h in hits)


@pytest.mark.slow
def test_real_e5_topic_hits_are_relevant(e5_engine: SearchEngine):
    hits = e5_engine.search("知识产权质押融资目标", k=5)
    assert all(h.relevant for h in hits[:3]) and hits[0].relevance > 0.5


@pytest.mark.slow
def test_relevance_eval_meets_its_targets(e5_engine: SearchEngine):
    sys.path.insert(0, str(REPO / "eval"))
    from common import load_queries
    from relevance_eval import features, load_ood, report

    in_q, ood_q = load_queries(), load_ood()
    assert len(ood_q) >= 40
    model = model_for(e5_engine.settings, e5_engine.encoder.name)
    rows = report(model, features(e5_engine, in_q + ood_q), in_q, ood_q)["all"]
    assert rows["ood_said_nothing"] / rows["ood"] >= 0.95, rows
    assert rows["wrongly_flagged"] / rows["in_domain"] <= 0.02, rows

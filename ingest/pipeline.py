"""Incremental, atomic indexing: files in, each document wholly old or wholly new in the store."""

from __future__ import annotations

import hashlib
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from ingest.chunking import chunk_document
from ingest.loaders import SUPPORTED, LoadError, load
from knowledge.config import Settings
from knowledge.models import Chunk, DocumentRecord
from knowledge.search import lexical_index
from knowledge.store import ChromaStore, store_folder

# Bump when chunking changes, so every document is re-chunked on the next run.
CHUNKER_VERSION = "3"
# Embed this many chunks at once, across documents: small batches waste the model.
EMBED_BATCH = 256
# Files parsed ahead of the one being chunked (their text waits in memory).
READ_AHEAD = 8


@dataclass
class FileResult:
    """What happened to one file."""

    path: Path
    status: str  # indexed | unchanged | failed
    doc_id: str | None = None
    title: str | None = None
    chunks: int = 0
    reason: str | None = None


@dataclass
class IngestReport:
    """Counts for the closing summary line."""

    results: list[FileResult] = field(default_factory=list)
    removed: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    seconds: float = 0.0
    skipped: list[Path] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Return how many files ended with this status."""
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> list[FileResult]:
        """Return the files that could not be indexed."""
        return [r for r in self.results if r.status == "failed"]

    def summary(self) -> str:
        """Return the one-line summary of ARCHITECTURE.md."""
        rate = self.chunks_added / self.seconds if self.seconds > 0 else 0.0
        return (
            f"indexed {self.count('indexed')}, unchanged {self.count('unchanged')}, failed {self.count('failed')}, "
            f"removed {self.removed}; chunks +{self.chunks_added} -{self.chunks_removed}; "
            f"{self.seconds:.1f} s; {rate:.1f} chunks/s"
        )


@dataclass
class _Read:
    """One file read ahead: its hash and version, and its parsed text unless it looked unchanged."""

    data_hash: str = ""
    version: str = ""
    loaded: object | None = None
    error: Exception | None = None


@dataclass
class _Prepared:
    result: FileResult
    record: DocumentRecord
    chunks: list[Chunk]


class Pipeline:
    """Index files into the store; remove and list documents."""

    def __init__(self, settings: Settings, store: ChromaStore, embeddings: Callable[[], Embeddings]):
        self.settings = settings
        self.store = store
        self._embeddings_factory = embeddings
        self.max_bytes = int(settings.ingest.max_file_mb * 1_000_000)

    @cached_property
    def embeddings(self) -> Embeddings:
        """Load the model only when something needs embedding."""
        return self._embeddings_factory()

    @cached_property
    def count_tokens(self):
        """Count word pieces with the model's own tokenizer."""
        from knowledge.embeddings import TokenCounter

        return TokenCounter()

    # Public operations ----------------------------------------------------

    def ingest(self, paths: Iterable[Path], sync: bool = False, progress: bool | None = None) -> IngestReport:
        """Index files and folders; with sync, also remove documents whose files are gone."""
        started = time.perf_counter()
        report = IngestReport()
        self.collect_garbage(report)
        documents = self.store.documents()
        files = list(self._expand(paths, report))
        taken: dict[str, Path] = {}
        pending: list[_Prepared] = []
        # Parse the next files in a thread while the model embeds (ONNX Runtime and PyTorch release
        # the GIL): parsing the PDFs took about a quarter of the run when done in turn.
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-read")
        try:
            reads = self._read_ahead(pool, files, dict(documents))
            for path in tqdm(files, desc="indexing", unit="file", disable=True if progress is False else None):
                prepared = self._prepare(path, documents, taken, next(reads))
                if isinstance(prepared, FileResult):
                    report.results.append(prepared)
                    continue
                pending.append(prepared)
                if sum(len(p.chunks) for p in pending) >= EMBED_BATCH:
                    self._commit(pending, documents, report)
                    pending = []
        finally:
            pool.shutdown(cancel_futures=True)
        self._commit(pending, documents, report)
        if sync:
            gone = [d for d in documents.values() if not self._absolute(d.path).exists()]
            for record in gone:
                report.chunks_removed += self._drop(record.doc_id)
                report.removed += 1
        if report.chunks_added or report.chunks_removed:
            self.refresh_lexical()
        report.seconds = time.perf_counter() - started
        return report

    def ingest_file(self, path: Path) -> FileResult:
        """Index one file (an admin upload) and return what happened to it."""
        report = self.ingest([path], progress=False)
        return report.results[0]

    def remove(self, doc_id: str) -> int:
        """Remove a document and bring the lexical index in step; return chunks removed."""
        removed = self._drop(doc_id)
        self.refresh_lexical()
        return removed

    def documents(self) -> list[DocumentRecord]:
        """Return the indexed documents, by title."""
        return sorted(self.store.documents().values(), key=lambda d: d.title.lower())

    def collect_garbage(self, report: IngestReport | None = None) -> int:
        """Delete chunks no current document version owns (left by an interrupted run)."""
        current = {d.doc_id: d.version for d in self.store.documents().values()}
        orphans = [cid for cid, doc_id, version in self.store.chunk_keys() if current.get(doc_id) != version]
        self.store.delete_chunks(orphans)
        if report is not None:
            report.chunks_removed += len(orphans)
        return len(orphans)

    def refresh_lexical(self) -> None:
        """Rebuild the BM25 index so it matches the store."""
        lexical_index(self.store, store_folder(self.settings), self.store.documents())

    # Steps ------------------------------------------------------------------

    def _drop(self, doc_id: str) -> int:
        """Drop a document from the manifest first, then its chunks (the caller rebuilds BM25 once)."""
        ids = [cid for cid, did, _ in self.store.chunk_keys() if did == doc_id]
        self.store.delete_document(doc_id)
        self.store.delete_chunks(ids)
        return len(ids)

    def _expand(self, paths: Iterable[Path], report: IngestReport) -> Iterator[Path]:
        for path in paths:
            path = Path(path)
            if path.is_dir():
                for child in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
                    if child.suffix.lower() in SUPPORTED:
                        yield child
                    else:
                        report.skipped.append(child)
            else:
                yield path

    def _read_ahead(self, pool: ThreadPoolExecutor, files: list[Path], documents: dict[str, DocumentRecord]):
        """Yield each file's _Read in order, reading at most READ_AHEAD files ahead."""
        waiting: deque = deque()
        for path in files:
            waiting.append(pool.submit(self._read, path, documents))
            if len(waiting) > READ_AHEAD:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()

    def _read(self, path: Path, documents: dict[str, DocumentRecord]) -> _Read:
        """Hash one file and parse it unless it is unchanged (safe in a thread: it changes nothing)."""
        try:
            if not path.exists():
                raise LoadError("no such file")
            data_hash = hashlib.sha256(path.read_bytes()).hexdigest()
            version = hashlib.sha256(f"{data_hash}:{CHUNKER_VERSION}:{self._chunk_signature()}".encode()).hexdigest()[:16]
            relative = self._relative(path)
            if any(d.path == relative and d.version == version for d in documents.values()):
                return _Read(data_hash, version)
            return _Read(data_hash, version, load(path, self.max_bytes))
        except (LoadError, OSError) as exc:
            return _Read(error=exc)

    def _prepare(self, path: Path, documents: dict[str, DocumentRecord], taken: dict[str, Path], read: _Read):
        """Chunk one read file; return a FileResult if there is nothing to embed."""
        try:
            if read.error is not None:
                raise read.error
            data_hash, version = read.data_hash, read.version
            relative = self._relative(path)
            existing = next((d for d in documents.values() if d.path == relative), None)
            if existing and existing.version == version and existing.doc_id not in taken:
                taken[existing.doc_id] = path
                return FileResult(path, "unchanged", existing.doc_id, existing.title, existing.chunk_count)
            # Parsed ahead unless it looked unchanged when the run began (the same file given twice).
            loaded = read.loaded if read.loaded is not None else load(path, self.max_bytes)
            doc_id = self._doc_id(path, loaded.meta.get("id"), existing, documents, taken)
            chunks = chunk_document(
                loaded, doc_id=doc_id, version=version, path=relative, count_tokens=self.count_tokens,
                chunk_tokens=self.settings.ingest.chunk_tokens, overlap_tokens=self.settings.ingest.chunk_overlap_tokens,
            )  # fmt: skip
            if not chunks:
                raise LoadError("no text to index")
        except LoadError as exc:
            return FileResult(path, "failed", reason=str(exc))
        except OSError as exc:
            return FileResult(path, "failed", reason=f"cannot read the file ({exc.strerror or exc})")
        taken[doc_id] = path
        meta = loaded.meta
        record = DocumentRecord(
            doc_id=doc_id, version=version, title=loaded.title, path=relative, content_hash=data_hash,
            chunk_count=len(chunks), indexed_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            checked=meta.get("checked"), status=meta.get("status"), url=meta.get("source_url"),
        )  # fmt: skip
        return _Prepared(FileResult(path, "indexed", doc_id, loaded.title, len(chunks)), record, chunks)

    def _commit(self, pending: list[_Prepared], documents: dict[str, DocumentRecord], report: IngestReport) -> None:
        """Embed the pending documents together, then swap them in: new chunks, manifest, old chunks gone.

        Readers only see chunks of the version the manifest names, so a failure at any step leaves
        each document wholly old (before the switch) or wholly new (after it); leftovers are
        collected by the next run. Writing a batch's documents together saves Chroma a round per
        document (about 2 s of a 37 s corpus run).
        """
        if not pending:
            return
        chunks = [c for p in pending for c in p.chunks]
        vectors = self.embeddings.embed_documents([c.embedding_text() for c in chunks])
        self.store.add_chunks(chunks, vectors)
        self.store.set_documents([p.record for p in pending])
        replaced = {p.record.doc_id: old.version for p in pending
                    if (old := documents.get(p.record.doc_id)) and old.version != p.record.version}  # fmt: skip
        if replaced:
            stale = [cid for cid, did, ver in self.store.chunk_keys() if replaced.get(did) == ver]
            self.store.delete_chunks(stale)
            report.chunks_removed += len(stale)
        for prepared in pending:
            documents[prepared.record.doc_id] = prepared.record
            report.results.append(prepared.result)
            report.chunks_added += len(prepared.chunks)

    # Helpers ------------------------------------------------------------------

    def _chunk_signature(self) -> str:
        ingest = self.settings.ingest
        return f"{ingest.chunk_tokens}/{ingest.chunk_overlap_tokens}/{self.settings.embedding.backend}"

    def _doc_id(self, path, declared, existing, documents, taken) -> str:
        if declared:
            owner = documents.get(declared)
            if declared in taken or (owner and owner.path != self._relative(path)):
                other = taken.get(declared) or owner.path
                raise LoadError(f"document id {declared!r} is already used by {other}")
            return str(declared)
        if existing:
            return existing.doc_id
        base = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:60] or "document"
        candidate = base
        if candidate in taken or candidate in documents:
            candidate = f"{base}-{hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:6]}"
        return candidate

    def _relative(self, path: Path) -> str:
        resolved = path.resolve()
        try:
            return str(resolved.relative_to(self.settings.root))
        except ValueError:
            return str(resolved)

    def _absolute(self, stored: str) -> Path:
        path = Path(stored)
        return path if path.is_absolute() else self.settings.root / path

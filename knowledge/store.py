"""The vector store: the only module that imports chromadb (embedded or http)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from knowledge.config import Settings
from knowledge.models import Chunk, DocumentRecord

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

BATCH = 5000
# Chroma stores a vector with every record; manifest records are looked up by id, never by vector.
_NO_VECTOR = [1.0]


class StoreError(Exception):
    """The store cannot be reached or used."""


class ChromaStore:
    """Chunks with their vectors, and a manifest of each document's current version."""

    def __init__(self, client, collection: str):
        self._client = client
        self._chunks = client.get_or_create_collection(
            collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        self._docs = client.get_or_create_collection(f"{collection}-docs", embedding_function=None)

    @classmethod
    def open(cls, settings: Settings) -> "ChromaStore":
        """Open the store the settings describe: embedded in a folder, or a `chroma run` server."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        store = settings.store
        try:
            if store.mode == "http":
                client = chromadb.HttpClient(host=store.host, port=store.port, settings=chroma_settings)
            else:
                path = settings.resolve(store.path)
                path.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            return cls(client, store.collection)
        except Exception as exc:  # chromadb raises many types; the caller needs one
            where = f"{store.host}:{store.port}" if store.mode == "http" else str(store.path)
            raise StoreError(f"cannot open the {store.mode} Chroma store at {where}: {exc}") from exc

    # Chunks -------------------------------------------------------------

    def add_chunks(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]]) -> None:
        """Add or overwrite chunks with their vectors."""
        for start in range(0, len(chunks), BATCH):
            part = chunks[start : start + BATCH]
            self._chunks.upsert(
                ids=[c.id for c in part],
                embeddings=[list(v) for v in vectors[start : start + BATCH]],
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],
            )

    def delete_chunks(self, ids: Sequence[str]) -> None:
        """Delete chunks by id."""
        for start in range(0, len(ids), BATCH):
            self._chunks.delete(ids=list(ids[start : start + BATCH]))

    def chunk_keys(self) -> Iterator[tuple[str, str, str]]:
        """Yield (chunk id, doc id, version) for every stored chunk."""
        for ids, metadatas, _ in self._pages(include=["metadatas"]):
            for chunk_id, meta in zip(ids, metadatas):
                yield chunk_id, str(meta.get("doc_id")), str(meta.get("version"))

    def all_chunks(self) -> Iterator[Chunk]:
        """Yield every stored chunk with its text and metadata."""
        for ids, metadatas, documents in self._pages(include=["metadatas", "documents"]):
            for chunk_id, meta, text in zip(ids, metadatas, documents):
                yield Chunk.from_metadata(chunk_id, text or "", meta)

    def get_chunks(self, ids: Sequence[str]) -> list[Chunk]:
        """Return the chunks with these ids, in the order given (missing ones left out)."""
        if not ids:
            return []
        found = self._chunks.get(ids=list(ids), include=["metadatas", "documents"])
        by_id = {
            cid: Chunk.from_metadata(cid, text or "", meta)
            for cid, meta, text in zip(found["ids"], found["metadatas"], found["documents"])
        }
        return [by_id[i] for i in ids if i in by_id]

    def get_chunks_with_vectors(self, ids: Sequence[str]) -> tuple[list[Chunk], list[list[float]]]:
        """Return the chunks with these ids and their stored vectors."""
        found = self._chunks.get(ids=list(ids), include=["metadatas", "documents", "embeddings"])
        chunks = [
            Chunk.from_metadata(cid, text or "", meta)
            for cid, meta, text in zip(found["ids"], found["metadatas"], found["documents"])
        ]
        return chunks, [list(v) for v in found["embeddings"]]

    def query(self, vector: Sequence[float], n: int, doc_ids: Sequence[str] | None = None) -> list[tuple[Chunk, float]]:
        """Return the n nearest chunks (optionally only of these documents) with their cosine similarity."""
        # No count() first: Chroma returns what there is when asked for more, and counting
        # 100k chunks took longer than the query itself.
        where = None if doc_ids is None else {"doc_id": {"$in": list(doc_ids)}}
        result = self._chunks.query(
            query_embeddings=[list(vector)],
            n_results=n,
            include=["metadatas", "documents", "distances"],
            where=where,
        )
        return [
            (Chunk.from_metadata(cid, text or "", meta), 1.0 - float(distance))
            for cid, meta, text, distance in zip(
                result["ids"][0], result["metadatas"][0], result["documents"][0], result["distances"][0]
            )
        ]

    def document_chunks(self, doc_id: str, version: str) -> list[Chunk]:
        """Return one version of a document's chunks, in order."""
        found = self._chunks.get(
            where={"$and": [{"doc_id": doc_id}, {"version": version}]}, include=["metadatas", "documents"]
        )
        chunks = [
            Chunk.from_metadata(cid, text or "", meta)
            for cid, meta, text in zip(found["ids"], found["metadatas"], found["documents"])
        ]
        return sorted(chunks, key=lambda c: c.index)

    def count(self) -> int:
        """Return how many chunks are stored (current or not)."""
        return self._chunks.count()

    def _pages(self, include: list[str]):
        offset = 0
        while True:
            page = self._chunks.get(include=include, limit=BATCH, offset=offset)
            if not page["ids"]:
                return
            yield page["ids"], page.get("metadatas") or [{}] * len(page["ids"]), page.get("documents") or [
                ""
            ] * len(page["ids"])
            offset += len(page["ids"])

    # Manifest -----------------------------------------------------------

    def documents(self) -> dict[str, DocumentRecord]:
        """Return every document's current record, by doc id."""
        found = self._docs.get(include=["documents"])
        records = (DocumentRecord(**json.loads(text)) for text in found["documents"] if text)
        return {r.doc_id: r for r in records}

    def set_documents(self, records: Sequence[DocumentRecord]) -> None:
        """Make each record its document's current version, in one upsert (each record switches whole)."""
        for start in range(0, len(records), BATCH):
            part = records[start : start + BATCH]
            self._docs.upsert(
                ids=[r.doc_id for r in part],
                embeddings=[_NO_VECTOR] * len(part),
                documents=[json.dumps(r.__dict__, sort_keys=True) for r in part],
            )

    def delete_document(self, doc_id: str) -> None:
        """Drop the document from the manifest, so its chunks stop counting."""
        self._docs.delete(ids=[doc_id])


def store_folder(settings: Settings) -> Path:
    """Return the local folder for the store and its derived indexes."""
    path = settings.resolve(settings.store.path)
    path.mkdir(parents=True, exist_ok=True)
    return path

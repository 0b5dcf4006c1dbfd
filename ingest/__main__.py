"""`python -m ingest PATH... [--remove DOC_ID] [--list] [--sync]`: build and curate the index."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from knowledge.config import ConfigError, Settings, load_settings
from knowledge.store import ChromaStore, StoreError


def main(argv: list[str] | None = None) -> int:
    """Run the ingest command; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Index guidance documents for Carewise.")
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the bundled library)")
    parser.add_argument("--config", default="config.toml", help="settings file (default: config.toml)")
    parser.add_argument("--remove", metavar="DOC_ID", action="append", default=[], help="remove a document")
    parser.add_argument("--list", action="store_true", help="list the indexed documents")
    parser.add_argument("--sync", action="store_true", help="also remove documents whose files are gone")
    parser.add_argument("--if-empty", action="store_true", help="do nothing if the index has documents")
    parser.add_argument(
        "--if-needed", action="store_true", help="index new or changed files only, and say nothing when there are none"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
        store = ChromaStore.open(settings)
    except (ConfigError, StoreError) as exc:
        print(exc, file=sys.stderr)
        return 2
    pipeline = build_pipeline(settings, store)
    if args.list:
        return _list(pipeline)
    if args.remove:
        return _remove(pipeline, args.remove)
    if args.if_empty and store.documents():
        return 0
    paths = args.paths or [settings.resolve(settings.ingest.library_dir)]
    report = pipeline.ingest(paths, sync=args.sync, progress=False if args.no_progress else None)
    if args.if_needed and not (report.chunks_added or report.chunks_removed or report.failed):
        return 0
    for skipped in report.skipped:
        print(f"skipped {skipped}: not a supported format", file=sys.stderr)
    for result in report.failed:
        print(f"FAILED {result.path}: {result.reason}")
    print(report.summary())
    return 1 if report.failed else 0


def build_pipeline(settings: Settings, store: ChromaStore):
    """Wire the pipeline to the configured embedding model, loaded on first use."""
    from ingest.pipeline import Pipeline
    from knowledge.embeddings import load_embeddings

    embedding = settings.embedding
    return Pipeline(
        settings,
        store,
        lambda: load_embeddings(embedding.backend, embedding.batch_size, settings.resolve(embedding.onnx_dir)),
    )


def _list(pipeline) -> int:
    documents = pipeline.documents()
    if not documents:
        print("The index is empty.")
        return 0
    print(f"{'DOC_ID':40} {'CHUNKS':>6}  {'INDEXED':10}  {'CHECKED':10}  {'STATUS':10}  TITLE")
    for d in documents:
        print(f"{d.doc_id:40} {d.chunk_count:>6}  {d.indexed_at[:10]:10}  {d.checked or '-':10}  {d.status or '-':10}  {d.title}")
    print(f"{len(documents)} documents, {sum(d.chunk_count for d in documents)} chunks")
    return 0


def _remove(pipeline, doc_ids: list[str]) -> int:
    known = {d.doc_id for d in pipeline.documents()}
    status = 0
    for doc_id in doc_ids:
        if doc_id not in known:
            print(f"FAILED {doc_id}: no document with that id (see --list)")
            status = 1
            continue
        print(f"removed {doc_id}: {pipeline.remove(doc_id)} chunks")
    return status


if __name__ == "__main__":
    sys.exit(main())

"""Admins change the library from the chat: uploads and removals, each leaving the index whole."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import secrets
from pathlib import Path

from telegram import Bot, Document
from telegram.error import TelegramError

from bot.telegram.context import Runtime
from ingest.loaders import SUPPORTED
from ingest.pipeline import FileResult
from knowledge.models import DocumentRecord

log = logging.getLogger(__name__)
# The Bot API lets bots download files of at most 20 MB.
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024


class UploadError(Exception):
    """An upload was not added; the message says why in one line."""


async def add_upload(bot: Bot, rt: Runtime, document: Document, actor: int) -> FileResult:
    """Download and index an admin's document, audited; raise UploadError with nothing changed on failure."""
    try:
        name = upload_name(document)
        async with rt.library_lock:
            result = await _download_and_ingest(bot, rt, document, name)
    except UploadError as exc:
        rt.state.audit(actor, "upload failed", f"{document.file_name}: {exc}")
        raise
    rt.state.audit(actor, "upload", f"{result.doc_id} from {name}: {result.status}, {result.chunks} chunks")
    return result


def upload_name(document: Document) -> str:
    """Return a safe file name for an upload, or raise UploadError for one we cannot take."""
    if document.file_size and document.file_size > TELEGRAM_DOWNLOAD_LIMIT:
        raise UploadError("the file is larger than the 20 MB Telegram lets bots download")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(document.file_name or "").name).lstrip(".-")[:120]
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise UploadError(f"{suffix or 'files without an extension'} can't be added; send PDF, DOCX, MD, TXT or HTML")
    return name


async def _download_and_ingest(bot: Bot, rt: Runtime, document: Document, name: str) -> FileResult:
    folder = rt.settings.resolve(rt.settings.ingest.uploads_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target, tag = folder / name, secrets.token_hex(4)
    incoming, previous = folder / f".incoming-{tag}-{name}", folder / f".previous-{tag}-{name}"
    try:
        await (await bot.get_file(document.file_id)).download_to_drive(incoming)
    except TelegramError as exc:
        incoming.unlink(missing_ok=True)
        raise UploadError(f"the file could not be downloaded from Telegram ({exc.message})") from None
    # A re-upload replaces the file of the same name; keep the old one until the new one is indexed.
    had_previous = target.exists()
    if had_previous:
        os.replace(target, previous)
    os.replace(incoming, target)
    result = await _ingest(rt, target)
    if result.status == "failed":
        target.unlink(missing_ok=True)
        if had_previous:
            os.replace(previous, target)
        raise UploadError(result.reason or "it could not be indexed")
    previous.unlink(missing_ok=True)
    await asyncio.to_thread(rt.services.searcher.refresh)
    return result


async def _ingest(rt: Runtime, path: Path) -> FileResult:
    """Index one file off the event loop; an unexpected failure counts as a failed file (the index is unchanged)."""
    try:
        return await asyncio.to_thread(rt.services.pipeline.ingest_file, path)
    except Exception:  # why broad: whatever breaks inside ingestion, the admin gets one line and the bot goes on
        log.exception("ingesting an upload failed")
        return FileResult(path, "failed", reason="the library could not be updated (details in the log)")


async def documents(rt: Runtime) -> list[DocumentRecord]:
    """Return the library's documents, by title."""
    return await asyncio.to_thread(rt.services.pipeline.documents)


def removal_key(doc_id: str) -> str:
    """Return a short stable key for a document, to fit Telegram's 64-byte button data."""
    return hashlib.sha1(doc_id.encode()).hexdigest()[:16]


async def find(rt: Runtime, doc_id: str | None = None, key: str | None = None) -> DocumentRecord | None:
    """Return the document with this id (or removal key), if the library has it."""
    return next((d for d in await documents(rt) if d.doc_id == doc_id or removal_key(d.doc_id) == key), None)


async def remove(rt: Runtime, record: DocumentRecord, actor: int) -> int:
    """Remove a document from the index (and its uploaded file), audited; return chunks removed."""
    async with rt.library_lock:
        removed = await asyncio.to_thread(rt.services.pipeline.remove, record.doc_id)
        await asyncio.to_thread(rt.services.searcher.refresh)
    uploads = rt.settings.resolve(rt.settings.ingest.uploads_dir)
    path = rt.settings.resolve(Path(record.path))
    if path.parent == uploads:
        path.unlink(missing_ok=True)
    rt.state.audit(actor, "remove", f"{record.doc_id} ({record.title}, {removed} chunks)")
    return removed

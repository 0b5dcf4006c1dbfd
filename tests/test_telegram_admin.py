"""Admins end to end: uploads into a small index of their own, /docs, /remove, /stats, /grant, /revoke, audit."""

from __future__ import annotations

import pytest

from bot.services import build_services
from tests.botapi.carewise import (ADMIN, MANAGER, OTHER, buttons, press, reply, server, shown, start_bot,  # noqa: F401
                                   upload)  # fmt: skip
from tests.conftest import CORPORA, make_settings

GOOD_PDF = CORPORA / "real-pdfs" / "004-pdflatex-4-pages_pdflatex-4-pages.pdf"
ENCRYPTED_PDF = CORPORA / "real-pdfs" / "005-libreoffice-writer-password_libreoffice-writer-password.pdf"
NOTE = b"""---
id: fire-evacuation-test-note
title: Fire evacuation and personal emergency evacuation plans
source_title: Fire safety in specialised housing
publisher: Test publisher
source_url: https://example.org/fire
source_date: 2024-01-01
checked: 2026-11-22
topics: [fire]
jurisdiction: England
status: current
---
## Evacuation plans
Every resident who needs help to leave the building should have a personal emergency evacuation plan.
"""


@pytest.fixture
def small_services(tmp_path, model):
    """Services over an empty index of their own, so uploads never touch the shared library index."""
    services = build_services(make_settings(tmp_path / "small"))
    services.__dict__["embeddings"] = model
    return services


def audit(bot) -> list[tuple]:
    return [tuple(r) for r in bot.runtime.state.conn.execute("SELECT actor, action FROM audit_log ORDER BY id")]


def test_non_admins_cannot_use_admin_commands_or_upload(start_bot, server, tmp_path):
    bot = start_bot()
    for command in ("/docs", "/stats", "/remove care-act-s42-enquiries", f"/grant {MANAGER}", f"/revoke {ADMIN}"):
        assert "only for Carewise admins" in shown(reply(server, MANAGER, command)), command
    refused = upload(server, MANAGER, GOOD_PDF.read_bytes(), "guide.pdf", "application/pdf")
    assert "only Carewise admins can add documents" in shown(refused)
    assert not server.calls("getFile")  # never downloaded
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())
    assert audit(bot) == [] and not bot.runtime.state.is_admin(MANAGER)


def test_admin_uploads_a_good_and_a_broken_document_then_removes_one(start_bot, server, small_services, tmp_path):
    bot = start_bot(services=small_services)
    added = shown(upload(server, ADMIN, GOOD_PDF.read_bytes(), "four pages.pdf", "application/pdf"))
    assert added.startswith("Added: ") and "id four-pages" in added and "chunks" in added
    before = [(d.doc_id, d.version, d.chunk_count) for d in small_services.pipeline.documents()]
    chunks_before = sorted(small_services.store.chunk_keys())

    failed = shown(upload(server, ADMIN, ENCRYPTED_PDF.read_bytes(), "secret.pdf", "application/pdf"))
    assert failed.startswith("Not added: the PDF is encrypted") and failed.count("\n") == 0
    assert [(d.doc_id, d.version, d.chunk_count) for d in small_services.pipeline.documents()] == before
    assert sorted(small_services.store.chunk_keys()) == chunks_before
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == ["four-pages.pdf"]
    assert "can't be added" in shown(upload(server, ADMIN, b"MZ...", "tool.exe", "application/octet-stream"))

    assert "Added: Fire evacuation" in shown(upload(server, ADMIN, NOTE, "fire.md", "text/markdown"))
    assert "fire-evacuation-test-note" in small_services.searcher.documents  # searchers see it at once
    listing = shown(reply(server, ADMIN, "/docs"))
    assert "2 documents" in listing and "four-pages" in listing and "chunks" in listing

    confirm = reply(server, ADMIN, "/remove four-pages")
    assert "Remove" in shown(confirm) and set(buttons(confirm)) == {"Remove", "Cancel"}
    press(server, OTHER, confirm, buttons(confirm)["Remove"])  # someone else's press is refused
    assert "only for Carewise admins" in server.callback_answers[-1]["text"]
    edit = press(server, ADMIN, confirm, buttons(confirm)["Remove"], method="editMessageText")
    assert shown(edit).startswith("Removed")
    assert [d.doc_id for d in small_services.pipeline.documents()] == ["fire-evacuation-test-note"]
    assert "four-pages" not in small_services.searcher.documents
    assert not (tmp_path / "uploads" / "four-pages.pdf").exists()
    assert [a for a in audit(bot) if a[1] != "/docs"] == [
        (ADMIN, "upload"), (ADMIN, "upload failed"), (ADMIN, "upload failed"), (ADMIN, "upload"), (ADMIN, "remove")]


def test_docs_are_listed_in_pages(start_bot, server):
    start_bot()
    first = reply(server, ADMIN, "/docs")
    assert "page 1 of" in shown(first) and "checked" in shown(first) and "current" in shown(first)
    page = press(server, ADMIN, first, buttons(first)["Next ›"], method="editMessageText")
    assert "page 2 of" in shown(page)


def test_grant_and_revoke_are_stored_and_audited(start_bot, server):
    bot = start_bot()
    assert "is now an admin" in shown(reply(server, ADMIN, f"/grant {MANAGER}"))
    assert "page 1 of" in shown(reply(server, MANAGER, "/docs"))
    assert "/docs" in shown(reply(server, MANAGER, "/help"))
    assert "is an admin in config.toml" in shown(reply(server, MANAGER, f"/revoke {ADMIN}"))
    assert "no longer an admin" in shown(reply(server, ADMIN, f"/revoke {MANAGER}"))
    assert "only for Carewise admins" in shown(reply(server, MANAGER, "/docs"))
    assert "USER_ID" in shown(reply(server, ADMIN, "/grant someone"))
    assert [a for a in audit(bot) if a[1] in ("grant", "revoke")] == [(ADMIN, "grant"), (ADMIN, "revoke")]


def test_stats_show_use_feedback_and_gaps(start_bot, server):
    start_bot()
    answer = reply(server, MANAGER, "What are the five principles of the Mental Capacity Act?")
    press(server, MANAGER, answer, buttons(answer)["👍"])
    reply(server, OTHER, "How do I work out holiday pay for a zero hours care worker?")
    stats = shown(reply(server, ADMIN, "/stats"))
    assert "Users: 3" in stats  # the two managers and the admin
    assert "Questions: 2" in stats and "Answered: 1 (50%); not covered: 1 (50%)" in stats
    assert "👍 1 · 👎 0" in stats
    assert "Most frequent not-covered topics" in stats and "1. outside: " in stats

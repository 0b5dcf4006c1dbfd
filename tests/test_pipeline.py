"""Ingestion is incremental and atomic per document, against a real embedded Chroma."""

import shutil

import pytest

from ingest.pipeline import Pipeline
from knowledge.search import Searcher
from knowledge.store import ChromaStore, store_folder
from tests.conftest import CORPORA
from tests.fakes import WordHashEmbeddings


def note(doc_id, body):
    return f"""---
id: {doc_id}
title: Note {doc_id}
source_title: Source
publisher: Publisher
source_url: https://example.org/{doc_id}
source_date: 2020-01-01
checked: 2026-11-22
topics: [test]
jurisdiction: England
status: current
---
## Section
{body}
"""


@pytest.fixture
def env(settings, tmp_path):
    store = ChromaStore.open(settings)
    fake = WordHashEmbeddings()
    folder = tmp_path / "docs"
    folder.mkdir()
    return settings, store, Pipeline(settings, store, lambda: fake), fake, folder


def visible_texts(settings, store, fake, query="version"):
    searcher = Searcher(store, fake, settings.search, store_folder(settings))
    return sorted(p.chunk.text for p in searcher.search(query, k=20))


def test_second_run_embeds_nothing_and_reports_unchanged(env):
    settings, store, pipeline, fake, folder = env
    (folder / "a.md").write_text(note("a", "Alpha text about safeguarding."))
    (folder / "b.txt").write_text("Plain text title\nBravo text about capacity.")
    first = pipeline.ingest([folder], progress=False)
    assert (first.count("indexed"), first.count("unchanged"), first.chunks_added) == (2, 0, 2)
    embedded = fake.texts_embedded
    second = pipeline.ingest([folder], progress=False)
    assert (second.count("indexed"), second.count("unchanged"), second.chunks_added) == (0, 2, 0)
    assert fake.texts_embedded == embedded
    assert second.summary().startswith("indexed 0, unchanged 2, failed 0, removed 0; chunks +0 -0;")


def test_a_section_is_found_by_the_words_managers_ask_with_but_never_shows_them(env):
    settings, store, pipeline, fake, folder = env
    text = note("hr", "Dismissal of a worker who made a protected disclosure is automatically unfair.")
    text = text.replace("status: current\n", 'status: current\nasked:\n  "Section": ["can i sack a carer who went to cqc behind my back"]\n')
    text += "\n## Other\nTraining records should be kept for each worker.\n"
    (folder / "hr.md").write_text(text)
    assert not pipeline.ingest([folder], progress=False).failed
    searcher = Searcher(store, fake, settings.search, store_folder(settings))
    for method in ("lexical", "dense"):
        best = searcher.search("can I sack her", k=2, method=method)[0].chunk
        assert best.section == "Section" and "sack" not in best.text, method
    assert best.asked == "can i sack a carer who went to cqc behind my back"  # kept through the store


def test_changed_file_replaces_its_old_chunks(env):
    settings, store, pipeline, fake, folder = env
    path = folder / "a.md"
    path.write_text(note("a", "Old version text."))
    pipeline.ingest([folder], progress=False)
    path.write_text(note("a", "New version text."))
    report = pipeline.ingest([folder], progress=False)
    assert (report.count("indexed"), report.chunks_added, report.chunks_removed) == (1, 1, 1)
    assert [c.text for c in store.all_chunks()] == ["New version text."]
    assert visible_texts(settings, store, fake) == ["New version text."]


def test_identical_files_are_separate_documents(env):
    settings, store, pipeline, fake, folder = env
    (folder / "one.txt").write_text("Same words in both files.")
    sub = folder / "sub"
    sub.mkdir()
    (sub / "one.txt").write_text("Same words in both files.")
    pipeline.ingest([folder], progress=False)
    assert len(store.documents()) == 2 and store.count() == 2


def test_remove_and_sync(env):
    settings, store, pipeline, fake, folder = env
    for name in ("a", "b"):
        (folder / f"{name}.md").write_text(note(name, f"Text of {name}."))
    pipeline.ingest([folder], progress=False)
    assert pipeline.remove("a") == 1
    assert set(store.documents()) == {"b"}
    (folder / "b.md").unlink()
    report = pipeline.ingest([folder], sync=True, progress=False)
    # a.md is still on disk, so it comes back; b.md is gone, so sync removes it.
    assert report.removed == 1 and set(store.documents()) == {"a"} and store.count() == 1


def test_duplicate_note_ids_fail_the_second_file(env):
    settings, store, pipeline, fake, folder = env
    (folder / "a.md").write_text(note("same", "First."))
    (folder / "b.md").write_text(note("same", "Second."))
    report = pipeline.ingest([folder], progress=False)
    assert report.count("indexed") == 1
    assert "document id 'same' is already used by" in report.failed[0].reason


def test_bad_files_are_reported_and_the_rest_indexed(env):
    settings, store, pipeline, fake, folder = env
    for name in ("005-libreoffice-writer-password_libreoffice-writer-password.pdf",
                 "019-grayscale-image_grayscale-image.pdf", "021-pdfa_crazyones-pdfa.pdf"):  # fmt: skip
        shutil.copy(CORPORA / "real-pdfs" / name, folder)
    (folder / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    report = pipeline.ingest([folder], progress=False)
    assert report.count("indexed") == 1 and report.count("failed") == 3
    assert set(store.documents()) == {"021-pdfa-crazyones-pdfa"}


class Boom(Exception):
    pass


@pytest.mark.parametrize("step", ["add_chunks", "set_documents", "delete_chunks"])
def test_a_failure_between_steps_leaves_the_old_or_the_new_version_never_a_mix(env, monkeypatch, step):
    settings, store, pipeline, fake, folder = env
    path = folder / "a.md"
    path.write_text(note("a", "Old version text.\n\nOld second paragraph version."))
    pipeline.ingest([folder], progress=False)
    old = visible_texts(settings, store, fake)
    path.write_text(note("a", "New version text."))
    original = getattr(ChromaStore, step)

    def fail_after(self, *args, **kwargs):
        original(self, *args, **kwargs)  # the step itself completes, then the process "dies"
        raise Boom(step)

    monkeypatch.setattr(ChromaStore, step, fail_after)
    with pytest.raises(Boom):
        pipeline.ingest([folder], progress=False)
    monkeypatch.setattr(ChromaStore, step, original)
    after_crash = visible_texts(settings, store, fake)
    assert after_crash in (old, ["New version text."])
    # The next run finishes the job: only the new version is left, with no duplicates or leftovers.
    pipeline.ingest([folder], progress=False)
    assert visible_texts(settings, store, fake) == ["New version text."]
    assert [c.text for c in store.all_chunks()] == ["New version text."]

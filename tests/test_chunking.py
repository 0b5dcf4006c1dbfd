"""Chunks follow the document's structure and always fit the model's 256-token window."""

from ingest.chunking import chunk_document
from ingest.loaders import LoadedDocument, Section, load
from knowledge.embeddings import MAX_TOKENS, TokenCounter
from tests.conftest import CORPORA

COUNT = TokenCounter()


def test_every_chunk_with_its_heading_fits_the_window_on_a_long_real_pdf():
    document = load(CORPORA / "real-pdfs" / "009-pdflatex-geotopo_GeoTopo-komprimiert.pdf", 50_000_000)
    chunks = chunk_document(document, doc_id="geo", version="v1", path="geo.pdf", count_tokens=COUNT)
    assert len(chunks) > 100
    assert max(COUNT(c.embedding_text()) for c in chunks) <= MAX_TOKENS
    assert {c.page for c in chunks} >= {1, 2, 50}


def test_a_long_heading_or_odd_text_never_pushes_past_the_window():
    text = ("Supercalifragilisticexpialidocious-safeguarding-" * 40 + " ") * 6
    document = LoadedDocument(title="T" * 300, sections=[Section(text=text, heading="H" * 300)])
    chunks = chunk_document(document, doc_id="d", version="v", path="p", count_tokens=COUNT, chunk_tokens=256)
    assert chunks and max(COUNT(c.embedding_text()) for c in chunks) <= MAX_TOKENS


def test_chunks_keep_section_path_metadata_and_stable_ids():
    document = LoadedDocument(
        title="Note", meta={"source_url": "https://x.org", "publisher": "P", "checked": "2026-11-22"},
        sections=[Section("First part.", heading="A"), Section("Second part.", heading="A > B")],
    )  # fmt: skip
    chunks = chunk_document(document, doc_id="note", version="abc", path="knowledge/library/note.md", count_tokens=COUNT)
    assert [(c.id, c.section, c.index) for c in chunks] == [("note:abc:0", "A", 0), ("note:abc:1", "A > B", 1)]
    assert chunks[0].url == "https://x.org" and chunks[0].checked == "2026-11-22" and chunks[0].content_hash


def test_a_list_cut_between_chunks_keeps_every_bullet_and_sentences_keep_their_full_stops():
    items = "\n".join(f"- Point number {i} says that staff must record what they saw and when they saw it." for i in range(12))
    prose = " ".join(f"Sentence {i} explains one more thing a manager should weigh before deciding." for i in range(20))
    document = LoadedDocument(title="Note", sections=[Section(items, heading="List"), Section(prose, heading="Prose")])
    chunks = chunk_document(document, doc_id="n", version="v", path="p", count_tokens=COUNT, chunk_tokens=64, overlap_tokens=0)
    listed = [c.text for c in chunks if c.section == "List"]
    assert len(listed) > 1
    assert all(line.startswith("- ") for text in listed for line in text.splitlines())
    assert all(c.text.endswith(".") for c in chunks if c.section == "Prose")

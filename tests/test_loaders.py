"""Loaders: every supported format in, a clear one-line reason for everything else."""

import re
import zipfile

import docx
import pytest

from ingest.loaders import LoadError, load
from tests.conftest import CORPORA

MB = 1_000_000
NOTE = """---
id: test-note
title: A test note
source_title: Test Act 2020, section 1
publisher: Test Publisher
source_url: https://example.org/test
source_date: 2020-01-01
checked: 2026-11-22
topics: [testing]
jurisdiction: England
status: current
---
Summary paragraph.

## First heading
First body.

### Sub heading
Sub body.
"""


def test_markdown_note_keeps_front_matter_and_heading_path(tmp_path):
    path = tmp_path / "note.md"
    path.write_text(NOTE)
    document = load(path, 50 * MB)
    assert document.meta["id"] == "test-note" and document.meta["checked"] == "2026-11-22"
    assert [(s.heading, s.text) for s in document.sections] == [
        (None, "Summary paragraph."), ("First heading", "First body."), ("First heading > Sub heading", "Sub body."),
    ]  # fmt: skip


ASKED = """asked:
  "": ["what is this note about"]
  "First heading": ["can i sack a carer for this", "do i have to write it up"]
---
"""


def test_a_note_s_asked_questions_go_to_the_sections_they_name_and_not_into_the_text(tmp_path):
    path = tmp_path / "note.md"
    path.write_text(NOTE.replace("status: current\n---\n", "status: current\n" + ASKED))
    document = load(path, 50 * MB)
    assert [(s.heading, s.asked) for s in document.sections] == [
        (None, ("what is this note about",)),
        ("First heading", ("can i sack a carer for this", "do i have to write it up")),
        ("First heading > Sub heading", ()),
    ]
    assert "asked" not in document.meta and all("sack" not in s.text for s in document.sections)


@pytest.mark.parametrize(
    "asked, reason",
    [
        ('asked:\n  "Missing heading": ["a question"]\n', "asked names sections the note does not have: Missing heading"),
        ('asked:\n  "First heading": "not a list"\n', "asked must map section headings to lists of questions"),
        ("asked: [a, b]\n", "asked must map section headings to lists of questions"),
    ],
)
def test_asked_questions_for_a_missing_section_or_in_the_wrong_shape_are_refused(tmp_path, asked, reason):
    path = tmp_path / "note.md"
    path.write_text(NOTE.replace("status: current\n---\n", f"status: current\n{asked}---\n"))
    with pytest.raises(LoadError, match=re.escape(reason)):
        load(path, 50 * MB)


def test_note_with_incomplete_front_matter_names_the_missing_fields(tmp_path):
    path = tmp_path / "note.md"
    path.write_text(NOTE.replace("source_url: https://example.org/test\n", "").replace("checked: 2026-11-22\n", ""))
    with pytest.raises(LoadError, match="front matter is missing: source_url, checked"):
        load(path, 50 * MB)


def test_pdf_keeps_page_numbers():
    document = load(CORPORA / "real-pdfs" / "004-pdflatex-4-pages_pdflatex-4-pages.pdf", 50 * MB)
    assert [s.page for s in document.sections] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "name, reason",
    [
        ("005-libreoffice-writer-password_libreoffice-writer-password.pdf", "encrypted"),
        ("019-grayscale-image_grayscale-image.pdf", "no extractable text"),
        ("023-cmyk-image_cmyk-image.pdf", "no extractable text"),
        ("017-unreadable-meta-data_unreadablemetadata.pdf", "not a readable PDF"),
    ],
)
def test_unusable_real_pdfs_are_refused_with_the_reason(name, reason):
    with pytest.raises(LoadError, match=reason):
        load(CORPORA / "real-pdfs" / name, 50 * MB)


def test_docx_keeps_heading_structure_and_tables(tmp_path):
    document = docx.Document()
    document.add_heading("Policy title", level=0)
    document.add_heading("Raising a concern", level=1)
    document.add_paragraph("Tell the manager on duty.")
    document.add_heading("Out of hours", level=2)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Team", "Emergency duty team"
    path = tmp_path / "policy.docx"
    document.save(path)
    loaded = load(path, 50 * MB)
    assert loaded.title == "Policy title"
    assert [(s.heading, s.text) for s in loaded.sections] == [
        ("Raising a concern", "Tell the manager on duty."),
        ("Raising a concern > Out of hours", "Team | Emergency duty team"),
    ]


def test_real_docx_with_tables_and_hyperlinks_loads():
    assert "hyperlink" in load(CORPORA / "real-docx" / "par-hyperlinks.docx", 50 * MB).sections[0].text


def test_docx_that_unpacks_past_the_limit_is_refused(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document>" + " " * (3 * MB) + "</w:document>")
    assert path.stat().st_size < MB
    with pytest.raises(LoadError, match="unpacks to 3.0 MB, over the 2 MB limit"):
        load(path, 2 * MB)


def test_html_keeps_main_text_only(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Safeguarding page</title><script>var secret = 'tracking';</script>"
        "<style>.x{color:red}</style></head><body><nav><a href='/'>Home menu link</a></nav>"
        "<article><h1>Safeguarding adults</h1><p>" + "Raise a concern with the local authority safeguarding team. " * 5
        + "</p><h2>Recording</h2><p>" + "Write down what you saw and what the person said in their own words. " * 4
        + "</p></article><footer>Copyright footer text</footer></body></html>"
    )
    document = load(path, 50 * MB)
    text = " ".join(s.text for s in document.sections)
    assert "local authority safeguarding team" in text and "own words" in text
    for unwanted in ("tracking", "color:red", "Home menu link", "Copyright footer"):
        assert unwanted not in text
    assert any(s.heading and "Recording" in s.heading for s in document.sections)


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("notes.xlsx", b"PK\x03\x04", "unsupported format .xlsx; supported: .docx, .html, .md, .pdf, .txt"),
        ("empty.txt", b"", "file is empty"),
        ("latin.txt", "café résumé".encode("latin-1"), "not UTF-8 text"),
        ("fake.pdf", b"this is just text pretending", "not a PDF file"),
        ("fake.docx", b"plain text, not a zip", "not a Word (DOCX) file"),
    ],
)
def test_bad_files_get_a_clear_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason.replace(".", r"\.").replace("(", r"\(").replace(")", r"\)")):
        load(path, 50 * MB)


def test_oversized_file_names_the_setting(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("x" * 3000)
    with pytest.raises(LoadError, match=r"over the 0.002 MB limit \(\[ingest\] max_file_mb\)"):
        load(path, 2000)

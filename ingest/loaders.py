"""One loader per format: a file in, its title, metadata and text sections out."""

from __future__ import annotations

import re
import threading
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

SUPPORTED = {".md": "Markdown", ".markdown": "Markdown", ".txt": "plain text", ".pdf": "PDF",
             ".docx": "Word (DOCX)", ".html": "HTML", ".htm": "HTML"}  # fmt: skip
SUPPORTED_LIST = ", ".join(sorted({s for s in SUPPORTED if s not in (".markdown", ".htm")}))
NOTE_FIELDS = ("id", "title", "source_title", "publisher", "source_url", "source_date", "checked",
               "topics", "jurisdiction", "status")  # fmt: skip
NOTE_STATUSES = ("current", "changing", "superseded")
_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# PDFium (C++) extracts text about 13 times faster than pure-Python pypdf on the shared corpus (0.32 s
# against 4.35 s): on two cores, parsing competed with the embedding model for the CPU.
_PDFIUM = threading.Lock()
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class LoadError(Exception):
    """The file cannot be indexed; the message says why in one line."""


@dataclass
class Section:
    """A run of text under one heading, or on one page."""

    text: str
    heading: str | None = None
    page: int | None = None
    # How managers ask for what this section says (a note's "asked" front matter): searched, never quoted.
    asked: tuple[str, ...] = ()


@dataclass
class LoadedDocument:
    """What a loader found in a file."""

    title: str
    sections: list[Section]
    meta: dict = field(default_factory=dict)


def load(path: Path, max_bytes: int) -> LoadedDocument:
    """Load any supported file, or raise LoadError with the reason."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise LoadError(f"unsupported format {suffix or '(no extension)'}; supported: {SUPPORTED_LIST}")
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError(f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit ([ingest] max_file_mb)")
    if size == 0:
        raise LoadError("file is empty")
    loader = {".md": load_markdown, ".markdown": load_markdown, ".txt": load_text, ".pdf": load_pdf,
              ".docx": load_docx, ".html": load_html, ".htm": load_html}[suffix]  # fmt: skip
    document = loader(path, max_bytes) if suffix == ".docx" else loader(path)
    if not any(char.isalnum() for s in document.sections for char in s.text):
        if suffix == ".pdf":
            raise LoadError("no extractable text (a scanned or image-only PDF?); nothing was indexed")
        raise LoadError("no text to index; nothing was indexed")
    return document


def _read_utf8(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoadError("not UTF-8 text; save it as UTF-8 and try again") from None


def load_markdown(path: Path) -> LoadedDocument:
    """Load Markdown, with the library note front matter if it has any."""
    import frontmatter

    text = _read_utf8(path)
    try:
        post = frontmatter.loads(text)
    except Exception as exc:  # the YAML parser raises several types
        raise LoadError(f"front matter is not valid YAML: {str(exc).splitlines()[0]}") from None
    meta = _note_meta(dict(post.metadata)) if post.metadata else {}
    sections = markdown_sections(post.content)
    _attach_asked(sections, meta.pop("asked", None) or {})
    title = meta.get("title") or _first_heading(post.content) or path.stem.replace("-", " ").replace("_", " ")
    return LoadedDocument(title=str(title), sections=sections, meta=meta)


def _attach_asked(sections: list[Section], asked: dict) -> None:
    """Give each section the questions the note's front matter lists for it ("" is the opening text)."""
    if not isinstance(asked, dict) or not all(
        isinstance(questions, list) and all(isinstance(q, str) for q in questions) for questions in asked.values()
    ):
        raise LoadError("front matter asked must map section headings to lists of questions")
    headings = {section.heading or "" for section in sections}
    unknown = [str(key) for key in asked if str(key or "") not in headings]
    if unknown:
        raise LoadError(f"front matter asked names sections the note does not have: {', '.join(unknown)}")
    for section in sections:
        section.asked = tuple(" ".join(q.split()) for q in asked.get(section.heading or "", []) if q.strip())


def _note_meta(meta: dict) -> dict:
    """Check library-note front matter and return it with dates as text."""
    missing = [name for name in NOTE_FIELDS if meta.get(name) in (None, "", [])]
    if missing:
        raise LoadError(f"front matter is missing: {', '.join(missing)}")
    if not _KEBAB.match(str(meta["id"])):
        raise LoadError(f"front matter id {meta['id']!r} is not kebab-case")
    if meta["status"] not in NOTE_STATUSES:
        raise LoadError(f"front matter status must be one of {', '.join(NOTE_STATUSES)}")
    if not str(meta["source_url"]).startswith(("https://", "http://")):
        raise LoadError("front matter source_url is not a web address")
    for name in ("source_date", "checked"):
        value = meta[name]
        if isinstance(value, date):
            meta[name] = value.isoformat()
        elif not re.match(r"^\d{4}-\d{2}-\d{2}$", str(value)):
            raise LoadError(f"front matter {name} must be a date YYYY-MM-DD")
    return meta


_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def markdown_sections(text: str) -> list[Section]:
    """Split Markdown into sections at its headings, keeping the heading path."""
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    lines: list[str] = []

    def flush() -> None:
        body = "\n".join(lines).strip()
        if body:
            heading = " > ".join(title for level, title in path if level > 1) or (path[0][1] if path else None)
            sections.append(Section(text=body, heading=heading))
        lines.clear()

    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            flush()
            level = len(match.group(1))
            path = [(lv, t) for lv, t in path if lv < level] + [(level, match.group(2).strip())]
        else:
            lines.append(line)
    flush()
    return sections


def _first_heading(text: str) -> str | None:
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            return match.group(2).strip()
    return None


def load_text(path: Path) -> LoadedDocument:
    """Load plain UTF-8 text; its first line is the title."""
    text = _read_utf8(path).replace("\x00", "")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    title = first if 0 < len(first) <= 120 else path.stem
    return LoadedDocument(title=title, sections=[Section(text=text.strip())])


def load_pdf(path: Path) -> LoadedDocument:
    """Load a PDF's text layer page by page, keeping page numbers."""
    import pypdfium2 as pdfium

    with path.open("rb") as handle:
        if b"%PDF" not in handle.read(1024):
            raise LoadError("not a PDF file (its contents do not match the .pdf name)")
    # PDFium is not thread-safe, and the bot may index two uploads at once.
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
                raise LoadError("the PDF is encrypted (password-protected); remove the password and upload it again") from None
            reason = str(exc).replace("Failed to load document ", "").strip(" .()")
            raise LoadError(f"not a readable PDF (damaged or incomplete: {reason[:120]})") from None
        try:
            sections = []
            for number in range(1, len(document) + 1):
                page = document[number - 1]
                text = _clean(_pdfium_text(page.get_textpage().get_text_range()))
                if text:
                    sections.append(Section(text=text, page=number))
            title = _pdf_title(document)
        except Exception as exc:  # a damaged page or text layer
            raise LoadError(f"not a readable PDF ({type(exc).__name__}: {str(exc)[:120]})") from None
        finally:
            document.close()
    if not title:
        title = next((line.strip() for s in sections for line in s.text.splitlines() if line.strip()), path.stem)
    return LoadedDocument(title=title[:200], sections=sections)


def _pdfium_text(text: str) -> str:
    """Join words PDFium marks as hyphenated at a line end, and drop control characters it leaves."""
    text = re.sub(r"\ufffe\r?\n?", "", text)
    return _CONTROL.sub("", text)


def _pdf_title(document) -> str | None:
    try:
        title = document.get_metadata_dict().get("Title") or ""
    except Exception:  # unreadable metadata must not cost the text
        return None
    title = _clean(str(title))
    return title if 3 <= len(title) <= 200 and not title.lower().startswith(("untitled", "microsoft word")) else None


def _clean(text: str) -> str:
    text = text.replace("\x00", "").replace("\r\n", "\n")
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def load_docx(path: Path, max_bytes: int) -> LoadedDocument:
    """Load a Word document in reading order, keeping its heading structure and tables."""
    import docx
    from docx.table import Table

    if not zipfile.is_zipfile(path):
        raise LoadError("not a Word (DOCX) file (its contents do not match the .docx name)")
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > max_bytes:
        raise LoadError(f"unpacks to {unpacked / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit ([ingest] max_file_mb)")
    try:
        document = docx.Document(str(path))
        sections: list[Section] = []
        path_titles: list[tuple[int, str]] = []
        lines: list[str] = []
        title = (document.core_properties.title or "").strip()

        def flush() -> None:
            body = "\n".join(lines).strip()
            if body:
                heading = " > ".join(t for _, t in path_titles) or None
                sections.append(Section(text=body, heading=heading))
            lines.clear()

        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_lines(block))
                continue
            text = block.text.strip()
            level = _heading_level(block)
            if level is None:
                if text:
                    lines.append(text)
            elif text:
                flush()
                if level == 0:
                    title = title or text
                else:
                    path_titles = [(lv, t) for lv, t in path_titles if lv < level] + [(level, text)]
        flush()
    except Exception as exc:  # python-docx raises many types for damaged files
        raise LoadError(f"not a readable Word document ({type(exc).__name__}: {str(exc)[:120]})") from None
    title = title or (sections[0].heading if sections and sections[0].heading else path.stem)
    return LoadedDocument(title=title[:200], sections=sections)


def _heading_level(paragraph) -> int | None:
    """Return 0 for a Title, N for Heading N, None for body text."""
    try:
        name = (paragraph.style.name or "") if paragraph.style is not None else ""
    except Exception:  # a document with no styles part
        return None
    if name == "Title":
        return 0
    match = re.match(r"Heading (\d)", name)
    return int(match.group(1)) if match else None


def _table_lines(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells = list(dict.fromkeys(cell.text.strip() for cell in row.cells))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def load_html(path: Path) -> LoadedDocument:
    """Load a web page's main text only (no scripts, menus or footers), keeping its headings."""
    import trafilatura

    raw = path.read_bytes()
    try:
        text = trafilatura.extract(raw, output_format="markdown", include_tables=True,
                                   include_comments=False, include_links=False, favor_recall=True)  # fmt: skip
        metadata = trafilatura.extract_metadata(raw)
    except Exception as exc:  # trafilatura wraps lxml, which raises on garbage
        raise LoadError(f"not readable HTML ({type(exc).__name__})") from None
    sections = markdown_sections(text or "")
    title = (metadata.title if metadata and metadata.title else None) or _first_heading(text or "") or path.stem
    return LoadedDocument(title=title[:200], sections=sections, meta={"source_url": metadata.url} if metadata and metadata.url else {})

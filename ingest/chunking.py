"""Cut documents into chunks that follow their structure and fit the model's window."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.loaders import LoadedDocument
from knowledge.embeddings import MAX_TOKENS
from knowledge.models import Chunk

# Paragraphs, then list items, then lines, sentences and words: the coarsest cut that fits wins.
# Patterns cut before a bullet's marker and after a sentence's full stop, so a chunk that starts
# at a bullet keeps its "- " and one that ends a sentence keeps its "." (plain strings put the
# marker at the end of the chunk before).
SEPARATORS = [r"\n\n", r"\n(?=[-*] )", r"\n", r"(?<=\.) ", r"(?<=;) ", r"(?<=,) ", r" ", r""]
# However short the chunk budget, a heading may not eat the whole window.
MIN_BODY_TOKENS = 48


def chunk_document(
    document: LoadedDocument,
    *,
    doc_id: str,
    version: str,
    path: str,
    count_tokens: Callable[[str], int],
    chunk_tokens: int = 200,
    overlap_tokens: int = 24,
) -> list[Chunk]:
    """Return the document's chunks, each within the model's window with its heading."""
    meta = document.meta
    title = document.title[:120]
    chunks: list[Chunk] = []
    for section in document.sections:
        heading = (section.heading or "")[:120] or None
        prefix = Chunk(id="", doc_id="", version="", index=0, text="", title=title, section=heading)
        # The embedded text is "title - section\n" + body (+ the section's asked questions, which the
        # model may cut short: the body is what must fit); heading and body count against the window.
        budget = max(MIN_BODY_TOKENS, min(chunk_tokens, MAX_TOKENS) - count_tokens(prefix.source_text()) + 2)
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=budget,
            chunk_overlap=min(overlap_tokens, budget // 4),
            length_function=count_tokens,
            separators=SEPARATORS,
            is_separator_regex=True,
            keep_separator="end",
            strip_whitespace=True,
        )
        for piece in splitter.split_text(section.text):
            if not piece.strip():
                continue
            chunks.append(
                Chunk(
                    id=f"{doc_id}:{version}:{len(chunks)}",
                    doc_id=doc_id,
                    version=version,
                    index=len(chunks),
                    text=piece,
                    title=title,
                    section=heading,
                    page=section.page,
                    url=meta.get("source_url"),
                    publisher=meta.get("publisher"),
                    source_title=meta.get("source_title"),
                    source_date=meta.get("source_date"),
                    checked=meta.get("checked"),
                    status=meta.get("status"),
                    path=path,
                    content_hash=hashlib.sha1(piece.encode()).hexdigest(),
                    asked="\n".join(section.asked) or None,
                )
            )
    return chunks

"""The data that flows from ingestion through search to answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Chunk:
    """One indexed piece of a document, with everything needed to cite it."""

    id: str
    doc_id: str
    version: str
    index: int
    text: str
    title: str
    section: str | None = None
    page: int | None = None
    url: str | None = None
    publisher: str | None = None
    source_title: str | None = None
    source_date: str | None = None
    checked: str | None = None
    status: str | None = None
    path: str = ""
    content_hash: str = ""
    # Questions managers ask that the chunk's section answers, one per line: searched, never quoted.
    asked: str | None = None

    def source_text(self) -> str:
        """Return where the chunk comes from, then what it says."""
        heading = " - ".join(part for part in (self.title, self.section) if part)
        return f"{heading}\n{self.text}" if heading else self.text

    def embedding_text(self) -> str:
        """Return the text that is searched: the source text, then how managers ask for it."""
        return f"{self.source_text()}\n{self.asked}" if self.asked else self.source_text()

    def metadata(self) -> dict[str, str | int]:
        """Return the chunk's fields as flat metadata (no None values, as Chroma wants)."""
        data = asdict(self)
        data.pop("id")
        data.pop("text")
        return {key: value for key, value in data.items() if value is not None}

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, metadata: dict) -> "Chunk":
        """Rebuild a chunk from what the store kept."""
        known = {name for name in cls.__dataclass_fields__ if name not in ("id", "text")}
        return cls(id=chunk_id, text=text, **{k: v for k, v in metadata.items() if k in known})


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its retrieval scores."""

    chunk: Chunk
    score: float
    dense_similarity: float | None = None
    lexical_score: float | None = None


@dataclass(frozen=True)
class DocumentRecord:
    """One indexed document as the manifest knows it."""

    doc_id: str
    version: str
    title: str
    path: str
    content_hash: str
    chunk_count: int
    indexed_at: str
    checked: str | None = None
    status: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Citation:
    """A numbered source in an answer, with the verbatim text the claim rests on."""

    n: int
    doc_id: str
    title: str
    section: str | None
    page: int | None
    url: str | None
    path: str
    quote: str
    publisher: str | None = None


@dataclass
class Answer:
    """What a manager gets back: text with [n] markers, and the sources behind them."""

    question: str
    answer: str
    answered: bool
    urgent: bool
    citations: list[Citation] = field(default_factory=list)
    latency_ms: float = 0.0
    mode: str = "extractive"

    def to_json(self) -> dict:
        """Return the --json answer object of ARCHITECTURE.md."""
        return {
            "question": self.question,
            "answer": self.answer,
            "answered": self.answered,
            "urgent": self.urgent,
            "citations": [
                {
                    "n": c.n,
                    "doc_id": c.doc_id,
                    "title": c.title,
                    "section": c.section,
                    "page": c.page,
                    "url": c.url,
                    "path": c.path,
                    "quote": c.quote,
                }
                for c in self.citations
            ],
            "latency_ms": round(self.latency_ms, 1),
        }

"""The tips and the library notes they cite, and the message a tip becomes on Telegram."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ingest.loaders import LoadError, load_markdown
from knowledge.config import Settings

MAX_TIP_CHARS = 600
ASK_PREFIX = "tip:ask:"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class CatalogueError(Exception):
    """The tips file or a note it cites cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Tip:
    """One practical tip and the library note it comes from."""

    id: str
    note: str
    text: str


@dataclass(frozen=True)
class Note:
    """What a tip message shows of its source note."""

    id: str
    title: str
    url: str
    source_title: str


@dataclass(frozen=True)
class Catalogue:
    """Every tip, in file order, and the notes they cite."""

    tips: tuple[Tip, ...]
    notes: dict[str, Note]

    def tip(self, tip_id: str) -> Tip | None:
        """Return the tip with this id, or None."""
        return next((tip for tip in self.tips if tip.id == tip_id), None)


def load_catalogue(settings: Settings) -> Catalogue:
    """Load [tips] file and the front matter of every note it cites, checking both."""
    path = settings.resolve(settings.tips.file)
    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(f"the tips file {path} does not exist ([tips] file)") from None
    except yaml.YAMLError as exc:
        raise CatalogueError(f"the tips file {path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(items, list) or not items:
        raise CatalogueError(f"the tips file {path} must be a non-empty YAML list of {{id, note, text}}")
    tips = tuple(_tip(item, n) for n, item in enumerate(items, start=1))
    if len({tip.id for tip in tips}) != len(tips):
        raise CatalogueError(f"the tips file {path} has two tips with the same id")
    notes = {note_id: load_note(settings, note_id) for note_id in sorted({tip.note for tip in tips})}
    return Catalogue(tips=tips, notes=notes)


def _tip(item: object, n: int) -> Tip:
    """Check one entry of the tips file."""
    if not isinstance(item, dict) or not {"id", "note", "text"} <= set(item):
        raise CatalogueError(f"tip {n} in the tips file needs id, note and text")
    tip = Tip(id=str(item["id"]), note=str(item["note"]), text=" ".join(str(item["text"]).split()))
    if not _ID.match(tip.id) or not _ID.match(tip.note):
        raise CatalogueError(f"tip {n}: id and note must be kebab-case ids")
    if not 0 < len(tip.text) <= MAX_TIP_CHARS:
        raise CatalogueError(f"tip {tip.id}: text must be 1 to {MAX_TIP_CHARS} characters")
    if len((ASK_PREFIX + tip.note).encode()) > 64:  # Telegram's limit on callback data
        raise CatalogueError(f"tip {tip.id}: note id {tip.note!r} is too long for a button")
    return tip


def load_note(settings: Settings, note_id: str) -> Note:
    """Return the title and link of a library note from its front matter."""
    if not _ID.match(note_id):  # ids arrive in button data, which a client can forge
        raise CatalogueError(f"{note_id!r} is not a note id")
    path: Path = settings.resolve(settings.ingest.library_dir) / f"{note_id}.md"
    if not path.is_file():
        raise CatalogueError(f"the note {note_id} cited by a tip is not in the library ({path})")
    try:
        meta = load_markdown(path).meta
    except LoadError as exc:
        raise CatalogueError(f"the note {note_id}: {exc}") from None
    return Note(id=note_id, title=str(meta["title"]), url=str(meta["source_url"]),
                source_title=str(meta["source_title"]))  # fmt: skip


def render(tip: Tip, note: Note) -> str:
    """Return the tip as Telegram HTML: the tip, then its source note's title and link."""
    return (
        "<b>This week's practical tip</b>\n\n"
        f"{html.escape(tip.text)}\n\n"
        f'Source: <a href="{html.escape(note.url, quote=True)}">{html.escape(note.title)}</a>'
        f" ({html.escape(note.source_title)})"
    )


def markup(note: Note) -> InlineKeyboardMarkup:
    """Return the "Ask about this" button, which asks about the note's topic."""
    return InlineKeyboardMarkup([[InlineKeyboardButton("Ask about this", callback_data=ASK_PREFIX + note.id)]])


def question_about(note: Note) -> str:
    """Return the question the "Ask about this" button asks on the user's behalf."""
    title = note.title
    if len(title) > 1 and title[0].isupper() and title[1].islower():  # "How to…", not "CQC…"
        title = title[0].lower() + title[1:]
    return f"What should I know about {title}?"

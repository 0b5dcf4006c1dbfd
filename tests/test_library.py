"""The bundled library and tips: complete front matter, substance, and no near-duplicates."""

import itertools
import re
from pathlib import Path

import pytest
import yaml

from ingest.loaders import NOTE_FIELDS, load_markdown
from tests.conftest import REPO

LIBRARY = REPO / "knowledge" / "library"
TIPS = REPO / "knowledge" / "tips" / "tips.yaml"
NOTES = sorted(LIBRARY.glob("*.md"))


def body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---", 2)[2]


def shingles(text: str, size: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + size]) for i in range(max(1, len(words) - size + 1))}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / max(1, len(a | b))


def test_library_has_enough_notes():
    assert len(NOTES) >= 35


@pytest.mark.parametrize("path", NOTES, ids=[p.stem for p in NOTES])
def test_note_is_complete(path):
    document = load_markdown(path)  # raises with the missing fields named
    meta = document.meta
    assert set(NOTE_FIELDS) <= set(meta)
    assert meta["id"] == path.stem, "the file name is the note id"
    assert meta["source_url"].startswith("https://")
    assert meta["jurisdiction"] == "England"
    text = body(path)
    assert len(text.split()) >= 250
    assert len(re.findall(r"^## ", text, flags=re.M)) >= 3
    assert not re.search(r"\bTODO\b|\bTBD\b|lorem ipsum", text, flags=re.I)


def test_note_ids_are_unique():
    ids = [load_markdown(p).meta["id"] for p in NOTES]
    assert len(ids) == len(set(ids))


def test_changing_law_is_marked_changing():
    status = {p.stem: load_markdown(p).meta["status"] for p in NOTES}
    for note_id in ("supreme-court-2026-deprivation-of-liberty", "liberty-protection-safeguards-status",
                    "cqc-assessment-and-2026-reform"):  # fmt: skip
        assert status.get(note_id) == "changing", note_id


def test_no_two_notes_are_near_duplicates():
    prints = {p.stem: shingles(body(p), 5) for p in NOTES}
    close = [(a, b, round(jaccard(prints[a], prints[b]), 2)) for a, b in itertools.combinations(prints, 2)
             if jaccard(prints[a], prints[b]) > 0.3]  # fmt: skip
    assert not close


def tips():
    return yaml.safe_load(TIPS.read_text(encoding="utf-8"))


def test_a_year_of_tips_each_short_and_naming_a_real_note():
    items = tips()
    assert len(items) >= 52
    note_ids = {p.stem for p in NOTES}
    for tip in items:
        assert set(tip) == {"id", "note", "text"}, tip
        assert 0 < len(tip["text"]) <= 600, tip["id"]
        assert tip["note"] in note_ids, tip["id"]
    assert len({t["id"] for t in items}) == len(items)


def test_no_two_tips_are_near_duplicates():
    prints = {t["id"]: shingles(t["text"], 3) for t in tips()}
    close = [(a, b) for a, b in itertools.combinations(prints, 2) if jaccard(prints[a], prints[b]) > 0.35]
    assert not close

"""The evaluation's labels stay true to the library: a note edit that breaks a key phrase fails here, not silently in `make eval`."""

from pathlib import Path

import pytest

from bot.evaluate import DEV_DIR, HELDOUT_DIR, QUESTIONS_DIR, load_file, load_questions
from bot.quotes import normalise

LIBRARY = Path(__file__).resolve().parent.parent / "knowledge" / "library"
FILES = [path for folder in (QUESTIONS_DIR, DEV_DIR, HELDOUT_DIR) for path in sorted(folder.glob("*.yaml"))]


def test_the_tuned_set_has_what_the_issue_asks_for():
    questions = load_questions()
    kinds = {kind: sum(q.kind == kind for q in questions) for kind in ("covered", "urgent", "out_of_scope", "not_urgent")}
    assert kinds["covered"] >= 80 and kinds["urgent"] >= 10 and kinds["out_of_scope"] >= 10 and kinds["not_urgent"] >= 10


def test_there_are_held_out_questions_apart_from_the_tuned_set():
    held = [q.q for path in sorted(HELDOUT_DIR.glob("*.yaml")) for q in load_file(path)]
    dev = [q.q for path in sorted(DEV_DIR.glob("*.yaml")) for q in load_file(path)]
    assert len(held) >= 40
    assert not set(held) & ({q.q for q in load_questions()} | set(dev))


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_label_names_real_notes_and_every_key_is_in_one_of_them(path):
    for question in load_file(path):
        if question.kind != "covered":
            continue
        texts = []
        for note in question.notes:
            assert (LIBRARY / f"{note}.md").exists(), f"{question.q!r}: no note {note}"
            texts.append(normalise((LIBRARY / f"{note}.md").read_text(encoding="utf-8")))
        if question.key:
            assert any(normalise(question.key) in text for text in texts), f"{question.q!r}: key {question.key!r} not in its notes"


def test_no_held_out_question_is_one_a_note_lists_as_asked():
    import frontmatter

    asked = {normalise(q) for path in LIBRARY.glob("*.md")
             for questions in (frontmatter.loads(path.read_text(encoding="utf-8")).metadata.get("asked") or {}).values()
             for q in questions}  # fmt: skip
    held = {normalise(q.q) for path in sorted(HELDOUT_DIR.glob("*.yaml")) for q in load_file(path)}
    assert not held & asked

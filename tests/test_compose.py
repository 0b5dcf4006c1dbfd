"""Choosing what to quote: whole short passages, the best units of long ones, within the budget."""

from bot.compose import Citations, candidates, render_group, select, units
from bot.relevance import Concept
from knowledge.models import Chunk


def chunk(text, index=0, doc="note", section="What the law requires"):
    return Chunk(id=f"{doc}:v:{index}", doc_id=doc, version="v", index=index, text=text, title="Note",
                 section=section, path=f"knowledge/library/{doc}.md")  # fmt: skip


def idea(stem, weight):
    return Concept((frozenset([stem]),), weight)


def test_bullets_and_paragraphs_are_units_in_source_order():
    found = units("Intro line one.\ncontinues here.\n\n- first point\n- second point\n\nClosing.")
    assert [(u.text, u.bullet) for u in found] == [
        ("Intro line one. continues here.", False), ("first point", True), ("second point", True), ("Closing.", False)
    ]


def test_a_short_passage_is_quoted_whole_and_a_long_one_by_its_best_units():
    short = chunk("Capacity is decision specific.\n\n- Assess each decision.", 0)
    long_text = "\n\n".join(f"Filler paragraph number {i} about rotas and menus." for i in range(12))
    long = chunk(long_text + "\n\nAn IMCA must be instructed when there is no one to consult.", 1, doc="imca")
    question = [idea("imca", 3.0), idea("instruct", 2.0), idea("capac", 1.0)]
    chosen = select(candidates([(short, 0.6), (long, 0.6)], question, short=450, prior=1.0), budget=200)
    texts = [u.text for _, u in chosen]
    assert "An IMCA must be instructed when there is no one to consult." in texts
    assert {"Capacity is decision specific.", "Assess each decision."} <= set(texts)
    assert not any(t.startswith("Filler") for t in texts)


def test_a_passage_with_no_words_offers_nothing():
    assert candidates([(chunk("---\n\n***"), 0.9)], [idea("x", 1.0)], short=450, prior=1.0) == []


def test_every_sentence_gets_the_marker_of_its_source():
    citations = Citations()
    source = chunk("First sentence here. Second one follows.\n\n- a bullet")
    text = render_group([(source, u) for u in units(source.text)], citations)
    assert text == "First sentence here. [1] Second one follows. [1]\n\n- a bullet [1]"
    assert citations.items[0].quote == "First sentence here. Second one follows."

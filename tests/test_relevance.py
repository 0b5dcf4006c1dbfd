"""Which piece of guidance answers a question's words: each idea counts once, in the manager's words or the guidance's."""

import pytest

from bot.relevance import concepts, relevance
from knowledge.lexical import LexicalIndex

TEXTS = [
    "Tell CQC about the allegation without delay.",
    "Tell the Care Quality Commission about the allegation without delay.",
    "An employer may start dismissal proceedings after a fair investigation.",
    "Every registered provider must train its staff in learning disability and autism.",
    "Rotas are planned a month ahead and menus change weekly.",
    "A late entry is allowed if it is clearly marked as late.",
]
INDEX = LexicalIndex.build((str(i), text) for i, text in enumerate(TEXTS))


def score(question, text):
    return relevance(text, concepts(question, INDEX))


def test_an_abbreviation_and_its_spelt_out_form_count_the_same():
    question = "do i tell cqc about an allegation"
    # Only the damping for a longer text differs; counting "care", "quality" and "commission" as extra
    # matches would make the spelt-out passage win by a wide margin.
    assert score(question, TEXTS[1]) == pytest.approx(score(question, TEXTS[0]), rel=0.05)
    assert score(question, TEXTS[0]) > 0


def test_a_managers_word_matches_the_guidances_word():
    assert score("can i sack him for it", TEXTS[2]) > score("can i sack him for it", TEXTS[4]) == 0


def test_asking_whether_something_is_compulsory_matches_what_providers_must_do():
    assert score("is autism training compulsory", TEXTS[3]) > score("is autism training compulsory", TEXTS[4])


def test_writing_up_the_next_morning_finds_late_entries():
    assert score("can staff write up notes the next morning", TEXTS[5]) > 0


def test_misspelt_words_still_count():
    assert score("do i tell cqc about an alegation", TEXTS[0]) == score("do i tell cqc about an allegation", TEXTS[0])


def test_question_words_and_fillers_carry_no_weight():
    assert concepts("what should i do about it please", INDEX) == []

"""The answer engine over the real library and model: cited, verbatim, honest, urgent first."""

import re

import frontmatter
import pytest

from bot.quotes import quote_in_source
from bot.referral import not_covered
from knowledge.query import expand, split_questions, without_personal_details


@pytest.fixture(scope="module")
def engine(library_services):
    return library_services.engine


def assert_cited_and_verbatim(answer, root):
    assert answer.citations, answer.answer
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert numbers == {c.n for c in answer.citations}
    for citation in answer.citations:
        assert len(citation.quote.split()) >= 3
        assert quote_in_source(citation.quote, root / citation.path), citation.quote
        assert citation.title and citation.url and citation.url.startswith("https://")


def test_a_plain_question_gets_a_cited_answer_from_the_right_note(engine, library_services):
    answer = engine.answer("what are the five principles of the mental capacity act")
    assert answer.answered and not answer.urgent
    assert "mca-five-principles" in {c.doc_id for c in answer.citations}
    assert_cited_and_verbatim(answer, library_services.settings.root)


def test_a_question_worded_as_a_note_lists_it_is_answered_from_that_note_without_quoting_the_list(engine, library_services):
    path = library_services.settings.root / "knowledge" / "library" / "supervision-and-safeguarding-culture.md"
    asked = frontmatter.loads(path.read_text()).metadata["asked"]
    answer = engine.answer(asked["What the law or guidance requires"][0])
    assert answer.citations[0].doc_id == "supervision-and-safeguarding-culture"
    listed = {q.lower() for questions in asked.values() for q in questions}
    assert not any(q in answer.answer.lower() for q in listed)


def test_a_quote_found_only_in_a_note_s_front_matter_is_not_verified(tmp_path):
    path = tmp_path / "note.md"
    path.write_text('---\nasked:\n  "": ["how often do staff need supervision by law"]\n---\nSupervision has no fixed frequency.\n')
    assert quote_in_source("Supervision has no fixed frequency.", path)
    assert not quote_in_source("how often do staff need supervision by law", path)


def test_a_list_cut_between_two_chunks_is_quoted_whole(engine):
    answer = engine.answer("what are the five principles of the mental capacity act").answer
    for ordinal in ("first", "second", "third", "fourth", "fifth"):
        assert f"The {ordinal} MCA principle" in answer, ordinal


def test_every_sentence_and_bullet_carries_a_marker(engine):
    answer = engine.answer("what does a section 42 enquiry involve and who leads it")
    for line in answer.answer.splitlines():
        if line.strip() and not line.startswith(("What ", "Who ", "Record ", "On ")):
            assert re.search(r"\[\d+\]$", line.strip()), line


def test_the_body_stays_near_the_configured_length(engine):
    answer = engine.answer("what are the types of abuse and neglect in the care act")
    assert len(answer.answer) <= engine.settings.max_chars + 400


def test_typos_abbreviations_and_lower_case_still_find_the_note(engine):
    answer = engine.answer("how long dose an urgent dols authorisaton last")
    assert answer.answered
    assert "dols-urgent-and-standard-authorisations" in {c.doc_id for c in answer.citations}


def test_a_decision_question_adds_what_to_weigh_and_what_to_record(engine, library_services):
    answer = engine.answer("should i report it to the LA if she has capacity and says she doesnt want me to")
    assert answer.answered
    assert "What to weigh" in answer.answer and "record" in answer.answer.lower()
    assert_cited_and_verbatim(answer, library_services.settings.root)


@pytest.mark.parametrize(
    "question, helper",
    [
        ("how do i calculate holiday pay for a zero hours carer", "ACAS"),
        ("what is the vat rate on our laundry invoices", "HMRC"),
    ],
)
def test_out_of_scope_questions_are_refused_with_who_can_help(engine, question, helper):
    answer = engine.answer(question)
    assert not answer.answered and not answer.citations
    assert "does not cover" in answer.answer and helper in answer.answer


def test_no_out_of_scope_example_is_a_question_the_library_answers(engine):
    # An example near the library's own subjects ("what does Oliver McGowan training cost") taught the
    # not-covered check to refuse covered questions beside it ("how often must it be refreshed").
    for topic in engine.scope.topics:
        assert engine.retrieve(topic)[0].confidence < 0.50, topic


def test_after_the_999_line_a_not_covered_reply_points_to_help_in_an_emergency_not_to_business_routes(engine):
    message = "my client is on the kitchen floor and cant get up, she's cold and confused"
    answer = engine.answer(message)
    assert answer.urgent and answer.answer.startswith("If someone is in immediate danger, call 999 now")
    assert "premises" not in answer.answer
    urgent, calm = not_covered(message, "the LA", urgent=True), not_covered("new kitchen menu ideas", "the LA")
    assert "NHS 111" in urgent and "premises" not in urgent and "premises" in calm


def test_immediate_danger_puts_999_first_then_the_guidance(engine):
    answer = engine.answer("a resident is hitting another resident right now and staff cant separate them")
    assert answer.urgent
    assert answer.answer.splitlines()[0].startswith("If someone is in immediate danger, call 999 now")
    assert engine.settings.safeguarding_contact in answer.answer
    assert answer.citations


def test_a_routine_question_about_emergencies_is_not_urgent(engine):
    answer = engine.answer("how long does an urgent dols authorisation last")
    assert not answer.urgent and answer.answered


def test_two_questions_in_one_message_are_each_answered(engine):
    answer = engine.answer("what are the five principles of the mca? also what does the dbs duty to refer mean for us?")
    documents = {c.doc_id for c in answer.citations}
    assert "mca-five-principles" in documents and "dbs-duty-to-refer" in documents


def test_split_questions_keeps_short_follow_ups_with_their_question():
    assert split_questions("family want mum moved but she lacks capacity, who decides? do they get final say") == [
        "family want mum moved but she lacks capacity, who decides? do they get final say"
    ]
    assert len(split_questions("what is a s42 enquiry? what is the dbs duty to refer?")) == 2


def test_abbreviations_are_expanded_for_search():
    assert "deprivation of liberty safeguards" in expand("urgent DoLS")
    assert "people in positions of trust" in expand("pipot referral")


def test_personal_details_are_dropped_before_searching_but_guidance_numbers_stay():
    text = without_personal_details("Jo (dob 02/04/1950) of 3a High Street, M1 2AB, 07700 900123, jo@x.org: reg 13, s42, 28 days")
    assert " ".join(text.split()) == "Jo of , , , : reg 13, s42, 28 days"

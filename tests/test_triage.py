"""Immediate danger is put first; routine questions that mention emergencies are not."""

import pytest

from bot.examples import library_questions
from bot.triage import assess, emergency_preface

# Written apart from the evaluation set, so the patterns are not only tuned to it.
URGENT = [
    "help, a resident is hitting another resident right now and we cant stop him",
    "our client has gone missing from her flat, she has dementia and it is dark",
    "a resident has collapsed in the garden and is unresponsive",
    "man in room 4 says he is going to kill himself, he has tablets saved up",
    "a resident told me she was raped by a visitor this morning",
    "there is a fire in the kitchen and smoke in the corridor",
    "service user is choking and turning blue",
    "son is attacking his mum in the lounge now, staff are scared",
    "her son has been taking her pension, she is frightened of him and he is here now",
    "ex partner turned up at the home and won't leave, she is terrified",
]
ROUTINE = [
    "how long does an urgent dols authorisation last",
    "what should our policy say about residents who go missing",
    "when do we have to notify cqc about a serious injury",
    "a resident fell last week and hit his head, what should we record",
    "what training do staff need in basic life support",
    "what counts as neglect",
    "is covert medication ever lawful",
    "what does making safeguarding personal mean in practice",
    "resident says she is frightened of her son, he visits on sundays. do i raise a concern",
    "staff are scared to speak up about the night manager, what can i do",
]


@pytest.mark.parametrize("message", URGENT)
def test_danger_now_is_urgent_and_says_why(message):
    verdict = assess(message)
    assert verdict.urgent and verdict.reason


@pytest.mark.parametrize("message", ROUTINE)
def test_routine_questions_about_emergencies_are_not_urgent(message):
    assert not assess(message).urgent


def test_preface_says_999_first_then_the_configured_contact():
    lines = emergency_preface("the Borsetshire safeguarding hub").splitlines()
    assert lines[0].startswith("If someone is in immediate danger, call 999 now")
    assert "the Borsetshire safeguarding hub" in lines[1]


# Danger no named pattern catches, in words the written examples do not use (checked below).
BY_EXAMPLE = [
    "his lips have gone a funny colour and hes making a gurgling noise, staff dont know what to do",
    "lady we visit is on the kitchen floor, says she cant feel her legs and its freezing in there",
    "resident's nephew has got her pinned in the corner of her room and is shouting at her",
]
NOT_BY_EXAMPLE = [
    "she had a seizure last month and is fine now, do we need an epilepsy care plan",
    "what should be in our missing person grab sheet for residents with dementia",
    "can we make staff pay for their own uniform",
    "my carer says the client's son shouts at her every visit, is that abuse",
]


@pytest.fixture(scope="module")
def triager(library_services):
    return library_services.engine.triager


@pytest.mark.parametrize("message", BY_EXAMPLE)
def test_danger_the_patterns_miss_is_caught_by_the_written_examples_and_says_which(triager, message):
    assert not assess(message).urgent  # the patterns alone miss it
    assert message not in triager.danger.texts
    verdict = triager.assess(message)
    assert verdict.urgent and verdict.reason.startswith("like the written example of danger")


def test_the_questions_notes_are_asked_by_count_as_routine_examples(triager, library_services):
    asked = library_questions(library_services.settings.resolve(library_services.settings.ingest.library_dir))
    assert len(asked) > 1000 and set(asked) <= set(triager.routine.texts)


@pytest.mark.parametrize("message", NOT_BY_EXAMPLE)
def test_routine_messages_near_the_examples_are_not_urgent(triager, message):
    assert not triager.assess(message).urgent

"""Immediate danger is put first; routine questions that mention emergencies are not."""

import pytest

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

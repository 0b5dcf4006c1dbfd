"""`python -m bot ask --json`, its batch form and the console, as other tools call them."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

FIELDS = {"question", "answer", "answered", "urgent", "citations", "latency_ms"}
CITATION_FIELDS = {"n", "doc_id", "title", "section", "page", "url", "path", "quote"}


@pytest.fixture(scope="module")
def run_bot(library_services, tmp_path_factory):
    """Run `python -m bot ...` against the session's library index."""
    env = dict(os.environ, HF_HUB_OFFLINE="1",
               CAREWISE_STORE__PATH=str(library_services.settings.resolve(library_services.settings.store.path)),
               CAREWISE_STATE__PATH=str(tmp_path_factory.mktemp("cli") / "state.db"))  # fmt: skip

    def run(*args, stdin="", **extra_env):
        return subprocess.run([sys.executable, "-m", "bot", *args], cwd=REPO, env=dict(env, **extra_env), input=stdin,
                              capture_output=True, text=True, timeout=180)  # fmt: skip

    return run


def test_batch_json_lines_in_order_with_every_field(run_bot):
    questions = ["what are the five principles of the mental capacity act", "how do i do payroll for bank staff",
                 "resident collapsed and is not breathing"]  # fmt: skip
    result = run_bot("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == questions
    for answer in answers:
        assert set(answer) == FIELDS
        for citation in answer["citations"]:
            assert set(citation) == CITATION_FIELDS
            assert not citation["path"].startswith("/") and (REPO / citation["path"]).exists()
    covered, payroll, urgent = answers
    assert covered["answered"] and covered["citations"] and not covered["urgent"]
    assert not payroll["answered"] and not payroll["citations"]
    assert urgent["urgent"] and urgent["answer"].startswith("If someone is in immediate danger, call 999 now")


def test_console_reads_until_end_of_input_and_prints_sources(run_bot):
    result = run_bot("console", stdin="what are the five principles of the mental capacity act\n")
    assert result.returncode == 0, result.stderr
    assert "[1]" in result.stdout and "Sources" in result.stdout and "https://" in result.stdout


def test_a_bad_setting_is_one_clear_line(run_bot, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[answer]\nmode = "poetry"\n')
    result = run_bot("--config", str(bad), "ask", "anything")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "[answer] mode" in result.stderr


def test_personal_details_in_a_question_never_reach_the_logs_even_at_debug(run_bot):
    details = ["Margaret Okonkwo", "07700 900123", "14 Larch Avenue", "12/03/1941"]
    question = (f"{details[0]} (born {details[3]}) of {details[2]}, phone {details[1]}, says her son takes her "
                "pension. is this safeguarding and who do i tell?")  # fmt: skip
    result = run_bot("ask", question, CAREWISE_LOGGING__LEVEL="DEBUG")
    assert result.returncode == 0, result.stderr
    assert not [d for d in details if d in result.stderr]
    assert "[1]" in result.stdout  # dropped before searching, the details did not stop it being answered

"""`python -m bot run` as a real process: it answers, and its log holds neither the token nor any question."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.botapi.carewise import ADMIN, MANAGER, OTHER, TOKEN, server, shown, start_bot  # noqa: F401
from tests.conftest import REPO, free_port

QUESTIONS = {
    MANAGER: "Zebra-stripe test: what are the five principles of the Mental Capacity Act?",
    OTHER: "Zebra-stripe test: she has collapsed and is not breathing right now, help!",
    ADMIN: "Zebra-stripe test: how do I calculate holiday pay for my night staff?",
}


def _env(tmp_path, server, library_services, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAREWISE_", "TELEGRAM_"))}
    env.update({
        "HF_HUB_OFFLINE": "1", "TELEGRAM_BOT_TOKEN": TOKEN,
        "CAREWISE_STORE__PATH": str(library_services.settings.resolve(library_services.settings.store.path)),
        "CAREWISE_STATE__PATH": str(tmp_path / "carewise.db"), "CAREWISE_INGEST__UPLOADS_DIR": str(tmp_path / "uploads"),
        "CAREWISE_TELEGRAM__API_BASE_URL": server.base_url, "CAREWISE_TELEGRAM__API_FILE_URL": server.base_file_url,
        "CAREWISE_TELEGRAM__ADMIN_IDS": f"[{ADMIN}]", "CAREWISE_LOGGING__LEVEL": "DEBUG", **extra,
    })  # fmt: skip
    return env


def test_run_answers_and_logs_no_token_and_no_question_text(tmp_path, server, library_services):
    log_path = tmp_path / "bot.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                   env=_env(tmp_path, server, library_services))  # fmt: skip
        try:
            server.wait_for(lambda c: c["method"] == "setMyCommands", timeout=120)
            server.fail("sendChatAction", 500, "Internal Server Error")  # a warning with a request in it
            for user, question in QUESTIONS.items():
                server.send_text(user, question)
            assert "[1]" in shown(server.wait_for_messages(MANAGER, 1, timeout=60)[0])
            assert "999" in shown(server.wait_for_messages(OTHER, 1, timeout=60)[0])  # the emergency line first
            server.wait_for_messages(OTHER, 2, timeout=60)
            server.wait_for_messages(ADMIN, 1, timeout=60)
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0
    text = log_path.read_text()
    assert "answered user" in text  # the log is really written, at DEBUG
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    assert "Zebra" not in text and not any(q[20:60] in text for q in QUESTIONS.values())


def test_run_without_a_token_says_so_in_one_line(tmp_path, server, library_services):
    env = _env(tmp_path, server, library_services)
    del env["TELEGRAM_BOT_TOKEN"]
    done = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "TELEGRAM_BOT_TOKEN is not set" in done.stderr


def test_run_with_a_rejected_token_never_prints_it(tmp_path, server, library_services):
    env = _env(tmp_path, server, library_services, TELEGRAM_BOT_TOKEN="111:WRONG-secret-token")
    done = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "rejected TELEGRAM_BOT_TOKEN" in done.stderr
    assert "WRONG-secret-token" not in done.stdout + done.stderr


def test_webhook_mode_sets_the_webhook_and_accepts_only_calls_with_the_secret(start_bot, server):
    pytest.importorskip("tornado", reason="webhook mode needs python-telegram-bot[webhooks]")
    port, secret = free_port(), "hook-secret-123"
    url = f"http://127.0.0.1:{port}/carewise/hook"
    start_bot(telegram={"webhook_url": url, "webhook_listen": "127.0.0.1", "webhook_port": port}, webhook_secret=secret)
    registered = server.calls("setWebhook")[-1]["params"]
    assert registered["url"] == url and registered["secret_token"] == secret and server.webhook_url == url
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "What is a section 42 enquiry?",
                                          "chat": {"id": MANAGER, "type": "private"},
                                          "from": {"id": MANAGER, "is_bot": False, "first_name": "Sam"}}}  # fmt: skip
    assert _post(url, update, "wrong-secret") == 403
    assert _post(url, update, secret) == 200
    assert "[1]" in shown(server.wait_for_messages(MANAGER, 1, timeout=30)[0])
    assert len(server.messages_to(MANAGER)) == 1  # the call with the wrong secret was not answered


def _post(url: str, update: dict, secret: str) -> int:
    request = urllib.request.Request(url, data=json.dumps(update).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})  # fmt: skip
    try:
        return urllib.request.urlopen(request, timeout=10).status
    except urllib.error.HTTPError as exc:
        return exc.code

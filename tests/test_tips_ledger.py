"""The tips catalogue, the week's choice and the delivery ledger, without Telegram."""

from __future__ import annotations

import frontmatter
import httpx
import pytest
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.tips import ledger, outcomes
from bot.tips.catalogue import CatalogueError, load_catalogue, markup, question_about, render
from bot.tips.schema import FAILED, GONE, RETRYING, SENT, UNCONFIRMED
from bot.tips.subscriptions import forget, is_subscribed, subscribe, unsubscribe
from bot.tips.weeks import WeekStartedError, choose_tip, peek_tip, week_tip
from tests.botapi.server import _render
from tests.conftest import REPO, make_settings
from tests.test_tips_fixtures import ADMIN, open_state, tips_settings

W1, W2 = "2026-W48", "2026-W49"


@pytest.fixture
def env(tmp_path):
    settings = tips_settings(tmp_path)
    return settings, open_state(settings), load_catalogue(settings)


def test_catalogue_cites_each_notes_title_and_link_and_escapes_html(env):
    settings, _, catalogue = env
    tip = catalogue.tips[0]
    note = catalogue.notes[tip.note]
    meta = frontmatter.load(REPO / "knowledge" / "library" / "mca-capacity-test.md").metadata
    assert (note.title, note.url, note.source_title) == (meta["title"], meta["source_url"], meta["source_title"])
    text = render(tip, note)
    assert "&amp;" in text and "&lt;the person&gt;" in text
    plain = _render(text, "HTML")  # Telegram's own HTML check, as the fake server does it
    assert "decision & say which ability <the person>" in plain and note.title in plain
    assert markup(note).inline_keyboard[0][0].callback_data == "tip:ask:mca-capacity-test"
    assert question_about(note) == f"What should I know about {note.title[0].lower()}{note.title[1:]}?"


@pytest.mark.parametrize("content, says", [
    (None, "does not exist"),
    ("- id: tip-x\n  note: no-such-note\n  text: hello\n", "not in the library"),
    ("- id: tip-x\n  note: mca-capacity-test\n  text: " + "x" * 601 + "\n", "1 to 600 characters"),
    ("- id: tip-x\n  note: mca-capacity-test\n", "needs id, note and text"),
    ("[unclosed\n", "not valid YAML"),
])  # fmt: skip
def test_a_bad_tips_file_is_one_clear_sentence(tmp_path, content, says):
    path = tmp_path / "bad.yaml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CatalogueError, match=says):
        load_catalogue(make_settings(tmp_path, tips={"file": str(path)}))


def test_the_bundled_tips_all_render_as_valid_telegram_html():
    settings = make_settings(REPO / "var" / "unused")
    if not settings.resolve(settings.tips.file).exists():
        pytest.skip("knowledge/tips/tips.yaml has not been merged yet")
    catalogue = load_catalogue(settings)
    for tip in catalogue.tips:
        assert len(_render(render(tip, catalogue.notes[tip.note]), "HTML")) < 1000


def test_no_tip_repeats_until_every_tip_has_been_used(env):
    _, state, catalogue = env
    weeks = [f"2026-W{n:02d}" for n in range(1, 10)]
    chosen = [week_tip(state, week, catalogue).tip.id for week in weeks]
    assert chosen == ["tip-alpha", "tip-bravo", "tip-charlie", "tip-delta"] * 2 + ["tip-alpha"]
    assert week_tip(state, weeks[0], catalogue).tip.id == "tip-alpha"  # fixed once chosen


def test_an_admin_chooses_next_weeks_tip_until_sending_starts(env):
    _, state, catalogue = env
    assert peek_tip(state, W1, catalogue).tip.id == "tip-alpha"
    choose_tip(state, W1, catalogue.tip("tip-charlie"), ADMIN)
    chosen = week_tip(state, W1, catalogue)
    assert (chosen.tip.id, chosen.chosen_by) == ("tip-charlie", ADMIN)
    assert week_tip(state, W2, catalogue).tip.id == "tip-alpha"  # the rotation carries on
    subscribe(state, 1)
    assert ledger.claim(state, W1, "tip-charlie", 1)
    with pytest.raises(WeekStartedError):
        choose_tip(state, W1, catalogue.tip("tip-delta"), ADMIN)


def test_a_claim_is_granted_once_and_only_to_a_current_subscriber(env):
    _, state, catalogue = env
    week_tip(state, W1, catalogue)
    subscribe(state, 1)
    subscribe(state, 2)
    unsubscribe(state, 2)
    assert ledger.pending(state, W1) == [1]
    assert ledger.claim(state, W1, "tip-alpha", 1)
    assert not ledger.claim(state, W1, "tip-alpha", 1)  # in flight: never a second send
    assert not ledger.claim(state, W1, "tip-alpha", 2)  # unsubscribed
    ledger.record(state, W1, 1, RETRYING, "500")  # refused outright: safe to send again
    assert ledger.pending(state, W1) == [1]
    assert ledger.claim(state, W1, "tip-alpha", 1)
    ledger.record(state, W1, 1, FAILED, "503")  # still refused after every attempt: a later run may try again
    assert ledger.claim(state, W1, "tip-alpha", 1)
    ledger.record(state, W1, 1, SENT, message_id=7)
    assert not ledger.claim(state, W1, "tip-alpha", 1)
    assert ledger.pending(state, W1) == []
    row = state.conn.execute("SELECT * FROM tip_deliveries WHERE week = ? AND user_id = 1", (W1,)).fetchone()
    assert (row["status"], row["attempts"], row["tip_id"], row["message_id"]) == (SENT, 3, "tip-alpha", 7)


def test_after_a_crash_sends_in_flight_are_unconfirmed_and_never_resent(env):
    _, state, catalogue = env
    week_tip(state, W1, catalogue)
    for user in (1, 2, 3):
        subscribe(state, user)
    ledger.claim(state, W1, "tip-alpha", 1)  # the process dies during this send
    ledger.claim(state, W1, "tip-alpha", 2)
    ledger.record(state, W1, 2, RETRYING, "429")  # this one was refused, then the process died
    assert ledger.recover(state) == 1
    assert ledger.status_of(state, W1, 1) == UNCONFIRMED
    assert ledger.pending(state, W1) == [2, 3]


def test_gone_unsubscribes_and_counts_show_the_week(env):
    _, state, catalogue = env
    week_tip(state, W1, catalogue)
    for user in (1, 2, 3, 4):
        subscribe(state, user)
    for user, status in ((1, SENT), (2, GONE), (3, FAILED)):
        ledger.claim(state, W1, "tip-alpha", user)
        ledger.record(state, W1, user, status, "Forbidden: bot was blocked by the user" if status == GONE else None)
    assert not is_subscribed(state, 2)
    counts = ledger.counts(state, W1, "2000-01-01", "2100-01-01")
    assert (counts.sent, counts.pending, counts.failed, counts.gone, counts.unsubscribed) == (1, 1, 1, 1, 1)
    assert ledger.counts(state, W1, "2000-01-01", "2000-01-02").unsubscribed == 0
    assert ledger.pending(state, W1) == [3, 4]  # the failed one is owed too; the blocked one is not
    subscribe(state, 2)  # unblocked the bot and came back: the 403 proves they never got it
    assert sorted(ledger.pending(state, W1)) == [2, 3, 4]


def test_forget_deletes_subscription_and_ledger_rows(env):
    _, state, catalogue = env
    week_tip(state, W1, catalogue)
    subscribe(state, 1)
    ledger.claim(state, W1, "tip-alpha", 1)
    forget(state, 1)
    assert not is_subscribed(state, 1)
    assert state.conn.execute("SELECT COUNT(*) FROM tip_deliveries WHERE user_id = 1").fetchone()[0] == 0
    assert state.conn.execute("SELECT COUNT(*) FROM tip_subscribers WHERE user_id = 1").fetchone()[0] == 0


def _caused(exc, cause):
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize("exc, kind", [
    (RetryAfter(3), outcomes.FLOOD),
    (Forbidden("Forbidden: bot was blocked by the user"), outcomes.GONE),
    (BadRequest("Bad Request: chat not found"), outcomes.GONE),
    (BadRequest("Bad Request: can't parse entities"), outcomes.FAILED),
    (InvalidToken("Unauthorized"), outcomes.ABORT),
    (NetworkError("Internal Server Error"), outcomes.RETRY),  # Telegram answered 5xx: not delivered
    (NetworkError("Bad Gateway"), outcomes.UNCONFIRMED),  # a proxy answered: may have been forwarded
    (_caused(TimedOut(), httpx.ReadTimeout("read")), outcomes.UNCONFIRMED),  # may have arrived
    (_caused(TimedOut(), httpx.PoolTimeout("pool")), outcomes.RETRY),  # never left this machine
    (_caused(TimedOut(), httpx.ConnectTimeout("connect")), outcomes.RETRY),
    (_caused(NetworkError("httpx.ConnectError"), httpx.ConnectError("refused")), outcomes.RETRY),
    (_caused(NetworkError("httpx.RemoteProtocolError"), httpx.RemoteProtocolError("gone")), outcomes.UNCONFIRMED),
    (RuntimeError("surprise"), outcomes.UNCONFIRMED),
])  # fmt: skip
def test_each_failure_is_sorted_so_no_send_that_may_have_arrived_is_repeated(exc, kind):
    outcome = outcomes.classify(exc)
    assert outcome.kind == kind
    if kind == outcomes.FLOOD:
        assert outcome.wait_s == 3


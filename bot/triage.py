"""Spot messages describing immediate danger, by named patterns that explain each decision."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.examples import ExampleVectors
from knowledge.query import search_text

EXAMPLES_FILE = Path(__file__).resolve().parent / "data" / "triage_examples.yaml"
# How many of the nearest written examples of each kind a message is compared with.
NEAREST = 3
# Urgent by example when the nearest examples of danger are at least this near, and no more than the
# margin farther than the nearest routine ones (negative: when in doubt, the 999 line goes first).
# Calibrated across the two helpers' example files and on the question sets: see docs/EVAL.md.
DANGER_FLOOR = 0.40
DANGER_MARGIN = -0.04

# Each rule names a kind of danger happening now. Patterns are matched on lower-cased text.
_DANGER: dict[str, str] = {
    "violence in progress": r"\b(is|are|keeps?|started|still)\s+(hitting|punching|kicking|beating|attacking|strangling|choking|stabbing|assaulting|slapping|throwing)\b"
    r"|\b(attacking|hitting|punching|beating|assaulting)\s+(her|him|them|me|staff|a resident|another resident|residents)\s+(now|right now)\b"
    r"|\b(has|with|holding|got)\s+(a|the)\s+(knife|weapon|gun)\b|\bthreatening\s+(staff|residents|us|me|her|him)\s+with\b"
    r"|\b(fight|fighting|violent|kicking off)\b.{0,30}\b(now|right now|at the moment|happening)\b|\bbeing (attacked|assaulted|hit|beaten)\b"
    r"|\b(punching|hitting|kicking|beating|attacking|strangling|stabbing|assaulting|slapping|biting)\b.{0,60}\b(right now|now|can'?t|cannot|hiding|separate)\b"
    r"|\b(just|has) (pushed|punched|hit|kicked|slapped|attacked|assaulted)\b",
    "missing and at risk": r"\b(is|has gone|gone|went|has been|been)\s+missing\b|\bcan'?t find\b|\bcannot find\b|\bhas (left|walked out|absconded)\b"
    r"|\bwandered off\b|\bnot (come|came) back\b|\bno one knows where\b"
    r"|\b(got|gone|run|ran|slipped) out\b.{0,50}\b(road|street|exit|door|gate)\b|\bonto the (main )?road\b",
    "medical emergency": r"\bnot breathing\b|\bisn'?t breathing\b|\bstopped breathing\b|\bcan'?t breathe\b|\bstruggling to breathe\b"
    r"|\b(has |just )?collapsed\b|\bunconscious\b|\bunresponsive\b|\bwon'?t wake\b|\bchoking\b|\bhaving a (seizure|fit|heart attack|stroke)\b"
    r"|\bfitting\b|\b(taken|took|swallowed) (an )?overdose\b|\boverdosed\b|\bbleeding (heavily|badly|a lot)\b|\bturning blue\b"
    r"|\bfell .{0,30}\b(head|bleeding|can'?t get up|not moving)\b|\bchest pains?\b|\bgrey and clammy\b"
    r"|\bbleeding from (the |his |her |their )?head\b|\bhead injury\b|\b(see|seen|found|lying) (her|him|them|someone)? ?on the floor\b"
    r"|\bnot answering (the )?door\b.{0,60}\bfloor\b",
    "threat to life or suicide": r"\b(kill|hurt|harm)\s+(himself|herself|themselves|myself)\b|\b(wants|going|threatening|says? (he|she|they) (will|wants|is going)) to (die|end (it|his life|her life|their life))\b"
    r"|\bsuicidal\b|\bend (his|her|their|my) life\b|\bon the (roof|bridge|ledge)\b|\bligature\b|\btried to hang\b"
    r"|\bthreatening to kill\b|\bsaid (he|she|they)('?ll| will) kill\b"
    r"|\b(window )?ledge\b|\b(will|going to|gonna|threatening to|wants to) jump\b",
    "fresh disclosure of sexual assault": r"\b(just|has just|have just|today|last night|this morning|tonight)\b.{0,40}\b(raped|sexually assaulted|sexual assault|touched (her|him|them) sexually)\b"
    r"|\b(raped|sexually assaulted)\b.{0,40}\b(just now|today|last night|this morning|tonight|an hour ago)\b"
    r"|\b(told|disclosed|says|said)\b.{0,30}\b(raped|sexually assaulted)\b",
    # Someone afraid of a person who is with them now (abuse need not be violent yet to be dangerous now).
    "abuser present now": r"\b(frightened|scared|terrified|afraid|petrified|threaten(ing|ed|s)?)\b.{0,80}"
    r"\b((is|are|'s) (here|there|outside|in (the|her|his|their) (room|flat|house|home|lounge|building))( right)? now|won'?t leave|refus(es|ing) to leave)\b"
    r"|\b((is|are|'s) (here|there|outside|in (the|her|his|their) (room|flat|house|home|lounge|building))( right)? now|won'?t leave|refus(es|ing) to leave)\b"
    r".{0,80}\b(frightened|scared|terrified|afraid|petrified|threaten(ing|ed|s)?)\b",
    "fire or immediate hazard": r"\b(there'?s|there is) a fire\b|\bon fire\b|\bfire (in|on) the\b|\bsmell(s|ing)? (of )?gas\b|\bflood(ing)? in\b"
    r"|\bsmoke (coming|in|from|everywhere)\b|\bfire alarm (is )?going off\b",
}

# Routine questions that mention emergencies: asking about rules, durations, policies or past events.
_ROUTINE = (
    r"\burgent (dols|authoris|authoriz|application)|\bhow long\b|\bhow (do|should|can) (we|i|you|staff)\b(?!.{0,20}\b(now|right now)\b)"
    r"|\bwhat (is|are|'?s) (the|our|a)\b.{0,30}\b(policy|procedure|rule|law|guidance|process|plan|time limit|difference|definition)\b"
    r"|\bpolicy\b|\bprocedure\b|\btraining\b|\brisk assessment\b|\bgrab sheet\b|\bwhen should\b|\bdo we (have to |need to )?notify\b"
    r"|\bwhat (to|should (we|i|staff)) do if\b|\bif (a|the|someone|somebody|our) (resident|client|person|service user|staff)\b"
    r"|\blast (week|month|year)\b|\byesterday\b|\bdrill\b|\bexample\b|\bin general\b|\bwhat counts as\b|\bwhat does\b.{0,40}\bmean\b"
    r"|\b(is|would) (that|this|it) (be )?(classed as |counted as |considered |seen as )?(a )?(abuse|neglect|safeguarding|self.neglect)\b"
)
# Signs that the danger is happening now, which override the routine reading.
_NOW = r"\b(right now|now|at the moment|currently|just|help|please help|urgent(ly)?|asap|emergency)\b|!"


@dataclass(frozen=True)
class Triage:
    """Whether a message describes immediate danger, and which rule said so."""

    urgent: bool
    reason: str | None = None

    @property
    def named(self) -> bool:
        """Return whether a named pattern (not a resemblance to written examples) found the danger."""
        return self.urgent and self.reason in _DANGER


def _plain(message: str) -> str:
    """Return a message lower-cased, with plain apostrophes and single spaces, as the patterns expect."""
    return " ".join(message.lower().replace("’", "'").split())


def is_routine(message: str) -> bool:
    """Return whether a message reads as a routine question (policy, the past, "is that abuse?") with no sign of now."""
    text = _plain(message)
    return bool(re.search(_ROUTINE, text)) and not re.search(_NOW, text)


def assess(message: str) -> Triage:
    """Decide whether a message describes someone in immediate danger."""
    text = _plain(message)
    for reason, pattern in _DANGER.items():
        if re.search(pattern, text):
            if re.search(_ROUTINE, text) and not re.search(_NOW, text):
                return Triage(False, f"routine question mentioning {reason}")
            return Triage(True, reason)
    return Triage(False)


def by_pattern(message: str) -> Triage | None:
    """Return the verdict when the named patterns decide (danger now, or routine wording), else None."""
    verdict = assess(message)
    if verdict.urgent or verdict.reason:
        return verdict
    return Triage(False, "routine question") if is_routine(message) else None


class Triager:
    """Named patterns first; for what they do not recognise, the nearest written examples of danger and of
    routine messages (bot/data/triage_examples.yaml), compared with the bundled model."""

    def __init__(self, embeddings, examples_file: Path = EXAMPLES_FILE, cache_dir: Path | None = None,
                 routine: Sequence[str] = ()):  # fmt: skip
        """Also count as routine the given questions (the library's asked ones: guidance, not danger)."""
        self.embeddings = embeddings
        examples = yaml.safe_load(examples_file.read_text(encoding="utf-8"))
        self.danger = ExampleVectors(embeddings, examples["urgent"], cache_dir, "danger")
        self.routine = ExampleVectors(embeddings, list(dict.fromkeys([*examples["routine"], *routine])), cache_dir, "routine")

    def assess(self, message: str, vector: np.ndarray | None = None) -> Triage:
        """Decide whether a message describes someone in immediate danger, and say why (vector: the message's
        search vector, if already made; the examples are compared with it)."""
        verdict = by_pattern(message)
        if verdict is not None:
            return verdict
        if vector is None:
            vector = np.asarray(self.embeddings.embed_query(search_text(message)), dtype=np.float32)
        vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
        danger, example = self.danger.nearest(vector, NEAREST)
        routine, _ = self.routine.nearest(vector, NEAREST)
        if danger >= DANGER_FLOOR and danger - routine >= DANGER_MARGIN:
            return Triage(True, f"like the written example of danger \u201c{example}\u201d")
        return Triage(False)


def emergency_preface(contact: str) -> str:
    """Return the lines that open every urgent reply."""
    return (
        "If someone is in immediate danger, call 999 now.\n"
        f"Then tell {contact}. Make the person safe if you can do so without risk to yourself, "
        "and keep any evidence as it is."
    )

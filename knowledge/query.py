"""Normalise what managers type: abbreviations, typos, several questions in one message."""

from __future__ import annotations

import re

# The short forms managers use, with what they stand for; both are searched.
ABBREVIATIONS: dict[str, str] = {
    "dols": "deprivation of liberty safeguards",
    "dol": "deprivation of liberty",
    "lps": "liberty protection safeguards",
    "mca": "mental capacity act",
    "sar": "safeguarding adults review",
    "sars": "safeguarding adults reviews",
    "sab": "safeguarding adults board",
    "pipot": "people in positions of trust allegations against staff",
    "la": "local authority",
    "las": "local authorities",
    "cqc": "care quality commission",
    "reg": "regulation",
    "regs": "regulations",
    "lpa": "lasting power of attorney",
    "poa": "power of attorney",
    "dbs": "disclosure and barring service",
    "nrm": "national referral mechanism modern slavery",
    "imca": "independent mental capacity advocate",
    "msp": "making safeguarding personal",
    "pida": "public interest disclosure act whistleblowing",
    "ftsu": "freedom to speak up",
    "rm": "registered manager",
    "s42": "section 42 safeguarding enquiry",
    "s44": "section 44",
    "s68": "section 68 advocacy",
    "bi": "best interests",
    "cop": "court of protection",
    "nice": "national institute for health and care excellence",
    "gdpr": "data protection",
    "dpa": "data protection act",
    "da": "domestic abuse",
    "marac": "multi agency risk assessment conference domestic abuse",
    "pbs": "positive behaviour support",
    "rrn": "restraint reduction network",
    "meds": "medicines medication",
    "mar": "medicines administration record",
    "cc": "care certificate",
    "sop": "procedure",
    "hcp": "health care professional",
    "ld": "learning disability",
}

_WORD = re.compile(r"[a-z0-9]+")
_SPLIT = re.compile(r"(?<=[?])\s+|\n+|\s+(?:also|and also|plus)\s+(?=(?:what|how|when|who|do|does|should|can|is|are)\b)")


def words(text: str) -> list[str]:
    """Return the lower-case words of a text."""
    return _WORD.findall(text.lower().replace("’", "'"))


def expand(text: str) -> str:
    """Return the text with each known abbreviation followed by what it stands for."""
    extra = [ABBREVIATIONS[w] for w in dict.fromkeys(words(text)) if w in ABBREVIATIONS]
    # "reg 13" and "s42" style references carry numbers worth keeping together.
    return text if not extra else f"{text} ({'; '.join(extra)})"


def split_questions(text: str, min_words: int = 3) -> list[str]:
    """Split a message holding several questions into its questions (at least the whole message)."""
    parts = [p.strip(" ,;") for p in _SPLIT.split(text.strip()) if p and p.strip(" ,;")]
    parts = [p for p in parts if len(words(p)) >= min_words]
    return parts if len(parts) > 1 else [text.strip()]

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

# Everyday words managers use for what the guidance names differently; the guidance's words are added.
PHRASES: list[tuple[str, str]] = [
    (r"\b(sack|sacked|sacking|fire (him|her|them|someone)|get rid of)\b", "dismissal dismiss"),
    (r"\b(write (it )?up|writing up|written up|paperwork|write down)\b", "record recording"),
    (r"\b(legally|by law|the law say|compulsory|mandatory|required by law)\b", "legal requirement regulation must"),
    (r"\bwhistle ?blow", "whistleblowing protected disclosure"),
    (r"\b(crush(ed|ing)?|hid(e|den|ing) (it |them |meds |medication |tablets )?in (food|drink|yoghurt|tea))\b", "covert medication"),
    (r"\b(ratio|short.staffed|enough staff|staffing levels?)\b", "staffing levels sufficient numbers"),
    (r"\b(hold|held|holding|pin(ned)? down)\b.{0,30}\b(personal care|resist|arms?|hands?)\b", "restraint"),
    (r"\b(time off|off sick|surgery|away for|absent|absence)\b", "absence absent"),
    (r"\b(final say|last word|overrule|overrul(es|ed|ing))\b", "veto decision maker"),
    (r"\b(next (morning|day|shift)|day after|hours later|(after|end of) (the|their|her|his|my) shift)\b", "late entry contemporaneous"),
    (r"\b(finances|money|bank account|bills)\b", "property financial affairs"),
]
_WORD = re.compile(r"[a-z0-9]+")
_FILLER = frozenset(
    """a an the and or but so also plus then if is are am was were be been do does did done have has had
    get gets got can could should would will shall may might must what whats how when who whom whose why
    where which that this these those it its they them their he him his she her we us our i me my you your
    there here to of in on at for with by from about as not no yes ok okay please any some all just really
    still too very say says said tell need needs want wants
    much many far anything something everything nothing anyone someone everyone anybody somebody made make
    put told go going goes went keep kept first right apart way thing things lot bit else even ever already
    know think mean like get got take took sure ago""".split()
)
_SENTENCES = re.compile(r"(?<=[?.!])\s+|\n+")
_QUESTION_START = re.compile(
    r"^(what|whats|how|when|who|whose|why|where|which|do|does|did|should|shall|can|could|is|are|am|must|"
    r"will|would|have|has|may|might|if)\b"
)


def words(text: str) -> list[str]:
    """Return the lower-case words of a text."""
    return _WORD.findall(text.lower().replace("’", "'"))


# Details that identify a person but never match guidance: they only pull a question's vector away
# from the library (a phone number, birth date and address took one question from answered to refused).
_PERSONAL = [
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),  # e-mail addresses
    re.compile(r"(?<!\w)(?:\+44\s?|0)(?:\d[\s-]?){9,10}(?!\w)"),  # UK phone numbers
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"),  # dates such as 12/03/1941
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"),  # postcodes
    re.compile(r"\b\d{1,4}[a-zA-Z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Road|Rd|Street|St|Avenue|Ave|Lane|Close|Drive|Way|Court|"
               r"Crescent|Place|Gardens|Terrace|Grove|Walk|Row|Hill|Park|Square|View|Mews)\b"),  # street addresses
]


def without_personal_details(text: str) -> str:
    """Drop e-mail addresses, phone numbers, dates, postcodes and street addresses before searching."""
    for pattern in _PERSONAL:
        text = pattern.sub(" ", text)
    return re.sub(r"\(\s*(born|dob|d\.o\.b\.?)?\s*\)", " ", text, flags=re.IGNORECASE)


def search_text(query: str) -> str:
    """Return what is searched for a question: personal details dropped, abbreviations and phrases expanded."""
    return expand(without_personal_details(query))


def expand(text: str) -> str:
    """Return the text followed by what its abbreviations stand for and the guidance's words for its phrases."""
    extra = [ABBREVIATIONS[w] for w in dict.fromkeys(words(text)) if w in ABBREVIATIONS]
    lowered = text.lower()
    extra += [meaning for pattern, meaning in PHRASES if re.search(pattern, lowered)]
    # "reg 13" and "s42" style references carry numbers worth keeping together.
    return text if not extra else f"{text} ({'; '.join(extra)})"


def content_words(text: str) -> list[str]:
    """Return the words of a text that carry its topic (not question words, pronouns or fillers)."""
    return [w for w in words(text) if w not in _FILLER]


def split_questions(text: str, min_words: int = 4, min_topic_words: int = 3) -> list[str]:
    """Split a message holding several questions into its questions; context sentences stay with one.

    A follow-up with too few topic words of its own ("do they get final say?") leans on the
    question before it, so it stays joined to that one.
    """
    pieces = [p.strip(" ,;") for p in _SENTENCES.split(text.strip()) if p and p.strip(" ,;")]
    parts: list[str] = []
    context: list[str] = []
    for piece in pieces:
        opening = re.sub(r"^(and|also|plus|or|but|so)\s+", "", piece.lower())
        asks = piece.endswith("?") or bool(_QUESTION_START.match(opening))
        if asks and parts and len(content_words(piece)) < min_topic_words:
            parts[-1] = f"{parts[-1]} {piece}"
        elif asks and len(words(piece)) >= min_words:
            parts.append(" ".join(context + [piece]))
            context = []
        elif parts and not asks:
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            context.append(piece)
    if context and parts:
        parts[-1] = f"{parts[-1]} {' '.join(context)}"
    return parts if len(parts) > 1 else [text.strip()]

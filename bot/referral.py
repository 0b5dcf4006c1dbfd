"""Say plainly that the library does not cover a question, and point to who can help."""

from __future__ import annotations

import re

# (pattern on the question, who can help): the first matches lead, the general ones always follow.
_ROUTES: list[tuple[str, str]] = [
    (
        r"\b(pay|payroll|wage|salary|holiday|leave|contract|dismiss|disciplinary|grievance|tribunal|redundan|"
        r"sick(ness)? pay|maternity|pension|rota|shift|overtime|recruit|notice period|union|zero.hours)",
        "for employment matters: your HR adviser, ACAS (acas.org.uk, helpline 0300 123 1100) or an employment solicitor",
    ),
    (
        r"\b(tax|vat|hmrc|invoice|accounts?|business rates|insurance|budget|fees?|funding|loan|mortgage)\b",
        "for tax and finance: your accountant or finance lead, or HMRC for tax questions",
    ),
    (
        r"\b(sue|sued|solicitor|lawyer|court|claim|legal action|lease|landlord|planning|neighbour|dispute|litigation)\b",
        "for legal disputes: a solicitor, or your provider's legal or insurance helpline",
    ),
    (
        r"\b(building|fire (safety|door|alarm|risk)|gas safe|electric|legionella|food hygiene|kitchen|menu|recipe|parking)\b",
        "for premises, food and fire safety: your facilities lead, the local fire and rescue service or the council's environmental health team",
    ),
    (
        r"\b(gp|district nurse|wound|catheter|diabet\w*|insulin|blood (sugar|pressure)|pressure sores?|infection|"
        r"vaccin\w*|flu jab|covid|c ?diff|symptoms?|clinical)\b",
        "for clinical questions: the person's GP or district nurse, or NHS 111",
    ),
    (
        r"\b(cqc|registration|inspection|rating|notif)",
        "for registration and inspection: the Care Quality Commission (cqc.org.uk, 03000 616161)",
    ),
]
_ALWAYS = [
    "your organisation's own policies and procedures, and your line manager or nominated individual",
    "if anyone may be at risk of abuse or neglect: {contact}",
]


# After the emergency line, business routes (HR, premises...) would only distract.
_URGENT = ["once everyone is safe, for medical advice that is not an emergency: NHS 111 or the person's GP"]


def not_covered(question: str, contact: str, urgent: bool = False) -> str:
    """Return the honest 'not covered' reply with the fitting places to ask."""
    lowered = question.lower()
    routes = _URGENT if urgent else [who for pattern, who in _ROUTES if re.search(pattern, lowered)]
    lines = [f"- {who}" for who in routes + [line.format(contact=contact) for line in _ALWAYS]]
    return (
        "The Carewise library does not cover this question, so I can't give you a sourced answer, "
        "and I won't guess.\nWho can help:\n" + "\n".join(lines)
    )

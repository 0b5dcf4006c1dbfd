"""What the bot says, in one place so it can be read and reviewed as a whole (Telegram HTML)."""

from __future__ import annotations

from knowledge.config import PrivacySettings

# (command, menu description); the order is the menu's order.
MANAGER_COMMANDS = [
    ("start", "What Carewise can and cannot do"),
    ("help", "The commands"),
    ("forget", "Delete everything Carewise holds about you"),
]
TIP_COMMANDS = [
    ("subscribe", "Get the weekly tip"),
    ("unsubscribe", "Stop the weekly tip"),
    ("tip", "This week's tip"),
]
ADMIN_COMMANDS = [
    ("docs", "List the library"),
    ("remove", "DOC_ID: remove a document"),
    ("stats", "Use, feedback and gaps"),
    ("grant", "USER_ID: make someone an admin"),
    ("revoke", "USER_ID: take admin away"),
]
TIP_ADMIN_COMMANDS = [
    ("tip_next", "[TIP_ID]: see or choose the next tip"),
    ("broadcast_preview", "Preview this week's tip"),
    ("broadcast_now", "Send this week's tip now"),
    ("broadcast_status", "How the last send went"),
]

WELCOME = (
    "<b>Welcome to Carewise.</b>\n\n"
    "Ask me about adult safeguarding, the Mental Capacity Act, CQC regulations and care practice in England. "
    "I answer from a library of published guidance and cite every source [1], [2]…; "
    "tap <i>Show quotes</i> under an answer to read the exact words I relied on.\n\n"
    "<b>What I cannot do.</b> I don't know your service, the people you support or your local arrangements. "
    "I can't make decisions for you, give legal advice or contact anyone for you. "
    "I do <b>not</b> replace your local safeguarding procedures or your local authority's safeguarding team: "
    "follow them, and use me to check what the guidance says.\n\n"
    "<b>If someone is in immediate danger, call 999.</b>\n\n"
    "<b>Privacy.</b> {privacy}\n\n"
    "Just type your question. /help lists the commands."
)


def privacy_notice(privacy: PrivacySettings) -> str:
    """Return the short privacy notice for /start, true to the settings."""
    texts = ("I keep the text of your questions for {days} days, to find gaps in the library, then delete it. "
             if privacy.store_questions else "I don't keep the text of your messages. ")  # fmt: skip
    return (
        "I keep your Telegram user id, when you used Carewise, whether each question was answered and which "
        "sources it cited, and your 👍/👎 votes. " + texts.format(days=privacy.retention_days)
        + "/forget deletes everything I hold about you."
    )


def help_text(admin: bool) -> str:
    """Return /help: the commands this user can use."""
    commands = MANAGER_COMMANDS + TIP_COMMANDS
    lines = ["Type a question and I'll answer it with sources.", ""]
    lines += [f"/{name} – {about}" for name, about in commands]
    if admin:
        lines += ["", "<b>Admin</b>", "Send a document (PDF, DOCX, MD, TXT, HTML; up to 20 MB) to add it."]
        lines += [f"/{name} – {about}" for name, about in ADMIN_COMMANDS + TIP_ADMIN_COMMANDS]
    return "\n".join(lines)


FORGOTTEN = ("Done: I have deleted everything I held about you, including any weekly tip subscription. "
             "If you ask again, I keep only what /start describes.")  # fmt: skip
SLOW_DOWN = ("You've asked {n} questions in the last minute, which is my limit. "
             "Please wait a minute and ask again.")  # fmt: skip
NOT_TEXT = "I can only read typed questions. Please write your question as a message."
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
APOLOGY = "Sorry, something went wrong on my side and I couldn't finish that. Please try again. (Reference: {ref})"
ANSWER_GONE = "That answer is no longer stored (it may have been deleted with /forget)."
VOTED = {1: "Thanks, glad it helped.", -1: "Thanks, noted. It helps us improve the library."}

# Access
REFUSED_ALLOWLIST = ("Sorry, Carewise is only open to invited care managers. If you should have access, ask "
                     "your Carewise administrator to add your Telegram user id: <code>{user_id}</code>.")  # fmt: skip
REFUSED_INVITE = "Carewise needs an invite. If you have an invite code, send <code>/start YOUR-CODE</code>."
BAD_INVITE = "That invite code isn't valid. Check it with whoever invited you, then send <code>/start YOUR-CODE</code>."

# Admin
ADMINS_ONLY = "Sorry, /{command} is only for Carewise admins."
UPLOAD_ADMINS_ONLY = "Sorry, only Carewise admins can add documents to the library. Your file was not kept."
ADDED = "Added: <b>{title}</b>\nid <code>{doc_id}</code>, {chunks} chunks."
UNCHANGED = "Already in the library, unchanged: <b>{title}</b>\nid <code>{doc_id}</code>, {chunks} chunks."
NOT_ADDED = "Not added: {reason}. The library is unchanged."
REMOVE_HOW = "Send <code>/remove DOC_ID</code> with an id from /docs."
REMOVE_CONFIRM = ("Remove <b>{title}</b> (<code>{doc_id}</code>, {chunks} chunks) from the library? "
                  "Answers will stop citing it.")  # fmt: skip
REMOVED = "Removed <b>{title}</b> (<code>{doc_id}</code>, {chunks} chunks)."
KEPT = "Nothing removed."
ALREADY_GONE = "That document is already gone."
GRANTED = {True: "<code>{user}</code> is now an admin.", False: "<code>{user}</code> is already an admin."}
REVOKED = {True: "<code>{user}</code> is no longer an admin.", False: "<code>{user}</code> was not an admin."}
CONFIG_ADMIN = "<code>{user}</code> is an admin in config.toml ([telegram] admin_ids); remove them there."
USER_ID_HOW = ("Send <code>/{command} USER_ID</code>, the person's numeric Telegram user id "
               "(Carewise shows it to people it refuses).")  # fmt: skip

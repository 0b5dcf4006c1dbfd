"""Ask the configured chat model for a cited answer, and keep it only if enough survives checking."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from bot.generative import prompt
from bot.generative.check import check
from bot.generative.model import build_chat_model
from bot.generative.support import Evidence
from knowledge.config import LlmSettings
from knowledge.models import Citation, Passage

log = logging.getLogger(__name__)

# Below this share of the reply's sentences kept, what is left is fragments: answer extractively instead.
MIN_KEPT_SHARE = 0.5
# Reasoning models served locally (Ollama, llama.cpp) may put their working inside the content.
_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Generated:
    """A checked generative answer: model text whose every sentence cites a passage that backs it."""

    text: str
    citations: list[Citation]
    kept: int
    total: int


class Generator:
    """Answer from the retrieved passages through a chat model, never uncited."""

    def __init__(self, settings: LlmSettings, embeddings: Embeddings, model: BaseChatModel | None = None):
        self.settings = settings
        self.embeddings = embeddings
        self.model = model if model is not None else build_chat_model(settings)

    def generate(self, question: str, passages: list[Passage]) -> Generated | None:
        """Return the checked answer, or None when the extractive answer should be given instead."""
        passages = list({p.chunk.id: p for p in passages}.values())
        if not passages:
            return None
        try:
            reply = self.model.invoke(prompt.messages(question, passages))
        except Exception as exc:  # noqa: BLE001 - whatever a provider raises (timeout, HTTP, refused), fall back
            log.warning("chat model failed (%s); answering extractively", type(exc).__name__)
            return None
        checked = check(reply_text(reply.content), Evidence(passages, self.embeddings))
        # Counts only: the reply is message-derived text and is never logged.
        log.info("chat model reply: kept %d of %d sentences; dropped %s",
                 checked.kept, checked.total, dict(checked.dropped))  # fmt: skip
        if checked.kept == 0 or checked.kept < MIN_KEPT_SHARE * checked.total:
            log.warning("too little of the chat model's reply was backed by the passages; answering extractively")
            return None
        return Generated(checked.text, checked.citations, checked.kept, checked.total)


def reply_text(content) -> str:
    """Return the text of a message's content, which some providers give as a list of parts."""
    if not isinstance(content, str):
        parts = (part.get("text", "") if isinstance(part, dict) else str(part) for part in content or [])
        content = "\n".join(p for p in parts if p)
    return _THINKING.sub("", content).strip()

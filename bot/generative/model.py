"""Build the configured LangChain chat model, with this project's timeout, retry and key rules."""

from __future__ import annotations

import os

from langchain.chat_models import init_chat_model
from langchain_core.language_models import BaseChatModel

from knowledge.config import ConfigError, LlmSettings

# OpenAI-compatible local servers (llama.cpp, vLLM, LM Studio) ignore the key, but the client insists on one.
UNCHECKED_KEY = "not-needed"


def build_chat_model(settings: LlmSettings, env=None) -> BaseChatModel:
    """Return the chat model named by [llm] model, or raise ConfigError naming the bad setting."""
    env = os.environ if env is None else env
    provider, _, name = settings.model.partition(":")
    provider = provider.lower()
    if not name:
        raise ConfigError(f"config: [llm] model: use provider:model, e.g. openai:gpt-4o-mini (got {settings.model!r})")
    kwargs: dict = {"temperature": settings.temperature}
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
    if provider == "ollama":
        # ChatOllama has no timeout of its own; its httpx client takes one.
        kwargs["client_kwargs"] = {"timeout": settings.timeout_s}
    else:
        # One attempt only: a retry would double the wait before the extractive fallback.
        kwargs.update(timeout=settings.timeout_s, max_retries=0)
        key = env.get(settings.api_key_env, "") if settings.api_key_env else ""
        if key:
            kwargs["api_key"] = key
        elif provider == "openai" and settings.base_url:
            kwargs["api_key"] = UNCHECKED_KEY
        elif provider == "openai":
            raise ConfigError(f"config: [llm] api_key_env: environment variable {settings.api_key_env} is not set")
    try:
        return init_chat_model(settings.model, **kwargs)
    except ImportError as exc:
        raise ConfigError(f"config: [llm] model: the provider's package is not installed ({exc.name})") from None
    except ValueError as exc:
        first = str(exc).splitlines()[0]
        raise ConfigError(f"config: [llm] model: {first} (got {settings.model!r})") from None

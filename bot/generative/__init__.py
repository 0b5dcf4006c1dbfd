"""Optional generative answers from a LangChain chat model, kept only where the library backs them."""

from bot.generative.generator import Generated, Generator

__all__ = ["Generated", "Generator"]

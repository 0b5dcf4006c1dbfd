"""Build the long-lived parts of a run once: store, model, search and the answer engine."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from knowledge.config import Settings
from knowledge.store import ChromaStore, store_folder


@dataclass
class Services:
    """What commands and handlers use, wired from settings."""

    settings: Settings

    @cached_property
    def store(self) -> ChromaStore:
        """Open the configured Chroma store."""
        return ChromaStore.open(self.settings)

    @cached_property
    def embeddings(self):
        """Load the configured embedding model."""
        from knowledge.embeddings import load_embeddings

        embedding = self.settings.embedding
        return load_embeddings(embedding.backend, embedding.batch_size, self.settings.resolve(embedding.onnx_dir))

    @cached_property
    def searcher(self):
        """Open hybrid search over the store."""
        from knowledge.search import Searcher

        return Searcher(self.store, self.embeddings, self.settings.search, store_folder(self.settings))

    @cached_property
    def engine(self):
        """Build the answer engine for the configured mode."""
        from bot.answer import AnswerEngine

        generator = None
        if self.settings.answer.mode == "generative":
            from bot.generative import Generator

            generator = Generator(self.settings.llm, self.embeddings)
        from bot.examples import library_questions

        return AnswerEngine(
            self.searcher, self.settings.answer, generator,
            examples_dir=self.settings.resolve(self.settings.embedding.cache_dir),
            routine_examples=library_questions(self.settings.resolve(self.settings.ingest.library_dir)),
        )  # fmt: skip

    @cached_property
    def pipeline(self):
        """Build the ingestion pipeline sharing this run's store and model."""
        from ingest.pipeline import Pipeline

        return Pipeline(self.settings, self.store, lambda: self.embeddings)


def build_services(settings: Settings) -> Services:
    """Return the services for these settings; parts are built on first use."""
    return Services(settings)

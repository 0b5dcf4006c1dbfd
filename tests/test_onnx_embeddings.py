"""The ONNX Runtime backend: the same vectors as PyTorch (int8 close), truncation, and no torch at answer time."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from knowledge.onnx_embeddings import OnnxEmbeddings
from knowledge.onnx_export import FP32, export, is_current
from tests.conftest import REPO

SENTENCES = [
    "What are the five principles of the Mental Capacity Act?",
    "Who leads a section 42 safeguarding enquiry?",
    "dols",
    "A resident told me a night carer shouted at her and pushed her wheelchair into the wall.",
    "When must a provider notify CQC of an allegation of abuse, and what should the notification say?",
]
LONG = " ".join(["The registered manager records each decision about restraint, who was consulted and why."] * 60)


@pytest.fixture(scope="session")
def onnx_dir(tmp_path_factory):
    """Export the bundled model once for the session."""
    return export(tmp_path_factory.mktemp("onnx") / "onnx")


def cosines(a, b) -> np.ndarray:
    a, b = np.asarray(a), np.asarray(b)
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_fp32_matches_pytorch(onnx_dir, model):
    texts = SENTENCES + [LONG]
    assert cosines(OnnxEmbeddings(onnx_dir).embed_documents(texts), model.embed_documents(texts)).min() >= 0.99


def test_int8_stays_close_to_pytorch(onnx_dir, model):
    texts = SENTENCES + [LONG]
    assert cosines(OnnxEmbeddings(onnx_dir, quantized=True).embed_documents(texts), model.embed_documents(texts)).min() >= 0.95


def test_a_text_gets_the_same_vector_alone_or_padded_in_a_batch(onnx_dir):
    embeddings = OnnxEmbeddings(onnx_dir, batch_size=3)
    batch = embeddings.embed_documents(SENTENCES + [LONG])
    alone = [embeddings.embed_query(text) for text in SENTENCES]
    assert cosines(batch[: len(SENTENCES)], alone).min() >= 0.9999
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)


def test_export_is_idempotent(onnx_dir):
    before = (onnx_dir / FP32).stat().st_mtime_ns
    assert export(onnx_dir) == onnx_dir and is_current(onnx_dir)
    assert (onnx_dir / FP32).stat().st_mtime_ns == before


def test_the_onnx_backend_answers_without_importing_torch(onnx_dir):
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from knowledge.embeddings import load_embeddings\n"
        f"e = load_embeddings('onnx-int8', 8, Path({str(onnx_dir)!r}))\n"
        "assert len(e.embed_query('who leads a section 42 enquiry')) == 384\n"
        "print('torch' in sys.modules)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"

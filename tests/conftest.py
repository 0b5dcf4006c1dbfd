"""Shared fixtures: settings in temp folders, the real model and a real index, once per session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

from knowledge.config import load_settings  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"


def make_settings(tmp: Path, **sections):
    """Return settings from the repo's config.toml with store and state in a temp folder."""
    overrides = {"store": {"path": str(tmp / "index")}, "state": {"path": str(tmp / "carewise.db")},
                 "ingest": {"uploads_dir": str(tmp / "uploads")}}  # fmt: skip
    for section, values in sections.items():
        overrides.setdefault(section, {}).update(values)
    return load_settings(REPO / "config.toml", env={}, overrides=overrides)


@pytest.fixture
def settings(tmp_path):
    """Settings whose store and state live in this test's temp folder."""
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def model():
    """The real bundled embedding model, loaded once."""
    from knowledge.embeddings import BundledEmbeddings

    embeddings = BundledEmbeddings()
    embeddings.embed_query("warm up")
    return embeddings


@pytest.fixture(scope="session")
def library_services(tmp_path_factory, model):
    """Services over a real index of the bundled library, built once with the real model."""
    from bot.services import build_services

    services = build_services(make_settings(tmp_path_factory.mktemp("library")))
    services.__dict__["embeddings"] = model
    report = services.pipeline.ingest([services.settings.resolve(services.settings.ingest.library_dir)], progress=False)
    assert not report.failed, report.failed
    return services


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on a free loopback port, stopped when the session ends."""
    port = free_port()
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    assert chroma, "the chromadb package's `chroma` command is missing"
    log = (tmp_path_factory.mktemp("chroma-log") / "server.log").open("w")
    process = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path_factory.mktemp("chroma-data")), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"chroma run did not start on port {port}")
            time.sleep(0.3)
    yield port
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()

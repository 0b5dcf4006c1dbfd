"""The store works the same embedded and against a real `chroma run` server."""

import pytest

from knowledge.models import Chunk, DocumentRecord
from knowledge.store import ChromaStore
from tests.conftest import make_settings


@pytest.fixture(params=["embedded", "http"])
def store(request, tmp_path):
    if request.param == "http":
        port = request.getfixturevalue("chroma_server")
        settings = make_settings(tmp_path, store={"mode": "http", "port": port, "collection": f"t{tmp_path.name[-20:]}".replace("_", "-")})
    else:
        settings = make_settings(tmp_path)
    return ChromaStore.open(settings)


def chunk(i, doc="d", version="v1"):
    return Chunk(id=f"{doc}:{version}:{i}", doc_id=doc, version=version, index=i, text=f"text {i}", title="T", path="p")


def test_chunks_round_trip_and_nearest_first(store):
    store.add_chunks([chunk(0), chunk(1)], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    found = store.query([0.9, 0.1, 0.0], 2)
    assert [c.id for c, _ in found] == ["d:v1:0", "d:v1:1"]
    assert found[0][1] > 0.9 and found[0][0].title == "T" and found[0][0].section is None
    assert [c.text for c in store.get_chunks(["d:v1:1"])] == ["text 1"]
    assert store.query([1.0, 0.0, 0.0], 5, doc_ids=["other"]) == []


def test_manifest_records_and_deletion(store):
    record = DocumentRecord("d", "v1", "Title", "p.md", "hash", 2, "2026-11-22T00:00:00+00:00")
    store.set_documents([record])
    assert store.documents() == {"d": record}
    store.add_chunks([chunk(0), chunk(1)], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    store.delete_chunks(["d:v1:0"])
    assert [k for k in store.chunk_keys()] == [("d:v1:1", "d", "v1")]
    assert [c.id for c in store.document_chunks("d", "v1")] == ["d:v1:1"]
    store.delete_document("d")
    assert store.documents() == {}

"""Example texts are embedded once and read back on the next start; a damaged cache is rebuilt."""

import numpy as np

from bot.examples import ExampleVectors
from tests.fakes import WordHashEmbeddings

TEXTS = ["resident collapsed and is not breathing", "what does our falls policy need to say"]


def test_the_second_start_reads_the_vectors_instead_of_embedding_again(tmp_path):
    fake = WordHashEmbeddings()
    first = ExampleVectors(fake, TEXTS, tmp_path).matrix()
    assert fake.texts_embedded == 2
    again = ExampleVectors(fake, TEXTS, tmp_path).matrix()
    assert fake.texts_embedded == 2 and np.allclose(first, again)
    ExampleVectors(fake, TEXTS + ["a new example"], tmp_path).matrix()
    assert fake.texts_embedded == 5, "changed texts are embedded afresh"


def test_a_damaged_cache_is_rebuilt_and_the_nearest_text_is_named(tmp_path):
    fake = WordHashEmbeddings()
    ExampleVectors(fake, TEXTS, tmp_path).matrix()
    for path in tmp_path.glob("examples-*.npy"):
        path.write_bytes(b"not numpy")
    examples = ExampleVectors(fake, TEXTS, tmp_path)
    query = np.asarray(fake.embed_query("he is not breathing"), dtype=np.float32)
    score, nearest = examples.nearest(query)
    assert nearest == TEXTS[0] and score > 0

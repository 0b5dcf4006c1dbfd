"""BM25 over the same chunks as the vector store, with typo-tolerant query terms."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
import tempfile
from collections.abc import Iterable
from pathlib import Path

import bm25s
import Stemmer
from rapidfuzz import fuzz
from rapidfuzz import process as fuzzy

from knowledge.query import words

_STEMMER = Stemmer.Stemmer("english")
_STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours ourselves out over own same she should so
    some such than that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves im ive id dont doesnt whats hi hello please thanks""".split()
)
# Unknown words whose nearest indexed word is remembered (the vocabulary is fixed per index).
CORRECTIONS_KEPT = 10_000


def terms(text: str) -> list[str]:
    """Return the stemmed content words of a text."""
    return _STEMMER.stemWords([w for w in words(text) if w not in _STOPWORDS])


class LexicalIndex:
    """A bm25s index whose rows are chunk ids."""

    def __init__(
        self, retriever: bm25s.BM25 | None, ids: list[str], vocabulary: list[str], df: dict[str, int] | None = None
    ):
        self._retriever = retriever
        self.ids = ids
        self._vocabulary = vocabulary
        self._known = frozenset(vocabulary)
        self._df = df or {}
        self._corrections: dict[str, str] = {}

    def idf(self, term: str) -> float:
        """Return how telling a stemmed term is: rare in the library scores high, everywhere scores near 0."""
        n = len(self.ids) or 1
        df = self.df(term)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def df(self, term: str) -> int:
        """Return how many chunks hold a stemmed term."""
        return self._df.get(term, 0)

    def corrected_terms(self, text: str) -> list[str]:
        """Return the stemmed content words of a question, misspellings mapped to indexed words."""
        return _STEMMER.stemWords(self._corrected(text))

    @classmethod
    def build(cls, chunks: Iterable[tuple[str, str]]) -> "LexicalIndex":
        """Index (chunk id, text) pairs."""
        ids, corpus, vocabulary, df = [], [], set(), Counter()
        for chunk_id, text in chunks:
            ids.append(chunk_id)
            corpus.append(terms(text) or ["_"])
            df.update(set(corpus[-1]))
            vocabulary.update(w for w in words(text) if w not in _STOPWORDS and not w.isdigit())
        if not ids:
            return cls(None, [], [])
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        return cls(retriever, ids, sorted(vocabulary), dict(df))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Return up to k (chunk id, BM25 score) pairs with a positive score, best first."""
        if self._retriever is None:
            return []
        query_terms = self.corrected_terms(query)
        if not query_terms:
            return []
        rows, scores = self._retriever.retrieve([query_terms], k=min(k, len(self.ids)), show_progress=False)
        return [(self.ids[int(r)], float(s)) for r, s in zip(rows[0], scores[0]) if s > 0]

    def _corrected(self, query: str) -> list[str]:
        """Return the query's content words, each unknown one replaced by its closest indexed word."""
        result = []
        for word in words(query):
            if word in _STOPWORDS:
                continue
            if word in self._known or len(word) < 5 or word.isdigit():
                result.append(word)
                continue
            corrected = self._corrections.get(word)
            if corrected is None:
                # A fuzzy scan of the whole vocabulary costs milliseconds at 100k chunks; remember it.
                if len(self._corrections) >= CORRECTIONS_KEPT:
                    self._corrections.clear()
                match = fuzzy.extractOne(word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=85)
                corrected = self._corrections[word] = match[0] if match else word
            result.append(corrected)
        return result

    def save(self, folder: Path) -> None:
        """Write the index to a folder atomically (a reader never sees half of it)."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".bm25-", dir=folder.parent))
        if self._retriever is not None:
            self._retriever.save(str(staging / "bm25"))
        (staging / "rows.json").write_text(json.dumps({"ids": self.ids, "vocabulary": self._vocabulary, "df": self._df}))
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        """Read an index written by save()."""
        rows = json.loads((folder / "rows.json").read_text())
        retriever = bm25s.BM25.load(str(folder / "bm25")) if rows["ids"] else None
        return cls(retriever, rows["ids"], rows["vocabulary"], rows.get("df"))

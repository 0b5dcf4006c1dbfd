"""The `make eval` retrieval and answer figures for one embedding backend, on a library-only index."""

from __future__ import annotations

from bot.evaluate import evaluate_retrieval, load_questions
from bot.quotes import normalise


def figures(services) -> dict[str, float]:
    """Index the library with the services' model and return hit@1/hit@5/MRR, key phrase, answered, refused."""
    settings = services.settings
    report = services.pipeline.ingest([settings.resolve(settings.ingest.library_dir)], progress=False)
    if report.failed:
        raise RuntimeError(f"the library did not index: {report.failed[0].reason}")
    questions = load_questions()
    covered = [q for q in questions if q.kind == "covered" and q.notes]
    methods = {"dense": {"method": "dense"}, "hybrid": {"method": "hybrid"}}
    retrieval = evaluate_retrieval(services.searcher, covered, methods)
    out: dict[str, float] = {}
    for name, result in retrieval.items():
        out[f"{name} hit@1"], out[f"{name} hit@5"], out[f"{name} MRR"] = result.row()
    engine = services.engine
    answers = [(q, engine.answer(q.q)) for q in questions if q.kind in ("covered", "out_of_scope")]
    keyed = [normalise(q.key) in normalise(a.answer) for q, a in answers if q.kind == "covered" and q.key]
    inside = [a.answered for q, a in answers if q.kind == "covered"]
    outside = [not a.answered for q, a in answers if q.kind == "out_of_scope"]
    out["key phrase"] = sum(keyed) / max(len(keyed), 1)
    out["answered when covered"] = sum(inside) / max(len(inside), 1)
    out["refused out of scope"] = sum(outside) / max(len(outside), 1)
    return out


def holds(candidate: dict[str, float], reference: dict[str, float], slack: float = 0.01) -> bool:
    """Tell whether a backend's figures are no worse than the reference's, within a question's worth."""
    return all(candidate[name] >= value - slack for name, value in reference.items())

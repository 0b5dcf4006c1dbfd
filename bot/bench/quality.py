"""The `make eval` retrieval and answer figures for one embedding backend, on a library-only index."""

from __future__ import annotations

from bot.evaluate import evaluate_retrieval, has_key, load_questions


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
    keyed = [has_key(q, a) for q, a in answers if q.kind == "covered" and q.key]
    inside = [a.answered for q, a in answers if q.kind == "covered"]
    outside = [not a.answered for q, a in answers if q.kind == "out_of_scope"]
    out["key phrase"] = sum(keyed) / max(len(keyed), 1)
    out["answered when covered"] = sum(inside) / max(len(inside), 1)
    out["refused out of scope"] = sum(outside) / max(len(outside), 1)
    return out

"""`make eval`: retrieval, answer, refusal, triage and quote figures on the project's question set."""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.quotes import normalise, quote_in_source

QUESTIONS_DIR = Path(__file__).resolve().parent.parent / "eval" / "questions"
# Questions written by people who had not seen the system's results: figures only, never tuned on.
HELDOUT_DIR = QUESTIONS_DIR.parent / "heldout"
# Questions written the same way, but since used to choose settings: a check on overfitting the tuned set.
DEV_DIR = QUESTIONS_DIR.parent / "dev"
KINDS = ("covered", "urgent", "out_of_scope", "not_urgent")
TARGETS = {
    "hit@5": 0.95, "key phrase": 0.90, "answered when covered": 0.95, "refused out of scope": 0.90,
    "urgent recall": 1.0, "quotes verified": 1.0,
}  # fmt: skip
MAX_URGENT_FALSE_POSITIVES = 0.05


@dataclass(frozen=True)
class Question:
    """One labelled message of the question set."""

    q: str
    kind: str
    notes: tuple[str, ...] = ()
    key: str | None = None


def load_questions(folder: Path = QUESTIONS_DIR) -> list[Question]:
    """Read every question file in the folder."""
    return [q for path in sorted(folder.glob("*.yaml")) for q in load_file(path)]


def load_file(path: Path) -> list[Question]:
    """Read one question file."""
    questions = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        kind = item.get("kind", "covered")
        if kind not in KINDS:
            raise ValueError(f"{path.name}: unknown kind {kind!r} for {item.get('q')!r}")
        questions.append(Question(str(item["q"]), kind, tuple(item.get("notes") or ()), item.get("key")))
    return questions


def has_key(question: Question, answer) -> bool:
    """Return whether the answer holds the question's key phrase (compared as quotes are)."""
    return normalise(question.key) in normalise(answer.answer)


def rank_of(doc_ids: list[str], wanted: tuple[str, ...]) -> int | None:
    """Return the 1-based rank of the first wanted document in a ranking of chunks' documents."""
    ranking = list(dict.fromkeys(doc_ids))
    return next((i + 1 for i, d in enumerate(ranking) if d in wanted), None)


@dataclass
class Retrieval:
    """hit@1, hit@5 and MRR for one retrieval method."""

    ranks: list[int | None] = field(default_factory=list)

    def row(self) -> tuple[float, float, float]:
        """Return (hit@1, hit@5, MRR)."""
        n = len(self.ranks) or 1
        return (
            sum(1 for r in self.ranks if r == 1) / n,
            sum(1 for r in self.ranks if r and r <= 5) / n,
            sum(1 / r for r in self.ranks if r) / n,
        )


def evaluate_retrieval(searcher, questions: list[Question], methods: dict[str, dict]) -> dict[str, Retrieval]:
    """Rank documents for every labelled question with each retrieval method."""
    results = {name: Retrieval() for name in methods}
    for question in questions:
        vector = searcher.embed(question.q)
        for name, options in methods.items():
            passages = searcher.search(question.q, k=10, vector=vector, **options)
            results[name].ranks.append(rank_of([p.chunk.doc_id for p in passages], question.notes))
    return results


def coverage_table(engine, covered: list[Question], outside: list[Question]) -> list[str]:
    """Show answered-when-covered against refused-when-out-of-scope across thresholds and margins."""
    from dataclasses import replace

    found_in = [engine.retrieve(q.q) for q in covered]
    found_out = [engine.retrieve(q.q) for q in outside]
    original = engine.settings
    lines = ["rule                                  answered-when-covered  refused-out-of-scope"]
    trials = [(f"similarity only, threshold {t:.2f}", {"min_confidence": t, "sure_confidence": t}) for t in (0.35, 0.40, 0.45, 0.50)]
    trials += [(f"scope check, margin {m:+.2f}", {"scope_margin": m}) for m in (-0.05, 0.0, 0.05, 0.10, 0.15)]
    try:
        for name, change in trials:
            engine.settings = original.model_copy(update=change)
            answered = sum(any(engine.covers(f) for f in fs) for fs in found_in) / max(len(found_in), 1)
            refused = sum(not any(engine.covers(f) for f in fs) for fs in found_out) / max(len(found_out), 1)
            mark = "  <- configured" if all(getattr(original, k) == v for k, v in change.items()) else ""
            lines.append(f"{name:36}  {answered:21.3f}  {refused:20.3f}{mark}")
    finally:
        engine.settings = original
    return lines


def heldout_table(services, folder: Path = HELDOUT_DIR) -> tuple[list[str], float | None]:
    """Return the figures on each file of independently written messages, and the key-phrase rate over all."""
    lines = [f"{'file':16}  {'n':>3}  {'hit@5':>6}  {'key phrase':>10}  {'answered':>8}  {'quotes':>6}  "
             f"{'refused':>7}  {'urgent':>6}  {'false urgent':>12}"]  # fmt: skip
    hits = total = 0
    for path in sorted(folder.glob("*.yaml")):
        questions = load_file(path)
        if not questions:
            continue
        answers = [services.engine.answer(q.q) for q in questions]
        pairs = list(zip(questions, answers))
        covered = [(q, a) for q, a in pairs if q.kind == "covered" and q.notes]
        keyed = [(q, a) for q, a in covered if q.key]
        key_hits = sum(has_key(q, a) for q, a in keyed)
        hits, total = hits + key_hits, total + len(keyed)
        outside = [a for q, a in pairs if q.kind == "out_of_scope"]
        urgent = [a for q, a in pairs if q.kind == "urgent"]
        calm = [a for q, a in pairs if q.kind != "urgent"]
        quotes = [quote_in_source(c.quote, services.settings.root / c.path) for a in answers for c in a.citations]
        hit5 = None
        if covered:
            hit5 = evaluate_retrieval(services.searcher, [q for q, _ in covered], {"configured": {}})["configured"].row()[1]
        figures = [
            (hit5, 6), (key_hits / len(keyed) if keyed else None, 10),
            (sum(a.answered for _, a in covered) / len(covered) if covered else None, 8),
            (sum(quotes) / len(quotes) if quotes else None, 6),
            (sum(not a.answered for a in outside) / len(outside) if outside else None, 7),
            (sum(a.urgent for a in urgent) / len(urgent) if urgent else None, 6),
            (sum(a.urgent for a in calm) / len(calm) if calm else None, 12),
        ]  # fmt: skip
        cells = "  ".join(f"{value:{width}.3f}" if value is not None else f"{'-':>{width}}" for value, width in figures)
        lines.append(f"{path.stem:16}  {len(questions):3d}  {cells}")
    return lines, (hits / total if total else None)


def main(services) -> int:
    """Run the evaluation and print the table; the last line is a one-line summary."""
    questions = load_questions()
    root = services.settings.root
    engine, searcher = services.engine, services.searcher
    covered = [q for q in questions if q.kind == "covered" and q.notes]
    print(f"Question set: {len(questions)} messages " + ", ".join(f"{k} {sum(q.kind == k for q in questions)}" for k in KINDS))
    weight = services.settings.search.dense_weight
    methods = {"dense": {"method": "dense"}, "lexical": {"method": "lexical"}, "hybrid": {"method": "hybrid"}}
    retrieval = evaluate_retrieval(searcher, covered, methods)
    print(f"\nRetrieval over {len(covered)} labelled questions (document level; hybrid dense weight {weight})")
    print(f"{'method':8}  {'hit@1':>6}  {'hit@5':>6}  {'MRR':>6}")
    for name, result in retrieval.items():
        h1, h5, mrr = result.row()
        print(f"{name:8}  {h1:6.3f}  {h5:6.3f}  {mrr:6.3f}")
    misses = [q.q for q, r in zip(covered, retrieval[services.settings.search.method].ranks) if not r or r > 5]

    answers = []
    for question in questions:
        answers.append((question, engine.answer(question.q)))
    latencies = sorted(a.latency_ms for _, a in answers)
    with_key = [(q, a) for q, a in answers if q.kind == "covered" and q.key]
    key_hits = [has_key(q, a) for q, a in with_key]
    in_scope = [a for q, a in answers if q.kind == "covered"]
    out_scope = [a for q, a in answers if q.kind == "out_of_scope"]
    urgent = [a for q, a in answers if q.kind == "urgent"]
    not_urgent = [a for q, a in answers if q.kind != "urgent"]
    quotes = [(c, quote_in_source(c.quote, root / c.path)) for _, a in answers for c in a.citations]
    figures = {
        "hit@5": retrieval[services.settings.search.method].row()[1],
        "key phrase": sum(key_hits) / max(len(key_hits), 1),
        "answered when covered": sum(a.answered for a in in_scope) / max(len(in_scope), 1),
        "refused out of scope": sum(not a.answered for a in out_scope) / max(len(out_scope), 1),
        "urgent recall": sum(a.urgent for a in urgent) / max(len(urgent), 1),
        "quotes verified": sum(ok for _, ok in quotes) / max(len(quotes), 1),
    }
    false_positive = sum(a.urgent for a in not_urgent) / max(len(not_urgent), 1)
    print("\nAnswers")
    for name, value in figures.items():
        verdict = "ok" if value >= TARGETS[name] else "MISSED"
        print(f"{name:24} {value:6.3f}   target >= {TARGETS[name]:.2f}  {verdict}")
    fp_verdict = "ok" if false_positive <= MAX_URGENT_FALSE_POSITIVES else "MISSED"
    print(f"{'urgent false positives':24} {false_positive:6.3f}   target <= {MAX_URGENT_FALSE_POSITIVES:.2f}  {fp_verdict}")
    print(f"{'citations checked':24} {len(quotes):6d}")
    median = statistics.median(latencies)
    p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
    print(f"{'answer latency':24} median {median:.1f} ms, p95 {p95:.1f} ms (warm, {len(latencies)} messages)")

    print("\nNot-covered decision: answered-when-covered vs refused-when-out-of-scope ([answer] settings)")
    print("\n".join(coverage_table(engine, [q for q in questions if q.kind == "covered"],
                                    [q for q in questions if q.kind == "out_of_scope"])))  # fmt: skip

    dev, dev_key = heldout_table(services, DEV_DIR)
    if dev_key is not None:
        print("\nDevelopment questions (eval/dev: written independently, since used to choose settings)")
        print("\n".join(dev))
    heldout, heldout_key = heldout_table(services)
    if heldout_key is not None:
        print("\nHeld-out questions (eval/heldout: written by people who had not seen the results; figures only, never tuned on)")
        print("\n".join(heldout))

    _print_failures(misses, with_key, key_hits, answers, quotes)
    met = all(figures[n] >= TARGETS[n] for n in TARGETS) and false_positive <= MAX_URGENT_FALSE_POSITIVES
    print(
        f"\nSUMMARY {'all targets met' if met else 'targets missed'}: hit@5 {figures['hit@5']:.2f}, "
        f"key phrase {figures['key phrase']:.2f}, answered {figures['answered when covered']:.2f}, "
        f"refused {figures['refused out of scope']:.2f}, urgent recall {figures['urgent recall']:.2f}, "
        f"urgent FP {false_positive:.2f}, quotes {figures['quotes verified']:.2f}, p95 {p95:.0f} ms"
        + (f"; dev key phrase {dev_key:.2f}" if dev_key is not None else "")
        + (f"; held-out key phrase {heldout_key:.2f}" if heldout_key is not None else "")
    )
    return 0 if met else 1


def _print_failures(misses, with_key, key_hits, answers, quotes) -> None:
    """List what went wrong, so the numbers can be acted on."""
    problems = [f"retrieval miss: {q}" for q in misses]
    problems += [f"key phrase {q.key!r} missing: {q.q}" for (q, _), hit in zip(with_key, key_hits) if not hit]
    problems += [f"not answered: {q.q}" for q, a in answers if q.kind == "covered" and not a.answered]
    problems += [f"answered out of scope: {q.q}" for q, a in answers if q.kind == "out_of_scope" and a.answered]
    problems += [f"urgent missed: {q.q}" for q, a in answers if q.kind == "urgent" and not a.urgent]
    problems += [f"false urgent: {q.q}" for q, a in answers if q.kind != "urgent" and a.urgent]
    problems += [f"quote not in {c.path}: {c.quote[:80]}" for c, ok in quotes if not ok]
    if problems:
        print(f"\nProblems ({len(problems)})", file=sys.stdout)
        for line in problems[:60]:
            print(f"- {line}")

"""The evaluation question set: loading, asking and judging, shared by the CI floors
(tests/test_evaluation.py) and the benchmark that prints every figure (bench/bench_answers.py).

The questions were written before the ranking was changed, over articles the code was never
tuned on (tests/eval/articles, beside the two seeds), each tagged with its kind. They were split
once, at random, into a tuning half and a held-out half (tests/eval/split.json, made by
`python -m tests.evaluation --split`, seed in SPLIT_SEED; a batch added later is split on its own
the same way, and no question already drawn changes half); the older hand-written set over the
seeds (tests/questions.py) belongs to the tuning half. Floors and published figures come from
the held-out half only.

Each answer is judged one of:
- "hit": answerable question, answered from the right article with a quote holding the expected
  words (and the expected short answer / yes-no verdict when one is given); or a question the
  articles cannot answer, declined;
- "wrong": answered, but from the wrong article or with a quote or short answer that is not the
  expected one; or a question the articles cannot answer, answered anyway;
- "declined": answerable question, no answer given.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.knowledge import KnowledgeBase

EVAL = Path(__file__).resolve().parent / "eval"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SPLIT_SEED = 20261122  # the day the split was drawn; never redrawn
UNANSWERABLE_KINDS = frozenset({"off_topic", "unknown_entity", "not_stated"})
# The older set's groups, as kinds of the new set.
LEGACY_KINDS = {"plain": "fact", "no_accents": "typo_sms", "typos": "typo_sms", "caps": "typo_sms",
                "sms": "typo_sms", "paraphrase": "paraphrase", "english": "english"}


@dataclass
class EvalQuestion:
    id: str
    question: str
    kind: str
    article: str | None  # file name of the article that answers it
    quote: list[str]  # the quote is right if it contains any of these
    short: list[str] | None  # the short answer must contain one of these
    yesno: str | None  # "oui" / "non"
    follow_up_of: str | None
    split: str = "tuning"

    @property
    def answerable(self) -> bool:
        return self.kind not in UNANSWERABLE_KINDS


def _legacy() -> list[EvalQuestion]:
    from tests.questions import ANSWERABLE, UNANSWERABLE

    out = [EvalQuestion(f"seed-{n:02d}", question, LEGACY_KINDS[group], seed, [must],
                        [short] if short else None, None, None)
           for n, (group, question, seed, must, short) in enumerate(ANSWERABLE)]
    out += [EvalQuestion(f"seed-u{n:02d}", question, "off_topic", None, [], None, None, None)
            for n, question in enumerate(UNANSWERABLE)]
    return out


def _written() -> list[EvalQuestion]:
    out = []
    for path in sorted(EVAL.glob("questions_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                out.append(EvalQuestion(record["id"], record["question"], record["kind"], record.get("article"),
                                        record.get("quote") or [], record.get("short"), record.get("yesno"),
                                        record.get("follow_up_of")))
    return out


def load_questions() -> list[EvalQuestion]:
    """Every question, each with its split; the written ones must all be in split.json."""
    split = json.loads((EVAL / "split.json").read_text(encoding="utf-8"))
    where = {qid: half for half, ids in split.items() for qid in ids}
    written = _written()
    for question in written:
        question.split = where[question.id]
    return _legacy() + written


def draw_split(drawn: dict[str, list[str]]) -> dict[str, list[str]]:
    """`drawn` (split.json) with the written questions it lacks split at random, once: a question
    already drawn never changes half, so a batch added later is split on its own. A follow-up stays
    with the question it follows, even one drawn in an earlier batch."""
    half_of = {qid: half for half, ids in drawn.items() for qid in ids}
    questions = [q for q in _written() if q.id not in half_of]
    leads = [q.id for q in questions if q.follow_up_of is None]
    random.Random(SPLIT_SEED).shuffle(leads)
    half_of |= {qid: "tuning" if n < len(leads) // 2 else "heldout" for n, qid in enumerate(leads)}
    follows = {q.id: q.follow_up_of for q in questions if q.follow_up_of is not None}
    for qid in follows:
        root = qid
        while root in follows:
            root = follows[root]
        half_of[qid] = half_of[root]
    return {half: sorted(qid for qid, h in half_of.items() if h == half) for half in ("tuning", "heldout")}


def build_kb(db_path: Path) -> KnowledgeBase:
    """The seeds and the evaluation articles in one real database."""
    from bot.knowledge import KnowledgeBase

    kb = KnowledgeBase(db_path, SEEDS)
    kb.ingest([EVAL / "articles"])
    return kb


def judge(question: EvalQuestion, answer, sources: dict[int, str]) -> str:
    """'hit', 'wrong' or 'declined' (see the module's docstring)."""
    if not answer.answered:
        return "hit" if not question.answerable else "declined"
    if not question.answerable:
        return "wrong"
    article = answer.quote.article if answer.quote else answer.article
    if article is None or sources.get(article.id) != question.article:
        return "wrong"
    if question.quote and answer.quote is not None:
        text = answer.quote.text.lower()
        if not any(part.lower() in text for part in question.quote):
            return "wrong"
    if question.short and not any(s.lower() in (answer.short or "").lower() for s in question.short):
        return "wrong"
    if question.yesno and (answer.verdict or "") != question.yesno:
        return "wrong"
    return "hit"


def evaluate(kb: KnowledgeBase, questions: list[EvalQuestion]) -> dict[str, str]:
    """Question id -> verdict; a follow-up is asked right after the question it follows."""
    sources = {i: Path(s).name for i, s in kb.db.execute("SELECT id, source FROM articles")}
    by_id = {q.id: q for q in questions}
    verdicts = {}
    for question in questions:
        conversation = None
        if question.follow_up_of:
            conversation = kb.ask(by_id[question.follow_up_of].question).conversation
        answer = kb.ask(question.question, conversation=conversation)
        verdicts[question.id] = judge(question, answer, sources)
    return verdicts


def counts(questions: list[EvalQuestion], verdicts: dict[str, str], split: str) -> dict[str, Counter]:
    """Verdicts per kind for one split, with "answerable" and "unanswerable" totals."""
    per_kind: dict[str, Counter] = defaultdict(Counter)
    for question in questions:
        if question.split == split:
            verdict = verdicts[question.id]
            per_kind[question.kind][verdict] += 1
            per_kind["answerable" if question.answerable else "unanswerable"][verdict] += 1
    return per_kind


def headline(per_kind: dict[str, Counter]) -> dict[str, float]:
    """Hit rate of answerable questions, decline rate of the others, wrong answers among answered."""
    answerable, unanswerable = per_kind["answerable"], per_kind["unanswerable"]
    answered = answerable["hit"] + answerable["wrong"] + unanswerable["wrong"]
    return {"answerable_hit": answerable["hit"] / max(1, sum(answerable.values())),
            "unanswerable_declined": unanswerable["hit"] / max(1, sum(unanswerable.values())),
            "wrong_of_answered": (answerable["wrong"] + unanswerable["wrong"]) / max(1, answered),
            "answered": answered}


def report(questions: list[EvalQuestion], verdicts: dict[str, str]) -> str:
    lines = []
    for split in ("heldout", "tuning"):
        per_kind = counts(questions, verdicts, split)
        lines.append(f"{split:<8} kind              n   hit  wrong  declined   hit%")
        for kind, c in sorted(per_kind.items(), key=lambda item: (item[0] in ("answerable", "unanswerable"), item[0])):
            n = sum(c.values())
            lines.append(f"  {kind:<20} {n:>4} {c['hit']:>5} {c['wrong']:>6} {c['declined']:>9} {c['hit'] / n:6.0%}")
        h = headline(per_kind)
        lines.append(f"  {split}: answerable hit {h['answerable_hit']:.1%}, cannot-answer declined "
                     f"{h['unanswerable_declined']:.1%}, wrong among {h['answered']} answered "
                     f"{h['wrong_of_answered']:.1%}")
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:] == ["--split"]:
        drawn = json.loads((EVAL / "split.json").read_text(encoding="utf-8"))
        (EVAL / "split.json").write_text(json.dumps(draw_split(drawn), indent=1) + "\n", encoding="utf-8")

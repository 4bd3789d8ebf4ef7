"""PIAF (Etalab; French questions written by volunteers on Wikipedia paragraphs, CC BY-SA) as a
knowledge base: every paragraph an article, every question with its gold answers. Shared by
`bench/bench_piaf.py` (all 7,569 questions) and the CI slice in tests/test_piaf.py."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bot import storage
from bot.answering.reading import read_question
from bot.ingest import ingest_bytes
from bot.knowledge import KnowledgeBase
from bot.text import fold

PIAF = Path(__file__).resolve().parent.parent.parent / "shared" / "ext" / "piaf-v1.1.json"


@dataclass
class Piaf:
    kb: KnowledgeBase
    questions: list[tuple[str, list[str]]]  # question, gold answers (folded)
    texts: dict[int, str]  # sentence id -> folded text


def load(path: Path, db_path: Path) -> Piaf:
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    db = storage.open_database(db_path)
    questions: list[tuple[str, list[str]]] = []
    with storage.transaction(db):
        for a, article in enumerate(data):
            for p, paragraph in enumerate(article["paragraphs"]):
                text = f"{article['title']} ({p})\n\n{paragraph['context']}\n"
                ingest_bytes(db, f"{a}-{p}.txt", text.encode("utf-8"))
                questions += [(qa["question"], [fold(x["text"]) for x in qa["answers"]]) for qa in paragraph["qas"]]
    kb = KnowledgeBase(db_path)
    texts = {i: fold(t) for i, t in kb.db.execute("SELECT id, text FROM sentences")}
    return Piaf(kb, questions, texts)


def bot_ranking(piaf: Piaf, question: str, k: int = 5) -> list[int]:
    """The bot's top-k sentence ids for a question (always answering)."""
    _, ranked = piaf.kb.answerer.rank(read_question(question))
    return [c.sentence_id for c in ranked[:k]]


def hits(piaf: Piaf, rankings: list[list[int]], questions: list[tuple[str, list[str]]]) -> tuple[float, float]:
    """hit@1 and hit@5: one of the top sentences contains a gold answer (accents and case folded)."""
    at1 = at5 = 0
    for ids, (_, gold) in zip(rankings, questions, strict=True):
        found = [any(g in piaf.texts[i] for g in gold) for i in ids]
        at1 += bool(found[:1] and found[0])
        at5 += any(found)
    return at1 / len(questions), at5 / len(questions)


def answered(piaf: Piaf, questions: list[tuple[str, list[str]]]) -> tuple[int, int]:
    """How many questions the bot answers (its decision, not its ranking), and how many of those
    with a quote that holds no gold answer."""
    count = wrong = 0
    for question, gold in questions:
        answer = piaf.kb.ask(question)
        if answer.answered and answer.quote is not None:
            count += 1
            wrong += not any(g in fold(answer.quote.text) for g in gold)
    return count, wrong

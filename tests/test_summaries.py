"""Summaries and the digest come from the articles by the algorithm, and state what happened.

The measure: tests/eval/summaries.json holds, per article, the sentences a careful reader picks as
the one best and the three best; they were written from the article text before the summariser was
run on any of the evaluation articles. The weights of bot/summaries.py were adjusted on the two seeds
and on a01-a03, b01-b02 only; a04-a05 and b03-b05 are held out and reported apart.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase
from bot.modality import is_disputed
from tests.conftest import LAYOFFS, OUTAGE, SEEDS

EVAL = Path(__file__).resolve().parent / "eval"
PICKS = {name: picks for name, picks in json.loads((EVAL / "summaries.json").read_text()).items()
         if not name.startswith("_")}
TUNING = ("000_", "001_", "a01_", "a02_", "a03_", "b01_", "b02_")  # weights were adjusted on these
# Floors, a little under what the summariser reaches (all 12 articles: best 12/12, top-3 28/36; tuning
# 7/7, 17/21; held out 5/5, 11/15). Before this work: best 9/12, top-3 23/36; tuning 5/7, 13/21; held
# out 4/5, 10/15.
BEST_FLOOR = 0.9
TOP3_FLOOR = 0.72
HELD_OUT_BEST_FLOOR = 0.8
HELD_OUT_TOP3_FLOOR = 0.6


def test_every_article_has_two_or_three_key_sentences_in_order(kb):
    for summary in kb.summaries():
        assert 2 <= len(summary.key_sentences) <= 3
        stored = [r[0] for r in kb.db.execute(
            "SELECT text FROM sentences WHERE article_id = ? ORDER BY position", [summary.article.id])]
        positions = [stored.index(s) for s in summary.key_sentences]  # verbatim sentences
        assert positions == sorted(positions)


def test_key_sentences_carry_facts(kb):
    for summary in kb.summaries():
        facts = kb.db.execute(
            "SELECT count(*) FROM facts f JOIN sentences s ON s.id = f.sentence_id "
            "WHERE s.article_id = ? AND s.text IN ({})".format(",".join("?" * len(summary.key_sentences))),
            [summary.article.id, *summary.key_sentences]).fetchone()[0]
        assert facts >= len(summary.key_sentences)


def test_digest_is_one_paragraph_over_all_articles(kb):
    digest = kb.digest()
    assert "\n" not in digest
    for article in kb.articles():
        assert article.title in digest


def test_the_digest_gives_each_seed_what_happened_not_a_rumour_or_the_scene(kb, titles):
    leads = {s.article.title: s.key_sentences[0] for s in kb.summaries(count=1)}
    assert "24 heures" in leads[titles[OUTAGE]]  # the outage and its length, not "Plus tôt cette semaine..."
    assert "10%" in leads[titles[LAYOFFS]] or "57" in leads[titles[LAYOFFS]]
    assert "Reddit" not in leads[titles[LAYOFFS]]


def test_find_article_by_number_and_keyword(kb, titles):
    articles = kb.articles()
    assert kb.find_article(str(articles[0].id)) == articles[0]
    assert kb.find_article("licenciement").title == titles["001_525ffb05b9d468ee.txt"]
    assert kb.find_article("999999") is None
    assert kb.find_article("") is None


# --- a disputed rumour never leads ------------------------------------------------------------

MADE_UP = {  # file name -> paragraphs; each article opens on a rumour its own text disputes
    "usine.txt": [
        "Textiles Morvan : l'usine d'Autun supprime 120 postes\nPar Jeanne Roy\nPublié le 4 avril 2024",
        "Selon des messages partagés des milliers de fois sur les réseaux sociaux, l'usine Textiles Morvan "
        "d'Autun supprimerait 800 postes et fermerait ses portes en juin 2024, un chiffre largement exagéré "
        "selon la direction.",
        "La direction de Textiles Morvan a annoncé mardi la suppression de 120 postes dans son usine d'Autun, "
        "qui en compte 450.",
        "Le plan de départs volontaires sera présenté aux syndicats le 15 avril. L'entreprise invoque une baisse "
        "de 30 % de ses commandes depuis 2022.",
        "Les salariés se sont rassemblés mercredi devant le site pour dénoncer « un plan brutal ».",
    ],
    "stade.md": [
        "# Le stade de Brévannes rouvre après 18 mois de travaux\n\n*Par Paul Henry — Publié le 10/09/2023*",
        "Sur un forum de supporters, un internaute affirmait que la rénovation du stade de Brévannes avait coûté "
        "« plus de 90 millions d'euros » (faux) et que 5 000 places avaient été supprimées.",
        "Le stade de Brévannes a rouvert samedi après 18 mois de travaux, qui ont coûté 32 millions d'euros à la "
        "ville.",
        "Il compte désormais 12 000 places, dont 2 000 couvertes.",
        "Le premier match, samedi, a réuni 9 500 spectateurs.",
    ],
    "pont.txt": [
        "Le pont de Varennes fermé trois semaines pour réparations\nPar Luc Morel\nPublié le 2 mai 2024",
        "Des rumeurs évoquaient la démolition du pont de Varennes et 2 ans de fermeture pour 40 millions d'euros.",
        "La préfecture a fermé mardi le pont de Varennes pour trois semaines de réparations, qui coûteront "
        "1,2 million d'euros.",
        "Une déviation de 14 kilomètres est mise en place pour les 8 000 véhicules qui l'empruntent chaque jour.",
    ],
}


@pytest.fixture(scope="module")
def made_up(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("made_up")
    for name, paragraphs in MADE_UP.items():
        (folder / name).write_text("\n\n".join(paragraphs) + "\n")
    return KnowledgeBase(folder.parent / "made_up.db", folder)


def test_a_disputed_rumour_is_never_the_first_key_sentence(made_up):
    summaries = made_up.summaries(count=1)
    assert len(summaries) == len(MADE_UP)
    for summary in summaries:
        rows = [r[0] for r in made_up.db.execute(
            "SELECT text FROM sentences WHERE article_id = ? ORDER BY position", [summary.article.id])]
        rumours = [s for i, s in enumerate(rows) if is_disputed(s, rows[i + 1] if i + 1 < len(rows) else "")]
        assert rumours, f"the made-up article {summary.article.title!r} lost its rumour"
        assert summary.key_sentences[0] not in rumours
        assert not set(made_up.summary(summary.article.id, count=3).key_sentences) & set(rumours)
        assert summary.key_sentences[0] in made_up.digest()


# --- the careful reader's picks ----------------------------------------------------------------


def _normal(text: str) -> str:
    return text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ")


def _holds(sentence: str, alternatives: list[str]) -> bool:
    return any(_normal(a) in _normal(sentence) for a in alternatives)


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bool, int]]:
    """Per article file: whether its first key sentence (the digest's) is a best pick, and how many
    of the three top picks its three key sentences hold (each key sentence counting for one pick)."""
    folder = tmp_path_factory.mktemp("eval_articles")
    for path in [*SEEDS.iterdir(), *(EVAL / "articles").iterdir()]:
        if path.name in PICKS:
            shutil.copy(path, folder / path.name)
    kb = KnowledgeBase(folder.parent / "eval_summaries.db", folder)
    ids = {Path(source).name: article_id for article_id, source in kb.db.execute("SELECT id, source FROM articles")}
    results = {}
    for name, picks in PICKS.items():
        if name not in ids:
            continue  # an evaluation article not written yet
        one = kb.summary(ids[name], count=1).key_sentences
        three = kb.summary(ids[name], count=3).key_sentences
        best = bool(one) and _holds(one[0], picks["best"][0])
        found = max((sum(_holds(three[i], group) for group, i in zip(picks["top3"], order, strict=False))
                     for order in itertools.permutations(range(len(three)))), default=0)
        results[name] = (best, found)
    return results


def _shares(results: dict[str, tuple[bool, int]]) -> tuple[float, float]:
    best = sum(b for b, _ in results.values()) / len(results)
    top3 = sum(f for _, f in results.values()) / (3 * len(results))
    return best, top3


def _report(results: dict[str, tuple[bool, int]]) -> str:
    lines = [f"{name}: best {'yes' if b else 'no'}, top-3 {f}/3" for name, (b, f) in sorted(results.items())]
    return "\n".join(lines)


def test_key_sentences_match_a_careful_reader(evaluation):
    assert len(evaluation) >= 7, "the seeds and the evaluation articles should be there"
    tuning = {n: r for n, r in evaluation.items() if n.startswith(TUNING)}
    held_out = {n: r for n, r in evaluation.items() if not n.startswith(TUNING)}
    best, top3 = _shares(evaluation)
    print(f"\nsummaries: first key sentence a best pick {best:.0%}, top-3 picks found {top3:.0%} "
          f"({len(evaluation)} articles)")
    for label, part in (("tuning", tuning), ("held out", held_out)):
        if part:
            part_best, part_top3 = _shares(part)
            print(f"  {label}: best {part_best:.0%}, top-3 {part_top3:.0%} ({len(part)} articles)")
    print(_report(evaluation))
    assert best >= BEST_FLOOR, _report(evaluation)
    assert top3 >= TOP3_FLOOR, _report(evaluation)
    if len(held_out) >= 3:
        held_best, held_top3 = _shares(held_out)
        assert held_best >= HELD_OUT_BEST_FLOOR, _report(held_out)
        assert held_top3 >= HELD_OUT_TOP3_FLOOR, _report(held_out)

"""Modality: is a clause asserted, planned, reported (hearsay the article doubts) or denied?

Every sentence here is made up (none comes from the seeds or the evaluation articles); the table
covers each case and the traps: a figure asserted beside a rumour, "n'a pas seulement", "sans",
"ne ... que", "plus long que prévu", "ne nie pas"...
"""

from __future__ import annotations

import itertools
import time

import pytest

from bot import modality
from bot.modality import (
    fold_keeping_offsets,
    is_disputed,
    mentions_plan,
    modality_runs,
    sentence_modality,
    span_modality,
)

A, P, D, R = "asserted", "planned", "denied", "reported"

SPANS = [
    # --- asserted -------------------------------------------------------------------------
    ("La mairie a recruté 40 agents supplémentaires en mars.", "40 agents", A),
    ("Le festival a attiré 12 000 visiteurs, selon les organisateurs.", "12 000", A),
    ("Le ministre affirme que 300 familles ont été relogées.", "300 familles", A),  # a named source
    ("The council said 45 buses were added to the network.", "45 buses", A),
    ("Comme prévu, le pont a rouvert après 6 semaines de travaux.", "6 semaines", A),
    ("Le chantier a duré plus longtemps que prévu : 14 mois au total.", "14 mois", A),
    ("The repair took longer than expected, 9 days in all.", "9 days", A),
    # traps: a rumour elsewhere in the sentence
    ("Contrairement aux rumeurs, la piscine a fermé pendant 3 semaines.", "3 semaines", A),
    ("L'hôpital a supprimé 80 lits, loin des 400 évoqués par les rumeurs.", "80 lits", A),
    ("Des rumeurs parlaient de fermeture, mais le club a recruté 15 joueurs.", "15 joueurs", A),
    # traps: negation words that do not deny
    ("La banque n'a pas seulement fermé 20 agences, elle a aussi cédé son siège.", "20 agences", A),
    ("Le village a été évacué sans blessé en moins de 2 heures.", "2 heures", A),
    ("Il n'a fallu que 4 jours pour reconstruire la passerelle.", "4 jours", A),
    ("Ce n'est qu'au bout de 36 heures que le courant est revenu.", "36 heures", A),
    ("La station ne compte plus que 3 remontées en service.", "3 remontées", A),
    ("Il ne fait aucun doute que 200 logements seront livrés.", "200 logements", A),
    ("Le maire ne nie pas les 25 licenciements annoncés.", "25 licenciements", A),
    ("La fréquentation est en hausse de 8 % par rapport à l'an dernier.", "8 %", A),
    ("Elle est née en 1984 à Lyon.", "1984", A),
    ("Non seulement la ligne a rouvert, mais 6 trains de plus circulent.", "6 trains", A),
    ("Le PDG, qui n'a pas souhaité commenter, a annoncé 57 départs.", "57 départs", A),  # the "pas" is in an aside
    ("Il n'est pas exclu que 20 postes soient supprimés.", "20 postes", A),
    ("Plus que jamais, la ville mise sur ses 4 musées.", "4 musées", A),
    ("Une étude publiée mardi affirme que la marche fait baisser la glycémie de 10 %.", "10 %", A),  # a document
    ("La production a doublé, selon des chiffres officiels.", "doublé", A),
    ("The firm did not only cut 50 jobs, it also closed a plant.", "50 jobs", A),
    # --- planned --------------------------------------------------------------------------
    ("La réunion devait durer une heure, mais elle s'est prolongée jusqu'à minuit.", "une heure", P),
    ("La réunion devait durer une heure, mais elle s'est prolongée jusqu'à minuit.", "minuit", A),
    ("Le musée devrait accueillir 50 000 visiteurs d'ici l'été.", "50 000", P),
    ("La livraison, initialement prévue le 3 mai, a eu lieu le 20 juin.", "3 mai", P),
    ("La livraison, initialement prévue le 3 mai, a eu lieu le 20 juin.", "20 juin", A),
    ("Le groupe prévoit d'ouvrir 12 magasins en 2025.", "12 magasins", P),
    ("Le tunnel était censé coûter 90 millions d'euros.", "90 millions", P),
    ("The bridge was supposed to open in 2021 but opened in 2023.", "2021", P),
    ("The bridge was supposed to open in 2021 but opened in 2023.", "2023", A),
    ("The festival is expected to draw 20,000 people.", "20,000", P),
    ("La mairie a promis 500 places de crèche supplémentaires.", "500 places", P),
    ("La mise à jour, censée durer 2 heures, a finalement pris 3 jours.", "2 heures", P),
    ("La mise à jour, censée durer 2 heures, a finalement pris 3 jours.", "3 jours", A),
    # --- reported -------------------------------------------------------------------------
    ("Des rumeurs évoquaient 700 suppressions de postes, un chiffre exagéré selon la direction.", "700", R),
    ("Sur Facebook, un internaute affirmait que « 2 000 colis avaient disparu » (faux).", "2 000 colis", R),
    ("Selon certains, le stade serait vendu pour 30 millions d'euros.", "30 millions", R),
    ("Le club aurait déboursé 12 millions d'euros pour le transfert.", "12 millions", R),
    ("Le bilan serait de 9 blessés.", "9 blessés", R),
    ("Le ticket passera à 4 euros, selon des rumeurs.", "4 euros", R),
    ("L'hôpital a supprimé 80 lits, loin des 400 évoqués par les rumeurs.", "400", R),
    ("Plusieurs internautes assurent que la fuite a touché 3 millions de comptes.", "3 millions", R),
    ("Une rumeur circulait : la cantine allait fermer 2 mois.", "2 mois", R),
    ("Some users claimed that 600 jobs were cut, a figure the firm called exaggerated.", "600 jobs", R),
    ("The mayor allegedly spent 40,000 euros on the trip.", "40,000", R),
    ("Le chiffre de 900 manifestants avancé par les syndicats est exagéré.", "900", R),
    ("Le site aurait été piraté par 3 hackers.", "3 hackers", R),
    ("Des messages relayés en ligne laissaient entendre que le maire, Paul Girard, avait démissionné.",
     "avait démissionné", R),
    # --- denied ---------------------------------------------------------------------------
    ("Le directeur nie avoir reçu 10 000 euros de la société.", "10 000 euros", D),
    ("La préfecture dément toute fermeture de la maternité.", "fermeture", D),
    ("La société conteste le chiffre de 150 départs.", "150 départs", D),
    ("Aucun des 40 passagers n'a été blessé.", "40 passagers", D),
    ("L'enquête n'a relevé aucune trace d'effraction.", "trace", D),
    ("Le club a confirmé qu'il n'y aurait pas de nouveau match avant mars.", "match", D),
    ("Le club a confirmé qu'il n'y aurait pas de nouveau match avant mars.", "Le club", A),
    ("Les 30 saisonniers ne seront pas réembauchés.", "réembauchés", D),
    ("Pas de blessé parmi les 12 randonneurs.", "blessé", D),
    ("Le maire n'a jamais signé ce contrat.", "contrat", D),
    ("La banque a démenti que des codes aient été volés.", "codes", D),
    ("Le restaurant fermera 3 mois, dément le propriétaire.", "3 mois", D),
    ("The company denied that 200 accounts were hacked.", "200 accounts", D),
    ("No passenger was hurt in the crash.", "passenger", D),
    ("The airport did not close its runway.", "runway", D),
    ("Aucune victime n'est à déplorer, mais 2 maisons ont brûlé.", "victime", D),
    ("Aucune victime n'est à déplorer, mais 2 maisons ont brûlé.", "2 maisons", A),  # after "mais"
]


@pytest.mark.parametrize("sentence,span,expected", SPANS)
def test_span_modality(sentence, span, expected):
    start = sentence.index(span)
    assert span_modality(sentence, start) == expected, modality_runs(sentence)


def test_the_table_covers_every_case_in_both_languages():
    assert len(SPANS) >= 40
    for case in (A, P, D, R):
        assert sum(1 for _, _, m in SPANS if m == case) >= 8


@pytest.mark.parametrize("sentence,expected", [
    ("La réunion devait durer une heure, mais elle s'est prolongée jusqu'à minuit.", A),  # the reality after "mais"
    ("Le musée devrait accueillir 50 000 visiteurs d'ici l'été.", P),
    ("Des rumeurs évoquaient 700 suppressions de postes, un chiffre exagéré selon la direction.", R),
    ("Sur Facebook, un internaute affirmait que « 2 000 colis avaient disparu » (faux).", R),
    ("L'hôpital a supprimé 80 lits, loin des 400 évoqués par les rumeurs.", A),  # the rumour is an aside
    ("Contrairement aux rumeurs, la piscine a fermé pendant 3 semaines.", A),
    ("Le directeur, Marc Olivier, nie avoir reçu 10 000 euros.", D),
    ("La préfecture dément toute fermeture de la maternité, dont le service compte 30 lits.", D),
    ("L'enquête n'a relevé aucune trace d'effraction.", D),
    ("Le maire ne nie pas les 25 licenciements annoncés.", A),
    ("« C'est totalement faux », a répondu la directrice.", A),  # the denial of a claim is said, not reported
    ("Un chiffre « exagéré », rétorque le maire, qui annonce 40 départs.", A),
    ("Plus tôt ce mois-ci, la ville a inauguré 2 écoles.", A),
    ("", A),
])
def test_sentence_modality(sentence, expected):
    assert sentence_modality(sentence) == expected, modality_runs(sentence)


def test_disputed_sentences():
    # by the sentence itself
    assert is_disputed("Des rumeurs évoquaient 700 suppressions de postes.")
    assert is_disputed("Sur Facebook, un internaute affirmait que « 2 000 colis avaient disparu » (faux).")
    # by the sentence after it
    claim = "L'opposition affirme que la dette atteindra 90 millions d'euros."
    assert not is_disputed(claim)
    assert is_disputed(claim, "Un chiffre « fantaisiste », répond l'adjoint.")
    assert is_disputed(claim, "Il n'en est rien : la dette baisse.")
    assert not is_disputed(claim, "Le vote aura lieu en mars.")
    # not disputed: a fact beside a rumour, a hedge with no doubt cast, the disputer's own words
    assert not is_disputed("L'hôpital a supprimé 80 lits, loin des 400 évoqués par les rumeurs.")
    assert not is_disputed("D'après nos informations, la start-up serait valorisée 50 millions d'euros.")
    assert not is_disputed("Un chiffre « exagéré », rétorque le maire, qui annonce 40 départs.")
    assert not is_disputed("La ville a inauguré 2 écoles.", "C'est faux, disent certains.")  # no claim to dispute


def test_questions_that_ask_about_the_plan():
    assert mentions_plan("Combien de temps la mise à jour devait-elle durer ?")
    assert mentions_plan("How long was the update expected to last?")
    assert not mentions_plan("Combien de temps a duré la panne ?")
    assert not mentions_plan("La panne a-t-elle duré plus longtemps que prévu ?")  # asks what happened


def test_offsets_are_those_of_the_sentence():
    text = "L’été… « Œuvre » ﬁn à 3 h"
    folded = fold_keeping_offsets(text)
    assert len(folded) == len(text)
    assert folded.index("3 h") == text.index("3 h")
    assert span_modality(text, 10_000) == A and span_modality(text, -5) == A  # out of range is clamped
    assert span_modality("", 0) == A and modality_runs("") == []


def test_runs_cover_the_sentence():
    sentence = "Le projet devait coûter 4 millions, mais la facture atteint 6 millions."
    runs = modality_runs(sentence)
    assert runs[0][0] == 0 and runs[-1][1] == len(sentence)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(runs))
    assert {m for _, _, m in runs} == {A, P}


# --- cost: linear in the length of hostile text -------------------------------------------

HOSTILE = {
    "prose": "Selon certains, l'usine aurait fermé 3 jours, mais la direction dément : aucune panne, "
             "ne ... que 2 heures, (exagéré) ; le chantier devait durer 6 mois, a-t-il affirmé. ",
    "commas": ", affirmant x",
    "postposed denials": ", dément la direction",
    "lead-ins": "sur x, ",
    "inserts": "(faux), ",
    "negations": "ne pas ",
    "pending ne": "ne ",
    "conditionals": "aurait ",
    "claims then dispute": "affirme ",
    "spaces": " ",
    "one long word": "a",
    "apostrophes": "n'",
    "digits and commas": "1,2,",
}


def _cost(text: str) -> float:
    """Best of five timings of a fresh analysis (the cache is cleared each time)."""
    best = float("inf")
    for _ in range(5):
        modality._analyse.cache_clear()
        started = time.perf_counter()
        sentence_modality(text)
        span_modality(text, len(text) // 2)
        is_disputed(text, text)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("name", list(HOSTILE))
def test_ten_times_longer_text_costs_about_ten_times_more(name):
    unit = HOSTILE[name]
    small = unit * (4_000 // len(unit) + 1)
    large = unit * (40_000 // len(unit) + 1)
    ratio = _cost(large) / _cost(small)
    # Linear work gives ~10; a quadratic step would give ~100. The bound is generous for timer noise.
    assert ratio < 30, f"{name}: 10x longer input cost {ratio:.1f}x"

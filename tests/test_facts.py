"""Facts found in sentences."""

from __future__ import annotations

import pytest

from bot.facts import extract_facts


def kinds(sentence: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in extract_facts(sentence)]


@pytest.mark.parametrize("sentence,expected", [
    ("La plateforme doit se séparer d’environ 10% de son support client (soit 57 personnes).",
     [("percentage", "10%"), ("number", "57 personnes")]),
    ("Kraken devrait compter plus de 1\u00a0000 employés.", [("number", "plus de 1\u00a0000 employés")]),
    ("La mise à niveau ne devait durer que deux heures.", [("number", "deux heures")]),
    ("Une offre sans frais jusqu’au 31 janvier.", [("date", "31 janvier")]),
    ("Le 3 février 2023, puis en décembre 2022.", [("date", "3 février 2023"), ("date", "décembre 2022")]),
    ("Le chiffre d'affaires atteint 5 millions d'euros en 2021.",
     [("money", "5 millions d'euros"), ("date", "en 2021")]),
    ("Le PDG de la société, Jesse Powell, a confié à Bloomberg la nouvelle.",
     [("person", "Jesse Powell"), ("organisation", "Bloomberg")]),
    ("La plate-forme Kraken, basée à San Francisco, a été mise à jour.",
     [("organisation", "Kraken"), ("place", "San Francisco")]),
    ("D’autres comptes auront la priorité.", []),
    # a people's name after an article stands before the full name, not in it
    ("Le Néerlandais Jan Visser a gagné la course.", [("person", "Jan Visser")]),
    ("Selon l'Américaine Jane Doe, tout va bien.", [("person", "Jane Doe")]),
    ("La Banque Lorvaux a confirmé.", [("organisation", "Banque Lorvaux")]),
    ("Le Musée Marc Chagall rouvre.", [("person", "Musée Marc Chagall")]),  # not a people's name: kept whole
])
def test_extract_facts(sentence, expected):
    found = kinds(sentence)
    for item in expected:
        assert item in found
    if not expected:
        assert found == []

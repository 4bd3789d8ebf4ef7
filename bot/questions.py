"""Reading a question: what kind of answer it wants and which words matter."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.facts import ROLE_NOUNS
from bot.text import QUESTION_WORDS, content_words, expand_sms, fold

# Which facts answer which kind of question, best first.
WANTED_KINDS = {
    "who": ("person", "organisation"),
    "how_many": ("number", "percentage", "money"),
    "how_long": ("number",),
    "when": ("date",),
    "where": ("place",),
}

_ROLES = "|".join(fold(noun) for noun in ROLE_NOUNS)  # "quel patron", "which CEO": a person
_TYPES = [  # checked in order on the accent-folded question
    ("how_long", r"\bcombien de temps\b|\bpendant combien\b|\bhow long\b|\bduree\b|\bdure(?:r|e|ra)?\b.*\bcombien\b"),
    ("how_many", r"\bcombien\b|\bhow (?:many|much)\b|\bquel(?:le)?s? (?:est |etait )?(?:le |la )?"
                 r"(?:nombre|pourcentage|part|proportion|montant|somme|taux|chiffre|effectif)\b|\bnombre de\b"),
    ("when", r"\bquand\b|\bwhen\b|\bquelle date\b|\bquel jour\b|\bquelle annee\b|\ben quelle annee\b|"
             r"\bdepuis quand\b|\bjusqu ?a quand\b|\bwhat date\b|\ba quelle date\b|\bwhat year\b"),
    ("where", r"^ou\b|\bou (?:est|se|sont|a|se trouve|etait|travaill\w*|habit\w*|vi\w*|sieg\w*)\b|\bwhere\b|"
              r"\b(?:dans |de )?quel(?:le)? (?:ville|pays|region|endroit|lieu)\b|\ba quel endroit\b"),
    ("why", r"\bpourquoi\b|\bwhy\b|\bpour quelle raison\b|\bquelle (?:est la )?raison\b|\bquelle cause\b"),
    ("who", rf"\bqui\b|\bwho\b|\bquel(?:le)?s? (?:est le nom|personne|{_ROLES})\b|\bwhich (?:{_ROLES})\b|\bwhose\b"),
]


_HOW_LONG_TEMPS = re.compile(r"(?<=combien de )temps\b", re.IGNORECASE)


@dataclass
class Question:
    text: str
    kind: str | None  # a key of WANTED_KINDS, "why", or None
    words: list[str]  # content words, lower case, in order
    names: set[str]  # words written with a capital inside the question: likely names

    @property
    def wanted(self) -> tuple[str, ...]:
        return WANTED_KINDS.get(self.kind or "", ())


def question_kind(text: str) -> str | None:
    folded = fold(expand_sms(text)).replace("'", " ").replace("’", " ")
    folded = re.sub(r"\s+", " ", folded).strip()
    if text.lstrip().lower().startswith("où") or re.search(r"\boù\b", text.lower()):
        return "where"
    for kind, pattern in _TYPES:
        if re.search(pattern, folded):
            return kind
    return None


def read_question(text: str) -> Question:
    """Analyse a question as typed by a person (any case, accents, SMS spelling)."""
    expanded = expand_sms(" ".join(text.split()))
    # "combien de temps" is how French asks "how long": its "temps" is not what the question is about.
    topical = _HOW_LONG_TEMPS.sub(" ", expanded)
    words = [w for w in content_words(topical, join_compounds=False) if fold(w) not in QUESTION_WORDS]
    tokens = re.findall(r"\w+", expanded)
    shouting = sum(t.isupper() for t in tokens) > len(tokens) / 2
    # A capitalised word after the first is taken as a name, unless the whole question shouts.
    names = set() if shouting else {t.lower() for t in tokens[1:] if t[:1].isupper()}
    return Question(text=text, kind=question_kind(text), words=words, names=names)

"""The short answer: the person, figure, date or place a question asks for, or Oui / Non.

A figure in a clause that states a plan ("devait durer deux heures"), reports a claim the article
disputes ("des « centaines d'employés »", exagéré) or is denied answers only a question that asks
about that plan or claim; any other question gets what the article asserts (bot/modality.py).
"""

from __future__ import annotations

import re

from bot.answering.knobs import KNOBS
from bot.answering.reading import SPEECH, Question
from bot.facts import ROLE_NOUNS, is_time_unit
from bot.modality import is_doubted, mentions_plan, sentence_modality, span_modality
from bot.text import STOPWORDS, UNIT_ABBREVIATIONS, fold, term, terms

# A question that asks about the claim ("selon la rumeur") wants the figure of that clause.
_ASKS_CLAIM = re.compile(r"\b(?:rumeurs?|rumou?rs?|affirm\w*|pretend\w*|claim\w*|selon\w*|disai\w*)\b")
# A question in the future ("Combien d'employés aura-t-il ?", "will it have") asks what is expected,
# which articles state as plans ("devrait compter 1 000 employés").
_ASKS_FUTURE = re.compile(r"\b(?:aura|auront|sera|seront|fera|feront|ira|iront|va|vont|will|would|going to)\b|"
                          r"\b\w{3,}(?:era|eront|ira|iront)\b")
# "Combien coûte / va coûter / faut-il payer": the answer is an amount of money before any count.
_ASKS_MONEY = re.compile(r"\b(?:cout\w*|prix|pay\w*|montant|budget|facture|tarif\w*|depens\w*|finance\w*|"
                         r"cost\w*|price\w*|spen[dt]\w*|euros?|dollars?)\b")


# A name right after a preposition of place ("dont le siège est à Nancy", "près de Monteils", "dans
# l'Aude") is a place to a question that asks where, whatever kind its shape gave it at ingest. Not
# "à la" / "à l'": a town takes no article, and "notifié à la CNIL" names an addressee; nor "à" after
# a verb of speech ("a confié à Bloomberg").
_LOCATIVE = re.compile(r"(?:\b(?:à|au|aux|en|près de|pres de|in|near)\s+|\bprès d['’]|\bpres d['’]|"
                       r"\bdans\s+(?:l['’]|la\s+|le\s+|les\s+))$", re.IGNORECASE)
_SPOKEN_TO = re.compile(r"(?:" + SPEECH.pattern + r")\s+(?:\w+\s+)?a\s+$")  # on folded text


# ...or after a preposition of place and a place's common noun: "au collège technique Victor-Hugo",
# "à l'hôpital de Nîmes" (the nouns are not listed: any lower-case words, at most three). Not after a
# role ("succédé au président Paul Martin") nor across a function word ("à des journalistes avec…").
_LOCATIVE_NOUN = re.compile(r"\b(?:à|au|aux|dans)\s+(?:l['’]|la\s+|le\s+|les\s+)?"
                            r"(?:(?!(?:la|le|les)\s)[a-zà-ÿ-]+\s+){1,3}$")
_SPOKEN_TO_NOUN = re.compile(r"(?:" + SPEECH.pattern + r")\s+(?:\w+\s+)?(?:a|au|aux)\s+")  # "a confié à la presse"


# Articles and "de" link a place's noun to its name: "à l'hôpital de Nîmes", "au quartier des Lilas".
_PLACE_LINKS = frozenset({"l", "la", "le", "les", "d", "de", "du", "des"})


def _names_a_place(between: str) -> bool:
    """Whether the common nouns between a preposition of place and a name can name a place."""
    return not any(w in ROLE_NOUNS or (fold(w) in STOPWORDS and w not in _PLACE_LINKS)
                   for w in between.replace("'", " ").replace("’", " ").split()[1:])



def fact_kind(fact: dict, question: Question, sentence: str) -> str:
    """The fact's kind as an answer to this question: a name after a preposition of place is a place."""
    if question.kind == "where" and fact["kind"] in ("organisation", "person"):
        start = sentence.find(fact["text"])
        before = fold(sentence[max(0, start - 40):start])
        if start > 0 and ((_LOCATIVE.search(sentence, max(0, start - 12), start) and not _SPOKEN_TO.search(before))
                          or ((noun := _LOCATIVE_NOUN.search(sentence, max(0, start - 40), start))
                              and _names_a_place(noun.group().lower()) and not _SPOKEN_TO_NOUN.search(before))):
            return "place"
    return fact["kind"]


def unit_terms(unit: str | None) -> set[str]:
    """Index terms of a fact's unit, abbreviations written out."""
    if not unit:
        return set()
    return set(terms(UNIT_ABBREVIATIONS.get(fold(unit).rstrip("."), unit)))


def asked_modality(question: Question) -> str:
    """The modality of the figure the question wants: 'planned', 'reported' or 'asserted'."""
    asked = fold(question.text)
    if mentions_plan(question.text) or _ASKS_FUTURE.search(asked):
        return "planned"
    if _ASKS_CLAIM.search(asked):
        return "reported"
    return "asserted"


# A name, then an opening bracket: what the bracket holds is an aside to that name.
_ASIDE = re.compile(r"[A-ZÀ-Ý][\w'’.-]*\s*\(\s*$")


def answer_facts(facts: list[dict], question: Question, sentence: str = "",
                 anchors: dict[str, float] | None = None) -> list[dict]:
    """The facts that answer the question's kind, best first, leaving out what the question says.

    A figure in a claim the article disputes ("des « centaines d'employés » (exagéré)") is left out
    unless the question asks about the claim. Among facts of equal kind, a precise figure beats a
    vague one ("57" over "centaines"), a fact in a clause of the modality asked beats the others (a
    plan may still say what was to come), then the fact nearest the question's most specific words
    wins (`anchors`: index term -> weight, distances are divided by it).
    """
    anchors = anchors or {}
    asked = fold(question.text)
    wanted_modality = asked_modality(question)
    question_terms = set(terms(question.text))
    positions = [(m.start(), anchors[t]) for m in re.finditer(r"\w+", sentence)
                 if (t := term(m.group().lower())) in anchors]
    ranked: list[tuple[float, float, dict]] = []
    for fact in facts:
        kind = fact_kind(fact, question, sentence)
        if kind not in question.wanted or fold(fact["value"]) in asked:
            continue
        if question.kind == "how_long" and not is_time_unit(fact["unit"]):
            continue
        rank = question.wanted.index(kind)
        if question.kind == "how_many":
            if fact["kind"] == "money" and _ASKS_MONEY.search(asked):
                rank -= 10
            if unit_terms(fact["unit"]) & question_terms:
                rank -= 10  # "combien d'employés" -> the number of employés
            if fact["kind"] == "percentage" and re.search(r"pourcentage|%|percent|part|proportion", asked):
                rank -= 10
            if not re.search(r"\d", fact["text"]):
                rank += 0.5
        start = sentence.find(fact["text"])
        end = start + len(fact["text"])
        aside = start > 0 and _ASIDE.search(sentence, max(0, start - 80), start) is not None
        if fact["kind"] in ("person", "organisation") and aside:
            rank += 0.5  # a name in brackets right after a name qualifies it ("Thomas Berthier (Atlantique Cycles)")
        modality = span_modality(sentence, start) if start >= 0 else wanted_modality
        if modality == "reported" and wanted_modality != "reported" and is_doubted(sentence, start):
            continue  # a claim the article disputes answers only a question about that claim
        if modality != wanted_modality:
            rank += KNOBS.modality_mismatch
        distance = min((abs(start - p) / w for p, w in positions if not start <= p < end), default=0)
        ranked.append((rank, distance, fact))
    return [fact for _, _, fact in sorted(ranked, key=lambda r: (r[0], r[1]))]


# A question about a plan ("Combien d'embauches sont prévues ?") is also answered by a figure the
# article states plainly ("l'usine annonce 200 recrutements d'ici l'été"): what is to come
# is often written as a fact. The converse does not hold: a plan does not say what happened.
_ALSO_FITS = {"planned": ("asserted",)}


def fits(facts: list[dict], question: Question, sentence: str) -> bool:
    """Whether the sentence holds a fact of the kind asked, in the clause modality asked: a planned
    or rumoured figure does not answer "combien" when the question asks what happened."""
    wanted_modality = asked_modality(question)
    for fact in answer_facts(facts, question, sentence):
        start = sentence.find(fact["text"])
        if start < 0 or span_modality(sentence, start) in (wanted_modality, *_ALSO_FITS.get(wanted_modality, ())):
            return True
    return False


def verdict(sentence: str) -> str | None:
    """'oui' when the sentence asserts what a yes/no question asks, 'non' when it denies it, None
    when it only reports a claim or a plan: the articles do not settle it."""
    return {"asserted": "oui", "denied": "non"}.get(sentence_modality(sentence))

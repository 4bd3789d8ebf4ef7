"""Scoring: how well each recalled sentence answers the question, in [0, 1].

Three measures per candidate:
- coverage: the question's words it holds, each weighted by its IDF (a word found only in the
  article's title or the section heading counts for part, a word of close meaning for its closeness);
- focus: the same, over the question's focus only — its rarest words, which carry what it is about
  ("salaire" in "Quel est le salaire du PDG ?"); the decision needs the focus covered;
- kind: whether it holds the kind of answer asked for (a person for "qui", a figure for "combien",
  a cause for "pourquoi").
A sentence that reports a claim the article disputes (a rumour, "exagéré") weighs less unless the
question asks about that claim; a follow-up prefers the article answered before.
"""

from __future__ import annotations

import re

from bot.answering.knobs import KNOBS
from bot.answering.reading import SPEECH, Question
from bot.answering.recall import Candidate, Expansion, Recall, context_terms
from bot.answering.short import asked_modality, fits
from bot.modality import sentence_modality
from bot.text import fold

# Connectives and verbs that give a cause, French and English: a closed class of the language, like
# its function words, not vocabulary of any article. A sentence with one answers "pourquoi".
CAUSE = re.compile(
    r"\b(?:en raison|parce qu|car\b|à cause|a cause|suite à|suite a|pour faire face|en expliquant|conséquence|"
    r"en cause|la faute|faute de|grâce à|grace a|afin de|pour (?:cause|raison)|raisons?\b|motifs?\b|origine|"
    r"provoqu\w*|caus\w*|entraîn\w*|contrain\w*|oblig\w*|forc[ée]\w*|expliqu\w*|invoqu\w*|attribu\w*|"
    r"imput\w*|justifi\w*|impos\w*|lié à|liée à|liés à|liées à|dû à|due à|dus à|dues à|résult\w*|"
    r"because|due to|owing to|caused|blamed|reason)\b", re.IGNORECASE)
# "Comment" has no such class: it asks for a manner, a description, a way of dying ("Comment est-il
# mort ?"), and the cause and manner connectives favoured sentences that merely explain something
# (bench_piaf, 108 "comment" questions: hit@1 0.39 with them, 0.45 without; tuning set unchanged).


def focus_words(expansions: list[Expansion]) -> set[str]:
    """The question's own rarest words holding `focus_share` of its rarity: what it is about (for a
    follow-up with no word of its own, "Et pourquoi ?", what the question before was about)."""
    own = sorted([e for e in expansions if not e.borrowed] or expansions, key=lambda e: -e.rarity)
    total = sum(e.rarity for e in own)
    focus, held = set(), 0.0
    for expansion in own:
        if held >= KNOBS.focus_share * total:
            break
        focus.add(expansion.word)
        held += expansion.rarity
    return focus


def has_form(question: Question) -> bool:
    """Whether the kind of answer asked has a form a sentence can be checked for: a person, a figure,
    a cause, a quotation (not Oui/Non, not "comment")."""
    return bool(question.wanted) or question.kind in ("why", "said")


def has_kind(candidate: Candidate, question: Question) -> bool:
    """Whether the sentence holds the kind of answer the question wants."""
    if question.wanted:
        return fits(candidate.facts, question, candidate.text)
    if question.kind == "why":
        return bool(CAUSE.search(candidate.text))
    if question.kind == "said":
        return bool(SPEECH.search(fold(candidate.text)))
    return False


def kind_weight(candidate: Candidate) -> float:
    """How much holding the kind of answer counts: fully for a sentence that covers the question well
    (`kind_full_coverage`), in proportion below. A date or a figure is in many sentences; it says
    which one answers only among those about what is asked."""
    return min(1.0, candidate.coverage / KNOBS.kind_full_coverage)


# Where a question word is held in a paragraph: (article, paragraph) -> [(position, weight of the match)].
Earlier = dict[tuple[int, int], list[tuple[int, float]]]


def held_earlier(found: list[Candidate], expansions: list[Expansion]) -> dict[str, Earlier]:
    """For each question word, the recalled sentences that hold it, by paragraph: what a sentence
    after them in the same paragraph may go on about without repeating it."""
    held: dict[str, Earlier] = {}
    for expansion in expansions:
        where: Earlier = held.setdefault(expansion.word, {})
        for candidate in found:
            weight = max((m.weight for m in expansion.matches if m.term in candidate.terms), default=0.0)
            if weight:
                where.setdefault((candidate.article_id, candidate.paragraph), []).append((candidate.position, weight))
    return held


def _before(candidate: Candidate, where: Earlier) -> float:
    """The weight of the question word in a sentence before `candidate` in its paragraph (0 if none)."""
    return max((w for p, w in where.get((candidate.article_id, candidate.paragraph), ()) if p < candidate.position),
               default=0.0)


def cover(candidate: Candidate, expansions: list[Expansion], recall: Recall, focus: set[str],
          names: set[str], earlier: dict[str, Earlier] | None = None) -> None:
    """Coverage and focus coverage from the sentence, its title and heading (cheap: every candidate).
    A name the question gives (`names`) held by the title or heading is what the whole article or
    section is about, so a sentence of it need not repeat it ("la banque" for "la Banque Lorvaux"):
    it counts more than another word held there."""
    context = recall.title_terms(candidate.article_id) | context_terms(candidate.heading or "")
    total = got = focus_total = focus_got = 0.0
    only_borrowed = all(e.borrowed for e in expansions)
    for expansion in expansions:
        inside = max((m.weight for m in expansion.matches if m.term in candidate.terms), default=0.0)
        around = max((m.weight for m in expansion.matches if m.term in context), default=0.0)
        share = max(inside, (KNOBS.context_name_weight if expansion.word in names else KNOBS.context_weight) * around)
        if earlier and not inside:
            share = max(share, (KNOBS.paragraph_name_weight if expansion.word in names else KNOBS.paragraph_weight)
                        * _before(candidate, earlier[expansion.word]))
        total += expansion.idf
        got += expansion.idf * share
        if expansion.word in focus:
            focus_total += expansion.idf
            focus_got += expansion.idf * share
        candidate.direct = candidate.direct or (inside > 0 and (only_borrowed or not expansion.borrowed))
    candidate.coverage = got / total if total else 0.0
    candidate.focus = focus_got / focus_total if focus_total else 0.0
    candidate.score = candidate.coverage


def score(candidate: Candidate, expansions: list[Expansion], question: Question, recall: Recall,
          asks_claim: bool) -> None:
    """The full score of a leading candidate: its article's other words, the names the question
    gives, the kind of answer, a disputed claim (unless the question asks about the claim: "que
    disait la rumeur ?"), the article a follow-up leans on."""
    body = recall.body_terms(candidate.article_id)
    total = got = 0.0
    for expansion in expansions:
        elsewhere = max((m.weight for m in expansion.matches if m.term in body), default=0.0)
        if expansion.word in question.names and not elsewhere:
            candidate.missing_names = True  # a name the question gives is not in this article
        total += expansion.idf
        got += expansion.idf * KNOBS.article_weight * elsewhere
    candidate.coverage = max(candidate.coverage, got / total if total else 0.0)
    value = candidate.coverage - KNOBS.missing_name_penalty * candidate.missing_names
    if has_form(question):
        candidate.fits = has_kind(candidate, question)
        value = (1 - KNOBS.kind_bonus) * value + KNOBS.kind_bonus * candidate.fits * kind_weight(candidate)
    if not asks_claim and sentence_modality(candidate.text) == "reported":
        value -= KNOBS.disputed_penalty
    if question.article_hint is not None and candidate.article_id == question.article_hint:
        value += KNOBS.same_article_bonus
    candidate.score = max(0.0, min(1.0, value))


# A sentence that opens by pointing back ("Elle a finalement duré cinq mois.") continues the one before.
_CONTINUES = re.compile(r"^(?:il|elle|ils|elles|celui-ci|celle-ci|ce dernier|cette dernière|en cause|la raison|"
                        r"c'est|cela|ceci|it|they|this|the reason)\b", re.IGNORECASE)


def rank(found: list[Candidate], expansions: list[Expansion], question: Question, recall: Recall) -> list[Candidate]:
    """The candidates that cover the question best, fully scored, best first.

    The sentence after a leading candidate competes too when it holds the kind of answer asked and
    the candidate does not, and it either continues the candidate ("Elle a finalement duré cinq
    mois.") or, for why, gives a cause, or for "qu'ont-ils dit", quotes them: it answers, quoted
    with the sentence before it."""
    focus = focus_words(expansions)
    earlier = held_earlier(found, expansions)
    for candidate in found:
        cover(candidate, expansions, recall, focus, question.names, earlier)
    found.sort(key=lambda c: (-c.coverage, c.article_id, c.position))
    found = found[: int(KNOBS.rescored)]  # the others cover less than any of these
    asks_claim = asked_modality(question) == "reported"
    for candidate in found:
        score(candidate, expansions, question, recall, asks_claim)
    found.sort(key=lambda c: (-c.score, c.article_id, c.position))
    if has_form(question) and found:
        leaders = found[:10]
        by_place = {(c.article_id, c.position): c for c in found}
        fetched = recall.next_sentences(leaders)
        # The sentence after a leader may already be a candidate on its own words: it is upgraded.
        following = fetched + [c for c in found if (c.article_id, c.position - 1) in by_place]
        for after in following:
            before = by_place.get((after.article_id, after.position - 1))
            if before is None or before not in leaders or before.fits or not has_kind(after, question):
                continue
            if question.kind not in ("why", "said") and not _CONTINUES.match(after.text):
                continue
            inherited = min(1.0, KNOBS.neighbour_share * before.score + KNOBS.kind_bonus * kind_weight(before))
            if inherited <= after.score:
                continue
            after.coverage, after.focus, after.direct = before.coverage, before.focus, before.direct
            after.score, after.lead, after.fits = inherited, before.text, True
            if after in fetched:
                found.append(after)
        found.sort(key=lambda c: (-c.score, c.article_id, c.position))
    return found

"""Extractive summaries: the sentences that state what happened — the event, its figures, its cause.

Each sentence gets a score from general signals, never from words of particular articles:

- how central it is: TF-IDF cosine to the whole article;
- how much of the title it repeats, each title term weighted by its IDF, and whether it holds a
  figure, date or name the title gives (a headline states the key fact: "licencie 10%",
  "1 240 hectares brûlés"); likewise, for less, its section's heading;
- how many facts it holds, a figure, amount, date or person counting more than an
  organisation or a place (those name who is involved, not what happened);
- where it stands: the first substantive sentences of a news article carry the event;

and is then discounted for what a reader would not pick as a key sentence: a rumour or a claim
the article disputes (bot/modality.py), a plan rather than what happened, a reply that opens by
disputing the sentence before or a sentence opening on a pronoun (neither stands alone), direct
speech, a question, a fragment. The best `count` are returned in article order, never rewritten, a
sentence that repeats a chosen one left out.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from bot.facts import extract_facts
from bot.lexicon import Lexicon
from bot.modality import disputes_previous, is_disputed, sentence_modality
from bot.text import fold, terms

MIN_LENGTH = 40  # shorter sentences ("Trop vite peut-être.", "Partager sur Facebook") rarely carry a fact
SHORT_FACTOR = 0.3  # kept from the first version: a fragment can still win an article of fragments

# Additive signals. Centrality is a cosine in [0, 1], usually 0.2-0.5 for a sentence against its
# whole article; the other weights were set so that one signal alone cannot outweigh centrality by
# much, then adjusted by hand on the two seeds and five of the ten evaluation articles (a01-a03,
# b01-b02; tests/eval/summaries.json), the other five kept aside to measure. On those seven (24 of
# 28 picks found), halving any one weight or factor below loses at most two picks, doubling one at most
# four, and dropping an additive signal one to four (the heading's none there): a plateau, not a peak.
CENTRAL_WEIGHT = 1.0
TITLE_WEIGHT = 0.6  # times the IDF-weighted share of the title's terms the sentence holds
TITLE_FACT_WEIGHT = 0.35  # per figure / date / name of the title found in the sentence...
TITLE_FACT_CAP = 2  # ...counting at most two
# A section heading summarises its section as the title does the article, but only its section:
# half the title's weight.
HEADING_WEIGHT = 0.3
# Fact weights by kind: what happened is told by figures, amounts, dates and people; organisations
# and places recur in every sentence of an article about them.
FACT_WEIGHTS = {"number": 1.0, "money": 1.0, "percentage": 1.0, "date": 0.8, "person": 0.6,
                "organisation": 0.25, "place": 0.25}
FACT_WEIGHT = 0.1  # per weighted fact...
FACT_CAP = 3.0  # ...counting at most three: a list of figures is not more of an event
# The first substantive sentences (MIN_LENGTH or more) of a news article state the event; the bonus
# falls linearly to nothing over LEAD_SPAN of them.
LEAD_BONUS = 0.2
LEAD_SPAN = 3

# Discounts (multiplying the score). A disputed rumour is left out of summaries altogether
# (key_sentences); in sentence_scores it is cut to a tenth, below any sentence of ordinary length
# that scored a quarter of it.
DISPUTED_FACTOR = 0.1  # "un membre affirmait que des « centaines » ... (exagéré)"
REPORTED_FACTOR = 0.4  # hearsay with no dispute: "l'entreprise aurait licencié 200 salariés"
PLANNED_FACTOR = 0.8  # a plan is news, but what happened comes first
QUOTE_SHARE = 0.5  # a sentence more than half in quotation marks is direct speech...
QUOTE_FACTOR = 0.5  # ...colour and opinion more than the fact
QUESTION_FACTOR = 0.3  # "Comment l'expliquer ?" announces, it does not state
REBUTTAL_FACTOR = 0.5  # "Un chiffre « fantaisiste », rétorque X": a reply, read after the claim it answers
ANAPHOR_FACTOR = 0.7  # "Il vient ainsi confirmer...", "Cela lui permettrait...": who is "il"?
OVERLAP_LIMIT = 0.6  # a sentence sharing more of its terms with a chosen one repeats it

# A sentence opening on a personal or demonstrative pronoun leans on the one before it.
_ANAPHOR = re.compile(r"(?:il|elle|ils|elles|cela|ceci|ça|ce|c'|celui-ci|celle-ci|ce dernier|cette dernière|"
                      r"selon (?:lui|elle|eux)|it|they|this|that|he|she)(?!\w)", re.IGNORECASE)
_QUOTED = re.compile(r"«[^«»]{0,2000}»|“[^“”]{0,2000}”|\"[^\"]{0,2000}\"")


@dataclass
class SentenceInfo:
    position: int
    paragraph: int
    text: str
    terms: list[str]
    fact_count: int
    facts: list[tuple[str, str, str | None]] = field(default_factory=list)  # (kind, value, unit), when known
    heading: str | None = None  # the heading of the sentence's section, when known


def _vector(words: list[str], lexicon: Lexicon) -> dict[str, float]:
    counts = Counter(words)
    return {t: n * lexicon.idf(t) for t, n in counts.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _title_share(sentence_terms: set[str], title_weights: dict[str, float]) -> float:
    total = sum(title_weights.values())
    return sum(w for t, w in title_weights.items() if t in sentence_terms) / total if total else 0.0


def _fact_weight(s: SentenceInfo) -> float:
    if not s.facts:  # the caller gave only a count: every fact at the weight of a figure
        return float(s.fact_count)
    return sum(FACT_WEIGHTS.get(kind, 0.5) for kind, _, _ in s.facts)


def _quote_share(text: str) -> float:
    return sum(m.end() - m.start() for m in _QUOTED.finditer(text)) / max(1, len(text))


def _fact_key(value: str, unit: str | None) -> str:
    return f"{fold(value)} {fold(unit or '')}"  # "deux ans" is not "deux rames"


def _title_facts(title: str) -> set[str]:
    """The figures, dates and names of the title; organisations and places left out as they name
    the article's subject, which every sentence shares."""
    return {_fact_key(f.value, f.unit) for f in extract_facts(title) if f.kind not in ("organisation", "place")}


def sentence_scores(title: str, sentences: list[SentenceInfo], lexicon: Lexicon) -> list[float]:
    """Each sentence's score as a key sentence, in the order given."""
    return [score for score, _ in _scores(title, sentences, lexicon)]


def _scores(title: str, sentences: list[SentenceInfo], lexicon: Lexicon) -> list[tuple[float, bool]]:
    """(score, disputed) of each sentence, in the order given."""
    if not sentences:
        return []
    whole = _vector([t for s in sentences for t in s.terms], lexicon)
    title_weights = {t: lexicon.idf(t) for t in set(terms(title))}
    wanted_facts = _title_facts(title)
    heading_weights: dict[str | None, dict[str, float]] = {}
    scores = []
    substantive = 0  # rank among the sentences of ordinary length, for the lead bonus
    for index, s in enumerate(sentences):
        short = len(s.text) < MIN_LENGTH
        score = CENTRAL_WEIGHT * _cosine(_vector(s.terms, lexicon), whole)
        score += TITLE_WEIGHT * _title_share(set(s.terms), title_weights)
        if wanted_facts and s.facts:
            found = sum(1 for _, value, unit in s.facts if _fact_key(value, unit) in wanted_facts)
            score += TITLE_FACT_WEIGHT * min(found, TITLE_FACT_CAP)
        if s.heading and s.heading != title:
            if s.heading not in heading_weights:
                heading_weights[s.heading] = {t: lexicon.idf(t) for t in set(terms(s.heading))}
            score += HEADING_WEIGHT * _title_share(set(s.terms), heading_weights[s.heading])
        score += FACT_WEIGHT * min(_fact_weight(s), FACT_CAP)
        if not short:
            score += LEAD_BONUS * max(0.0, 1 - substantive / LEAD_SPAN)
            substantive += 1
        following = sentences[index + 1].text if index + 1 < len(sentences) else ""
        disputed = is_disputed(s.text, following)
        if disputed:
            score *= DISPUTED_FACTOR
        else:
            modality = sentence_modality(s.text)
            if modality == "reported":
                score *= REPORTED_FACTOR
            elif modality == "planned":
                score *= PLANNED_FACTOR
        if disputes_previous(s.text):
            score *= REBUTTAL_FACTOR
        elif _ANAPHOR.match(s.text.lstrip("«\"“ ")):
            score *= ANAPHOR_FACTOR
        if _quote_share(s.text) > QUOTE_SHARE:
            score *= QUOTE_FACTOR
        if s.text.rstrip().endswith("?"):
            score *= QUESTION_FACTOR
        if short:
            score *= SHORT_FACTOR
        scores.append((score, disputed))
    return scores


def key_sentences(title: str, sentences: list[SentenceInfo], lexicon: Lexicon, count: int = 3) -> list[str]:
    """The `count` sentences that best carry the article, in article order.

    A disputed rumour is left out even when that makes the summary shorter; it is used only when
    the article holds nothing else."""
    scored = _scores(title, sentences, lexicon)
    chosen: list[SentenceInfo] = []
    ranked = sorted(zip(scored, sentences, strict=True), key=lambda pair: -pair[0][0])
    if not all(disputed for (_, disputed), _ in ranked):
        ranked = [pair for pair in ranked if not pair[0][1]]
    for _, s in ranked:
        if len(chosen) == count:
            break
        if all(_overlap(s.terms, c.terms) < OVERLAP_LIMIT for c in chosen):
            chosen.append(s)
    return [s.text for s in sorted(chosen, key=lambda s: s.position)]


def _overlap(a: list[str], b: list[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / max(1, min(len(sa), len(sb)))

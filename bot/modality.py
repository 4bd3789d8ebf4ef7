"""Is a clause asserted, planned, reported-and-doubted, or denied?

Articles do not only state facts. They give plans ("la mise à jour devait
durer deux heures"), repeat rumours and claims they then dispute ("un membre
affirmait que des « centaines d'employés » étaient licenciés (exagéré)"), and
report denials ("Le PDG nie les accusations", "aucune tentative d'intrusion").
A short answer must not give a rumoured or planned figure as what happened, a
yes/no answer must follow assertion vs denial, and a summary must not open on a
disputed rumour. This module labels text with one of four modalities:

- ``"asserted"``: stated as a fact (the default);
- ``"planned"``: inside a clause of expectation — devait, devrait, prévu,
  allait, censé, initialement, promis, was supposed/expected/planned...;
- ``"denied"``: negated (ne … pas/jamais/plus, aucun, pas de, not, no, never)
  or the object of a denial verb (nier, démentir, contester, réfuter, deny);
- ``"reported"``: hearsay the article does not vouch for — rumours, claims by
  an unnamed source (un internaute, certains, des messages…), the conditional
  of hearsay ("aurait licencié", "serait de"), claims the sentence calls
  exaggerated/false/unfounded.

API:

- ``span_modality(sentence, start)``: the modality of the text starting at
  character ``start`` (where a figure or a question's word is);
- ``mentions_plan(text)``: whether text (a question) speaks of a plan;
- ``sentence_modality(sentence)``: the modality of the sentence's main clause;
- ``is_disputed(sentence, following="")``: whether the sentence mainly reports a
  rumour or a claim that it, or the sentence after it, calls false/exaggerated;
- ``disputes_previous(sentence)``: whether the sentence opens by disputing what came
  before it ("Un chiffre « fantaisiste », rétorque...", "C'est faux", "Il n'en est rien");
- ``modality_runs(sentence)``: the whole labelling, as (start, end, modality).

How: the sentence is lower-cased and stripped of accents character by
character (so offsets stay those of the sentence), scanned ONCE by one
precompiled pattern made of word alternations with bounded quantifiers only
(no backtracking blow-up on hostile text), cut into clauses at punctuation and
at contrast words (mais, but, alors que...), and each cue paints the stretch
of text it governs: a negation its sub-clause, a denial verb or an expectation
what follows it in its clause, a hearsay cue its clause. Clauses opening with
"que" or following a short insert (", Lucas Morel,", "(exagéré)") carry on the
clause before them; a postposed ", selon des rumeurs" or ", dément la
direction", and an apposition such as ", un chiffre largement exagéré", reach
back over the clause before. Everything is linear in the sentence's length;
the analysis of the last sentences is cached, so several spans of one sentence
cost one scan.

The words are general French and English grammar — reporting verbs, negation,
hedges, disputing adjectives — not vocabulary of particular articles.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

ASSERTED, PLANNED, DENIED, REPORTED = "asserted", "planned", "denied", "reported"
MODALITIES = (ASSERTED, PLANNED, DENIED, REPORTED)

# Codes painted over the characters; a higher code wins where two meet.
_A, _P, _D, _H, _R = 0, 1, 2, 3, 4  # _H: hedged hearsay ("serait"), _R: doubted (rumour, disputed claim)
_NAMES = (ASSERTED, PLANNED, DENIED, REPORTED, REPORTED)

# A clause of at most this many words between two commas or in brackets is an insert
# (", Lucas Morel,", "(exagéré)"): the clause after it carries on the clause before it.
SHORT_INSERT_WORDS = 3
# A sentence-opening clause of at most this many words starting with a preposition or a
# time adverb ("Plus tôt cette semaine,", "Sur Reddit,") sets the scene; it is not the main clause.
LEAD_IN_WORDS = 6
# ...or of at most this many when it names a source ("Selon des messages partagés des milliers de fois
# sur les réseaux sociaux,"): the attribution, not the news.
ATTRIBUTION_WORDS = 15
# The main clause counts this many times in sentence_modality's vote: a French news
# sentence states its fact first and qualifies it after ("…120 postes, loin des 500 évoqués").
MAIN_CLAUSE_WEIGHT = 2
# A postposed denial (", dément la direction") is short; a longer clause opening on a denial verb
# has its own object (", dément toute hausse de la taxe").
POSTPOSED_WORDS = 4
# Share of the (weighted) sentence a modality must cover to be the sentence's: a majority.
SENTENCE_SHARE = 0.5

# --- the cues (matched on lower-cased, accent-stripped text) -----------------------------

_W = r"(?<!\w)"  # start of a word ("qu'aucune": "aucune" starts after the apostrophe)
_E = r"(?:(?<=['-])|(?!\w))"  # end of a word, or an elision / prefix glued to the next ("n'a", "non-")

_GROUPS: list[tuple[str, str]] = [
    # Words that look like a dispute, a negation or an expectation but are not: matched first so
    # that their words are consumed ("sans aucun fondement" is a dispute, not a negation).
    ("disp", r"sans\s{1,3}(?:aucun\s{1,3})?fondement|aucun\s{1,3}fondement|il\s{1,3}n'en\s{1,3}est\s{1,3}rien|"
             r"rien\s{1,3}de\s{1,3}tel|ne\s{1,3}repose\s{1,3}sur\s{1,3}rien|"
             r"(?:c'est|est|sont|etait|etaient|totalement|completement|absolument|archi|parfaitement|"
             r"tout\s{1,3}a\s{1,3}fait)\s{1,3}(?:faux|fausses?)|"
             r"exager\w{0,8}|surestim\w{0,8}|infonde\w{0,3}|errone\w{0,3}|inexact\w{0,3}|mensong\w{0,6}|"
             r"fantaisiste\w?|fake\s{1,3}news|intox|"
             r"(?:dementi|conteste|refute)(?:e|s|es)?\s{1,3}par|(?:denied|disputed|refuted)\s{1,3}by|"
             r"(?:is|are|was|were|entirely|completely|totally|simply)\s{1,3}(?:false|untrue)|"
             r"exaggerat\w{0,4}|overstat\w{0,4}|unfounded|baseless|untrue|inaccurate|debunk\w{0,4}|bogus"),
    ("lit", r"aucun\s{1,3}doute|nul\s{1,3}doute|pas\s{1,3}de\s{1,3}doute|sans\s{1,3}doute|"
            r"pas\s{1,3}(?:seulement|uniquement|simplement|moins|mal|exclue?s?|impossible|sans|que|qu')|"
            r"pas\s{1,3}plus\s{1,3}(?:de|d')|exclu\w{0,3}\s{1,3}pas|"
            r"non\s{1,3}(?:seulement|loin|sans|plus\s{1,3}que)|non-|ou\s{1,3}non|"
            r"que\s{1,3}jamais|si\s{1,3}jamais|du\s{1,3}jamais\s{1,3}vu|rien\s{1,3}que|"
            r"d'aucuns|sans\s{1,3}(?:aucune?|jamais|rien|que|qu'|nul(?:le)?)|"
            r"(?:a|au)\s{1,3}(?:deux|quelques|trois)\s{1,3}pas|pas\s{1,3}a\s{1,3}pas|faux\s{1,3}pas|premiers\s{1,3}pas|"
            r"not\s{1,3}(?:only|just|merely|least|without|more\s{1,3}than|less\s{1,3}than|ruled\s{1,3}out|"
            r"impossible|unlike)|no\s{1,3}(?:more\s{1,3}than|less\s{1,3}than|fewer\s{1,3}than|doubt|sooner)|"
            r"nothing\s{1,3}but|or\s{1,3}not|whether\s{1,3}or"),
    # Comparisons with the plan state what happened: "plus long que prévu", "as expected".
    ("noexp", r"que\s{1,3}prevue?s?|qu'initialement\s{1,3}prevue?s?|comme\s{1,3}(?:initialement\s{1,3})?prevue?s?|"
              r"(?:than|as)\s{1,3}(?:initially\s{1,3}|originally\s{1,3})?(?:expected|planned|scheduled|"
              r"anticipated|promised)"),
    # Hearsay that taints what follows it in its clause: "des rumeurs évoquaient 500 départs".
    ("rum", r"rumeurs?|on-dit|bruits?\s{1,3}de\s{1,3}couloir|il\s{1,3}se\s{1,3}dit|on\s{1,3}dit\s{1,3}(?:que|qu')|"
            r"il\s{1,3}parait\s{1,3}(?:que|qu')|rumou?rs?|rumou?red|hearsay|word\s{1,3}has\s{1,3}it"),
    # Hearsay that taints its whole clause: "l'entreprise aurait prétendument licencié 200 salariés".
    ("hear", r"pretend\w{0,7}|soi-disant|supposement|presumee?s?|"
             r"laiss(?:e|ent|ait|aient|ant)\s{1,3}entendre|non\s{1,3}(?:confirm|verifi|officiel)\w{0,4}|"
             r"sans\s{1,3}confirmation|allege\w{0,3}|allegedly|reportedly|purportedly|supposedly|"
             r"unconfirmed|unverified"),
    ("exp", r"devai(?:t|ent)|devrai(?:t|ent)|aurai(?:t|ent)\s{1,3}du|allai(?:t|ent)|prevue?s?|prevoi(?:t|ent)|"
            r"prevoyai(?:t|ent)|prevoyant|censee?s?|initialement|visai(?:t|ent)|pourr(?:a|ont|ait|aient)|"
            r"envisage(?:e|s|es|ait|aient)?|promise?s?|promet(?:tent)?|s'etai(?:t|ent)\s{1,3}engagee?s?|"
            r"supposed|expected|planned|should|was\s{1,3}going|were\s{1,3}going|was\s{1,3}due|were\s{1,3}due|"
            r"scheduled|initially|originally|intended|promised|might|could"),
    # The conditional of hearsay: "aurait licencié", "serait de 12" (checked in code: not "aurait pu").
    ("cond", r"aurai(?:t|ent)(?=\s{1,3}(?P<after>\w{1,20}))|serai(?:t|ent)"),
    ("den", r"ni(?:e|es|ee|ees|ent|ait|aient|er|ant)|dement(?:s|ent|ait|aient|ir|ant)?|dementie?s?|"
            r"contest(?:e|es|ee|ees|ent|ait|aient|er|ant)|refut(?:e|es|ee|ees|ent|ait|aient|er|ant)|"
            r"deni(?:e|ent|ait|aient)|s'inscri(?:t|vent|vait)\s{1,3}en\s{1,3}faux|"
            r"den(?:y|ies|ied|ying)|refut(?:ed|ing)|rebut(?:s|ted)?"),
    # Reporting verbs: a claim, doubted only when its source is unnamed or a dispute follows.
    ("claim", r"affirm(?:e|es|ent|ait|aient|ant|ee|ees|er|ations?)?|"
              r"assur(?:e|ent|ait|aient|ant)\s{1,3}(?:que|qu')|declar(?:e|ent|ait|aient|ant|ee|es|ees)?|"
              r"di(?:t|sent|sait|saient)\s{1,3}(?:que|qu')|evoqu(?:e|es|ee|ees|ent|ait|aient|ant|er)|"
              r"avanc(?:e|es|ee|ees|ent|ait|aient|ant)|annonc\w{0,6}|parl(?:e|ent|ait|aient)\s{1,3}(?:de|d')|"
              r"sugger(?:e|es|ee|ees|ent|ait|aient|ant|er)|circul(?:e|ent|ait|aient|ant)|"
              r"relay(?:e|es|ee|ees|ent|ait|aient|ant)|accus(?:e|ent|ait|aient|ant)|clam(?:e|ent|ait|aient|ant)|"
              r"soutien(?:t|nent)|soutenai(?:t|ent)|"
              r"claim(?:s|ed|ing)?|says|said|assert(?:s|ed|ing)?|insist(?:s|ed|ing)?|suggest(?:s|ed|ing)?|"
              r"posted|wrote|circulat(?:ed|ing)"),
    ("contra", r"mais|but|alors\s{1,3}que|tandis\s{1,3}que|whereas|while|however"),
    ("ne", r"ne|n'"),
    ("neg", r"pas|plus|jamais|rien|guere|point|personne|aucune?s?|nulle?s?|ni|nullement|non|"
            r"not|never|no|none|nobody|nothing|neither|nor|cannot"),
    ("que", r"que|qu'|that"),
    ("conj", r"et|and|ou|or"),
    ("si", r"si|s'ils?|if|unless"),
]
# One pattern, one pass. The start-of-word guard is tested once, before the word alternatives, so
# that the many positions inside words are passed over at once.
_CUES = re.compile(
    _W + "(?:" + "|".join(f"(?P<{name}>(?:{pattern}){_E})" for name, pattern in _GROUPS) + ")"
    + r"|(?P<nt>n't(?!\w))"  # English "didn't": glued to its verb, so no start-of-word guard
    + r"|(?P<bound>(?<!\d),|,(?!\d)|;|(?<!\d):|:(?!\d)|\(|\)|\s[-–—]\s)"
)
# Negation words that negate only with "ne": "plus" and "point" are also ordinary words.
_PAIRED_ONLY = frozenset({"plus", "guere", "point", "personne", "nul", "nulle", "nuls", "nulles"})
_NE_AFTER = re.compile(r"\s{1,3}n(?:e(?!\w)|')")
_AUX_BEFORE = re.compile(r"(?<!\w)(?:a|ont|avait|avaient|aurait|auraient|ai|as|avons|avez|ayant|eu|has|have|had)"
                         r"\s{1,3}(?:\w{1,15}\s{1,3})?$")
_QUE_AFTER = re.compile(r"\s{1,3}qu(?:e(?!\w)|')")
# "les 500 évoqués par les rumeurs", "avancé par certains": a claim whose agent names no one.
_BY_UNNAMED = re.compile(r"\s{1,3}(?:par|by)\s{1,3}(?:les\s{1,3}|des\s{1,3}|la\s{1,3}|de\s{1,3})?"
                         r"(?:rumeurs?|rumou?rs?|certaine?s|d'aucuns|internautes|reseaux\s{1,3}sociaux|"
                         r"social\s{1,3}media|some|several|plusieurs|anonymous|anonymes?)(?!\w)")
_BOUNDARY_KINDS = {"(": "paren", ")": "close", ";": "strong", ":": "colon", ",": "weak"}
_OPENER_RANK = {"start": 5, "strong": 4, "colon": 4, "contrast": 4, "close": 3, "paren": 2, "weak": 1}
_SANS_BEFORE = re.compile(r"(?<!\w)(?:sans|without)\s{1,3}$")
# "aurait pu", "aurait dû", "aurait lieu"...: a possibility, a regret, a plan, not hearsay.
_NOT_HEARSAY_AFTER_AURAIT = frozenset(
    {"du", "pu", "voulu", "fallu", "aime", "prefere", "souhaite", "mieux", "besoin", "tort", "raison", "lieu"})
# An unnamed source: "un membre", "certains", "des messages", "on", "plusieurs sites", "some users".
_INDEFINITE = re.compile(
    r"[\s«\"'(]{0,4}(?:(?:et|mais|and|but)\s{1,3})?"
    r"(?:un|une|des|certaine?s|plusieurs|quelques|d'autres|d'aucuns|de\s{1,3}nombreu(?:x|ses)|nombre\s{1,3}d|"
    r"beaucoup|on|someone|somebody|some|several|many|others|people|anonymous|one|users?)(?!\w)")
# After "un", "une": a document or an office, a source the reader can weigh ("une étude affirme").
_NAMED_SOURCES = frozenset(
    "etude rapport enquete communique document sondage bilan porte-parole responsable representant dirigeant "
    "study report survey statement spokesman spokeswoman spokesperson official".split())
# "selon des rumeurs", "d'après certains", "according to some": a source the article does not name.
_HEARSAY_SOURCE = re.compile(
    r"[\s«\"']{0,4}(?:selon|d'apres|suivant|according\s{1,3}to)\s{1,3}"
    r"(?:(?P<doubt>certaine?s|d'aucuns|(?:des|la|les)\s{1,3}rumeurs?|rumou?rs|some|"
    r"(?:des|plusieurs|de\s{1,3}nombreu(?:x|ses))\s{1,3}(?:internautes|messages|publications|posts|videos)|"
    r"les\s{1,3}reseaux\s{1,3}sociaux|social\s{1,3}media|online\s{1,3}posts)"
    r"|(?P<hedge>(?:des|plusieurs|quelques|de\s{1,3}nombreu(?:x|ses))\s{1,3}(?:sources|temoins|proches|"
    r"observateurs|medias|personnes|employes|salaries|habitants|riverains)|sources|unnamed|anonymous|"
    r"witnesses|people))(?!\w)")
_AUX_START = re.compile(r"[\s«\"']{0,4}(?:(?:a|ont|avait|avaient|has|have|had)\s{1,3})?")
# A clause that points back at the claim before it: ", un chiffre largement exagéré", "(faux)".
_BACK_REFERENCE = re.compile(
    r"[\s«\"']{0,4}(?:un|une|des|ce|cette|ces|ceci|cela|ca|chiffre|information|informations|"
    r"a|an|this|these|that|which|what|figure|claim)(?!\w)")
_ATTRIBUTION = re.compile(r"[\s«\"']{0,4}(?:selon|d'apres|according\s{1,3}to)(?!\w)")
_LEAD_OPENER = re.compile(
    r"[\s«\"']{0,4}(?:selon|d'apres|apres|avant|depuis|pour|dans|sur|en|a|au|aux|des|lors|malgre|contrairement|"
    r"face|outre|plus\s{1,3}tot|hier|aujourd'hui|ces|cette|ce|par|pendant|durant|vers|entre|chez|avec|parmi|"
    r"d'ici|ainsi|enfin|ensuite|puis|la|according|after|before|since|for|in|on|at|despite|unlike|contrary|"
    r"earlier|today|yesterday|during|last|this|with|from|by|cependant|pourtant|however|yet)(?!\w)")
_CONTINUATION_OPENER = re.compile(
    r"[\s«\"']{0,4}(?:(?P<que>que|qu'|that)|soit|dont|notamment|c'est-a-dire|i\.e\.|including)(?:(?<=')|(?!\w))")
_WORD = re.compile(r"\w+")
_FLIP = bytes.maketrans(b"\x00\x01", b"\x01\x00")
_AT_LEAST = [bytes(max(c, k) for c in range(256)) for k in range(5)]  # translate tables: code -> max(code, k)


@lru_cache(maxsize=512)
def _fold_char(ch: str) -> str:
    if ch in "’‘ʼ´`":
        return "'"
    if ch in "“”„":
        return '"'
    decomposed = unicodedata.normalize("NFKD", ch.lower())
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base[0] if base else ch


def fold_keeping_offsets(text: str) -> str:
    """Lower case, accents stripped, one character for one: offsets stay those of `text`."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


@dataclass
class _Clause:
    start: int
    end: int
    opened_by: str  # "start", "weak" (comma, dash), "paren" "(", "close" ")", "strong" (;), "colon", "contrast"
    words: int = 0
    first_cue: tuple[str, int, int] | None = None  # the clause's first cue: (kind, start, end)
    claims: list[int] = field(default_factory=list)  # reporting verbs
    denial: int = -1  # first denial verb
    dispute: int = -1  # first dispute marker ("exagéré") that no negation cancels


@dataclass
class _Analysis:
    folded: str
    codes: bytearray  # one modality code per character
    planned: bytearray  # 1 where a clause of expectation governs, whatever else does
    clauses: list[_Clause]
    claim_cues: int  # reporting verbs and hearsay cues found, for is_disputed
    opening_dispute: bool  # the first clause disputes something ("Un chiffre « exagéré »", "Il n'en est rien")
    shares: tuple[dict[int, float], list[tuple[int, int]]] | None = None  # _shares(), computed once


def _paint(codes: bytearray, start: int, end: int, code: int) -> None:
    """Raise codes[start:end] to at least `code`."""
    if end > start and code:
        codes[start:end] = codes[start:end].translate(_AT_LEAST[code])


def _set(array: bytearray, start: int, end: int, value: int) -> None:
    if end > start:
        array[start:end] = bytes((value,)) * (end - start)


@dataclass
class _Scan:
    """What one pass over the cues finds."""
    clauses: list[_Clause]
    negated: bytearray
    plans: list[tuple[int, int]]  # (from, clause index): an expectation governs from there to the clause's end
    hearsay: list[tuple[int, int, int]]  # (from, clause index, code)
    disputes: list[tuple[int, int]]  # (position, clause index)
    claim_cues: int


def _scan(text: str, folded: str) -> _Scan:
    n = len(folded)
    clauses = [_Clause(0, n, "start")]
    negated = bytearray(n)
    plans: list[tuple[int, int]] = []
    hearsay: list[tuple[int, int, int]] = []
    disputes: list[tuple[int, int]] = []
    claim_cues = 0
    hypothesis = False  # a "si" / "if" earlier: a conditional states a hypothesis, not hearsay
    # Negation scope: the sub-clause (the clause cut at "et", "ou"), from its start or, for a
    # negation after a complementizer ("a confirmé qu'aucune..."), from that "que".
    sub_start, last_que, pending_ne, negation_from = 0, -1, -1, -1
    clause_que = -1  # last "que" of the clause, whatever its sub-clause

    def close_sub(at: int) -> None:
        nonlocal negation_from, pending_ne
        if negation_from >= 0:
            _set(negated, negation_from, at, 1)
        negation_from, pending_ne = -1, -1

    def negate() -> None:
        nonlocal negation_from
        scope = max(sub_start, last_que)
        if negation_from < 0 or scope < negation_from:
            negation_from = scope

    for m in _CUES.finditer(folded):
        kind = m.lastgroup or ""
        start, end = m.start(), m.end()
        index = len(clauses) - 1
        clause = clauses[index]
        if kind in ("bound", "contra"):
            close_sub(start)
            opened = "contrast" if kind == "contra" else _BOUNDARY_KINDS.get(m.group().strip(), "weak")
            sub_start, last_que = end, -1
            if not folded[clause.start:start].strip() and index > 0:  # "), " or ": «": one boundary
                if _OPENER_RANK[opened] > _OPENER_RANK[clause.opened_by]:
                    clause.opened_by = opened
                clause.start = end
                continue
            clause.end = start
            clauses.append(_Clause(end, n, opened))
            continue
        if clause.first_cue is None:
            clause.first_cue = (kind, start, end)
        if kind == "conj":
            close_sub(start)
            sub_start, last_que = end, -1
        elif kind == "que":
            pending_ne = -1  # "ne ... que" restricts ("n'a duré que deux heures"), it does not negate
            last_que = clause_que = start
        elif kind == "lit":
            pending_ne = -1
        elif kind == "ne":
            if not (end - start == 2 and text[start + 1] in "éè"):  # "né en 1990"
                pending_ne = start
        elif kind in ("neg", "nt"):
            word = folded[start:end]
            if _QUE_AFTER.match(folded, end) or (word == "jamais" and text[max(0, start - 2):start] == "à "):
                pending_ne = -1  # "ne ... plus que trois": a restriction; "à jamais": for ever
            elif pending_ne >= 0:
                negate()
                pending_ne = -1
            elif word not in _PAIRED_ONLY or _NE_AFTER.match(folded, end):
                negate()
        elif kind == "si":
            hypothesis = True
        elif kind == "disp":
            disputes.append((start, index))
        elif kind == "exp":
            plans.append((end, index))
        elif kind == "rum":
            hearsay.append((start, index, _R))
            claim_cues += 1
        elif kind == "hear":
            if folded.startswith("allege", start) and not text[start:end].isascii():
                continue  # "allégé" (lightened), not "alleged"
            hearsay.append((clause.start, index, _R))
            claim_cues += 1
        elif kind == "cond":
            # After "que" the conditional is the future of a past ("a confirmé qu'il n'y aurait pas de
            # match"), after "si" a hypothesis; only in a clause of its own is it hearsay.
            if m.group("after") not in _NOT_HEARSAY_AFTER_AURAIT and not hypothesis \
                    and clause_que < clause.start:
                hearsay.append((clause.start, index, _H))
                claim_cues += 1
        elif kind == "den":
            if _SANS_BEFORE.search(folded, max(0, start - 12), start):
                continue  # "sans nier les difficultés"
            written = text[start:end].lower().rstrip("s")
            adjective = folded[start:start + 3] in ("dem", "con", "ref") and written.endswith(("é", "ée", "i", "ie"))
            if adjective and not _AUX_BEFORE.search(folded, max(0, start - 30), start):
                disputes.append((start, index))  # "un chiffre contesté", "une information démentie"
            elif clause.denial < 0:
                clause.denial = start
        elif kind == "claim":
            clause.claims.append(start)
            claim_cues += 1
    close_sub(n)
    clauses[-1].end = n
    for clause in clauses:
        clause.words = len(folded[clause.start:clause.end].split())
    disputes = [(at, index) for at, index in disputes if not negated[at]]  # "n'est pas exagéré"
    for at, index in disputes:
        if clauses[index].dispute < 0:
            clauses[index].dispute = at
    return _Scan(clauses, negated, plans, hearsay, disputes, claim_cues)


@lru_cache(maxsize=256)
def _analyse(text: str) -> _Analysis:
    folded = fold_keeping_offsets(text)
    n = len(folded)
    scan = _scan(text, folded)
    clauses, negated = scan.clauses, scan.negated

    # Planned: what follows an expectation in its clause (the rule of the short answers).
    planned = bytearray(n)
    for (index, _), at in _earliest((at, index, 1) for at, index in scan.plans).items():
        _set(planned, at, clauses[index].end, 1)
    codes = bytearray(planned)
    # Denied: negated, or after a denial verb; "ne nie pas" negates the denial and asserts.
    denied = bytearray(negated)
    for clause in clauses:
        if clause.denial >= 0:
            if negated[clause.denial]:
                _set(denied, clause.start, clause.end, 0)
            else:
                denied[clause.denial:clause.end] = denied[clause.denial:clause.end].translate(_FLIP)
    position = denied.find(1)
    while position >= 0:
        stop = denied.find(0, position)
        stop = n if stop < 0 else stop
        _set(codes, position, stop, _D)
        position = denied.find(1, stop)
    # Hearsay: a rumour taints what follows it in its clause, "prétendument" or "aurait" the clause.
    for (index, code), at in _earliest(scan.hearsay).items():
        _paint(codes, at, clauses[index].end, code)
    # Reporting verbs: doubted when the source is unnamed ("un membre affirmait"), a dispute follows
    # in the same segment ("... (exagéré)"), or the agent is a rumour ("les 500 évoqués par les rumeurs").
    segment_end = _segment_ends(clauses)
    subjects = _subject_clauses(clauses, folded)
    dispute_positions = [at for at, _ in scan.disputes]
    for index, clause in enumerate(clauses):
        doubted_from = clause.end  # one paint per clause, from its first doubted claim: linear
        for at in clause.claims:
            if at >= doubted_from:
                break
            subject = _subject_start(clauses, subjects, index, folded, at)
            unnamed = subject is not None and _is_unnamed(text, folded, subject)
            following = bisect_right(dispute_positions, at)
            disputed_after = following < len(dispute_positions) and dispute_positions[following] < segment_end[index]
            if _BY_UNNAMED.match(folded, _word_end(folded, at)):
                doubted_from = clause.start
            elif unnamed or disputed_after:
                doubted_from = at
        _paint(codes, doubted_from, clause.end, _R)
    # What precedes a dispute marker in its clause is what it disputes ("ce chiffre de 500 est
    # exagéré"); the marker and what follows are the disputer's own words.
    for clause in clauses:
        if clause.dispute >= 0:
            _paint(codes, clause.start, clause.dispute, _R)
    _reach_back(text, folded, clauses, codes, negated)
    _carry_on(folded, clauses, codes, planned)
    opening_dispute = clauses[0].dispute >= 0 or (
        len(clauses) > 1 and clauses[0].words <= SHORT_INSERT_WORDS + 2 and clauses[1].dispute >= 0)
    return _Analysis(folded, codes, planned, clauses, scan.claim_cues, opening_dispute)


def _reach_back(text: str, folded: str, clauses: list[_Clause], codes: bytearray, negated: bytearray) -> None:
    """A postposed source (", selon des rumeurs", ", affirme un internaute") or denial (", dément la
    direction") governs the clauses before it in its segment; a disputing apposition (", un chiffre
    exagéré", "(exagéré)") the clause just before it. One sweep from the end: linear."""
    code, denial = _A, False
    for index in range(len(clauses) - 1, -1, -1):
        clause = clauses[index]
        _paint(codes, clause.start, clause.end, code)
        if denial:
            for position in range(clause.start, clause.end):
                if codes[position] <= _D:
                    codes[position] = _A if negated[position] else _D
        if clause.opened_by in ("start", "strong", "colon", "contrast"):
            code, denial = _A, False
            continue
        first = clause.first_cue
        opens_on_cue = first is not None and _starts_with_cue(folded, clause)
        # After an insert ("la maire, Nathalie Ferrand, dément ..."), a clause opening on a verb
        # carries on the subject before the insert: it is not a postposed incise.
        postposed = clause.opened_by == "weak" and not _is_insert(clauses, index - 1)
        source = _HEARSAY_SOURCE.match(folded, clause.start)
        if source:
            code = max(code, _R if source.group("doubt") else _H)
        elif postposed and opens_on_cue and first is not None and first[0] == "claim" and _is_unnamed(
                text, folded, _word_end(folded, first[1])):
            code = _R  # "..., affirme un internaute"
        elif postposed and opens_on_cue and first is not None and first[0] == "den" and clause.denial >= 0 \
                and clause.words <= POSTPOSED_WORDS:
            denial = True  # "..., dément la direction"
        if clause.dispute >= 0 and (clause.opened_by == "paren" or _BACK_REFERENCE.match(folded, clause.start)
                                    or (opens_on_cue and first is not None and first[0] == "disp")):
            previous = clauses[index - 1]
            _paint(codes, previous.start, previous.end, _R)
            if index >= 2 and _is_insert(clauses, index - 1):
                _paint(codes, clauses[index - 2].start, clauses[index - 2].end, _R)


def _carry_on(folded: str, clauses: list[_Clause], codes: bytearray, planned: bytearray) -> None:
    """A clause opening with "que", "soit", "dont"..., or after a short insert (", Lucas Morel,",
    "(exagéré)"), carries on the clause before it; a lead-in that names no source ("Selon
    certains,") governs its segment. One sweep from the start: linear."""
    carry, carry_plan, lead = _A, 0, _A
    for index, clause in enumerate(clauses):
        if clause.opened_by in ("start", "strong", "colon", "contrast"):
            # "une rumeur circulait : le prix allait passer à 3 euros": what a colon opens after
            # hearsay is its content.
            lead = carry if clause.opened_by == "colon" and carry in (_H, _R) else _A
            carry, carry_plan = _A, 0
            source = _HEARSAY_SOURCE.match(folded, clause.start)
            if source and _is_lead_in(clauses, index, folded):
                lead = _R if source.group("doubt") else _H
        else:
            opener = _CONTINUATION_OPENER.match(folded, clause.start)
            after_insert = _is_insert(clauses, index) or (index >= 1 and _is_insert(clauses, index - 1))
            if opener or after_insert:
                # A denial reaches its complement ("dément que ...") but not a relative clause about
                # its object ("dément toute hausse de la taxe, dont le taux reste fixé à 42,5 %").
                if carry != _D or after_insert or opener.group("que"):
                    _paint(codes, clause.start, clause.end, carry)
                if carry_plan:
                    _set(planned, clause.start, clause.end, 1)
                    _paint(codes, clause.start, clause.end, _P)
        _paint(codes, clause.start, clause.end, lead)
        if _is_insert(clauses, index):
            continue  # transparent: what follows carries on the clause before the insert
        last = _last_char(folded, clause)
        if clause.dispute >= 0:
            carry, carry_plan = _A, 0  # "Un chiffre « fantaisiste », rétorque X, qui ...": X's own words
        elif last >= 0:
            code = codes[last]
            carry = code if code != _D or clause.denial >= 0 else _A  # a denial verb carries, a "pas" does not
            carry_plan = planned[last]


def _earliest(spans: Iterable[tuple[int, int, int]]) -> dict[tuple[int, int], int]:
    """(from, clause index, code) -> the earliest `from` per clause and code: each painted once."""
    out: dict[tuple[int, int], int] = {}
    for at, index, code in spans:
        key = (index, code)
        if at < out.get(key, at + 1):
            out[key] = at
    return out


def _word_end(folded: str, at: int) -> int:
    match = _WORD.match(folded, at)
    return match.end() if match else at


def _is_unnamed(text: str, folded: str, at: int) -> bool:
    """Whether the words from `at` name no one: "un membre", "certains", "des messages", "on" — but
    not "une étude", "un porte-parole", which are sources the reader can weigh."""
    match = _INDEFINITE.match(folded, at)
    if match is None:
        return False
    word = _WORD.search(folded, at, match.end())
    if word and word.group() == "des" and text[word.start() + 1] == "è":  # "dès lundi"
        return False
    after = _WORD.match(folded, _skip_spaces(folded, match.end()))
    return not (after and after.group() in _NAMED_SOURCES)


def _skip_spaces(folded: str, at: int) -> int:
    end = min(len(folded), at + 4)
    while at < end and folded[at] == " ":
        at += 1
    return at


def _starts_with_cue(folded: str, clause: _Clause) -> bool:
    """Whether the clause's first cue is its first word (after an auxiliary: "a affirmé")."""
    if clause.first_cue is None:
        return False
    opening = _AUX_START.match(folded, clause.start)
    return opening is not None and opening.end() >= clause.first_cue[1]


def _is_insert(clauses: list[_Clause], index: int) -> bool:
    """A short clause between two commas or in brackets: ", Lucas Morel,", "(exagéré)"."""
    clause = clauses[index]
    if clause.opened_by not in ("weak", "paren") or index + 1 >= len(clauses):
        return False
    return clause.words <= SHORT_INSERT_WORDS and clauses[index + 1].opened_by in ("weak", "close")


def _segment_ends(clauses: list[_Clause]) -> list[int]:
    """For each clause, where its segment (up to the next ";", ":" or contrast word) ends."""
    ends = [0] * len(clauses)
    end = clauses[-1].end
    for index in range(len(clauses) - 1, -1, -1):
        ends[index] = end
        if clauses[index].opened_by in ("strong", "colon", "contrast"):
            end = clauses[index].start
    return ends


def _subject_clauses(clauses: list[_Clause], folded: str) -> list[int]:
    """For each clause, the first clause of its segment that is not a lead-in: where the subject of
    a verb opening a later clause (", affirmant détenir...") is. Computed once: linear."""
    out = [0] * len(clauses)
    subject = 0
    for index, clause in enumerate(clauses):
        if clause.opened_by in ("start", "strong", "colon", "contrast"):
            subject = index
        if subject == index and _is_lead_in(clauses, index, folded):
            subject = index + 1
        out[index] = subject
    return out


def _subject_start(clauses: list[_Clause], subjects: list[int], index: int, folded: str, verb: int) -> int | None:
    """Where the subject of a reporting verb at `verb` starts: its clause's start, or, when the clause
    opens on the verb, the segment's first clause that is not a lead-in."""
    clause = clauses[index]
    opening = _AUX_START.match(folded, clause.start)
    if opening is None or opening.end() < verb:
        return clause.start
    return clauses[subjects[index]].start if subjects[index] < index else None


def _last_char(folded: str, clause: _Clause) -> int:
    end = clause.end
    while end > clause.start and folded[end - 1] in " .!?»\"'":
        end -= 1
    return end - 1 if end > clause.start else -1


def _is_lead_in(clauses: list[_Clause], index: int, folded: str) -> bool:
    """A short scene-setting clause before a comma: "Plus tôt cette semaine,", "Selon certains,"."""
    clause = clauses[index]
    if index + 1 >= len(clauses) or clauses[index + 1].opened_by != "weak":
        return False
    if clause.words <= LEAD_IN_WORDS and _LEAD_OPENER.match(folded, clause.start):
        return True
    return clause.words <= ATTRIBUTION_WORDS and _ATTRIBUTION.match(folded, clause.start) is not None


# --- the API -----------------------------------------------------------------------------


def span_modality(sentence: str, start: int) -> str:
    """The modality of the text starting at `sentence[start]`: "asserted", "planned", "denied" or "reported".

    Where several apply, the most cautious wins: reported, then denied, then planned.
    """
    if not sentence:
        return ASSERTED
    analysis = _analyse(sentence)
    start = min(max(start, 0), len(sentence) - 1)
    return _NAMES[analysis.codes[start]]


def is_doubted(sentence: str, start: int) -> bool:
    """Whether the text starting at `sentence[start]` is a claim the article doubts (a rumour, a figure
    it calls exaggerated), rather than hearsay it only hedges ("le bilan serait de 12 morts")."""
    return bool(sentence) and _analyse(sentence).codes[min(max(start, 0), len(sentence) - 1)] == _R


def mentions_plan(text: str) -> bool:
    """Whether `text` (a question) speaks of a plan: "devait-elle durer", "was it expected to"."""
    return any(m.lastgroup == "exp" for m in _CUES.finditer(fold_keeping_offsets(text)))


def modality_runs(sentence: str) -> list[tuple[int, int, str]]:
    """The sentence cut into runs of one modality: (start, end, modality), in order."""
    if not sentence:
        return []
    codes = _analyse(sentence).codes
    runs: list[tuple[int, int, str]] = []
    start = 0
    for position in range(1, len(codes) + 1):
        if position == len(codes) or _NAMES[codes[position]] != _NAMES[codes[start]]:
            runs.append((start, position, _NAMES[codes[start]]))
            start = position
    return runs


def _main_region(analysis: _Analysis) -> list[tuple[int, int, int]]:
    """The clauses that make the sentence's point, as (start, end, weight): leading scene-setting
    clauses left out, and when a plan or a rumour is followed by "mais ...", only what follows."""
    clauses = analysis.clauses
    first = 0
    while first < len(clauses) - 1 and _is_lead_in(clauses, first, analysis.folded):
        first += 1
    chosen = list(range(first, len(clauses)))
    contrasts = [i for i in chosen if clauses[i].opened_by == "contrast" and i > first]
    if contrasts:
        cut = contrasts[-1]
        before = [i for i in chosen if i < cut]
        after = [i for i in chosen if i >= cut]
        codes = analysis.codes
        if sum(clauses[i].words for i in after) >= 3 and any(
                _count(codes, clauses[i].start, clauses[i].end, (_P, _H, _R)) for i in before):
            chosen = after
    region = []
    main = True  # the first clause, and what carries it on through inserts ("la maire, X, dément ...")
    for position, index in enumerate(chosen):
        if position > 0 and not (_is_insert(clauses, index) or _is_insert(clauses, index - 1)):
            main = False
        clause = clauses[index]
        if clause.end > clause.start:
            region.append((clause.start, clause.end, MAIN_CLAUSE_WEIGHT if main else 1))
    return region


def _count(codes: bytearray, start: int, end: int, wanted: tuple[int, ...]) -> int:
    return sum(codes.count(code, start, end) for code in wanted)


def _shares(analysis: _Analysis) -> tuple[dict[int, float], list[tuple[int, int]]]:
    """Share of the sentence's main region (main clause weighing double) each code covers, and the
    main clause's spans."""
    if analysis.shares is None:
        analysis.shares = _compute_shares(analysis)
    return analysis.shares


def _compute_shares(analysis: _Analysis) -> tuple[dict[int, float], list[tuple[int, int]]]:
    region = _main_region(analysis)
    total = sum((end - start) * weight for start, end, weight in region) or 1
    shares = {code: sum(analysis.codes.count(code, start, end) * weight for start, end, weight in region) / total
              for code in (_P, _D, _H, _R)}
    main = [(start, end) for start, end, weight in region if weight == MAIN_CLAUSE_WEIGHT]
    return shares, main


def sentence_modality(sentence: str) -> str:
    """The modality of the sentence as a whole: that of its main clause.

    Reported when hearsay covers most of what the sentence says (its main clause
    weighing double); else denied when a negation or a denial verb bears on the main
    clause or on most of the sentence; else planned likewise; else asserted.
    """
    if not sentence.strip():
        return ASSERTED
    analysis = _analyse(sentence)
    shares, main = _shares(analysis)
    if shares[_H] + shares[_R] >= SENTENCE_SHARE:
        return REPORTED
    for code, name in ((_D, DENIED), (_P, PLANNED)):
        if shares[code] >= SENTENCE_SHARE or any(analysis.codes.count(code, start, end) for start, end in main):
            return name
    return ASSERTED


def is_disputed(sentence: str, following: str = "") -> bool:
    """Whether the sentence mainly reports a rumour or a claim that is doubted: by an unnamed
    source, a dispute in the sentence ("(exagéré)", "un chiffre fantaisiste"), or the sentence
    after it opening on one ("Un chiffre « largement exagéré »", "Il n'en est rien", "C'est faux")."""
    if not sentence.strip():
        return False
    analysis = _analyse(sentence)
    shares, _ = _shares(analysis)
    if shares[_R] >= SENTENCE_SHARE or (shares[_H] + shares[_R] >= SENTENCE_SHARE and shares[_R] > 0):
        return True
    if following.strip() and analysis.claim_cues:
        return _analyse(following).opening_dispute
    return False


def disputes_previous(sentence: str) -> bool:
    """Whether the sentence opens by disputing the sentence before it: "Un chiffre « fantaisiste »,
    rétorque l'adjoint", "« C'est faux », a répondu la maire", "Il n'en est rien : ..."."""
    return bool(sentence.strip()) and _analyse(sentence).opening_dispute

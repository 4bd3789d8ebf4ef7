"""Reading a question: what kind of answer it wants, which words matter, in which language it was
asked, whether it is about the articles themselves, and whether it leans on the previous question."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import simplemma
from rapidfuzz.distance import OSA

from bot.facts import ROLE_NOUNS
from bot.text import LIGHT_VERBS, QUESTION_WORDS, content_words, expand_sms, fold, is_known_word, lemma

# Which facts answer which kind of question, best first.
WANTED_KINDS = {
    "who": ("person", "organisation"),
    "how_many": ("number", "percentage", "money"),
    "how_long": ("number",),
    "when": ("date",),
    "where": ("place",),
}

_ROLES = "|".join(fold(noun) for noun in ROLE_NOUNS)
# "Qui est le PDG ?", "C'est qui la porte-parole ?", "quels dirigeants", "which CEO": the holder of a role,
# a person. Not "Qui a nommé le directeur ?": an organisation may have done that.
_ASKS_HOLDER = re.compile(
    rf"\b(?:qui (?:est|sont|etait|etaient|sera|serait|fut)|c est qui|who (?:is|was|are|were|s))"
    rf"(?: (?:le|la|les|l|the|un|une|son|sa|ses|leur|leurs|nouveau|nouvelle|actuel|actuelle|current|new))* "
    rf"(?:{_ROLES})s?\b|\bquel(?:le)?s? (?:{_ROLES})s?\b|\bwhich (?:{_ROLES})s?\b|"
    rf"^(?:(?:le|la|les|l|the) )?(?:{_ROLES})s?\b[\w ,]{{0,40}}\b(?:c est qui|who is it)\W*$")
_TYPES = [  # checked in order on the accent-folded question
    ("how_long", r"\bcombien de temps\b|\bpendant combien\b|\bhow long\b|\bduree\b|\bdure(?:r|e|ra)?\b.*\bcombien\b"),
    # "quel âge" asks for a figure; "âge" stays a topic word (the sentence must be about an age)
    ("how_many", r"\bcombien\b|\bhow (?:many|much)\b|\bquel(?= (?:est |etait )?(?:l )?age\b)|"
                 r"\bquel(?:le)?s? (?:est |etait )?(?:le |la )?"
                 r"(?:nombre|pourcentage|part|proportion|montant|somme|taux|chiffre|effectif|prix|cout)\b|"
                 r"\bnombre de\b|\bwhat (?:percentage|share|amount|number)\b"),
    ("when", r"\bquand\b|\bwhen\b|\bquelle date\b|\bquel jour\b|\bquelle annee\b|\ben quelle annee\b|"
             r"\bdepuis quand\b|\bjusqu ?a quand\b|\bwhat date\b|\ba quelle date\b|\bwhat year\b|\bwhat day\b"),
    ("where", r"^ou\b|\bou (?:est|se|sont|a|ont|se trouve|etait|travaill\w*|habit\w*|vi\w*|sieg\w*)\b|\bwhere\b|"
              r"\b(?:dans |de )?quel(?:le)? (?:ville|pays|region|endroit|lieu|commune|departement)\b|"
              r"\ba quel endroit\b|\bwhich (?:city|country|town|region)\b"),
    ("why", r"\bpourquoi\b|\bwhy\b|\bpour quelle raison\b|\bquelle (?:est la )?(?:raison|cause)\b|\bquelles causes\b|"
            r"\bqu est ce qui (?:a cause|explique)\b|\bwhat caused\b|\bfor what reason\b|\bsuite a quoi\b"),
    # What someone said or how people reacted: a quotation or reported speech answers.
    # A clause between commas is relative: "Le budget, que la mairie dit équilibré, a-t-il été voté ?"
    ("said", r"(?:^|, )(?:et )?(?:qu|que)\b[^,]*"
             r"\b(?:dit|dire|disent|declare|repondu|repond\w*|pense\w*|raconte|reagi\w*)\b[^,]*$|"
             r"\b(?:dit|disent|pense\w*|raconte\w*|repond\w*)\b.*\bquoi\b|"
             r"\bcomment\b.*\b(?:reagi\w*|accueilli\w*|repondu)\b|\bwhat did .*\b(?:say|tell)\b|"
             r"\bhow did .*\breact\b|\bwhat do .*\b(?:say|think)\b|\breaction\w*\b"),
    # "qui" asks who when it opens the question ("À qui…", "Et qui…") or ends it ("C'est qui ?"); after
    # "quelles qualités…" it is a relative pronoun.
    ("who", rf"^(?:et |mais )?(?:(?:a|de|par|pour|avec|chez|contre|selon|sur|aupres de) )?qui\b|\bqui\W*$|"
            rf"\bc est qui\b|\bwho\b|\bquel(?:le)?s? (?:est le nom|personne|(?:{_ROLES})s?)\b|\bwhich (?:{_ROLES})s?\b|"
            rf"\bwhose\b"),
    ("how", r"^(?:et )?comment\b(?! (?:ca va|vas tu|allez vous|s appel\w*|se nomm\w*|nomm\w*|appel\w*))|"
            r"\bhow (?:did|does|do|was|were|is|are|has|have|can|will)\b|\bde quelle (?:maniere|facon)\b|"
            r"\bby what means\b|\bin what way\b"),
]
# Verbs of speech and reaction, and quotation marks (a closed class, like the function words): what
# "qu'ont-ils dit ?" asks for, and what marks a sentence that answers it.
SPEECH = re.compile(r"[«“\"]|\b(?:dit|dire|disent|disai\w*|declar\w*|expliqu\w*|racont\w*|estim\w*|affirm\w*|"
                    r"assur\w*|confi\w*|lanc\w*|temoign\w*|regrett\w*|denonc\w*|reag\w*|repon\w*|"
                    r"enthousias\w*|agac\w*|inqui\w*|rejoui\w*|salu\w*|accueilli\w*|say|said|says|told|tell|"
                    r"stated|added|react\w*|think)\b")
_SAYING = frozenset({"dit", "dire", "disent", "disait", "say", "said", "says", "tell", "told"})
_KIND_PATTERNS = [(kind, re.compile(pattern)) for kind, pattern in _TYPES]

# A question without a question word that inverts its subject ("a-t-il", "sont-ils"), opens with
# "est-ce que", or (English) with an auxiliary asks yes or no.
_YES_NO = re.compile(r"\w-(?:t-)?(?:il|elle|ils|elles|on)\b|^est ce qu|^(?:is|are|was|were|do|does|did|has|have|had|"
                     r"can|could|will|would|should)\b")
# A preposition may open a question word: "À quoi", "Par qui", "Avec quoi", "Pour quoi".
_WH_WORD = re.compile(r"^(?:et )?(?:qu|que|quoi|comment|ou|quand|combien|pourquoi|qui)\b|"
                      r"^(?:et )?(?:a|de|d|par|pour|avec|dans|sur|en|chez|vers|sous|contre|depuis|entre|selon) "
                      r"(?:quoi|qui)\b|"
                      r"\b(?:quel\w*|lequel|laquelle|lesquel\w*|what|which|qu est ce|quoi)\b")

# Questions about an article itself, not its content. A field is asked for only with a word that
# names the article or its writing ("l'article", "publié", "écrit"), so "l'auteur de l'attaque" is
# a question about the content.
_ABOUT_FIELDS = [
    ("count", re.compile(r"\bcombien (?:y a[ -]t[ -]il |il y a )?d ?articles\b|\bnombre d ?articles\b|"
                         r"\bhow many (?:articles|stories)\b")),
    ("latest", re.compile(r"\b(?:dernier|derniers|plus recent)\b.*\barticles?\b|\barticles?\b.*\b(?:plus recent|"
                          r"dernier)\b|\b(?:latest|newest|most recent|last) (?:article|story)\b")),
    ("author", re.compile(r"\bqui (?:a )?(?:ecrit|redige|signe|publie)\b|\bauteure?\b|\bautrice\b|"
                          r"\b(?:ecrit|redige|signe) par\b|\bjournaliste\b|\bwho wrote\b|\bauthor\b|"
                          r"\bwritten by\b|\bwriter\b")),
    ("updated", re.compile(r"\bmis a jour\b|\bmise a jour de l article\b|\bupdated\b")),
    # before the date: "which site published…" asks for the site
    ("source", re.compile(r"\bsource\b|\bquel(?:le)? (?:site|journal|media|publication|titre de presse)\b|"
                          r"\bd ou (?:vient|provient)\b|\bwhich (?:site|paper|newspaper|outlet)\b|\bcome from\b")),
    ("date", re.compile(r"\bpublie\w*\b|\bparu\w*\b|\bsorti\w*\b|\bdate\b|\bpublished\b|\bwritten\b|"
                        r"\bquand .*\becrit\b")),
    ("title", re.compile(r"\btitre\b|\btitle\b|\bheadline\b")),
    ("topic", re.compile(r"\bde quoi (?:parle|traite)\b|\bparle de quoi\b|\bsujet\b|\bwhat is .* about\b|"
                         r"\bwhat does .* (?:say|cover)\b|\bresume\b|\bsummary\b")),
]
_ARTICLE_WORD = re.compile(r"\b(?:article|articles|texte|papier|depeche|story|stories|piece|publie\w*|paru\w*|"
                           r"ecrit|redige|published|written|wrote|author|auteure?|autrice)\b")
# Words of the "about" intent itself: not the topic that names the article.
ABOUT_WORDS = frozenset(fold(w) for w in """
    article articles texte papier dépêche story stories piece publié publiée publie paru parue sorti sortie écrit écrite
    rédigé signé auteur auteure autrice journaliste date titre source site journal média publication sujet
    parle traite résumé dernier derniers récent recent latest newest author wrote written writer title
    published updated mis jour mise provient vient headline summary nombre about say cover
    propos concernant consacré regarding
    """.split())

# A short question that leans on the previous one: it opens with "et"/"and", or its subject or
# object is a pronoun standing for something said before ("Qu'a-t-il nié ?", "Who said that?").
# An inverted pronoun points back only when no noun stands before its verb: "Qu'a-t-il nié ?",
# not "Kraken a-t-il été piraté ?".
# "ce matin", "cette année", "ce week-end": a time, not something said before.
_TIME_NOUNS = ("matin|soir|midi|jour|jours|nuit|week|weekend|semaine|semaines|mois|annee|annees|an|ans|ete|hiver|"
               "printemps|automne|siecle|moment|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|fois")
_LEANING = re.compile(r"^(?:et|and|also|aussi|puis)\b|\b(?:il|elle|ils|elles|lui|leur|eux|ca|cela|celui ci|celle ci|"
                      r"he|she|they|them|him|her|it|that|this|those)\b|"
                      r"^(?:(?:et )?(?:qu|que|quand|ou|pourquoi|comment|combien) )?\w+(?:-t)?-(?:il|elle|ils|elles)\b|"
                      r"\bl autre\b|\bthe other\b|"
                      # "ce chiffre", "cette décision"
                      rf"\b(?:cet|cette|ces|ce)\b(?! (?:que?|qui|dont|sont|n|{_TIME_NOUNS})\b)")
FOLLOW_UP_MAX_WORDS = 3  # more content words than this and the question carries its own topic
_ARTICLE_NOUNS = frozenset({"article", "articles", "story", "stories"})


_HOW_LONG_TEMPS = re.compile(r"(?<=combien de )temps\b|(?<=how )long\b", re.IGNORECASE)


@dataclass
class Question:
    text: str  # as read: a mistyped question word mended ("Qaund" -> "Quand")
    kind: str | None  # a key of WANTED_KINDS, "why", "how", "yes_no", or None
    words: list[str]  # content words, lower case, in order
    names: set[str]  # words written with a capital inside the question: likely names
    lang: str = "fr"  # "fr" or "en": the language it was asked in
    about: str | None = None  # a field of the article asked for: author, date, updated, title, source...
    leans: bool = False  # short and pointing back: a follow-up if there was a question before
    other_article: bool = False  # "et l'autre article ?"
    context_words: list[str] = field(default_factory=list)  # borrowed from the previous question
    article_hint: int | None = None  # the previous answer's article
    hint_guessed: bool = False  # ...only the article nearest the previous question: it got no answer
    exclude_article: int | None = None  # "et l'autre article ?": not the previous answer's article
    holder: bool = False  # asks who holds a role ("Qui est le PDG ?"): a person answers
    typed: str = ""  # as the person typed it: what the answer repeats

    @property
    def wanted(self) -> tuple[str, ...]:
        """The kinds of fact that answer, best first. "Qui est le PDG ?" asks for a person: an
        organisation the sentence names is no answer to it."""
        if self.kind == "who" and self.holder:
            return ("person",)
        return WANTED_KINDS.get(self.kind or "", ())

    @property
    def is_search(self) -> bool:
        """Keywords typed to find sentences ("Kraken licenciement", an inline query), not a question:
        no kind of answer, no question word, no question mark."""
        return self.kind is None and "?" not in self.text and not _WH_WORD.search(_folded(self.text))


def _folded(text: str) -> str:
    folded = fold(expand_sms(text)).replace("'", " ").replace("’", " ")
    return re.sub(r"\s+", " ", folded).strip()


# "Quelle est la date", "quel était le pays": the copula between "quel" and its noun does not change
# what is asked ("quelle date", "quel pays"). "Quel est le nom" keeps its form: it asks who.
_QUEL_COPULA = re.compile(r"\b(quel(?:le)?s?) (?:est|sont|etait|etaient|fut|furent|sera|seront) "
                          r"(?!(?:le |la |les |l )?nom\b)(?:le |la |les |l )?")


def _kind_and_form(text: str) -> tuple[str | None, str]:
    """The kind of answer wanted, and the words that say so ("quel pourcentage", "dans quelle ville")."""
    folded = _QUEL_COPULA.sub(r"\1 ", _folded(text))
    if re.search(r"\boù\b", text.lower()):
        return "where", ""
    for kind, pattern in _KIND_PATTERNS:
        match = pattern.search(folded)
        if match:
            return kind, match.group()
    return None, ""


def question_kind(text: str) -> str | None:
    return _kind_and_form(text)[0]


# "a duré", "la durée", "how long did it last": the form of a how-long question, not its topic.
_DURATION_WORDS = frozenset({"dure", "duree", "durer", "durera", "dura", "last", "lasted", "long"})


def _yes_no_form(text: str) -> bool:
    """Inversion ("a-t-il", "sont-ils"), "est-ce que" first, an English auxiliary first, or a statement
    asked with a rising "?" ("La taxe va augmenter ?"): with no question word, a yes/no question."""
    lowered = fold(text.lower()).strip()
    folded = _folded(text)
    # "Est-ce que le maire sait quoi faire ?": a question word inside asks nothing of its own
    if re.match(r"est[ -]ce qu", folded):
        return True
    if _WH_WORD.search(folded):
        return False
    return bool(_YES_NO.search(lowered)) or (lowered.endswith("?") and len(lowered.split()) >= 3)


def question_language(text: str) -> str:
    """'en' when the question is written in English, else 'fr' (simplemma's language detector)."""
    scores = dict(simplemma.langdetect(text, lang=("fr", "en")))
    return "en" if scores.get("en", 0.0) > scores.get("fr", 0.0) else "fr"


def about_field(folded: str) -> str | None:
    """The article field a question asks for, if it is about an article rather than its content."""
    for name, pattern in _ABOUT_FIELDS:
        if pattern.search(folded):
            if name in ("count", "latest") or _ARTICLE_WORD.search(folded):
                return name
    return None


# "cest", "quil", "jai": an elided function word typed without its apostrophe.
# Only a pronoun or a form of être / avoir follows an elided word ("c'est", "qu'il", "j'ai", "l'on"):
# "taux" is not t' + aux, nor "cas" c' + as.
_ELIDED_FUNCTION = re.compile(r"(?:qu|[cdjlmnst])(est|etait|etaient|ai|avait|avais|avaient|a|il|ils|elle|elles|"
                              r"on|en|y|un|une)")


def elided_function_word(word: str) -> bool:
    """Whether `word` is a function word and the elided one before it, typed as one ("cest" for
    "c'est"), rather than a word of its own ("test", "lest", "taux", a name such as "Nat")."""
    return (word[:1].islower() and _ELIDED_FUNCTION.fullmatch(fold(word)) is not None
            and not is_known_word(word))


# Question words of four letters or more: one slip ("Qaund", "Qulles", "pourqoui") rarely makes another word,
# and only a word no dictionary knows is mended.
_MENDABLE = tuple(w for w in QUESTION_WORDS if len(w) >= 4 and w == fold(w))
_WEAK_QUESTION_WORDS = frozenset({"ou", "qui"})


def mend_question_word(text: str) -> str:
    """The question with a question word mistyped by one slip (a letter added, dropped, changed or two
    swapped) written right, when it has no question word spelt right: "Qaund est-il né ?" asks when.
    Only a word no dictionary knows is mended, and never a capitalised word after the first, so
    "Quant à…" and names ("Phu Quoc", "les Quandt") stay as typed."""
    tokens = re.findall(r"\w+", text)
    # After the first word, "ou" (or) and "qui" (who, which) are often no question word: "Qaund le pont qui…".
    asked = [fold(t.lower()) for t in tokens]
    if (asked[:1] and asked[0] in QUESTION_WORDS) or any(
            w in QUESTION_WORDS and w not in _WEAK_QUESTION_WORDS for w in asked[1:]):
        return text
    for position, token in enumerate(tokens):
        typed = fold(token.lower())
        if len(typed) < 4 or is_known_word(token.lower()) or (position and token[:1].isupper()):
            continue
        near = [w for w in _MENDABLE if OSA.distance(typed, w) <= 1]
        if len(near) == 1:
            mended = near[0].capitalize() if token[:1].isupper() else near[0]
            return re.sub(rf"\b{re.escape(token)}\b", mended, text, count=1)
    return text


def read_question(text: str) -> Question:
    """Analyse a question as typed by a person (any case, accents, SMS spelling, a mistyped question word)."""
    typed, text = text, mend_question_word(" ".join(text.split()))
    expanded = expand_sms(text)
    # "combien de temps" / "how long" ask for a duration: "temps" and "long" are not the topic.
    topical = _HOW_LONG_TEMPS.sub(" ", expanded)
    kind, form = _kind_and_form(text)
    if kind == "said":  # "qu'ont-ils dit", "what did he say": saying is the form; "réagi" stays a topic
        form = " ".join(w for w in form.split() if w in _SAYING)
    # The words that name the kind of answer ("quel pourcentage", "quelle ville") are its form, not its topic.
    form_words = set(form.split()) if kind in ("how_many", "how_long", "when", "where", "said") else set()
    if kind == "how_long":
        form_words |= _DURATION_WORDS
    words = [w for w in content_words(topical, join_compounds=False)
             if fold(w) not in QUESTION_WORDS and fold(w) not in form_words and lemma(w) not in LIGHT_VERBS
             and not elided_function_word(w)]
    tokens = re.findall(r"\w+", expanded)
    shouting = sum(t.isupper() for t in tokens) > len(tokens) / 2
    # A capitalised word after the first is taken as a name, unless the whole question shouts.
    names = set() if shouting else {t.lower() for t in tokens[1:] if t[:1].isupper()}
    folded = _folded(text)
    # "Et dans l'autre article ?" asks the question before again, of the other article: not yes or no,
    # and "article" is not its topic.
    other_article = bool(re.search(r"\bl autre\b|\bthe other\b|\banother\b", folded))
    again = other_article and len([w for w in words if fold(w) not in _ARTICLE_NOUNS]) <= FOLLOW_UP_MAX_WORDS
    if again:
        words = [w for w in words if fold(w) not in _ARTICLE_NOUNS]
    elif kind is None and _yes_no_form(text):
        kind = "yes_no"
    about = about_field(folded)
    # "Et pourquoi ?" has no word of its own but asks something; "Bonjour" asks nothing.
    leans = ((bool(_LEANING.search(folded)) or (not words and kind is not None))
             and len(words) <= FOLLOW_UP_MAX_WORDS and not names)
    return Question(text=text, typed=typed, kind=kind, words=words, names=names,
                    lang=question_language(text) if words or tokens else "fr", about=about, leans=leans,
                    other_article=other_article, holder=bool(_ASKS_HOLDER.search(folded)))

"""The answer pipeline: reading -> (follow-up) -> (about the articles) -> recall -> scoring ->
decision -> short answer. Reads the database only through `Recall` and the lookup it is given."""

from __future__ import annotations

from collections.abc import Callable

from bot.answering import scoring
from bot.answering.about import ArticleLookup, answer_about
from bot.answering.conversation import follow_up, remember
from bot.answering.decision import decide
from bot.answering.model import EMPTY, NOT_FOUND, Answer, ArticleRef, Conversation, Quote
from bot.answering.reading import Question, read_question
from bot.answering.recall import Candidate, Expansion, Recall
from bot.answering.short import answer_facts, verdict
from bot.messages import t
from bot.modality import disputes_previous

MAX_ALTERNATIVES = 2


def short_answer(candidate: Candidate, question: Question, expansions: list[Expansion]) -> str | None:
    """The fact of the best sentence that answers the question's kind, or Oui / Non."""
    if question.kind == "yes_no":
        return None
    anchors: dict[str, float] = {}
    for expansion in expansions:
        for match in expansion.matches:
            anchors[match.term] = max(anchors.get(match.term, 0.0), expansion.idf * match.weight)
    facts = answer_facts(candidate.facts, question, candidate.text, anchors)
    return facts[0]["text"] if facts else None


class Answerer:
    """Answers questions over one database: `answer(text, conversation)`."""

    def __init__(self, recall: Recall, lookup: ArticleLookup, quote_text: Callable[[Candidate], str],
                 article_ref: Callable[[int], ArticleRef]) -> None:
        self.recall = recall
        self.lookup = lookup
        self.quote_text = quote_text
        self.article_ref = article_ref

    def answer(self, text: str, conversation: Conversation | None = None,
               alternatives: int = MAX_ALTERNATIVES) -> Answer:
        question = follow_up(read_question(text), conversation)
        nearest = None  # the article nearest a question no sentence answered
        if question.about:
            answer = answer_about(question, self.lookup)
        elif not question.words and not question.context_words:
            answer = Answer(text, False, declined=EMPTY, lang=question.lang)
        else:
            answer, nearest = self._from_sentences(question, alternatives)
        article = answer.quote.article if answer.quote else answer.article
        # A follow-up leans on the article answered from; after "I found nothing", on the article the
        # question leaned on, or else on the article nearest it, as a guess ("Et pourquoi ?" is still
        # about the same thing).
        if article is not None:
            article_id, guessed = article.id, False
        elif question.article_hint is not None and not question.hint_guessed:
            article_id, guessed = question.article_hint, False
        elif nearest is not None:
            article_id, guessed = nearest, True
        elif conversation is not None:
            article_id, guessed = conversation.article_id, conversation.article_guessed
        else:
            article_id, guessed = None, False
        answer.conversation = remember(question, article_id, answer.short if answer.answered else None, guessed)
        return answer

    def rank(self, question: Question) -> tuple[list[Expansion], list[Candidate]]:
        """Recall and scoring: the question's expanded words, and the candidate sentences best first."""
        expansions = self.recall.expand(question)
        found = self.recall.candidates(expansions)
        if question.exclude_article is not None:
            found = [c for c in found if c.article_id != question.exclude_article]
        return expansions, scoring.rank(found, expansions, question, self.recall)

    def _from_sentences(self, question: Question, alternatives: int) -> tuple[Answer, int | None]:
        """The answer, and when no sentence answers although the articles speak of it, the article
        of the sentence nearest the question."""
        expansions, ranked = self.rank(question)
        answers, declined, unknown = decide(question, expansions, ranked)
        if declined:
            nearest = ranked[0].article_id if declined == NOT_FOUND and ranked else None
            return Answer(question.typed, False, unknown=unknown, declined=declined, lang=question.lang), nearest
        best = answers[0]
        main = self._quote(best)
        others: list[Quote] = []
        for candidate in answers[1:]:
            if len(others) == alternatives:
                break
            other = self._quote(candidate)
            if other.text not in main.text and main.text not in other.text and all(other.text != o.text
                                                                                   for o in others):
                others.append(other)
        answer = Answer(question.typed, True, short_answer(best, question, expansions), main, others,
                        lang=question.lang, article=main.article)
        if question.kind == "yes_no":
            answer.verdict = verdict(best.text)
            if answer.verdict is None:  # a claim reported, then disputed by the next sentence ("C'est faux.")
                after = self.recall.next_sentences([best])
                if after and disputes_previous(after[0].text):
                    answer.verdict = "non"
                    main.text = f"{main.text} {after[0].text}"
            answer.short = t(f"verdict_{answer.verdict or 'unsettled'}", question.lang)
        return answer, None

    def _quote(self, candidate: Candidate) -> Quote:
        text = self.quote_text(candidate)
        if candidate.lead and candidate.lead not in text:
            text = f"{candidate.lead} {text}"
        return Quote(candidate.sentence_id, text, self.article_ref(candidate.article_id), candidate.score)

"""Follow-ups: a short question that leans on the previous one ("Et pourquoi ?", "Qu'a-t-il nié ?",
"Et l'autre article ?", "Who said that?") is read with the previous question's topic and article,
and with the person or thing its answer named ("Qui dirige X ?" -> "Pierre Gaudin"; then "Qu'a-t-il
dit ?" is about him); a question that names its own topic starts fresh.

The state is a `Conversation` (plain data), kept per chat by the Telegram layer and per session by
the terminal, and handed back with each question.
"""

from __future__ import annotations

from bot.answering.model import Conversation
from bot.answering.reading import Question
from bot.text import content_words


def follow_up(question: Question, previous: Conversation | None) -> Question:
    """The question, completed from the previous one when it leans on it."""
    if previous is None or not question.leans:
        return question
    question.context_words = [w for w in dict.fromkeys([*previous.words, *previous.answer_words])
                              if w not in question.words]
    question.names |= set(previous.names)  # "Qu'a-t-il dit ?" after "Qui est Paul Martin ?" is about a name
    if question.other_article:
        question.exclude_article = previous.article_id
    else:
        question.article_hint, question.hint_guessed = previous.article_id, previous.article_guessed
    if question.kind is None and not question.words:
        question.kind = previous.kind
    if question.about is None and previous.about and (question.other_article or not question.words):
        question.about = previous.about
    return question


def remember(question: Question, article_id: int | None, short: str | None = None,
             guessed: bool = False) -> Conversation:
    """What the next question may lean on: this one's topic (or the topic it borrowed), its article
    (`guessed`: the article nearest it, when it got no answer), and whom its short answer named when it
    asked who."""
    words = question.words if question.words and not question.leans else [*question.words, *question.context_words]
    named = content_words(short) if short and question.kind == "who" and question.about is None else []
    return Conversation(words=words, kind=question.kind, article_id=article_id, lang=question.lang,
                        about=question.about, answer_words=[w for w in named if w not in words],
                        article_guessed=guessed, names=[w for w in words if w in question.names])

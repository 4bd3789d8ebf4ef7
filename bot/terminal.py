"""The chat in a terminal: the same core and commands as the Telegram bot,
as plain text. Reads standard input line by line, so it works piped too."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

from bot.answering.model import EMPTY, Answer, ArticleRef, Conversation
from bot.knowledge import KnowledgeBase, Summary
from bot.messages import decline_key, source_parts, t

SHOWN_ARGUMENT = 40  # characters of a command's argument repeated in a reply (as the Telegram bot does)


def shown(argument: str) -> str:
    """An argument as a reply repeats it: 5,000 digits make no better "not found" than 40."""
    argument = argument.strip()
    return argument if len(argument) <= SHOWN_ARGUMENT else argument[:SHOWN_ARGUMENT] + "…"


@dataclass
class Session:
    """One terminal chat: what a follow-up question may lean on."""

    conversation: Conversation | None = None


def source_line(article: ArticleRef, lang: str = "fr") -> str:
    return " — ".join(source_parts(article, lang))


def render_answer(answer: Answer, kb: KnowledgeBase) -> str:
    """An answer as plain text, in the language the question was asked in."""
    lang = answer.lang
    if answer.declined == EMPTY:  # greetings, emoji: an example of what to ask
        examples = kb.examples(lang)
        return t("empty_question", lang, example=examples[0] if examples else "?")
    if not answer.answered:
        lines = [t(decline_key(answer), lang)]
        if answer.unknown:
            lines.append(t("unknown_names", lang, names=", ".join(answer.unknown)))
        lines.append(t("can_talk_about", lang))
        lines += [f"  • {a.title}" for a in kb.articles()]
        return "\n".join(lines)
    lines = []
    if answer.short:
        lines.append(answer.short)
    if answer.quote is not None:
        lines.append(f"« {answer.quote.text} »")
    article = answer.quote.article if answer.quote else answer.article
    if article is not None:
        lines.append(f"{t('source', lang)} : {source_line(article, lang)}")
    return "\n".join(lines)


def render_summary(summary: Summary, lang: str = "fr", full: bool = True) -> str:
    lines = [f"[{summary.article.id}] {source_line(summary.article, lang)}"]
    lines += [f"  • {s}" for s in summary.key_sentences]
    if full and summary.headings:
        lines.append(f"  {t('sections', lang)} : " + " / ".join(summary.headings))
    return "\n".join(lines)


def handle_line(kb: KnowledgeBase, line: str, lang: str = "fr", session: Session | None = None) -> str:
    """The reply to one line typed in the terminal; a question may lean on the session's previous one."""
    line = line.strip()
    command, _, argument = line.partition(" ")
    if not line:
        examples = kb.examples(lang)
        return t("empty_question", lang, example=examples[0] if examples else "?")
    if command in ("/help", "/start"):
        return t("help", lang)
    if command == "/articles":
        articles = kb.articles()
        if not articles:
            return t("no_articles", lang)
        return "\n".join([t("articles_header", lang, count=len(articles))]
                         + [f"{a.id}. {source_line(a, lang)}" for a in articles])
    if command == "/summary":
        if argument.strip():
            article = kb.find_article(argument)
            summary = kb.summary(article.id, count=3) if article else None
            if summary is None:
                return t("summary_not_found", lang, ref=shown(argument), count=len(kb.articles()))
            return render_summary(summary, lang)
        parts = [render_summary(s, lang, full=False) for s in kb.summaries(count=2)]
        return "\n\n".join([f"{t('digest', lang)} : {kb.digest()}", *parts])
    if command == "/quote":
        if not argument.strip():
            return t("quote_usage", lang)
        quotes = kb.quotes(argument)
        if not quotes:
            return t("quote_none", lang, words=shown(argument))
        return "\n".join(f"« {q.text} » — {q.article.title}" for q in quotes)
    if command.startswith("/"):
        return t("unknown_command", lang)
    session = session or Session()
    answer = kb.ask(line, conversation=session.conversation)
    session.conversation = answer.conversation
    return render_answer(answer, kb)


def chat(kb: KnowledgeBase, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    """Read questions until end of input; a prompt is shown only to a person at a terminal."""
    interactive = stdin.isatty()
    session = Session()
    print(t("terminal_intro", count=len(kb.articles())), file=stdout)
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        if line.strip() in ("/quit", "/exit"):
            break
        print(handle_line(kb, line, session=session), file=stdout, flush=True)
        if not interactive:
            print(file=stdout)
    if interactive:
        print(t("bye"), file=stdout)

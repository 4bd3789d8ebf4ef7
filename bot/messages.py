"""Every sentence the bot says to a person, in French and English.

Handlers and the terminal chat ask for a key and a language; French is the
default, English is used when the person's language code starts with "en".
Placeholders are filled with str.format; callers escape values for HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.answers import ArticleRef

MESSAGES: dict[str, dict[str, str]] = {
    "welcome": {
        "fr": "Bonjour ! Je réponds aux questions sur {count} article(s) d'actualité, avec la citation exacte "
              "et sa source.\nPosez une question en toutes lettres, par exemple :",
        "en": "Hello! I answer questions about {count} news article(s), with the exact quote and its source.\n"
              "Ask a question in plain words, for example:",
    },
    "help": {
        "fr": "Posez une question en toutes lettres : je réponds par la phrase exacte de l'article et sa source.\n"
              "/articles — la liste des articles\n/summary — le résumé de chaque article\n"
              "/summary N ou /summary mot-clé — un article en détail\n"
              "/quote mots… — les phrases qui contiennent ces mots\n/source — d'où vient la dernière réponse\n"
              "/help — cette aide",
        "en": "Ask a question in plain words: I answer with the exact sentence from the article and its source.\n"
              "/articles — list of articles\n/summary — a summary of each article\n"
              "/summary N or /summary keyword — one article in detail\n"
              "/quote words… — sentences containing those words\n/source — where the last answer came from\n"
              "/help — this help",
    },
    "not_found": {
        "fr": "Je n'ai rien trouvé dans les articles qui réponde à cette question.",
        "en": "I found nothing in the articles that answers this question.",
    },
    "unknown_names": {
        "fr": "Les articles ne parlent pas de {names}.",
        "en": "The articles do not mention {names}.",
    },
    "can_talk_about": {
        "fr": "Je peux parler de :",
        "en": "I can talk about:",
    },
    "empty_question": {
        "fr": "Posez-moi une question sur les articles, par exemple : « {example} »",
        "en": "Ask me a question about the articles, for example: “{example}”",
    },
    "source": {"fr": "Source", "en": "Source"},
    "by": {"fr": "par", "en": "by"},
    "no_articles": {
        "fr": "Aucun article n'est chargé pour l'instant.",
        "en": "No article is loaded yet.",
    },
    "articles_header": {"fr": "Articles ({count}) :", "en": "Articles ({count}):"},
    "summary_not_found": {
        "fr": "Je ne trouve pas d'article « {ref} ». Tapez /articles pour la liste (numéros 1 à {count}).",
        "en": "I can't find an article “{ref}”. Type /articles for the list.",
    },
    "digest": {"fr": "En bref", "en": "In short"},
    "key_points": {"fr": "L'essentiel", "en": "Key points"},
    "sections": {"fr": "Rubriques", "en": "Sections"},
    "quote_usage": {
        "fr": "Donnez des mots à chercher, par exemple : /quote licenciement",
        "en": "Give words to look for, for example: /quote layoffs",
    },
    "quote_none": {
        "fr": "Aucune phrase ne contient « {words} ».",
        "en": "No sentence contains “{words}”.",
    },
    "no_last_answer": {
        "fr": "Je n'ai pas encore répondu à une question ici.",
        "en": "I haven't answered a question here yet.",
    },
    "other_answer": {"fr": "Autre réponse", "en": "Other answer"},
    "context": {"fr": "Contexte", "en": "Context"},
    "answer_expired": {
        "fr": "Cette réponse n'est plus disponible : reposez la question.",
        "en": "This answer is no longer available: please ask again.",
    },
    "unsupported_message": {
        "fr": "Je ne lis que le texte : posez votre question par écrit.",
        "en": "I only read text: please type your question.",
    },
    "too_long": {
        "fr": "Votre message est très long : je n'en lis que le début.",
        "en": "Your message is very long: I only read its beginning.",
    },
    "unknown_command": {
        "fr": "Je ne connais pas cette commande. Tapez /help pour la liste.",
        "en": "I don't know that command. Type /help for the list.",
    },
    "error": {
        "fr": "Désolé, un problème est survenu. Réessayez dans un instant.",
        "en": "Sorry, something went wrong. Please try again in a moment.",
    },
    "bye": {"fr": "Au revoir !", "en": "Goodbye!"},
    "terminal_intro": {
        "fr": "Chat sur {count} article(s). Posez une question, ou /help. Ctrl-D pour quitter.",
        "en": "Chat over {count} article(s). Ask a question, or /help. Ctrl-D to quit.",
    },
}

COMMAND_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "start": {"fr": "Présentation et exemples", "en": "Introduction and examples"},
    "help": {"fr": "Comment me poser une question", "en": "How to ask me a question"},
    "articles": {"fr": "Liste des articles", "en": "List of articles"},
    "summary": {"fr": "Résumé des articles (ou /summary N)", "en": "Article summaries (or /summary N)"},
    "quote": {"fr": "Phrases contenant des mots", "en": "Sentences containing words"},
    "source": {"fr": "Source de la dernière réponse", "en": "Source of the last answer"},
}


def language(code: str | None) -> str:
    """'en' for English-speaking users, otherwise 'fr'."""
    return "en" if (code or "").lower().startswith("en") else "fr"


def t(key: str, lang: str = "fr", **values: object) -> str:
    """The message `key` in `lang` (French if missing), with placeholders filled."""
    entry = MESSAGES[key]
    return entry.get(lang, entry["fr"]).format(**values)


def source_parts(article: ArticleRef, lang: str = "fr") -> list[str]:
    """Title, "par Author" and date of an article, as far as they are known (unescaped)."""
    parts = [article.title]
    if article.author:
        parts.append(f"{t('by', lang)} {article.author}")
    if article.date:
        parts.append(article.date)
    return parts

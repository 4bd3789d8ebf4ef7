"""Every sentence the bot says to a person, in French and English.

Handlers and the terminal chat ask for a key and a language; French is the
default, English is used when the person's language code starts with "en".
Placeholders are filled with str.format; callers escape values for HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.answering.model import Answer, ArticleRef

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
              "/subscribe [mots-clés] [-exclus] — alertes sur les nouveaux articles (/unsubscribe, /subscriptions, "
              "/digest HH:MM, /pause, /resume)\n"
              "/help — cette aide",
        "en": "Ask a question in plain words: I answer with the exact sentence from the article and its source.\n"
              "/articles — list of articles\n/summary — a summary of each article\n"
              "/summary N or /summary keyword — one article in detail\n"
              "/quote words… — sentences containing those words\n/source — where the last answer came from\n"
              "/subscribe [keywords] [-excluded] — alerts on new articles (/unsubscribe, /subscriptions, "
              "/digest HH:MM, /pause, /resume)\n"
              "/help — this help",
    },
    "not_found": {
        "fr": "Je n'ai rien trouvé dans les articles qui réponde à cette question.",
        "en": "I found nothing in the articles that answers this question.",
    },
    "off_topic": {
        "fr": "Les articles ne parlent pas de cela.",
        "en": "The articles do not talk about that.",
    },
    "verdict_oui": {"fr": "Oui", "en": "Yes"},
    "verdict_non": {"fr": "Non", "en": "No"},
    "verdict_unsettled": {"fr": "Les articles ne le disent pas", "en": "The articles do not say"},
    "about_no_author": {"fr": "L'article ne donne pas d'auteur", "en": "The article gives no author"},
    "about_no_date": {"fr": "L'article ne donne pas de date", "en": "The article gives no date"},
    "about_no_site": {
        "fr": "L'article ne nomme pas sa publication : « {title} »",
        "en": "The article does not name its publication: “{title}”",
    },
    "about_count": {"fr": "{count} article(s) : {titles}", "en": "{count} article(s): {titles}"},
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
    # Subscriptions and alerts
    "subscribed_all": {
        "fr": "Abonnement activé : ce chat sera prévenu de chaque nouvel article.",
        "en": "Subscribed: this chat will be told about every new article.",
    },
    "subscribed_keywords": {
        "fr": "Abonnement activé : ce chat sera prévenu des nouveaux articles qui parlent de : {keywords}.",
        "en": "Subscribed: this chat will be told about new articles on: {keywords}.",
    },
    "keywords_capped": {
        "fr": "Au plus {max} mots-clés par chat : {dropped} n'a pas été ajouté.",
        "en": "At most {max} keywords per chat: {dropped} was not added.",
    },
    "no_usable_keywords": {
        "fr": "Je ne trouve pas de mot-clé utilisable ici. Exemple : /subscribe panne licenciement",
        "en": "I can't find a usable keyword here. Example: /subscribe outage layoffs",
    },
    "unsubscribed": {
        "fr": "Abonnement arrêté : plus d'alertes dans ce chat.",
        "en": "Unsubscribed: no more alerts in this chat.",
    },
    "keywords_removed": {"fr": "Mots-clés retirés.", "en": "Keywords removed."},
    "not_subscribed": {
        "fr": "Ce chat n'est abonné à rien. /subscribe pour être prévenu des nouveaux articles.",
        "en": "This chat has no subscription. /subscribe to be told about new articles.",
    },
    "status_all": {"fr": "Abonnement : tous les nouveaux articles.", "en": "Subscription: every new article."},
    "status_keywords": {"fr": "Mots-clés suivis : {keywords}.", "en": "Keywords followed: {keywords}."},
    "status_excluded": {
        "fr": "Sauf les articles qui parlent de : {keywords}.",
        "en": "Except articles about: {keywords}.",
    },
    "status_instant": {"fr": "Mode : alerte dès la publication.", "en": "Mode: alert on publication."},
    "status_digest": {
        "fr": "Mode : un digest par jour à {time} ({zone}).",
        "en": "Mode: one digest a day at {time} ({zone}).",
    },
    "status_paused": {"fr": "En pause : /resume pour reprendre.", "en": "Paused: /resume to resume."},
    "status_inactive": {
        "fr": "Inactif (le bot avait été retiré ou bloqué) : /subscribe pour reprendre.",
        "en": "Inactive (the bot was removed or blocked): /subscribe to start again.",
    },
    "digest_set": {
        "fr": "Un digest par jour à {time} ({zone}) remplace les alertes immédiates. /digest off pour revenir.",
        "en": "One digest a day at {time} ({zone}) replaces instant alerts. /digest off to go back.",
    },
    "digest_off": {"fr": "Retour aux alertes immédiates.", "en": "Back to instant alerts."},
    "digest_usage": {
        "fr": "Donnez une heure, par exemple /digest 08:30, ou /digest off.",
        "en": "Give a time of day, for example /digest 08:30, or /digest off.",
    },
    "paused": {
        "fr": "Alertes en pause. Les articles publiés pendant la pause ne seront pas annoncés (voir /articles). "
              "/resume pour reprendre.",
        "en": "Alerts paused. Articles published meanwhile will not be announced (see /articles). "
              "/resume to resume.",
    },
    "resumed": {"fr": "Alertes reprises.", "en": "Alerts resumed."},
    "admins_only": {
        "fr": "Seuls les administrateurs du groupe peuvent changer ses abonnements.",
        "en": "Only the group's administrators can change its subscriptions.",
    },
    "admin_check_failed": {
        "fr": "Je n'ai pas pu vérifier vos droits d'administrateur. Réessayez dans un instant.",
        "en": "I couldn't check your administrator rights. Please try again in a moment.",
    },
    "hello_group": {
        "fr": "Bonjour ! Je réponds aux questions sur les articles quand on me mentionne ou qu'on répond à "
              "mes messages. Un administrateur peut abonner ce groupe aux nouveaux articles : /subscribe "
              "(tous) ou /subscribe mots-clés. /help pour le reste.",
        "en": "Hello! I answer questions about the articles when mentioned or replied to. An administrator "
              "can subscribe this group to new articles: /subscribe (all) or /subscribe keywords. "
              "/help for the rest.",
    },
    "alert_header": {"fr": "🆕 Nouvel article", "en": "🆕 New article"},
    "alert_matched": {"fr": "Vos mots-clés : {keywords}", "en": "Your keywords: {keywords}"},
    "digest_header": {"fr": "🗞 Digest : {count} nouvel(s) article(s)", "en": "🗞 Digest: {count} new article(s)"},
    "digest_more": {"fr": "… et {count} autre(s) : /articles", "en": "… and {count} more: /articles"},
    "full_summary": {"fr": "Résumé complet", "en": "Full summary"},
    "article_gone": {"fr": "Cet article n'existe plus.", "en": "This article no longer exists."},
    # Channels linked by an operator (handlers/subscriptions.py)
    "channel_operators_only": {
        "fr": "Seuls les opérateurs du bot relient un canal, depuis leur conversation privée avec le bot.",
        "en": "Only the bot's operators link a channel, from their private chat with the bot.",
    },
    "channel_not_found": {
        "fr": "Je ne trouve pas le canal {name} : vérifiez son nom (@nom public) ou donnez son identifiant "
              "(-100…) si le canal est privé.",
        "en": "I can't find the channel {name}: check its name (public @name) or give its id (-100…) "
              "if the channel is private.",
    },
    "not_a_channel": {
        "fr": "{name} n'est pas un canal : dans un groupe, lancez /subscribe depuis le groupe lui-même.",
        "en": "{name} is not a channel: for a group, send /subscribe in the group itself.",
    },
    "channel_not_admin": {
        "fr": "Je ne suis pas administrateur de {name} avec le droit de publier des messages. Ajoutez-moi "
              "comme administrateur du canal (« Publier des messages »), puis recommencez.",
        "en": "I am not an administrator of {name} allowed to post messages. Add me as an administrator "
              "of the channel (“Post messages”), then try again.",
    },
    "link_usage": {
        "fr": "Donnez le canal : /link @canal (ou son identifiant -100…). Je dois en être administrateur.",
        "en": "Name the channel: /link @channel (or its id -100…). I must be one of its administrators.",
    },
    "channel_linked": {
        "fr": "Canal relié : les alertes y seront publiées. /subscribe @canal mots-clés pour choisir.",
        "en": "Channel linked: alerts will be posted there. /subscribe @channel keywords to choose.",
    },
    "channel_named": {"fr": "Canal « {title} » :", "en": "Channel “{title}”:"},
    "summary_in_private": {
        "fr": "Pour le résumé complet, écrivez-moi en privé (@{bot}) : /summary {number}",
        "en": "For the full summary, write to me in private (@{bot}): /summary {number}",
    },
    # Articles sent to the bot as documents
    "upload_operators_only": {
        "fr": "Seuls les opérateurs du bot peuvent ajouter des articles. Posez plutôt une question par écrit.",
        "en": "Only the bot's operators can add articles. Ask a question in writing instead.",
    },
    "upload_bad_type": {
        "fr": "Envoyez l'article en fichier .txt, .md ou .html.",
        "en": "Send the article as a .txt, .md or .html file.",
    },
    "upload_too_big": {
        "fr": "Ce fichier est trop gros (au plus {limit} Mo).",
        "en": "This file is too big (at most {limit} MB).",
    },
    "upload_failed": {
        "fr": "Je n'ai pas pu télécharger ce fichier. Réessayez dans un instant.",
        "en": "I couldn't download this file. Please try again in a moment.",
    },
    # Operators' commands (handlers/admin.py)
    "operators_only": {
        "fr": "Cette commande est réservée aux opérateurs du bot, en conversation privée.",
        "en": "This command is for the bot's operators, in a private chat.",
    },
    "stats": {
        "fr": "📊 Statistiques\nArticles : {articles} en ligne, {retired} retiré(s)\n"
              "Chats : {chats}, dont {subscribed} abonné(s) aux alertes\n"
              "Questions : {today} aujourd'hui, {week} sur 7 jours\n"
              "Réponses trouvées : {share} ; délai médian : {median}\n"
              "Alertes : {sent} envoyée(s), {pending} en attente, {failed} en échec",
        "en": "📊 Statistics\nArticles: {articles} live, {retired} retired\n"
              "Chats: {chats}, {subscribed} of them subscribed to alerts\n"
              "Questions: {today} today, {week} over 7 days\n"
              "Answered: {share}; median reply time: {median}\n"
              "Alerts: {sent} sent, {pending} pending, {failed} failed",
    },
    "unanswered_header": {
        "fr": "Questions restées sans réponse, les plus fréquentes (30 derniers jours) :",
        "en": "Most frequent questions left unanswered (last 30 days):",
    },
    "unanswered_none": {
        "fr": "Aucune question restée sans réponse ces 30 derniers jours.",
        "en": "No question left unanswered in the last 30 days.",
    },
    "unanswered_off": {
        "fr": "Le texte des questions n'est pas conservé (BOT_LOG_QUESTIONS=0).",
        "en": "The text of questions is not kept (BOT_LOG_QUESTIONS=0).",
    },
    "forget_usage": {
        "fr": "Donnez le numéro de l'article (voir /articles), par exemple : /forget 3",
        "en": "Give the article's number (see /articles), for example: /forget 3",
    },
    "restore_usage": {
        "fr": "Donnez le numéro d'un article retiré, par exemple : /restore 3",
        "en": "Give the number of a retired article, for example: /restore 3",
    },
    "retired_list": {"fr": "Articles retirés :", "en": "Retired articles:"},
    "no_retired": {"fr": "Aucun article n'est retiré.", "en": "No article is retired."},
    "no_such_article": {
        "fr": "Il n'y a pas d'article n° {number}.",
        "en": "There is no article number {number}.",
    },
    "forgotten": {
        "fr": "Article {number} retiré : « {title} ». Je n'en parle plus et n'envoie plus d'alerte à son sujet ; "
              "/restore {number} pour le rétablir.",
        "en": "Article {number} retired: “{title}”. I no longer answer from it or send alerts about it; "
              "/restore {number} brings it back.",
    },
    "already_forgotten": {
        "fr": "L'article {number} « {title} » est déjà retiré.",
        "en": "Article {number} “{title}” is already retired.",
    },
    "restored": {
        "fr": "Article {number} rétabli : « {title} ».",
        "en": "Article {number} restored: “{title}”.",
    },
    "not_forgotten": {
        "fr": "L'article {number} « {title} » n'est pas retiré.",
        "en": "Article {number} “{title}” is not retired.",
    },
    "terminal_intro": {
        "fr": "Chat sur {count} article(s). Posez une question, ou /help. Ctrl-D pour quitter.",
        "en": "Chat over {count} article(s). Ask a question, or /help. Ctrl-D to quit.",
    },
    # Fair service (handlers/fairness.py) and buttons that no longer mean anything (handlers/buttons.py)
    "not_allowed": {
        "fr": "Ce bot est réservé à certaines conversations, et celle-ci n'en fait pas partie. "
              "Demandez à son administrateur de l'ajouter.",
        "en": "This bot serves only some chats, and this one is not among them. Ask its operator to add it.",
    },
    "not_allowed_group": {
        "fr": "Ce bot est réservé à certaines conversations, et ce groupe n'en fait pas partie : je le quitte. "
              "Demandez à son administrateur de l'ajouter.",
        "en": "This bot serves only some chats, and this group is not among them, so I am leaving. "
              "Ask its operator to add it.",
    },
    "slow_down": {
        "fr": "Doucement : vous m'écrivez trop vite, je laisse vos messages de côté quelques secondes.",
        "en": "Easy: you are writing too fast, so I am setting your messages aside for a few seconds.",
    },
    "button_unknown": {
        "fr": "Ce bouton n'est plus valable : reposez la question.",
        "en": "This button is no longer valid: please ask again.",
    },
}

COMMAND_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "start": {"fr": "Présentation et exemples", "en": "Introduction and examples"},
    "help": {"fr": "Comment me poser une question", "en": "How to ask me a question"},
    "articles": {"fr": "Liste des articles", "en": "List of articles"},
    "summary": {"fr": "Résumé des articles (ou /summary N)", "en": "Article summaries (or /summary N)"},
    "quote": {"fr": "Phrases contenant des mots", "en": "Sentences containing words"},
    "source": {"fr": "Source de la dernière réponse", "en": "Source of the last answer"},
    "subscribe": {"fr": "Alertes sur les nouveaux articles [mots-clés] [-exclus]",
                  "en": "Alerts on new articles [keywords] [-excluded]"},
    "link": {"fr": "Relier un canal aux alertes : /link @canal", "en": "Link a channel to alerts: /link @channel"},
    "unsubscribe": {"fr": "Retirer des mots-clés, ou all", "en": "Remove keywords, or all"},
    "subscriptions": {"fr": "Abonnement de ce chat", "en": "This chat's subscription"},
    "digest": {"fr": "Un digest par jour à HH:MM (ou off)", "en": "One digest a day at HH:MM (or off)"},
    "pause": {"fr": "Suspendre les alertes", "en": "Pause alerts"},
    "resume": {"fr": "Reprendre les alertes", "en": "Resume alerts"},
    "stats": {"fr": "Statistiques (opérateurs)", "en": "Statistics (operators)"},
    "unanswered": {"fr": "Questions restées sans réponse", "en": "Questions left unanswered"},
    "forget": {"fr": "Retirer l'article N", "en": "Retire article N"},
    "restore": {"fr": "Rétablir l'article N", "en": "Restore article N"},
}


def language(code: str | None) -> str:
    """'en' for English-speaking users, otherwise 'fr'."""
    return "en" if (code or "").lower().startswith("en") else "fr"


def t(key: str, lang: str = "fr", **values: object) -> str:
    """The message `key` in `lang` (French if missing), with placeholders filled."""
    entry = MESSAGES[key]
    return entry.get(lang, entry["fr"]).format(**values)


MONTH_NAMES = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def format_date(iso: str, lang: str = "fr") -> str:
    """'2024-03-14' as '14 mars 2024' or 'March 14, 2024'; anything else unchanged."""
    try:
        year, month, day = (int(part) for part in iso.split("-"))
        name = MONTH_NAMES[lang if lang in MONTH_NAMES else "fr"][month - 1]
    except (ValueError, IndexError):
        return iso
    return f"{name} {day}, {year}" if lang == "en" else f"{day} {name} {year}"


def decline_key(answer: Answer) -> str:
    """The message that says why a question got no quote."""
    return "off_topic" if answer.declined == "off_topic" else "not_found"


def source_parts(article: ArticleRef, lang: str = "fr") -> list[str]:
    """Title, "par Author" and date of an article, as far as they are known (unescaped)."""
    parts = [article.title]
    if article.author:
        parts.append(f"{t('by', lang)} {article.author}")
    if article.date:
        parts.append(article.date)
    return parts

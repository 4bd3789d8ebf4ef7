"""Site chrome is recognised by its shape on any site, and real sentences stay.

Every line here is made up (none comes from the seeds): chrome in the styles of several
kinds of news sites, French and English, and real sentences chosen to resemble chrome
(cookies, imperatives in quotes, "abonnés", short sentences, social networks).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.articles import chrome_reason, parse, parse_byline, parse_bytes
from bot.ingest import prepare

RELATED = [
    "Lire aussi : Le nouveau stade ouvrira en 2025",
    "LIRE AUSSI >> Les commerçants du centre-ville inquiets",
    "À lire aussi : Comment la ville prépare l'hiver",
    "A LIRE AUSSI : Les agriculteurs bloquent l'autoroute",
    "Lire également : Le plan vélo de la métropole",
    "Lire aussi Le maire présente son budget",
    "► À lire : Pourquoi les loyers flambent",
    "À voir aussi",
    "Sur le même sujet",
    "Dans la même rubrique",
    "Vous aimerez aussi",
    "Les plus lus",
    "À la une",
    "Pour aller plus loin : Notre enquête sur les loyers",
    "VIDÉO. Les images de la tempête",
    "VIDEO - Les images du carambolage",
    "EN IMAGES. La fête des lumières illumine la ville",
    "INFOGRAPHIE. Le prix de l'essence depuis 2010",
    "PODCAST. L'histoire secrète du métro",
    "REPLAY - Revivez le match en intégralité",
    "DIRECT. Suivez la soirée électorale",
    "ENQUÊTE : Les dessous d'un marché opaque",
    "Diaporama : 12 photos",
    "→ Le nouveau stade ouvrira en 2025",
    ">> Retrouvez notre dossier sur les retraites",
    "Économie | La Bourse de Paris termine en hausse",
    "Sport » Le club local s'impose à domicile",
    "Accueil > Économie > Entreprises",
    "Accueil / Société / Justice",
    "Tags : économie, retraites, réforme",
    "Mots-clés : football, Ligue 1",
    "Read more: How the city is preparing for winter",
    "RELATED: Council approves new stadium",
    "Related Topics",
    "See also",
    "Read next",
    "Most Read",
    "Don't miss",
    "Tags: Politics, Elections",
    "LIRE AUSSI. Le gouvernement présente son plan eau",
    "À découvrir également",
    "Voir aussi : Les chiffres clés de la rentrée",
    "À suivre : Le match en direct dès 21 heures",
    "En continu",
    "Notre dossier spécial",
    "Nos articles sur le sujet",
    "Trending",
    "More stories",
    "Recommended",
]

CALLS_TO_ACTION = [
    "Partager",
    "Partager :",
    "Partager sur Facebook",
    "Partager via WhatsApp",
    "Partagez",
    "Partagez cet article :",
    "Commenter cet article",
    "Commentez",
    "Réagir",
    "Réagissez",
    "Imprimer",
    "Imprimer l'article",
    "Envoyer par e-mail",
    "Envoyer à un ami",
    "Lire la suite",
    "Lire plus tard",
    "Voir la vidéo",
    "Écouter le podcast",
    "Écouter cet article",
    "Offrir cet article",
    "Copier le lien",
    "Ajouter à mes favoris",
    "Laisser un commentaire",
    "Voir les 12 commentaires",
    "Signaler une erreur",
    "Signaler un abus",
    "Retour en haut de page",
    "S'abonner",
    "Se connecter",
    "Mon compte",
    "Faire un don",
    "Tout accepter",
    "Continuer sans accepter",
    "Gérer mes cookies",
    "Paramétrer les cookies",
    "Accepter les cookies",
    "Abonnez-vous",
    "Abonnez-vous à notre newsletter pour ne rien manquer",
    "Inscrivez-vous gratuitement !",
    "Inscrivez-vous à la newsletter Sport",
    "Suivez-nous sur Instagram",
    "Rejoignez-nous sur WhatsApp",
    "Retrouvez-nous sur Facebook",
    "Téléchargez notre application.",
    "Téléchargez l'application",
    "Retrouvez tous nos articles sur la réforme",
    "Recevez nos alertes",
    "Recevez chaque matin l'essentiel de l'actualité",
    "Découvrez nos offres d'abonnement",
    "Découvrez l'offre numérique à 1 € le premier mois",
    "Activez les notifications",
    "Cliquez ici pour recevoir nos alertes",
    "Contactez la rédaction",
    "Devenez membre",
    "Soutenez une rédaction indépendante",
    "Veuillez activer JavaScript dans votre navigateur.",
    "Pour lire la suite, abonnez-vous",
    "Vous souhaitez réagir ? Connectez-vous",
    "Share this article",
    "Share on Facebook",
    "Email this story",
    "Print this page",
    "Subscribe",
    "Sign up",
    "Sign in to comment",
    "Follow us on Twitter",
    "Sign up for our daily newsletter",
    "Get our newsletter",
    "Support our journalism",
    "Click here to read the full story",
    "Listen to this article",
    "Copy link",
    "Leave a reply",
    "Lire la suite de l'article",
    "Retrouvez l'intégralité de notre dossier",
    "Consultez notre guide pratique",
    "Réagissez à cet article",
    "Donnez votre avis",
    "Partager l'article",
    "Envoyer",
    "Suivre",
    "Sauvegarder",
    "Ouvrir dans l'application",
    "Signalez un contenu",
    "Connectez-vous pour commenter",
    "Testez gratuitement pendant 30 jours",
    "Abonnez-vous dès 1 €",
    "Profitez de notre offre de bienvenue",
    "Je m'abonne",
    "Je m'inscris",
    "J'accepte",
    "Créer un compte",
    "Share",
    "Follow",
    "Sign up for free",
    "Continue reading",
    "Read the full article",
    "Get the app",
    "Watch now",
    "Subscribe for $1",
    "Register to read more",
]

ABOUT_THE_SITE = [
    "Nous utilisons des cookies pour améliorer votre expérience",
    "En poursuivant votre navigation, vous acceptez l'utilisation de cookies.",
    "Nous respectons votre vie privée",
    "Ce site utilise des traceurs pour mesurer l'audience.",
    "Cet article est réservé à nos abonnés",
    "Article réservé aux abonnés",
    "Contenu réservé aux abonnés",
    "Réservé aux abonnés",
    "Accès abonné",
    "Il vous reste 80 % de cet article à lire.",
    "Déjà abonné ? Connectez-vous",
    "Pour continuer à lire cet article, connectez-vous",
    "Cet article est en accès libre",
    "Cet article vous est offert",
    "Cet article vous a été offert par un abonné",
    "Vous lisez un article gratuit",
    "Vous avez aimé cet article ? Partagez-le !",
    "Cet article a été mis à jour.",
    "Temps de lecture : 3 min",
    "Temps de lecture 2 minutes",
    "Lecture : 4 min",
    "3 min de lecture",
    "12 commentaires",
    "2 réactions",
    "Votre adresse e-mail ne sera pas publiée.",
    "Les champs obligatoires sont indiqués avec *",
    "Tous droits réservés",
    "Publicité",
    "Publicité - La suite ci-dessous",
    "Suite de l'article ci-dessous",
    "L'article continue ci-dessous",
    "Contenu sponsorisé",
    "Propulsé par WordPress",
    "Publié dans Économie",
    "Newsletter",
    "Nos newsletters",
    "Newsletter Info locale",
    "Facebook Twitter LinkedIn E-mail",
    "Twitter",
    "WhatsApp",
    "We use cookies to improve your experience on our site.",
    "This article is more than 2 years old",
    "Subscribers only",
    "Already a subscriber? Log in",
    "You have 2 free articles remaining",
    "5 min read",
    "Advertisement",
    "Story continues below advertisement",
    "Déjà inscrit ?",
    "Mot de passe oublié ?",
    "Vos préférences de confidentialité",
    "Ce contenu est bloqué car vous n'avez pas accepté les cookies.",
    "Pour afficher ce contenu, autorisez les cookies",
    "Article abonné",
    "8 partages",
    "1 200 vues",
    "Comments",
    "This story has been updated.",
]

CREDITS = [
    "Photo : AFP / Jean Dupont",
    "Photo Maxppp",
    "PHOTO AFP",
    "(Photo AFP)",
    "Photo d'illustration",
    "Photo : archives Le Journal",
    "© Maxppp",
    "© Photo AFP",
    "© 2024 Le Journal du Centre. Tous droits réservés",
    "Crédit photo : Marie Lenoir",
    "Crédits : Shutterstock",
    "Crédit : DR",
    "AFP / Jean Dupont",
    "Reuters/John Smith",
    "Illustration : Getty Images",
    "Illustration Shutterstock",
    "Capture d'écran Twitter",
    "Source : Insee",
    "Sources : Insee, Dares",
    "(AP Photo/Jane Doe)",
    "Photo: AP",
    "Credit: Reuters",
    "Photograph: Jane Doe/The Guardian",
    "Image source, Getty Images",
    "Image caption, The storm hit the coast on Monday",
    "Photo Jean Dupont",
    "© DR",
    "Crédit : Ville de Nantes",
    "Photo illustration Adobe Stock",
    "Photos : Marie Lenoir",
    "Illustration Pixabay",
    "Capture d'écran BFMTV",
    "(Reuters)",
    "Photo by Jane Doe on Unsplash",
]

MARKUP = [
    '<div class="share-buttons">',
    '<div class="related',
    '<p class="caption">',
    "</p><p>",
    "{{ article.author }}",
    "{% include 'ads.html' %}",
    "&nbsp;",
    "&lt;div&gt;",
    "https://www.exemple.fr/article/123",
    "* * *",
    "1/5",
    "<br />",
    "<!-- pub -->",
    "[[Image:carte.png]]",
]

# Real sentences that look like chrome in one way or another: all must stay.
REAL = [
    "La biscuiterie a vendu 2 millions de cookies en 2023.",
    "Cookies, gâteaux et viennoiseries : la boulangerie a tout vendu en une heure.",
    "Les cookies tiers seront supprimés du navigateur Chrome en 2025.",
    "« Partagez vos idées », a lancé la maire.",
    "« Abonnez-vous à la piscine, c'est moins cher », conseille le directeur.",
    "« Retrouvez-nous samedi devant la mairie », a écrit le collectif.",
    "Abonnez-vous, qu'ils disaient : le slogan a fait sourire les internautes.",
    "Écoutez bien, a prévenu le professeur avant de commencer.",
    "Cliquez, payez, recevez : le commerce en ligne a changé nos habitudes.",
    "Le maire a démissionné.",
    "Elle a refusé.",
    "Trop vite peut-être.",
    "Pensez à vous munir de votre pièce d'identité.",
    "Notez que la mairie sera fermée lundi.",
    "Rendez-vous sur le site de la préfecture pour vérifier votre éligibilité.",
    "Votre enfant a de la fièvre ? Consultez un médecin.",
    "Vérifiez vos relevés bancaires chaque mois, recommande la banque.",
    "Si vous êtes client de Free, changez votre mot de passe.",
    "Vous êtes abonné à Canal+ ? Le prix va augmenter en janvier.",
    "Vous avez jusqu'au 31 mai pour déclarer vos revenus.",
    "Votre navigateur vous protège mal, selon une étude de l'UFC-Que Choisir.",
    "Suivez le guide : la visite commence à 10 heures devant l'église.",
    "Retrouvez le plaisir de lire, tel est le slogan de la campagne.",
    "Devenez pompier volontaire : le département lance une campagne de recrutement.",
    "La newsletter de Substack compte 2 millions d'abonnés.",
    "La newsletter du ministère a été envoyée par erreur à 10 000 personnes.",
    "Le journal compte 200 000 abonnés, selon ses chiffres.",
    "Les abonnés du club pourront assister au match gratuitement.",
    "La tribune est réservée aux abonnés du club.",
    "Tous les abonnés recevront un remboursement partiel.",
    "Abonné depuis trente ans, il a résilié son contrat.",
    "Le club a revu ses tarifs d'abonnement pour la saison prochaine.",
    "Pour lire la suite de l'enquête, il faudra attendre le mois prochain.",
    "Le site archéologique a été découvert en 1990.",
    "Ce site archéologique attire 10 000 visiteurs par an.",
    "L'accès au site sera fermé au public pendant les travaux.",
    "Cet article de loi permet au gouvernement de passer outre le vote.",
    "Lire est devenu un luxe pour les étudiants, selon l'enquête.",
    "Lire aussi le rapport de la Cour des comptes, publié mardi.",
    "Partager les richesses reste l'objectif affiché du syndicat.",
    "Réagir vite est essentiel en cas d'AVC, rappellent les médecins.",
    "Commenter l'actualité n'est pas la juger, estime l'éditorialiste.",
    "Imprimer des billets coûte cher à la Banque de France.",
    "Le ministre a imprimé sa marque sur la réforme.",
    "La mairie propose aux habitants de réagir jusqu'au 15 mai.",
    "Les lecteurs peuvent réagir en ligne jusqu'à vendredi.",
    "En savoir plus sur la maladie permet de mieux la prévenir, selon l'association.",
    "Sur le même sujet, le ministre est resté silencieux.",
    "Les photos ont circulé sur les réseaux sociaux dès mardi soir.",
    "Photos et vidéos ont circulé sur les réseaux sociaux.",
    "Photo de famille pour les dirigeants du G7 à Rome.",
    "La photo a été prise le 3 mars.",
    "Une photo du suspect a été diffusée par la police.",
    "Une vidéo montre les secours en action.",
    "La vidéo a été vue 3 millions de fois sur YouTube.",
    "VIDÉO. Les images de la tempête ont été vues 2 millions de fois.",
    "Le podcast a été écouté plus d'un million de fois.",
    "Les notifications de l'application ont été désactivées par erreur.",
    "Téléchargée 2 millions de fois, l'application a séduit les jeunes.",
    "La source de la rivière est polluée depuis mars.",
    "Les sources policières évoquent un règlement de comptes.",
    "Le crédit immobilier reste cher, selon les courtiers.",
    "Selon nos informations, le projet sera abandonné.",
    "Nos confrères du Parisien ont révélé l'affaire.",
    "Nous avons contacté la mairie, qui n'a pas répondu.",
    "Notre pays traverse une crise, a dit le Premier ministre.",
    "Nous ne lâcherons rien, ont répété les grévistes.",
    "Le temps de lecture moyen d'un rapport parlementaire dépasse trois heures, selon l'étude.",
    "Deux minutes de lecture suffisent pour comprendre le texte, selon ses auteurs.",
    "Les commentaires du ministre ont provoqué la colère des syndicats.",
    "Les commentaires racistes ont été signalés à la justice.",
    "Il n'y a aucun commentaire à faire, a dit le préfet.",
    "Facebook a annoncé 3 000 suppressions de postes.",
    "Le réseau social X a perdu 15 % de ses utilisateurs en un an.",
    "Twitter est devenu X en juillet 2023.",
    "Twitter a suspendu le compte du président.",
    "Le tweet a été partagé 10 000 fois.",
    "La publicité pour l'alcool est interdite dans les stades.",
    "Accès libre aux musées le premier dimanche du mois : la mesure est prolongée.",
    "Le don de sang reste insuffisant cet été.",
    "En direct de l'Élysée, le président a annoncé sa démission.",
    "Analyse des résultats : le parti perd 12 sièges.",
    "Direct : la maire a pris la parole à 18 heures.",
    "A Paris, les loyers ont augmenté de 3 % en un an.",
    "Les agriculteurs ont bloqué l'autoroute pendant six heures.",
    "Le directeur, Paul Smith, a quitté l'entreprise.",
    "Le maire de Rodez a inauguré le stade.",
    "Kraken licencie 10% de son service client.",
    "AT&T a annoncé des résultats en hausse.",
    "Le taux est passé de 3 % à 4 % en un an.",
    "Le prix du ticket reste fixé à 2 €.",
    "Le Monde a publié l'enquête dimanche.",
    "Police said the suspect fled on foot.",
    "Share prices fell 3% on Monday.",
    "Read the report, the minister told reporters.",
    "Read the fine print, consumer groups warn.",
    "Follow the money, investigators say.",
    "We will not give up, the union leader said.",
    "Our town deserves better, says the mayor.",
    "Sign language interpreters were present at the ceremony.",
    "Subscribers to the service will pay 5 dollars more.",
    "Print newspapers lost 10% of their readers last year.",
    "Email scams rose sharply in 2023, police said.",
    "Je m'abonne au club de foot depuis dix ans, raconte le supporter.",
    "Donnez-moi une chance, a supplié l'accusé.",
    "Testez vos connaissances : le quiz a été conçu par des enseignants.",
    "Profitez-en, il ne reste que dix jours, a plaisanté le ministre.",
    "La commune compte 1 200 habitants.",
    "Le gouvernement présente son plan eau ce jeudi.",
    "Les cookies de la biscuiterie ont remporté un prix.",
    "Le compte Instagram de la mairie a été piraté.",
    "Suivre le Tour de France coûte cher aux communes.",
    "Sauvegarder la forêt est devenu une priorité régionale.",
    "Créer une entreprise prend désormais trois jours.",
    "Les abonnements TER augmentent de 5 % au 1er janvier.",
    "Les internautes ont partagé la vidéo des milliers de fois.",
    "Le rapport est consultable sur le site de l'Assemblée.",
    "Les images ont été tournées par un habitant.",
    "Il a signé un contrat de trois ans avec le club.",
    "En continu depuis 1950, la fête attire 20 000 personnes.",
    "Mot de passe : l'Anssi recommande douze caractères minimum.",
    "Vos préférences alimentaires évoluent avec l'âge, selon l'étude.",
    "The app was downloaded 5 million times.",
    "Getty Images has agreed to buy Shutterstock.",
    "Comments from the minister angered farmers.",
    "Continue to monitor the river, officials said.",
    "Recommended doses were exceeded in 12 cases.",
    "Trending topics included the strike and the storm.",
]


@pytest.mark.parametrize("line", RELATED + CALLS_TO_ACTION + ABOUT_THE_SITE + CREDITS + MARKUP)
def test_chrome_line_is_recognised(line):
    assert chrome_reason(line) is not None


@pytest.mark.parametrize("line", REAL)
def test_real_sentence_is_not_chrome(line):
    assert chrome_reason(line) is None


def test_related_label_takes_the_headline_under_it():
    assert chrome_reason("Lire aussi") == "label"
    article = parse("Titre\n\nUn premier paragraphe qui raconte.\n\nÀ lire aussi\n\nLe nouveau stade ouvrira en 2025"
                    "\n\nLa suite du récit, avec des faits.\n")
    assert [p.text for p in article.paragraphs] == ["Un premier paragraphe qui raconte.",
                                                    "La suite du récit, avec des faits."]


def sentences(article) -> list[str]:
    """The body's sentences as stored (the byline, paragraph -1, aside)."""
    return [row[0] for row in prepare(article, "made-up", "0").sentences if row[1] >= 0]


def test_chrome_line_inside_a_paragraph_is_cut_off():
    """A chrome line on its own line within a block of prose is not glued to a sentence."""
    text = ("Le titre du jour\n\n"
            "Le conseil municipal a voté le budget mardi.\n"
            "Lire aussi : Le nouveau stade ouvrira en 2025\n"
            "Les travaux commenceront en juin.\n"
            "Partager sur Facebook\n")
    assert sentences(parse(text)) == ["Le conseil municipal a voté le budget mardi.",
                                      "Les travaux commenceront en juin."]


def test_hard_wrapped_prose_stays_whole():
    """Lines of one wrapped sentence are not chrome even when a fragment looks like a label."""
    text = ("Le titre du jour\n\n"
            "Les élus veulent, disent-ils,\n"
            "partager sur Facebook les comptes rendus des séances.\n"
            "Le maire a promis une réponse.\n")
    assert sentences(parse(text)) == [
        "Les élus veulent, disent-ils, partager sur Facebook les comptes rendus des séances.",
        "Le maire a promis une réponse."]


def test_markup_never_becomes_a_sentence():
    text = ("Titre\n\n<div class=\"article-body\">\n\nLe maire a <b>démissionné</b> hier soir.\n\n"
            "{{ related_articles }}\n\n&nbsp;\n\n<span style=\"color:red\n\nAT&amp;T a publié ses résultats.\n\n</div>")
    assert sentences(parse(text)) == ["Le maire a démissionné hier soir.", "AT&T a publié ses résultats."]


TEXT_ARTICLE = """\
Accueil > Régions > Bretagne

Le port de Lorient accueille un nouveau terminal de fret

Par Claire Martin et Paul Durand (avec AFP)
Publié le 14 mars 2024 à 10h12, mis à jour le 15 mars 2024 à 08h30
Temps de lecture : 3 min

Partager sur Facebook
Partager sur X
Envoyer par e-mail

Le port de Lorient a inauguré jeudi un terminal de fret capable d'accueillir des navires de 300 mètres. \
Le chantier a coûté 45 millions d'euros, financés en majorité par la région.
Lire aussi : Le trafic maritime breton en hausse de 8 %
Selon la direction du port, le terminal traitera 2 millions de tonnes par an d'ici 2026.

Photo : AFP / Jean Dupont

Des emplois à la clé

« Partagez vos idées », a lancé la présidente de région aux chefs d'entreprise présents. \
Une centaine d'emplois directs doivent être créés.

VIDÉO. Les images de l'inauguration

Nous utilisons des cookies pour améliorer votre expérience

Abonnez-vous à notre newsletter pour ne rien manquer

Les syndicats de dockers ont salué le projet. Ils réclament toutefois des garanties sur les conditions de travail.

Commenter cet article
12 commentaires
Suivez-nous sur Instagram

Tags : Lorient, port, économie
Source : Le Télégramme du Morbihan
"""

MARKDOWN_ARTICLE = """\
[Accueil](/) | [Économie](/eco) | [Sport](/sport)

# La biscuiterie de Nantes double sa production

**Rédaction Ouest** — 5 juin 2023

*Mis à jour le 6 juin 2023*

![La nouvelle ligne de production](usine.jpg)

La biscuiterie a vendu 2 millions de cookies en 2023. Elle prévoit d'en produire le double l'an prochain.

> **À lire aussi :** [Les biscuits bretons à la conquête de l'Asie](/asie)

## Un investissement de 12 millions

Le directeur, Paul Smith, a annoncé 40 embauches. « Nous voulons rester une entreprise familiale », a-t-il insisté.

- [Partager sur Facebook](https://facebook.com/share)
- [Partager sur LinkedIn](https://linkedin.com/share)

<div class="newsletter-box">

Inscrivez-vous à notre newsletter

&nbsp;

Cet article est réservé à nos abonnés

© 2023 Ouest Gourmand. Tous droits réservés
"""

HTML_ARTICLE = """\
<!doctype html>
<html><head>
<title>Tempête : la côte balayée par des vents violents | Le Courrier du Littoral</title>
<meta property="og:site_name" content="Le Courrier du Littoral">
<meta name="author" content="Julie Roux">
<meta property="article:published_time" content="2024-02-10T07:00:00+01:00">
<script type="application/ld+json">{"@type": "NewsArticle", "dateModified": "2024-02-11T09:15:00+01:00"}</script>
</head><body>
<header role="banner"><a href="/">Le Courrier du Littoral</a><nav><a href="/">Accueil</a></nav></header>
<div class="cookie-consent">Nous utilisons des cookies. <button>Tout accepter</button></div>
<article>
<h1>Tempête : la côte balayée par des vents violents</h1>
<p class="byline">Par <a href="/auteurs/julie-roux">Julie Roux</a>, publié le 10 février 2024</p>
<div class="share-buttons"><a href="#">Partager</a><a href="#">Tweeter</a><a href="#">Imprimer</a></div>
<p>Des rafales de 150 km/h ont été enregistrées samedi sur la pointe du Raz.
Plus de 20 000 foyers ont été privés d'électricité.</p>
<figure><img src="t.jpg" alt="Vagues sur la digue">
<figcaption>Les vagues sur la digue. Photo : Maxppp</figcaption></figure>
<p>Lire aussi : <a href="/x">La tempête de 1999, vingt-cinq ans après</a></p>
<h2>Des dégâts importants</h2>
<p>Les pompiers sont intervenus à 300 reprises.<br>Publicité<br>La préfecture a ouvert une cellule de crise.</p>
<ul><li><a href="/a">Les écoles fermées lundi dans le Finistère</a></li>
<li><a href="/b">Le trafic interrompu</a></li></ul>
<p>&lt;div class="ad-slot"&gt;</p>
<p>Le maire de Brest a demandé l'état de catastrophe naturelle. Les assureurs promettent d'aller vite.</p>
<aside><h3>À lire aussi</h3><p>Comment se protéger pendant une tempête</p></aside>
<div class="comments"><p>Jean: Bravo aux pompiers !</p><p>Réagir</p></div>
</article>
<footer><p>© 2024 Le Courrier du Littoral. Tous droits réservés.</p></footer>
</body></html>
"""


def test_text_article_keeps_its_body_and_drops_its_chrome():
    article = parse_bytes("port.txt", TEXT_ARTICLE.encode())
    assert article.title == "Le port de Lorient accueille un nouveau terminal de fret"
    assert sentences(article) == [
        "Le port de Lorient a inauguré jeudi un terminal de fret capable d'accueillir des navires de 300 mètres.",
        "Le chantier a coûté 45 millions d'euros, financés en majorité par la région.",
        "Selon la direction du port, le terminal traitera 2 millions de tonnes par an d'ici 2026.",
        "« Partagez vos idées », a lancé la présidente de région aux chefs d'entreprise présents.",
        "Une centaine d'emplois directs doivent être créés.",
        "Les syndicats de dockers ont salué le projet.",
        "Ils réclament toutefois des garanties sur les conditions de travail.",
    ]
    assert article.headings == ["Des emplois à la clé"]
    assert (article.author, article.date, article.updated) == (
        "Claire Martin et Paul Durand (avec AFP)", "2024-03-14", "2024-03-15")
    assert article.site == "Le Télégramme du Morbihan"  # the "Source :" line at the end


def test_markdown_article_keeps_its_body_and_drops_its_chrome():
    article = parse_bytes("biscuits.md", MARKDOWN_ARTICLE.encode())
    assert article.title == "La biscuiterie de Nantes double sa production"
    assert sentences(article) == [
        "La biscuiterie a vendu 2 millions de cookies en 2023.",
        "Elle prévoit d'en produire le double l'an prochain.",
        "Le directeur, Paul Smith, a annoncé 40 embauches.",
        "« Nous voulons rester une entreprise familiale », a-t-il insisté.",
    ]
    assert article.headings == ["Un investissement de 12 millions"]
    assert (article.author, article.date, article.updated) == ("Rédaction Ouest", "2023-06-05", "2023-06-06")
    assert article.site == "Ouest"  # the newsroom's byline comes before the © footer


def test_html_article_keeps_its_body_and_drops_its_chrome():
    article = parse_bytes("tempete.html", HTML_ARTICLE.encode())
    assert article.title == "Tempête : la côte balayée par des vents violents"
    assert sentences(article) == [
        "Des rafales de 150 km/h ont été enregistrées samedi sur la pointe du Raz.",
        "Plus de 20 000 foyers ont été privés d'électricité.",
        "Les pompiers sont intervenus à 300 reprises.",
        "La préfecture a ouvert une cellule de crise.",
        "Le maire de Brest a demandé l'état de catastrophe naturelle.",
        "Les assureurs promettent d'aller vite.",
    ]
    assert article.headings == ["Des dégâts importants"]
    assert (article.author, article.date, article.updated, article.site) == (
        "Julie Roux", "2024-02-10", "2024-02-11", "Le Courrier du Littoral")


def test_class_named_chrome_is_kept_when_it_holds_the_article():
    """A class word such as "ads" on the article's own wrapper must not drop the article."""
    html = ("<html><body><div class='content has-ads'><h1>Le titre</h1>"
            "<p>Le conseil a voté le budget mardi soir.</p><p>Les travaux commencent en juin.</p></div>"
            "<div class='share'><a href='#'>Partager</a></div></body></html>")
    article = parse_bytes("a.html", html.encode())
    assert [p.text for p in article.paragraphs] == ["Le conseil a voté le budget mardi soir.",
                                                    "Les travaux commencent en juin."]


def test_trailing_short_lines_are_dropped():
    """After the last sentence, short lines without a full stop are the page's tail."""
    article = parse("Titre\n\nLe conseil a voté le budget.\n\nGetty Images\n\nÉdition du soir\n")
    assert [p.text for p in article.paragraphs] == ["Le conseil a voté le budget."]


def test_relative_update_time_is_a_byline():
    article = parse("Titre\n\nMis à jour il y a 2 heures\n\nLe conseil a voté le budget.\n")
    assert [p.text for p in article.paragraphs] == ["Le conseil a voté le budget."]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_line_rules_never_crash(text):
    assert chrome_reason(text) is None or isinstance(chrome_reason(text), str)
    parse_byline(text)

"""The question set over the bundled seeds, by group.

Each answerable question names the seed it must be answered from, words the
quote must contain, and (for who / how many / when / where) what the short
answer must contain. Written by hand from reading the articles; the bot is
never told these expectations.
"""

OUTAGE = "000_b145b5cb3965f482.txt"
LAYOFFS = "001_525ffb05b9d468ee.txt"

# (group, question, seed, quote must contain, short answer must contain or None)
ANSWERABLE = [
    # plain questions
    ("plain", "Qui est le PDG de Kraken ?", LAYOFFS, "Jesse Powell", "Jesse Powell"),
    ("plain", "Combien de personnes Kraken va-t-il licencier ?", LAYOFFS, "57", "57"),
    ("plain", "Quel pourcentage du support client est licencié ?", LAYOFFS, "10%", "10%"),
    ("plain", "Où est basée la plate-forme Kraken ?", OUTAGE, "San Francisco", "San Francisco"),
    ("plain", "Jusqu'à quand le trading est-il sans frais ?", OUTAGE, "31 janvier", "31 janvier"),
    ("plain", "Combien de temps la mise à jour devait-elle durer ?", OUTAGE, "deux heures", "deux heures"),
    ("plain", "Combien d'employés Kraken devrait compter d'ici la fin de l'année ?", LAYOFFS, "1 000", "1 000"),
    ("plain", "À qui Jesse Powell a-t-il parlé des licenciements ?", LAYOFFS, "Bloomberg", None),
    ("plain", "Kraken a-t-il été piraté ?", LAYOFFS, "piratage", None),
    ("plain", "Pourquoi Kraken doit-il se séparer de son support client ?", LAYOFFS, "baisse de revenus", None),
    ("plain", "Sur quel réseau social le service client a-t-il confirmé l'absence d'intrusion ?", LAYOFFS,
     "Twitter", None),
    ("plain", "Où les utilisateurs ont-ils affiché leur mécontentement ?", OUTAGE, "forums", None),
    ("plain", "Quelle offre Kraken prévoit-il après la panne ?", OUTAGE, "zéro frais", None),
    ("plain", "Qu'est-ce qui a changé dans la vérification des comptes ?", OUTAGE, "vérification", None),
    ("plain", "Que pourront faire les autorités compétentes ?", OUTAGE, "supprimer le site", None),
    ("plain", "Combien de temps Kraken a-t-il mis à rouvrir ses services ?", OUTAGE, "24 heures", "24 heures"),
    ("plain", "Comment Kraken prélève-t-il sa commission ?", LAYOFFS, "pourcentage des volumes", None),
    ("plain", "Que disait la rumeur sur Reddit ?", LAYOFFS, "Reddit", None),
    ("plain", "Quelle est la position de Kraken parmi les plateformes d'échange ?", LAYOFFS, "Top 15", None),
    ("plain", "Qui a nié les accusations de piratage ?", LAYOFFS, "Jesse Powell", "Jesse Powell"),
    # no accents
    ("no_accents", "ou est basee kraken", OUTAGE, "San Francisco", "San Francisco"),
    ("no_accents", "combien d'employes kraken licencie", LAYOFFS, "57", "57"),
    ("no_accents", "qui est le pdg de la societe", LAYOFFS, "Jesse Powell", "Jesse Powell"),
    ("no_accents", "jusqu'a quand les frais sont a zero", OUTAGE, "31 janvier", "31 janvier"),
    ("no_accents", "les autorites competentes peuvent supprimer le site ?", OUTAGE, "supprimer", None),
    ("no_accents", "mecontentement des utilisateurs sur les reseaux sociaux", OUTAGE, "mécontentement", None),
    # typos
    ("typos", "combien de personnes krakn a licencié", LAYOFFS, "57", "57"),
    ("typos", "le licensiement au service client", LAYOFFS, "service client", None),
    ("typos", "qui est le PDG de Krakken ?", LAYOFFS, "Jesse Powell", "Jesse Powell"),
    ("typos", "ou est basée la platforme ?", OUTAGE, "San Francisco", "San Francisco"),
    ("typos", "acusations de piratge", LAYOFFS, "piratage", None),
    ("typos", "combien d'employés a la fin de l'anée", LAYOFFS, "1 000", "1 000"),
    ("typos", "la mise a jour du sytème de trading", OUTAGE, "système de trading", None),
    ("typos", "Jesse Powel a-t-il nié le piratage ?", LAYOFFS, "nié", None),
    # ALL CAPS
    ("caps", "QUI EST LE PDG DE KRAKEN ?", LAYOFFS, "Jesse Powell", "Jesse Powell"),
    ("caps", "COMBIEN DE PERSONNES SONT LICENCIÉES ?", LAYOFFS, "57", "57"),
    ("caps", "OÙ EST BASÉE KRAKEN ?", OUTAGE, "San Francisco", "San Francisco"),
    ("caps", "POURQUOI LES CLIENTS SE SONT ÉNERVÉS ?", OUTAGE, "énerver", None),
    ("caps", "JUSQU'AU 31 JANVIER QUELLE OFFRE ?", OUTAGE, "zéro frais", None),
    # SMS spelling
    ("sms", "ki est le pdg de kraken", LAYOFFS, "Jesse Powell", "Jesse Powell"),
    ("sms", "cb de personnes licenciées", LAYOFFS, "57", "57"),
    ("sms", "pk kraken licencie", LAYOFFS, "licenci", None),
    ("sms", "kan le trading sera sans frais", OUTAGE, "31 janvier", "31 janvier"),
    ("sms", "ki a nié le piratage", LAYOFFS, "Jesse Powell", "Jesse Powell"),
    # paraphrase and inflection
    ("paraphrase", "Combien de salariés Kraken licencie-t-il ?", LAYOFFS, "57", "57"),
    ("paraphrase", "Quelle a été la durée de la coupure ?", OUTAGE, "24 heures", "24 heures"),
    ("paraphrase", "Combien de temps a duré l'interruption du site ?", OUTAGE, "24 heures", "24 heures"),
    ("paraphrase", "Les licenciements sont-ils dus à un piratage ?", LAYOFFS, "piratage", None),
    ("paraphrase", "Kraken embauche-t-il encore ?", LAYOFFS, "embauches", None),
    ("paraphrase", "Quel patron a parlé à Bloomberg ?", LAYOFFS, "Jesse Powell", "Jesse Powell"),
    ("paraphrase", "Les clients étaient-ils frustrés par les difficultés techniques ?", LAYOFFS, "frustrations",
     None),
    ("paraphrase", "La panne a duré combien d'heures ?", OUTAGE, "24 heures", "24 heures"),
    ("paraphrase", "Combien de collaborateurs Kraken aura-t-il dans le monde ?", LAYOFFS, "1 000", "1 000"),
    ("paraphrase", "La chute des volumes a-t-elle fait baisser les revenus ?", LAYOFFS, "revenus", None),
    ("paraphrase", "Qui dirige Kraken ?", LAYOFFS, "Jesse Powell", "Jesse Powell"),
    ("paraphrase", "Les employés renvoyés travaillaient dans quelle ville ?", LAYOFFS, "San Francisco",
     "San Francisco"),
    # English questions about the French articles
    ("english", "Who is the CEO of Kraken?", LAYOFFS, "Jesse Powell", "Jesse Powell"),
    ("english", "How many employees will Kraken have by the end of the year?", LAYOFFS, "1 000", "1 000"),
    ("english", "Where is Kraken based?", OUTAGE, "San Francisco", "San Francisco"),
    ("english", "Was Kraken hacked? piratage", LAYOFFS, "piratage", None),
]

# Questions the articles do not answer: greetings, off-topic, gibberish, and
# other companies or people the articles never mention.
UNANSWERABLE = [
    "Bonjour",
    "salut ça va ?",
    "Merci !",
    "Quelle est la capitale de l'Australie ?",
    "Quel temps fera-t-il demain à Lyon ?",
    "asdkjh qwpoeiru zzxq",
    "Combien d'employés Binance a-t-il licenciés ?",
    "Coinbase a-t-il subi une panne ?",
    "Qui est le PDG de Tesla ?",
    "Quand Elon Musk a-t-il racheté Twitter ?",
    "Quelle est la recette de la tarte Tatin ?",
    "Qui a gagné la Coupe du monde de football ?",
    "Quel est le cours du Bitcoin aujourd'hui ?",
    "Où se trouve le siège de Google ?",
    "lol",
    "???",
    "Peux-tu me raconter une blague ?",
    "What is the weather in London?",
]

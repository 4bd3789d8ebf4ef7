"""Parsing article files: the seeds' quirks, other formats, encodings, refusals."""

from __future__ import annotations

import pytest

from bot.articles import ArticleError, parse, parse_byline, parse_bytes, parse_date
from bot.sentences import split_sentences
from tests.conftest import LAYOFFS, OUTAGE, SEEDS


def seed(name: str):
    return parse_bytes(name, (SEEDS / name).read_bytes())


def body(article) -> str:
    return "\n".join(p.text for p in article.paragraphs)


def test_outage_seed_metadata():
    article = seed(OUTAGE)
    assert article.title.startswith("La plate-forme Kraken est de nouveau opérationnelle")
    assert article.author == "Benson Toti"
    assert article.date == "2022-08-01"  # "Mis à jour 01 August 2022", English month in a French article
    assert article.headings == ["Une mise à jour fastidieuse", "Kraken doit maintenant faire attention"]


def test_outage_seed_drops_repeated_title_caption_and_chrome():
    article = seed(OUTAGE)
    text = body(article)
    assert article.title not in text
    assert "By Benson Toti" not in text and "Mis à jour" not in text
    assert "Kraken Logo/Source : Coin Report" in article.captions
    assert "Logo/Source" not in text
    assert not text.rstrip().endswith("test")


def test_layoffs_seed_drops_site_chrome():
    article = seed(LAYOFFS)
    text = body(article)
    for chrome in ("Commenter", "Akismet", "En savoir plus sur comment"):
        assert chrome not in text
    assert not any(p.text == "Source" for p in article.paragraphs)
    assert article.headings[-1] == "Le PDG nie les accusations de faille de sécurité"
    assert "kraken" in article.captions  # a lone lower-case word: image alt text


@pytest.mark.parametrize("name", [OUTAGE, LAYOFFS])
def test_no_real_sentence_is_lost(name):
    """Every line of the seed that ends like a sentence is in the body, verbatim."""
    article = seed(name)
    text = body(article)
    raw = (SEEDS / name).read_text(encoding="utf-8")
    for line in raw.splitlines():
        line = line.strip()
        if line.endswith(".") and "Akismet" not in line:
            assert line in text


def test_headings_attach_to_following_paragraphs():
    article = seed(LAYOFFS)
    powell = next(p for p in article.paragraphs if "Jesse Powell, a confié" in p.text)
    assert powell.heading == "Kraken continue d’embaucher dans certaines divisions"
    assert article.paragraphs[0].heading is None


def test_markdown_article():
    text = ("# Titre de l'article\n\n*Par Marie Curie*\n\nPublié le 3 mars 2021\n\n"
            "Premier paragraphe avec un [lien](http://x.y) et du **gras**.\n\n"
            "![Une photo](img.png)\n\n## Une section\n\nDeuxième paragraphe ici.\n")
    article = parse(text, "markdown")
    assert article.title == "Titre de l'article"
    assert article.author == "Marie Curie"
    assert article.date == "2021-03-03"
    assert article.paragraphs[0].text == "Premier paragraphe avec un lien et du gras."
    assert article.paragraphs[1].heading == "Une section"
    assert "Une photo" in article.captions


def test_html_article():
    html = ("<html><head><title>Site | Titre</title><meta name='author' content='Jean Dupont'>"
            "<script>var x = 1;</script></head><body><nav>Accueil Menu</nav><article>"
            "<h1>Le vrai titre</h1><time datetime='2023-05-04'>4 mai</time>"
            "<p>Premier paragraphe &amp; entités.</p><h2>Section</h2><p>Second paragraphe.</p>"
            "<figure><img alt='photo'><figcaption>Crédit : AFP</figcaption></figure></article>"
            "<footer>Tous droits réservés</footer></body></html>")
    article = parse_bytes("a.html", html.encode())
    assert article.title == "Le vrai titre"
    assert article.author == "Jean Dupont"
    assert article.date == "2023-05-04"
    assert [p.text for p in article.paragraphs] == ["Premier paragraphe & entités.", "Second paragraphe."]
    assert article.paragraphs[1].heading == "Section"
    assert "var x" not in body(article) and "Accueil" not in body(article)


def test_cp1252_file_is_decoded():
    text = "Titre éloigné\n\nLe café coûte 3 € à Noël, dit-il.\n"
    article = parse_bytes("a.txt", text.encode("cp1252"))
    assert article.title == "Titre éloigné"
    assert "coûte 3 €" in article.paragraphs[0].text


def test_utf8_bom_is_ignored():
    article = parse_bytes("a.txt", "\ufeffTitre\n\nUne phrase.\n".encode())
    assert article.title == "Titre"


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\n\t ", "empty"),
    ("bin.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("ctrl.txt", bytes(range(1, 9)) * 50, "binary"),
    ("photo.jpg", b"Titre\n\nTexte.", "unsupported"),
    ("title-only.txt", b"Just a title\n", "no article body"),
])
def test_bad_files_are_refused_with_a_reason(name, data, reason):
    with pytest.raises(ArticleError) as error:
        parse_bytes(name, data)
    assert reason in error.value.reason
    assert "\n" not in error.value.reason


@pytest.mark.parametrize("text,iso", [
    ("Mis à jour 01 August 2022", "2022-08-01"),
    ("Publié le 1er janvier 2023", "2023-01-01"),
    ("March 5, 2021", "2021-03-05"),
    ("2020-12-31T10:00:00Z", "2020-12-31"),
    ("le 14/07/2019", "2019-07-14"),
    ("pas de date", None),
])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize("text,expected", [
    ("Kraken licencie 10% de son service client. Elle nie tout piratage.",
     ["Kraken licencie 10% de son service client.", "Elle nie tout piratage."]),
    ("Kraken devrait compter plus de 1\u00a0000 employés. Cela suffit.",
     ["Kraken devrait compter plus de 1\u00a0000 employés.", "Cela suffit."]),
    ("M. Powell a parlé. Mme Durand aussi.", ["M. Powell a parlé.", "Mme Durand aussi."]),
    ("Selon J. Powell, tout va bien. Vraiment ?", ["Selon J. Powell, tout va bien.", "Vraiment ?"]),
    ("Un membre affirmait que des « centaines d’employés étaient licenciés. Vraiment ! » (exagéré). Fin.",
     ["Un membre affirmait que des « centaines d’employés étaient licenciés. Vraiment ! » (exagéré).", "Fin."]),
    ("Le taux est de 10.5 pour cent. Voilà.", ["Le taux est de 10.5 pour cent.", "Voilà."]),
    ("Kraken Logo/Source : Coin Report", ["Kraken Logo/Source : Coin Report"]),
    ("Quoi ?! Incroyable… Et après ?", ["Quoi ?!", "Incroyable…", "Et après ?"]),
    ("Voir kraken.com pour plus d'infos. Merci.", ["Voir kraken.com pour plus d'infos.", "Merci."]),
    ("", []),
])
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_byline_carrying_the_date_gives_author_and_date():
    article = parse_bytes("storm.md", "# Titre\n\n*Par Yann Le Goff — 2 novembre 2023*\n\nUn paragraphe de texte "
                                      "qui raconte quelque chose.".encode())
    assert (article.author, article.date) == ("Yann Le Goff", "2023-11-02")
    assert "Goff" not in body(article)


@pytest.mark.parametrize("line,author,date,updated", [
    ("Par Julie Roux, publié le 14 mars 2024 à 10h12, mis à jour le 15 mars 2024",
     "Julie Roux", "2024-03-14", "2024-03-15"),
    ("Publié le 03/02/2024 à 18:40", None, "2024-02-03", None),
    ("Mis à jour 01 August 2022", None, None, "2022-08-01"),
    ("By Paul Smith - 2 min de lecture", "Paul Smith", None, None),
    ("Rédaction Ouest — 5 juin 2023", "Rédaction Ouest", "2023-06-05", None),
    ("Par Claire Martin et Paul Durand", "Claire Martin et Paul Durand", None, None),
    ("Par Claire Martin (avec AFP)", "Claire Martin (avec AFP)", None, None),
    ("Par Claire Martin avec AFP", "Claire Martin (avec AFP)", None, None),
    ("Par Claire Martin, Paul Durand et Anne Roux", "Claire Martin, Paul Durand et Anne Roux", None, None),
    ("By Jane Doe and John Smith | March 5, 2024", "Jane Doe and John Smith", "2024-03-05", None),
    ("Par Jean-Pierre d'Ormesson, envoyé spécial à Kiev", "Jean-Pierre d'Ormesson", None, None),
    ("Par AFP", "AFP", None, None),
    ("Published on 12 March 2024, updated 13 March 2024", None, "2024-03-12", "2024-03-13"),
    ("Publié le 14 mars 2024 (modifié le 16 mars 2024)", None, "2024-03-14", "2024-03-16"),
    ("Publié le 3 mai 2024 à 18h40, mis à jour à 19h05", None, "2024-05-03", "2024-05-03"),
    ("Mardi 12 mars 2024", None, "2024-03-12", None),
    ("Updated: 2024-03-16T08:00:00Z", None, None, "2024-03-16"),
    # no "Par": a full name alone between the separators of a dated line signs it
    ("Sophie Lambert · 22 janvier 2024 · 4 min", "Sophie Lambert", "2024-01-22", None),
    ("Marie Curie | 22 janvier 2024 | 5 min de lecture", "Marie Curie", "2024-01-22", None),
    ("22 janvier 2024 | 4 min", None, "2024-01-22", None),
])
def test_byline_shapes(line, author, date, updated):
    byline = parse_byline(line)
    assert (byline.author, byline.date, byline.updated) == (author, date, updated)


@pytest.mark.parametrize("line", [
    "Par ailleurs, le maire a publié le 3 mars 2024 un arrêté.",
    "Le 14 mars 2024, le conseil municipal a voté le budget.",
    "Publié le 14 mars 2024, le rapport dénonce des abus.",
    "Par SMS, la banque a prévenu ses clients.",
    "Par Internet, les fraudeurs ciblent les seniors",
    "De Gaulle a démissionné en 1969.",
    "Rédaction terminée hier soir",
    "Jean Dupont a gagné le 22 janvier 2024",
    # a dateline, not a signature: one word, or a place after an article
    "Paris · 22 janvier 2024",
    "La Rochelle · 22 janvier 2024",
    "Sophie Lambert · 22 janvier 2024 · 4 min sans réseau",
    "New York · 22 mai 2024",  # a date alone: a dateline as likely as a signature
    "Emmanuel Macron, 11 mars 2024",  # a quotation's credit
    "Sophie Lambert · 4 min",
])
def test_prose_with_a_date_or_par_is_no_byline(line):
    assert parse_byline(line) is None


def test_update_only_byline_gives_date_and_updated():
    article = parse("Titre\n\nMis à jour 01 August 2022\n\nUn paragraphe de texte qui raconte.\n")
    assert (article.date, article.updated) == ("2022-08-01", "2022-08-01")


def test_byline_block_gives_author_dates_and_reading_time_is_dropped():
    text = ("Le titre\n\nPar Julie Roux, publié le 14 mars 2024 à 10h12, mis à jour le 15 mars 2024\n"
            "By Paul Smith - 2 min de lecture\n\nLe corps de l'article commence ici.\n")
    article = parse(text)
    assert (article.author, article.date, article.updated) == ("Julie Roux", "2024-03-14", "2024-03-15")
    assert [p.text for p in article.paragraphs] == ["Le corps de l'article commence ici."]


@pytest.mark.parametrize("text,site", [
    ("Titre\n\nRédaction Ouest — 5 juin 2023\n\nLe texte de l'article.\n", "Ouest"),
    ("Titre\n\nPar la rédaction de Ouest-Matin\n\nLe texte de l'article.\n", "Ouest-Matin"),
    ("Titre\n\nLe texte de l'article.\n\nSource : La Gazette du Nord\n", "La Gazette du Nord"),
    ("Titre\n\nLe texte de l'article.\n\n© 2024 La Gazette du Nord. Tous droits réservés\n", "La Gazette du Nord"),
    ("Titre\n\nLe texte de l'article.\n\n© Maxppp\n", None),  # a photo credit, not the site
    ("Titre\n\nSource : Insee\n\nLe texte de l'article continue ici.\n", None),  # a credit mid-article
])
def test_site_from_text(text, site):
    assert parse(text).site == site


@pytest.mark.parametrize("meta", [
    '<meta property="og:site_name" content="Le Petit Matin">',
    '<meta name="publisher" content="Le Petit Matin">',
    '<meta name="application-name" content="Le Petit Matin">',
])
def test_site_from_html_meta(meta):
    html = (f"<html><head>{meta}<meta property='article:modified_time' content='2024-01-02T10:00:00Z'>"
            "</head><body><h1>Titre</h1><p>Le texte de l'article.</p></body></html>")
    article = parse(html, "html")
    assert article.site == "Le Petit Matin"
    assert article.updated == "2024-01-02"

"""Files as they come: UTF-8, UTF-16 and UTF-32 with their byte order mark, cp1252, and UTF-8
with a few cp1252 bytes in it; markup left over by broken HTML; files that are not news.

Every text here is made up.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.articles import ArticleError, decode, parse_bytes
from bot.ingest import prepare

PROJECT = Path(__file__).resolve().parent.parent
SOME = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))

ARTICLE = ("La fête du village\n\n"
           "Les élèves de l'école Jules-Ferry ont préparé un spectacle pour la fête du village. "
           "Le maire a salué leur travail devant près de 300 habitants.\n\n"
           "« C'était une très belle soirée », a déclaré Noémie Garçon, présidente du comité des fêtes.\n")


def body(article) -> str:
    return "\n".join(p.text for p in article.paragraphs)


# --- encodings ------------------------------------------------------------------------------

def test_utf8_file_with_a_few_cp1252_bytes_keeps_both():
    data = (b"La f\xc3\xaate du village\n\n"
            b"Les \xc3\xa9l\xc3\xa8ves ont pr\xc3\xa9par\xc3\xa9 un spectacle.\n\n"  # UTF-8
            b"Le maire l\x92a salu\xe9 : \x93 Bravo \x94, a-t-il dit.\n\n"  # cp1252: ’ é “ ”
            b"No\xc3\xabl approche, le caf\xe9 reste ouvert.\n")  # both on one line
    article = parse_bytes("fete.txt", data)
    assert article.title == "La fête du village"
    text = body(article)
    assert "Les élèves ont préparé un spectacle." in text
    assert "Le maire l’a salué : “ Bravo ”, a-t-il dit." in text
    assert "Noël approche, le café reste ouvert." in text
    assert "Ã" not in text and "\ufffd" not in text


# Any character UTF-8 can write, but controls and a leading byte order mark.
CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufeff")


@SOME
@given(st.lists(st.tuples(st.text(CHARACTERS), st.sampled_from("éèàçùâêîôûëïüœ’“”€…«»")), max_size=8))
def test_utf8_parts_are_never_garbled_by_cp1252_bytes_between_them(pieces):
    # Each cp1252 byte stands between spaces, as in a word typed in another editor.
    data = b"".join(text.encode() + b" " + letter.encode("cp1252") + b" " for text, letter in pieces) + b"."
    expected = "".join(f"{text} {letter} " for text, letter in pieces) + "."
    assert decode(data) == expected


@SOME
@given(st.text(CHARACTERS, min_size=1))
def test_valid_utf8_is_read_as_written(text):
    if text.strip():
        assert decode(text.encode()) == text


def test_cp1252_file_is_still_read_whole():
    article = parse_bytes("a.txt", ARTICLE.encode("cp1252"))
    assert article.title == "La fête du village"
    assert "Noémie Garçon" in body(article)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "utf-8"])
def test_unicode_files_with_a_byte_order_mark_are_read(encoding):
    data = ("\ufeff" + ARTICLE).encode(encoding)  # "utf-16" and "utf-32" write the mark themselves
    if encoding in ("utf-16", "utf-32"):
        data = ARTICLE.encode(encoding)
    article = parse_bytes("fete.txt", data)
    assert article.title == "La fête du village"
    assert "a déclaré Noémie Garçon" in body(article)


def test_utf16_html_and_markdown_are_read():
    html = "<html><body><h1>La fête du village</h1><p>Les élèves ont préparé un spectacle.</p></body></html>"
    assert body(parse_bytes("a.html", html.encode("utf-16"))) == "Les élèves ont préparé un spectacle."
    markdown = "# La fête du village\n\nLes élèves ont *préparé* un spectacle.\n"
    article = parse_bytes("a.md", ("\ufeff" + markdown).encode("utf-16-be"))
    assert body(article) == "Les élèves ont préparé un spectacle."


@pytest.mark.parametrize("data", [
    b"\xff\xfe" + "Titre\n\nTexte.".encode("utf-16-le") + b"\x00",  # an odd byte at the end
    b"\xff\xfe" + "Titre\n\nTexte.".encode("utf-16-le") + b"\x00\xd8",  # half a surrogate pair
])
def test_broken_utf16_is_refused_in_one_line(data):
    with pytest.raises(ArticleError) as error:
        parse_bytes("a.txt", data)
    assert "UTF-16" in error.value.reason and "\n" not in error.value.reason


@pytest.mark.parametrize("data,reason", [
    (b"\xff\xfe", "empty"),
    ("  \n".encode("utf-16"), "empty"),
    (b"\x81\x8d\x8f\x90\x9d" * 10, "binary"),  # bytes that are neither UTF-8 nor cp1252
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
])
def test_what_is_not_text_is_still_refused(data, reason):
    with pytest.raises(ArticleError) as error:
        parse_bytes("a.txt", data)
    assert reason in error.value.reason


# --- markup left over by broken HTML --------------------------------------------------------

MARKUP = re.compile(r"</?[A-Za-z!][\w:-]*(?=[\s/>]|$)|\w=\S|[\w\"'/]>|-->|&#?\w+;|\{\{|\}\}")
PROSE = ("Le conseil a voté le budget hier soir. ", "La séance a duré trois heures. ",
         "Selon la maire, « tout va bien ». ")
DEBRIS = ("<p>", "</p>", '<div class="a">', "<div class=", "<p<p>", "<b>", "<i", "</b", "<!--", "-->", "<a href='x'>",
          '<a href="', '"', "'", ">", "<", "&amp;", "&nbsp", "&eacute;", "&bogus;", "<br/>", "<span", "{{ x }}",
          '<img src=x alt="photo">', "<![CDATA[", "]]>", "<![ a", "<script>", "</script>", "<li>", "<img\n",
          "width=300 ", "height=200>", 'src="a.jpg"\n', "data-id=4 ", '<div\nclass="x">', "/>", "<p align=center>",
          "\n", "\n\n", " ")


def stored_sentences(name: str, text: str) -> list[str]:
    try:
        return [row[0] for row in prepare(parse_bytes(name, text.encode()), name, "x").sentences]
    except ArticleError:
        return []


@pytest.mark.parametrize("page", [
    "<p>Les élus ont débattu <b>longuement <i>du prix de l'eau.<div>",  # tags never closed
    "<p>Le conseil a voté le budget hier soir.</p><div class=",  # cut inside a tag
    '<p>Le conseil a voté le budget hier soir.</p><div class="note" data-x=\'a',
    "<p<p>La maire a présenté le budget.</p>",
    "<p>Le coût était de 3&nbsp;M&euro; &bogus; &#xZZ; selon la mairie.</p>",  # entities, known or not
    "<p>Le conseil a voté le budget hier soir.<!-- <p>Brouillon caché.</p>",
    "<p>Les travaux <a href=\"/x\" commenceront en mai.</p><p>Ils dureront <em>deux ans</p>.",
])
def test_broken_html_leaves_no_markup_in_a_sentence(page):
    sentences = stored_sentences("a.html", "<html><body><h1>Budget voté</h1><p>La séance a duré trois heures.</p>"
                                 + page)
    assert "La séance a duré trois heures." in sentences
    assert not [s for s in sentences if MARKUP.search(s)]


@SOME
@given(st.lists(st.sampled_from(PROSE + DEBRIS), max_size=30), st.sampled_from(["a.html", "a.txt", "a.md"]))
@example([PROSE[0], "<i", 'src="a.jpg"\n'], "a.html")  # a tag cut off at the end of the file
@example([PROSE[0], "&eacute;", 'src="a.jpg"\n'], "a.html")  # an attribute right after an accented letter
@example([PROSE[0], "&eacute;", ">"], "a.html")  # a word glued to the end of a tag
def test_no_markup_is_ever_stored_as_a_sentence(parts, name):
    head = "<html><body><h1>Budget voté</h1>" if name == "a.html" else "Budget voté\n\n"
    assert not [s for s in stored_sentences(name, head + "".join(parts)) if MARKUP.search(s)]


# --- not news -----------------------------------------------------------------------------

def test_this_projects_readme_is_refused_as_not_news():
    with pytest.raises(ArticleError) as error:
        parse_bytes("README.md", (PROJECT / "README.md").read_bytes())
    assert error.value.reason.startswith("not a news article") and "\n" not in error.value.reason


NOT_NEWS = {
    "install.md": "# Installation\n\nInstall it:\n\n    pip install -e .\n    export APP_TOKEN=xyz\n\n"
                  "Then run `python manage.py migrate` and `python manage.py runserver --port 8000`.\n\n"
                  "```\n$ curl http://localhost:8000/api/v1/items\n{\"items\": []}\n```\n\n"
                  "- `config.yaml`: the settings\n- `data/`: the database\n- `--verbose`: more logs\n",
    "table.md": "# Résultats\n\n| Ville | Votants |\n|---|---|\n| Lyon | 1200 |\n| Nantes | 900 |\n",
    "liste.txt": "Courses\n\n- pain\n- lait\n- œufs\n- fromage\n- pommes\n",
    "notes.txt": "Notes de réunion\n\nbudget_2024.xlsx\nscripts/export.sh --all\nTODO: relire le_rapport_final.docx\n",
}


@pytest.mark.parametrize("name", list(NOT_NEWS))
def test_code_tables_and_lists_are_refused_as_not_news(name):
    with pytest.raises(ArticleError) as error:
        parse_bytes(name, NOT_NEWS[name].encode())
    assert error.value.reason and "\n" not in error.value.reason


SHORT_NEWS = {
    "breve.txt": "Incendie à Villeneuve\n\nUn incendie a détruit un entrepôt mardi soir à Villeneuve. "
                 "Personne n'a été blessé.\n",
    "breve.md": "# Le tram prolongé\n\n*Par Anne Morel, le 3 mai 2024*\n\nLa ligne B du tram sera prolongée de 4 km "
                "d'ici 2027, a annoncé la métropole.\n\n- Coût : 120 millions d'euros\n- Six nouvelles stations\n",
    "breve.html": "<html><body><h1>Grève des bus</h1><p>Les chauffeurs de bus seront en grève jeudi.</p>"
                  "<p>Le trafic sera très perturbé, prévient la régie.</p></body></html>",
    "une-phrase.txt": "Titre\n\nUne phrase.\n",
    "site.txt": "Une panne chez l'hébergeur\n\nLe site exemple.com est resté inaccessible deux heures, "
                "selon son directeur technique.\n",
}


@pytest.mark.parametrize("name", list(SHORT_NEWS))
def test_short_news_is_accepted(name):
    assert parse_bytes(name, SHORT_NEWS[name].encode()).paragraphs


ARTICLE_FILES = sorted(p for folder in ("seeds", "tests/articles", "tests/made_up", "tests/eval/articles")
                       for p in (PROJECT / folder).iterdir() if p.suffix in (".txt", ".md", ".html"))


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: p.name)
def test_every_article_of_the_project_is_still_accepted(path):
    assert parse_bytes(path.name, path.read_bytes()).paragraphs

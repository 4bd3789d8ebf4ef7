"""Property-based: the parser, the splitter and the matcher never crash on any text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.articles import ArticleError, parse, parse_bytes
from bot.facts import extract_facts
from bot.sentences import split_sentences

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(st.binary(max_size=2000), st.sampled_from(["a.txt", "a.md", "a.html", "a.pdf"]))
def test_parse_bytes_returns_article_or_refuses(data, name):
    try:
        article = parse_bytes(name, data)
    except ArticleError as error:
        assert error.reason
    else:
        assert article.title and article.paragraphs


@FAST
@given(st.sampled_from([b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\xff\xfe\x00\x00"]), st.binary(max_size=2000),
       st.sampled_from(["a.txt", "a.md", "a.html"]))
def test_bytes_after_a_byte_order_mark_are_an_article_or_a_refusal(mark, data, name):
    try:
        parse_bytes(name, mark + data)
    except ArticleError as error:
        assert error.reason and "\n" not in error.reason


# Markup cut anywhere: the HTML reader, the markup cleaner and the Markdown reader see only this.
MARKUP_SOUP = st.lists(st.sampled_from(["<", ">", "/", "!", "-", "?", "[", "]", "(", ")", "'", '"', "=", " ", "a", "p",
                                        "é", "&", ";", "#", "*", "_", "`", "{", "}", "\n", "<!--", "-->", "<![", "<a ",
                                        "<p>", "</p>", "<script>", "&amp;", "Le maire a parlé. "]),
                       max_size=300).map("".join)


@FAST
@given(MARKUP_SOUP, st.sampled_from(["a.txt", "a.md", "a.html"]))
def test_markup_soup_is_an_article_or_a_refusal(text, name):
    try:
        article = parse_bytes(name, ("Titre\n\n" + text).encode())
    except ArticleError as error:
        assert error.reason and "\n" not in error.reason
    else:
        assert article.title and article.paragraphs


@FAST
@given(st.text(max_size=2000), st.sampled_from(["text", "markdown", "html"]))
def test_parse_text_never_crashes(text, fmt):
    try:
        parse(text, fmt)
    except ArticleError:
        pass


@FAST
@given(st.text(max_size=1000))
def test_splitter_keeps_every_non_space_character(text):
    sentences = split_sentences(text)
    assert "".join("".join(s.split()) for s in sentences) == "".join(text.split())


@FAST
@given(st.text(max_size=500))
def test_facts_never_crash_and_point_into_the_sentence(text):
    for fact in extract_facts(text):
        assert fact.text and fact.text in text


@FAST
@given(st.text(max_size=300))
def test_matcher_never_crashes(kb, text):
    answer = kb.ask(text)
    assert answer.answered == (answer.quote is not None)

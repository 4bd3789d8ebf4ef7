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

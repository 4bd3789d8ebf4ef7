"""Summaries and the digest come from the articles by the algorithm."""

from __future__ import annotations


def test_every_article_has_two_or_three_key_sentences_in_order(kb):
    for summary in kb.summaries():
        assert 2 <= len(summary.key_sentences) <= 3
        stored = [r[0] for r in kb.db.execute(
            "SELECT text FROM sentences WHERE article_id = ? ORDER BY position", [summary.article.id])]
        positions = [stored.index(s) for s in summary.key_sentences]  # verbatim sentences
        assert positions == sorted(positions)


def test_key_sentences_carry_facts(kb):
    for summary in kb.summaries():
        facts = kb.db.execute(
            "SELECT count(*) FROM facts f JOIN sentences s ON s.id = f.sentence_id "
            "WHERE s.article_id = ? AND s.text IN ({})".format(",".join("?" * len(summary.key_sentences))),
            [summary.article.id, *summary.key_sentences]).fetchone()[0]
        assert facts >= len(summary.key_sentences)


def test_digest_is_one_paragraph_over_all_articles(kb):
    digest = kb.digest()
    assert "\n" not in digest
    for article in kb.articles():
        assert article.title in digest


def test_find_article_by_number_and_keyword(kb, titles):
    articles = kb.articles()
    assert kb.find_article(str(articles[0].id)) == articles[0]
    assert kb.find_article("licenciement").title == titles["001_525ffb05b9d468ee.txt"]
    assert kb.find_article("999999") is None
    assert kb.find_article("") is None

"""Hostile article files, generated at any size: the shapes that once made ingest quadratic.

Each shape is a unit repeated until the file reaches the size asked for, behind a short
title, so that the hostile text is one paragraph (or one line, or one block) of the body and
goes through the whole ingest path. Kept as a generator rather than files: the interesting
sizes are megabytes.

    python -m tests.hostile.shapes OUT_DIR SIZE_BYTES   # writes one file per shape
"""

from __future__ import annotations

import sys
from pathlib import Path

TITLE = "Titre de l'article\n\n"
# Letters and a verb in front: a paragraph of only digits or markup would be dropped as noise
# before reaching the sentence splitter and the fact patterns.
PROSE = "Le rapport publié hier indique "
HTML = "<html><body><p>"
END = ".</p></body></html>"

# name: (file suffix, text before the repeated unit, repeated unit, text after)
SHAPES: dict[str, tuple[str, str, str, str]] = {
    # facts: numbers, money, dates, names
    "digits": (".txt", PROSE, "0 1 2 3 4 5 6 7 8 9 ", "."),
    "dollars": (".txt", PROSE, "$1 ", "."),
    "digit_groups": (".txt", PROSE, "100 ", "."),
    "percent_money": (".txt", PROSE, "1 000 € 10 % 2024 ", "."),
    "number_words": (".txt", PROSE, "deux heures trois jours ", "."),
    "dates": (".txt", PROSE, "14 mars 2024 en 2021 March 3, 2020 ", "."),
    "capitals": (".txt", PROSE, "Jean Paul de La ", "."),
    "capital_stopwords": (".txt", PROSE, "Le La Les De ", "."),
    "single_names": (".txt", PROSE, "Jean, ", "."),
    "capitals_cued": (".txt", PROSE, "selon le PDG Jean Paul, basée à San Francisco ", "."),
    # sentence splitting
    "guillemets": (".txt", PROSE, "« Il part. ", ""),
    "dots": (".txt", PROSE, ". . ... M. etc. J. ", ""),
    "full_stops": (".txt", PROSE, "Il part. ", ""),
    "dot_run": (".txt", PROSE, ".", " Fin."),
    # words and spaces
    "single_word": (".txt", "A", "a", "."),
    "spaces": (".txt", PROSE, " ", " fin."),
    "nbsp": (".txt", PROSE, "\u00a0", " fin."),
    "newlines": (".txt", PROSE, "\n", "fin."),
    "wrapped_lines": (".txt", PROSE + "\n", "mot\n", "fin."),
    "short_paragraphs": (".txt", PROSE + "fin.\n\n", "Mot\n\n", ""),
    "short_lines": (".txt", PROSE + "fin.\n", "Lire aussi\n", "Une phrase.\n"),
    "bylines": (".txt", PROSE, "Par Jean Dupont, publié le 3 mars 2024 ", "."),
    # markup debris in text
    "tags_text": (".txt", PROSE, "<b><i>", "."),
    "debris": (".txt", PROSE, "[[ {{ ", "."),
    "templates": (".txt", PROSE, "{{ a ", "."),
    "comments_text": (".txt", PROSE, "<!-- a ", "."),
    "conditionals": (".txt", PROSE, "[if a ", "."),
    "entities": (".txt", PROSE, "&amp;a ", "."),
    # Markdown
    "md_emphasis": (".md", PROSE, "*a ", "."),
    "md_emphasis_mixed": (".md", PROSE, "**a _b `c ", "."),
    "md_emphasis_closed": (".md", PROSE, "*a* **b** ", "."),
    "md_links": (".md", PROSE, "[a](b) ", "."),
    "md_links_open": (".md", PROSE, "[a](b ", "."),
    "md_brackets": (".md", PROSE, "[a ", "."),
    "md_images": (".md", PROSE, "![a](b) ", "."),
    "md_headings": (".md", "", "# a\n\n", PROSE + "fin.\n"),
    "md_heading_spaces": (".md", "# a", " ", "b\n\n" + PROSE + "fin.\n"),
    "md_list": (".md", "", "- a\n", PROSE + "fin.\n"),
    "md_rule": (".md", "", "- ", "x\n\n" + PROSE + "fin.\n"),
    # HTML
    "tags_html": (".html", HTML + PROSE, "<b><i>a ", END),
    "unclosed_regions": (".html", HTML + PROSE + ".</p>", "<nav><div class='share'>a ", END),
    "html_blocks": (".html", HTML, "<h1>a</h1><p>b c.</p>", END),
    "time_tags": (".html", HTML + PROSE, "a <time datetime='2024-01-01'>b</time> ", END),
    "html_comments": (".html", HTML + PROSE + ".</p>", "<!-- a ", END),
    "html_comments_gt": (".html", HTML + PROSE + ".</p>", "<!-- a > ", END),
    "html_lt": (".html", HTML + PROSE, "< a &# </ <! <? ", END),
    "html_open_tags": (".html", HTML + PROSE + ".</p>", "<a ", ""),
    "html_open_quotes": (".html", HTML + PROSE + ".</p>", "<a b='", ""),
    "html_quoted_gt": (".html", HTML + PROSE + ".</p>", "<a b='>' c", ""),
    "html_end_tags": (".html", HTML + PROSE + ".</p>", "</a ", ""),
    "html_sections": (".html", HTML + PROSE + ".</p>", "<![ a <![CDATA[ b <![if c ", END),
    "html_cut_tags": (".html", HTML + PROSE + ".</p>", "<div class=", END),
    "html_entities": (".html", HTML + PROSE, "&amp;&#233;&eacute;&#x41 ", END),
    "html_scripts": (".html", HTML + PROSE + ".</p>", "<script>a</script><style>", END),
    "json_ld": (".html", "<html><head><script type='application/ld+json'>", "[",
                "</script></head><body><p>" + PROSE + ".</p></body></html>"),
}


def make(shape: str, size: int) -> tuple[str, bytes]:
    """(file name, content of about `size` bytes) of one shape."""
    suffix, head, unit, tail = SHAPES[shape]
    unit_bytes = len(unit.encode())
    fixed = len((TITLE + head + tail).encode())
    body = unit * max(1, (size - fixed) // unit_bytes)
    return f"{shape}{suffix}", (TITLE + head + body + tail).encode()


def main(argv: list[str]) -> None:
    out, size = Path(argv[0]), int(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for shape in SHAPES:
        name, data = make(shape, size)
        (out / name).write_bytes(data)


if __name__ == "__main__":
    main(sys.argv[1:])

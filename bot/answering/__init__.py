"""From a question to an answer, in stages, each in its own module:

1. `reading`      — what the question asks: its kind, its content words, its language, whether it is
                    about the articles themselves, whether it leans on the previous question;
2. `conversation` — a follow-up borrows the previous question's topic and article;
3. `about`        — questions about the articles (author, date, title, source, count, latest),
                    answered from the articles' own fields;
4. `recall`       — which sentences the full-text index offers for the question's words;
5. `scoring`      — how well each candidate covers the question, its focus and the kind of answer;
6. `decision`     — answer or decline, and why;
7. `short`        — the short answer: the person, figure, date or place, or Oui/Non.

`pipeline.Answerer` runs them; every tuning knob is in `knobs.KNOBS`.
"""

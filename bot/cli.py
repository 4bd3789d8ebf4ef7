"""Command line: `run_bot.py [ask|ingest] ...`, and the choice between the
terminal chat and Telegram when no subcommand is given."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable

from bot.config import Config, ConfigError, load_config
from bot.knowledge import KnowledgeBase
from bot.messages import decline_key, t
from bot.terminal import chat, render_answer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_bot.py",
        description="Answers questions about news articles: in Telegram when TELEGRAM_BOT_TOKEN is set, "
                    "otherwise in this terminal.",
    )
    parser.add_argument("--webhook", metavar="URL",
                        help="receive Telegram updates by webhook at this public URL instead of long polling")
    sub = parser.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="answer a question and exit")
    ask.add_argument("question", help="the question, or - to read one question per line from stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--conversation", action="store_true",
                     help="with -, read the lines as one conversation: a question may lean on the one before")
    ingest = sub.add_parser("ingest", help="load article files or folders into the database")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    return parser


def run_ask(kb: KnowledgeBase, question: str, as_json: bool, conversation: bool = False) -> int:
    previous = None

    def answer(text: str) -> str:
        nonlocal previous
        result = kb.ask(text, conversation=previous)
        if conversation:
            previous = result.conversation
        if as_json:
            return json.dumps(result.to_json(t(decline_key(result), result.lang)), ensure_ascii=False)
        return render_answer(result, kb)

    # "-": one question per line of stdin, answered as it arrives (works as a pipe filter).
    questions = (line.rstrip("\n") for line in sys.stdin) if question == "-" else [question]
    for text in questions:
        print(answer(text), flush=True)
    return 0


def run_ingest(kb: KnowledgeBase, paths: list[str]) -> int:
    report = kb.ingest(paths)
    print("\n".join(report.lines()))
    return 1 if report.refused and not (report.added or report.updated or report.skipped) else 0


class RedactSecret(logging.Filter):
    """Replace a secret (the bot token) in every log line, whichever library writes it."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), ()
        return True


def main(argv: list[str] | None = None, run_telegram: Callable[[Config, str | None], int] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = load_config()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if config.token:
        for handler in logging.getLogger().handlers:
            handler.addFilter(RedactSecret(config.token))
    if args.command is None and config.token:
        if run_telegram is None:
            from handlers.app import run  # the Telegram layer is imported only when used

            run_telegram = run
        return run_telegram(config, args.webhook)
    # The command line loads the bundled articles on first start like the bot does, except for
    # `ingest`, whose job is precisely to say what it loads.
    kb = KnowledgeBase(config.db_path, None if args.command == "ingest" else config.articles_dir,
                       semantic=args.command != "ingest")  # storing needs no word vectors
    if args.command == "ask":
        return run_ask(kb, args.question, args.json, args.conversation)
    if args.command == "ingest":
        return run_ingest(kb, args.paths)
    chat(kb)
    return 0

"""The command line and the terminal chat, run as a user would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot.config import ConfigError, load_config
from tests.conftest import PROJECT, SEEDS, bot_environment


def run(args: list[str], tmp_path, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    environment = bot_environment(BOT_DB=str(tmp_path / "bot.db"), **env)
    return subprocess.run([sys.executable, str(PROJECT / "run_bot.py"), *args], input=stdin, text=True,
                          capture_output=True, cwd=tmp_path, env=environment, timeout=120)


def test_ask_prints_answer_quote_and_source(tmp_path):
    result = run(["ask", "Qui est le PDG de Kraken ?"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Jesse Powell" in result.stdout
    assert "« Aujourd’hui, le PDG de la société, Jesse Powell" in result.stdout
    assert "Source" in result.stdout


def test_ask_json_reads_stdin_one_object_per_line(tmp_path):
    questions = "Combien de personnes Kraken licencie ?\nBonjour\n\n" + "x" * 5000 + "\n"
    result = run(["ask", "--json", "-"], tmp_path, stdin=questions)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 4
    first = records[0]
    assert set(first) >= {"question", "answered", "answer", "quote", "article", "score", "alternatives"}
    assert first["answered"] is True and first["quote"] and first["answer"]
    assert set(first["article"]) >= {"id", "title", "author", "date"}
    assert isinstance(first["score"], float) and isinstance(first["alternatives"], list)
    assert all(r["answered"] is False and r["quote"] is None and r["article"] is None for r in records[1:])
    assert "rien trouvé" in records[1]["answer"] and records[1]["declined"] == "empty"


def test_ask_conversation_reads_the_lines_as_one_chat(tmp_path):
    questions = "Qui est le PDG de Kraken ?\nQu'a-t-il nié ?\n"
    alone = [json.loads(line) for line in run(["ask", "--json", "-"], tmp_path, stdin=questions).stdout.splitlines()]
    chat = [json.loads(line) for line in run(["ask", "--json", "--conversation", "-"], tmp_path,
                                             stdin=questions).stdout.splitlines()]
    assert alone[0] == chat[0]
    assert chat[1]["answered"] and chat[1]["article"]["id"] == chat[0]["article"]["id"]


def test_ingest_reports_each_file(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run(["ingest", str(SEEDS), str(tmp_path / "empty.txt")], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("added") >= 2
    assert "refused" in result.stdout and "empty file" in result.stdout
    again = run(["ingest", str(SEEDS)], tmp_path)
    assert "2 skipped" in again.stdout


def test_terminal_chat_with_piped_stdin(tmp_path):
    script = "/articles\n/summary\n/summary 1\n/summary licenciement\n/summary 999999\n/quote San Francisco\n" \
             "/help\n/nimportequoi\nOù est basée la plate-forme Kraken ?\n\n"
    result = run([], tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "1. La plate-forme Kraken" in out
    assert "Benson Toti" in out and "2022-08-01" in out
    assert "Je ne trouve pas d'article « 999999 »" in out
    assert "San Francisco" in out
    assert "/quote" in out  # help
    assert "Je ne connais pas cette commande" in out
    assert "Traceback" not in result.stderr


def test_malformed_setting_stops_with_one_line(tmp_path):
    result = run(["ask", "x"], tmp_path, TELEGRAM_BOT_TOKEN="not-a-token")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "not-a-token" not in result.stderr


@pytest.mark.parametrize("name,value", [
    ("TELEGRAM_BOT_TOKEN", "12:short"), ("TELEGRAM_API_BASE_URL", "ftp://example.org"),
    ("BOT_ADMIN_IDS", "12,alice"), ("BOT_LOG_LEVEL", "LOUD"), ("BOT_TIMEZONE", "Mars/Olympus"),
    ("BOT_ALERT_INTERVAL", "0"), ("BOT_WORKERS", "-1"), ("BOT_WORKERS", "two"),
])
def test_each_malformed_setting_is_named(name, value):
    with pytest.raises(ConfigError, match=name):
        load_config({name: value})


def test_question_workers_leave_a_core_to_the_bot_unless_told():
    assert load_config({"BOT_WORKERS": "3"}).workers == 3
    assert 0 <= load_config({}).workers < (os.cpu_count() or 1)


def test_terminal_chat_survives_odd_article_numbers(tmp_path):
    """'²' passes str.isdigit() and int() refuses it; int() also refuses 5,000 digits."""
    digits = "9" * 5000
    script = f"/summary ²\n/summary {digits}\n/quote {digits}\n/summary ١\n/summary 1\n".encode() + b"\xff\xfe\n"
    result = subprocess.run([sys.executable, str(PROJECT / "run_bot.py")], input=script, capture_output=True,
                            cwd=tmp_path, env=bot_environment(BOT_DB=str(tmp_path / "bot.db")), timeout=120)
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, err
    assert "Traceback" not in err and err == ""
    assert "Je ne trouve pas d'article « ² »" in out and "Je ne trouve pas d'article « ١ »" in out
    assert f"Je ne trouve pas d'article « {digits[:40]}… »" in out and digits[:41] not in out
    assert f"Aucune phrase ne contient « {digits[:40]}… »" in out
    assert "Benson Toti" in out  # /summary 1 still works after all that


@pytest.mark.parametrize("reference", ["²", "1²", "١", "１", "9" * 5000, "9" * 19, "0", "-1", "+1", " ", "²" * 5000])
def test_find_article_takes_only_plain_numbers(kb, reference):
    assert kb.find_article(reference) is None


def test_find_article_by_number_and_keywords(kb):
    assert kb.find_article(" 1 ").id == 1 and kb.find_article("02").id == 2
    assert kb.find_article("licenciement") is not None

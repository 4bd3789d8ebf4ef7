"""Settings: the `.env` file read by python-dotenv's rules, and every setting checked in one place."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import tomllib

import pytest

from bot.cli import main
from bot.config import (
    DEFAULT_LISTEN,
    DEFAULT_PORT,
    SETTINGS,
    ConfigError,
    env_example,
    load_config,
    load_dotenv,
    readme_table,
)
from tests.conftest import PROJECT, bot_environment

TOKEN = "123456:" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"


@pytest.fixture
def clean_environ(monkeypatch):
    """os.environ without the bot's settings; what load_dotenv puts there is undone after the test."""
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "BOT_")) or name in ("PORT", "LATER", "QUOTED", "SINGLE", "HASHED"):
            monkeypatch.delenv(name)
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_dotenv_rules_bom_quotes_export_and_inline_comments(tmp_path, clean_environ, monkeypatch):
    monkeypatch.chdir(tmp_path)  # load_config() reads the .env of the working directory
    (tmp_path / ".env").write_bytes(
        "\ufeffTELEGRAM_BOT_TOKEN=123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"
        "# a comment line\r\n"
        "export BOT_LOG_LEVEL=warning   # inline comment\r\n"
        'QUOTED="a value # not a comment"\r\n'
        "SINGLE='x y'\r\n"
        "HASHED=abc#def\r\n"
        "LATER=${QUOTED}!\r\n".encode())
    load_dotenv(tmp_path / ".env")
    # The byte-order mark is not part of the first name: the token is not lost.
    assert os.environ["TELEGRAM_BOT_TOKEN"] == "123456:" + "A" * 35
    assert os.environ["BOT_LOG_LEVEL"] == "warning"
    assert os.environ["QUOTED"] == "a value # not a comment"
    assert os.environ["SINGLE"] == "x y"
    assert os.environ["HASHED"] == "abc#def"  # python-dotenv: a comment needs a space before '#'
    assert os.environ["LATER"] == "a value # not a comment!"
    assert load_config().log_level == "WARNING"


def test_dotenv_variables_already_set_win(tmp_path, clean_environ, monkeypatch):
    monkeypatch.setenv("BOT_LOG_LEVEL", "ERROR")
    (tmp_path / ".env").write_text("BOT_LOG_LEVEL=DEBUG\nBOT_TIMEZONE=UTC\n", encoding="utf-8")
    load_dotenv(tmp_path / ".env")
    assert os.environ["BOT_LOG_LEVEL"] == "ERROR"
    assert os.environ["BOT_TIMEZONE"] == "UTC"


@pytest.mark.parametrize("content,expected", [
    (b"BOT_LOG_LEVEL=INFO\nthis is not a setting\n", "line 2 is not a KEY=VALUE setting"),
    (b"BOT_LOG_LEVEL=INFO\nBOT_TIMEZONE=Europe/Z\xfcrich\n", "line 2 is not UTF-8 text"),
])
def test_dotenv_unreadable_line_is_named(tmp_path, clean_environ, content, expected):
    (tmp_path / ".env").write_bytes(content)
    with pytest.raises(ConfigError, match=expected):
        load_dotenv(tmp_path / ".env")


def test_dotenv_that_is_a_fifo_is_refused_without_blocking(tmp_path, clean_environ):
    os.mkfifo(tmp_path / ".env")
    with pytest.raises(ConfigError, match="not a regular file"):
        load_dotenv(tmp_path / ".env")


def test_missing_dotenv_is_fine(tmp_path, clean_environ):
    load_dotenv(tmp_path / ".env")


def test_dotenv_with_bom_and_token_first_starts_telegram_not_the_terminal_chat(tmp_path):
    """The reported case end to end: a BOM before the token made the bot start the terminal chat."""
    (tmp_path / ".env").write_bytes(f"\ufeffTELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_API_BASE_URL="
                                    "http://127.0.0.1:9/bot\nBOT_START_TIMEOUT=0\n".encode())
    result = subprocess.run([sys.executable, str(PROJECT / "run_bot.py")], input="", text=True, capture_output=True,
                            cwd=tmp_path, env=bot_environment(BOT_DB=str(tmp_path / "bot.db")), timeout=120)
    assert result.returncode == 3, result.stderr  # it tried Telegram (and nothing listens on port 9)
    assert result.stderr.startswith("Bot API error: cannot reach http://127.0.0.1:9/bot")
    assert result.stdout == ""  # no terminal chat


def test_webhook_and_start_settings_have_defaults():
    config = load_config({})
    assert (config.port, config.webhook_listen, config.webhook_secret) == (DEFAULT_PORT, DEFAULT_LISTEN, None)
    assert config.start_timeout == 30
    config = load_config({"PORT": "8080", "BOT_WEBHOOK_LISTEN": "::1", "BOT_WEBHOOK_SECRET": "abc_DEF-1",
                          "BOT_START_TIMEOUT": "0"})
    assert (config.port, config.webhook_listen, config.webhook_secret, config.start_timeout) == (
        8080, "::1", "abc_DEF-1", 0)
    assert load_config({"BOT_WEBHOOK_LISTEN": "bot.example.org"}).webhook_listen == "bot.example.org"
    assert load_config({"BOT_ADMIN_IDS": " 12, 34 56,"}).admin_ids == {12, 34, 56}


@pytest.mark.parametrize("name,value", [
    ("PORT", "abc"), ("PORT", "0"), ("PORT", "65536"), ("PORT", "-1"), ("PORT", "²"),
    ("BOT_WEBHOOK_SECRET", "with space"), ("BOT_WEBHOOK_SECRET", "é"), ("BOT_WEBHOOK_SECRET", "x" * 257),
    ("BOT_WEBHOOK_LISTEN", "not an address!"), ("BOT_WEBHOOK_LISTEN", " 0.0.0.0"),
    ("BOT_START_TIMEOUT", "soon"), ("BOT_START_TIMEOUT", "-1"), ("BOT_START_TIMEOUT", "nan"),
    ("BOT_ALERT_INTERVAL", "inf"), ("BOT_ADMIN_IDS", "١٢"), ("BOT_ADMIN_IDS", "+12"), ("BOT_ADMIN_IDS", "9" * 5000),
    ("BOT_DB", "/dev/null"), ("TELEGRAM_API_BASE_URL", "https://"),
])
def test_each_malformed_setting_is_named_in_one_line(name, value):
    with pytest.raises(ConfigError, match=name) as raised:
        load_config({name: value})
    assert "\n" not in str(raised.value)


def test_db_and_articles_paths_are_checked(tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "folder").mkdir()
    for bad in (tmp_path / "folder", tmp_path / "file" / "bot.db"):
        with pytest.raises(ConfigError, match="BOT_DB"):
            load_config({"BOT_DB": str(bad)})
    with pytest.raises(ConfigError, match="BOT_ARTICLES_DIR"):
        load_config({"BOT_ARTICLES_DIR": str(tmp_path / "file")})
    # Not there yet is fine: the database is created, a missing articles folder is simply not watched.
    config = load_config({"BOT_DB": str(tmp_path / "new" / "bot.db"), "BOT_ARTICLES_DIR": str(tmp_path / "none")})
    assert config.db_path == tmp_path / "new" / "bot.db"


def test_token_never_in_a_configuration_error(tmp_path):
    secret = "AbCdEfGhIjKlMnOpQrStUvWxYz"
    with pytest.raises(ConfigError) as raised:
        load_config({"TELEGRAM_BOT_TOKEN": f"12 {secret}"})
    assert secret.lower() not in str(raised.value).lower()


# --- one table of settings: .env.example, the README and load_config agree ------------------


def test_env_example_and_readme_table_are_generated_from_the_settings_table():
    assert (PROJECT / ".env.example").read_text(encoding="utf-8") == env_example(), \
        "regenerate it: python -m bot.config --env-example > .env.example"
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- settings: generated", 1)[1].split("-->\n", 1)[1].split("<!-- end of settings -->")[0]
    assert table == readme_table(), "paste the output of python -m bot.config --readme-table into the README"


class Recording(dict):
    """An environment that notes every variable asked for."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, name, default=None):
        self.read.add(name)
        return super().get(name, default)

    def __getitem__(self, name):
        self.read.add(name)
        return super().__getitem__(name)


def test_load_config_reads_only_variables_of_the_table():
    env = Recording({})
    load_config(env)
    # Proxy variables are read in both cases, as curl and httpx do; the table names the upper-case one.
    assert {name.upper() for name in env.read} <= {s.name for s in SETTINGS}
    assert env.read >= {s.name for s in SETTINGS}  # and the table names nothing load_config ignores


def test_defaults_of_the_table_are_those_of_load_config():
    written = {s.name: s.default for s in SETTINGS if s.default}
    assert load_config(written) == load_config({})


@pytest.mark.parametrize("env,expected", [
    ({"TELEGRAM_PROXY": "http://127.0.0.1:3128", "HTTPS_PROXY": "http://10.0.0.1:8080"}, "http://127.0.0.1:3128"),
    ({"HTTPS_PROXY": "http://user:pass@10.0.0.1:8080"}, "http://user:pass@10.0.0.1:8080"),
    ({"https_proxy": "http://10.0.0.1:8080/"}, "http://10.0.0.1:8080/"),
    ({"HTTPS_PROXY": "http://10.0.0.1:8080", "NO_PROXY": "localhost,.telegram.org"}, None),
    ({"HTTPS_PROXY": "socks5://10.0.0.1:1080", "no_proxy": "api.telegram.org"}, None),  # not used, so not refused
    ({"TELEGRAM_PROXY": "http://127.0.0.1:3128", "NO_PROXY": "*"}, "http://127.0.0.1:3128"),  # asked for by name
    ({}, None),
])
def test_proxy_setting(env, expected):
    assert load_config(env).proxy == expected


@pytest.mark.parametrize("value", ["socks5://127.0.0.1:1080", "socks5h://127.0.0.1:1080", "https://proxy:3129",
                                   "127.0.0.1:3128", "http://"])
def test_unsupported_proxy_is_refused_in_one_line(value):
    with pytest.raises(ConfigError, match="TELEGRAM_PROXY / HTTPS_PROXY must be an HTTP proxy URL") as raised:
        load_config({"TELEGRAM_PROXY": value})
    assert "\n" not in str(raised.value)


def test_version_and_the_console_command_share_the_parser(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"], prog="news-qa-bot")
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"news-qa-bot {importlib.metadata.version('news-qa-bot')}\n"
    result = subprocess.run([sys.executable, str(PROJECT / "run_bot.py"), "--version"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("run_bot.py ")
    scripts = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"news-qa-bot": "bot.cli:console"}

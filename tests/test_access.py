"""BOT_ALLOWED_CHATS end to end: served chats and operators answered, others told why once, groups left."""

from __future__ import annotations

import pytest

from bot.config import load_config
from handlers.app import build_application
from tests.botapi import BotAPIStandIn, load_spec, polling
from tests.conftest import SPEC_PATH, TOKEN, serving

ALLOWED_USER, ALLOWED_GROUP, OPERATOR = 100, -1001, 300
STRANGER, OTHER_GROUP, CHANNEL = 200, -2002, -1003


@pytest.fixture
async def api(kb, tmp_path):
    async with serving(kb, tmp_path, BOT_ALLOWED_CHATS=f"{ALLOWED_USER}, {ALLOWED_GROUP}",
                       BOT_ADMIN_IDS=str(OPERATOR)) as server:
        yield server


async def test_allowed_chat_and_operators_are_served(api):
    api.message("Qui est le PDG de Kraken ?", chat_id=ALLOWED_USER, user_id=ALLOWED_USER)
    api.message("/articles", chat_id=OPERATOR, user_id=OPERATOR)
    await api.wait_for(chat_id=ALLOWED_USER)
    await api.wait_for(chat_id=OPERATOR)


async def test_other_private_chat_is_told_why_once_then_ignored(api):
    for text in ("Qui est le PDG de Kraken ?", "/start", "Et pourquoi ?"):
        api.message(text, chat_id=STRANGER, user_id=STRANGER)
    (told,) = await api.wait_for(chat_id=STRANGER)
    await api.quiet(0.5)
    assert len(api.sent(chat_id=STRANGER)) == 1
    assert "réservé" in told.params["text"]


async def test_other_group_is_told_and_left_allowed_group_welcomed(api):
    api.membership(OTHER_GROUP, "left", "member")
    api.membership(ALLOWED_GROUP, "left", "member")
    (told,) = await api.wait_for(chat_id=OTHER_GROUP)
    assert "quitte" in told.params["text"]
    (left,) = await api.wait_for("leaveChat")
    assert int(left.params["chat_id"]) == OTHER_GROUP
    await api.wait_for(chat_id=ALLOWED_GROUP)  # the usual hello
    assert not [c for c in api.sent("leaveChat") if int(c.params["chat_id"]) == ALLOWED_GROUP]


async def test_a_group_the_bot_was_already_in_is_left_on_its_next_message(api):
    api.message("@ArticlesQABot Qui est le PDG de Kraken ?", chat_id=OTHER_GROUP, user_id=ALLOWED_USER)
    await api.wait_for("leaveChat")
    assert len(api.sent(chat_id=OTHER_GROUP)) == 1  # the reason, not an answer


async def test_presses_and_inline_queries_of_strangers_get_an_empty_answer(api):
    press = api.callback("alt:1", message_id=5, chat_id=STRANGER, user_id=STRANGER)
    api.inline("Kraken", user_id=STRANGER)
    (answered,) = await api.wait_for("answerCallbackQuery")
    assert str(answered.params["callback_query_id"]) == api.press_id(press) and answered.params["show_alert"]
    (offered,) = await api.wait_for("answerInlineQuery")
    assert offered.params["results"] in ([], "[]")


async def test_channels_are_not_left(api):
    api.push({"my_chat_member": {
        "chat": {"id": CHANNEL, "type": "channel", "title": "C"}, "date": 0,
        "from": {"id": OPERATOR, "is_bot": False, "first_name": "O"},
        "old_chat_member": {"status": "left", "user": {"id": 4242, "is_bot": True, "first_name": "A"}},
        "new_chat_member": {"status": "member", "user": {"id": 4242, "is_bot": True, "first_name": "A"}}}})
    await api.quiet(0.5)
    assert api.sent("leaveChat") == []


async def test_chats_subscribed_before_the_allow_list_get_no_more_alerts(tmp_path):
    """Set while the bot was away: at start, alerts stop for subscribed chats outside the list
    (operators and linked channels kept); the next new article alerts only the chats served."""
    from bot.knowledge import KnowledgeBase
    from bot.subscriptions import Subscriptions
    from tests.conftest import PROJECT

    db = tmp_path / "bot.db"
    chats = Subscriptions(db)
    for chat_id in (ALLOWED_USER, STRANGER, OTHER_GROUP, OPERATOR):
        chats.subscribe(chat_id, [], "fr")
    chats.link_channel(CHANNEL, "C", "fr", OPERATOR)
    server = BotAPIStandIn(load_spec(SPEC_PATH))
    await server.start()
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
                          "BOT_DB": str(db), "BOT_WORKERS": "0", "BOT_ALERT_INTERVAL": "0.1",
                          "BOT_ALLOWED_CHATS": str(ALLOWED_USER), "BOT_ADMIN_IDS": str(OPERATOR)})
    kb = KnowledgeBase(db, None)
    async with polling(build_application(config, kb)):
        kb.ingest([PROJECT / "tests" / "articles" / "greve_rail.txt"])
        for chat_id in (ALLOWED_USER, OPERATOR, CHANNEL):
            await server.wait_for(chat_id=chat_id)
        await server.quiet(0.5)
        assert server.sent(chat_id=STRANGER) == server.sent(chat_id=OTHER_GROUP) == []
    await server.stop()
    assert [c for c in chats.store.db.execute("SELECT chat_id FROM chats WHERE active = 1 ORDER BY chat_id")] == \
        [(CHANNEL,), (ALLOWED_USER,), (OPERATOR,)]

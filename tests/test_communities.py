"""Alerts where communities live, end to end through the stand-in: channels an operator links,
forum topics, and keywords that exclude."""

from __future__ import annotations

import html

from tests import test_alerts
from tests.botapi import BOT
from tests.test_alerts import ADMIN, OPERATOR, RAIL, STORM, Bed, subscribe

bed = test_alerts.bed  # the same test bed: a real Application polling the stand-in, its database, a clock
FORUM = -2100


async def command(bed: Bed, text: str, chat_id: int = OPERATOR, user_id: int | None = None, **extra) -> str:
    """Send a command; returns the text of the bot's reply, unescaped."""
    before = len(bed.api.sent(chat_id=chat_id))
    bed.api.message(text, chat_id=chat_id, user_id=user_id or (chat_id if chat_id > 0 else ADMIN), **extra)
    calls = await bed.api.wait_for(chat_id=chat_id, count=before + 1)
    return html.unescape(calls[-1].params["text"])


def thread(call) -> int | None:
    return call.params.get("message_thread_id")


async def test_operator_links_a_channel_from_private_chat_and_alerts_are_posted_there(bed):
    channel = bed.api.channel(-1001000001500, "infos")["id"]
    assert "opérateurs" in await command(bed, "/subscribe @infos grève", chat_id=600)  # not an operator
    bed.api.admins[-2150] = {OPERATOR}
    assert "opérateurs" in await command(bed, "/link @infos", chat_id=-2150, user_id=OPERATOR)  # not in private
    assert bed.api.sent("getChat") == []  # refused before looking the channel up
    text = await command(bed, "/subscribe @infos grève -bitcoin")
    assert "Canal « Canal infos »" in text and "grève" in text and "bitcoin" in text
    (looked_up,) = bed.api.sent("getChat")
    assert looked_up.params["chat_id"] == "@infos"
    (rights,) = bed.api.sent("getChatMember", chat_id=channel)
    assert int(rights.params["user_id"]) == BOT["id"]  # the bot checks itself, not the operator
    assert bed.kb.db.execute("SELECT kind, linked_by, subscribed FROM chats WHERE chat_id = ?",
                             [channel]).fetchone() == ("channel", OPERATOR, 1)
    bed.ingest_in_other_process(RAIL, STORM)
    (alert,) = await bed.wait_alerts(channel)
    assert "SNCF" in alert and "Vos mots-clés : grève" in alert
    assert thread(bed.api.sent(chat_id=channel)[-1]) is None
    # A reader's press under the alert: the summary is not posted to the whole channel.
    button = bed.api.sent(chat_id=channel)[-1].params["reply_markup"]["inline_keyboard"][0][0]
    bed.api.callback(button["callback_data"], message_id=1, chat_id=channel, user_id=900)
    (answered,) = await bed.api.wait_for("answerCallbackQuery")
    assert "/summary" in answered.params["text"] and answered.params["show_alert"] is True
    await bed.api.quiet(0.5)
    assert len(bed.api.sent(chat_id=channel)) == 1
    # The operator manages it by name, from private chat.
    status = await command(bed, "/subscriptions @infos")
    assert "Mots-clés suivis : grève" in status and "Sauf les articles qui parlent de : bitcoin" in status
    assert "Canal « Canal infos »" in await command(bed, "/pause @infos")
    assert bed.chats.settings(channel).paused
    assert "arrêté" in await command(bed, "/unsubscribe @infos all")
    assert not bed.chats.settings(channel).subscribed


async def test_channel_link_is_refused_with_the_reason(bed):
    bed.api.channel(-1001000001501, "sansmoi", admin=False)
    bed.api.channel(-1001000001502, "lecture", may_post=False)
    bed.api.chats[-1001000001503] = {"id": -1001000001503, "type": "supergroup", "title": "Un groupe",
                                     "username": "ungroupe"}
    assert "administrateur" in await command(bed, "/link @sansmoi")
    assert "Publier des messages" in await command(bed, "/subscribe @lecture grève")
    assert "ne trouve pas le canal @inconnu" in await command(bed, "/link @inconnu")
    assert "n'est pas un canal" in await command(bed, "/link @ungroupe")
    assert "/link @canal" in await command(bed, "/link")
    assert bed.kb.db.execute("SELECT count(*) FROM chats WHERE kind = 'channel'").fetchone()[0] == 0


async def test_channel_that_loses_posting_rights_is_deactivated_and_relinked(bed):
    channel = bed.api.channel(-1001000001504, "canal")["id"]
    text = await command(bed, "/link -1001000001504")  # a private channel is named by its id
    assert "Canal relié" in text and "tous les nouveaux articles" in text
    bed.api.chat_errors[channel] = (403, {"ok": False, "error_code": 403,
                                          "description": "Forbidden: bot is not a member of the channel chat"})
    bed.ingest_in_other_process(RAIL)
    await bed.wait_alerts(channel)  # the refused attempt
    await bed.api.quiet(0.5)
    assert not bed.chats.settings(channel).active
    del bed.api.chat_errors[channel]
    await command(bed, "/link @canal")
    assert bed.chats.settings(channel).active
    bed.ingest_in_other_process(STORM)
    await bed.wait_alerts(channel, count=2)


async def test_subscription_in_a_forum_topic_alerts_into_it_and_replies_stay_there(bed):
    bed.api.admins[FORUM] = {ADMIN}
    topic = {"message_thread_id": 7, "is_topic_message": True}
    await command(bed, "/subscribe tempête", chat_id=FORUM, **topic)
    assert thread(bed.api.sent(chat_id=FORUM)[-1]) == 7  # the reply, in the topic
    assert bed.chats.settings(FORUM).thread_id == 7
    bed.ingest_in_other_process(STORM)
    await bed.wait_alerts(FORUM)
    alert = bed.api.sent(chat_id=FORUM)[-1]
    assert thread(alert) == 7
    # "Résumé complet" under the alert, a question and its "Contexte" button: all in the topic.
    summary = alert.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    bed.api.callback(summary, message_id=1, chat_id=FORUM, user_id=ADMIN, thread_id=7)
    await bed.api.wait_for(chat_id=FORUM, count=3)
    bed.api.message("@ArticlesQABot Combien de foyers privés d'électricité ?", chat_id=FORUM, user_id=ADMIN, **topic)
    answer = (await bed.api.wait_for(chat_id=FORUM, count=4))[-1]
    context = answer.params["reply_markup"]["inline_keyboard"][0][-1]["callback_data"]
    assert context.startswith("ctx:")
    bed.api.callback(context, message_id=2, chat_id=FORUM, user_id=ADMIN, thread_id=7)
    calls = await bed.api.wait_for(chat_id=FORUM, count=5)
    assert [thread(c) for c in calls] == [7] * 5
    # In a group without topics, a chain of replies has a thread id too: it is not a topic.
    await command(bed, "/subscribe", chat_id=FORUM, message_thread_id=55)
    assert bed.chats.settings(FORUM).thread_id is None
    bed.ingest_in_other_process(RAIL)
    await bed.wait_alerts(FORUM, count=2)
    assert thread(bed.api.sent(chat_id=FORUM)[-1]) is None


async def test_deleted_topic_falls_back_to_the_group(bed):
    group = -2101
    bed.api.admins[group] = {ADMIN}
    await command(bed, "/subscribe", chat_id=group, message_thread_id=9, is_topic_message=True)
    bed.api.deleted_topics.add((group, 9))
    bed.ingest_in_other_process(STORM)
    await bed.wait_alerts(group, count=2)
    refused, delivered = bed.api.sent(chat_id=group)[-2:]
    assert (thread(refused), thread(delivered)) == (9, None)
    assert bed.chats.settings(group).thread_id is None  # the next alerts too
    assert bed.kb.db.execute("SELECT status FROM outbox WHERE chat_id = ?", [group]).fetchall() == [("sent",)]


async def test_exclude_keywords(bed):
    text = await subscribe(bed, 320, "grève tempête -TGV")
    assert "grève, tempête" in text and "Sauf les articles qui parlent de : TGV" in text
    await subscribe(bed, 321, "-tempête")  # everything except storms
    assert "TGV" in await command(bed, "/subscriptions", chat_id=320)
    bed.ingest_in_other_process(RAIL, STORM)
    (storm,) = await bed.wait_alerts(320)
    (rail,) = await bed.wait_alerts(321)
    await bed.api.quiet(0.5)
    assert "Ciaran" in storm and "SNCF" in rail
    assert len(bed.alerts(320)) == 1 and len(bed.alerts(321)) == 1
    text = await command(bed, "/unsubscribe -TGV", chat_id=320)
    assert "grève, tempête" in text and "TGV" not in text
    assert bed.chats.settings(320).subscribed

"""The web chat page's own words in the language of the person chatting: the page itself, the
words it asks for when the person switches, and its refusals; no English left, every
placeholder filled, and back to the workspace default when someone else is picked."""

from __future__ import annotations

import html
import json
import re

import httpx
import pytest

from core import i18n
from core.clock import FakeClock
from tests.i18n.test_no_english_left import PLACEHOLDER, english_left
from tests.webchat_demo import demo_chat

SHIPPED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT_LANGUAGE]
# Names, commands, the product and the setting the page names as they are written.
KEPT = re.compile(r"<code>.*?</code>|<strong>.*?</strong>|WEBCHAT_PASSWORD|mentorbot demo|"
                  r"Mentorbot|HTTP|\{status\}|\{error\}")
# "Demo" is German, Spanish and Portuguese too; "local", "long", "page" French (and "local"
# Spanish and Portuguese).
ALSO_THEIRS = {"demo", "local", "long", "page"}


@pytest.fixture
async def chat(db_url: str, clock: FakeClock):  # type: ignore[no-untyped-def]
    async with demo_chat(db_url, clock) as client:
        yield client


def _readable(words: dict[str, str]) -> str:
    """What the page shows of its words (the script fills {status} and {error} in)."""
    shown = {k: v for k, v in words.items() if k != "lang"}
    return html.unescape(re.sub(r"<[^>]+>", " ", KEPT.sub(" | ", "\n".join(shown.values()))))


def _page_words(page: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="words">(.*?)</script>', page, re.S)
    assert found
    return json.loads(found.group(1))


async def _too_long(chat: httpx.AsyncClient, user: str) -> str:
    r = await chat.post("/webchat/api/command", json={"user": user, "text": "x" * 5000})
    assert r.status_code == 413
    return r.json()["detail"]


async def test_the_page_speaks_the_language_of_whoever_is_chatting(
        chat: httpx.AsyncClient) -> None:
    people = (await chat.get("/webchat/api/people")).json()
    first, second = people[0]["user"], people[1]["user"]
    english_page = (await chat.get("/")).text
    english = _page_words(english_page)
    assert english["send"] == "Send" and english["lang"] == "en"
    assert "Chat as" in english["welcome"]  # the demo has an admin to name
    assert (await chat.post("/webchat/api/me", json={"user": first})).status_code == 200
    english_refusal = await _too_long(chat, first)
    assert english_refusal.startswith("That message is 5,000 characters long")
    for code in SHIPPED:
        said = (await chat.post("/webchat/api/command",
                                json={"user": first, "text": f"language {code}"})).json()
        assert said["lang"] == i18n.bcp47(code)  # the page hears the change...
        words = (await chat.get("/webchat/api/words")).json()  # ...and asks for its words
        page = (await chat.get("/")).text  # a reload is in the language too
        assert f'<html lang="{i18n.bcp47(code)}">' in page and _page_words(page) == words
        assert f'data-w="send">{html.escape(words["send"], quote=False)}</button>' in page
        for name, english_text, text in (
                ("words", _readable(english), _readable(words)),
                ("too long", english_refusal, await _too_long(chat, first))):
            assert not PLACEHOLDER.findall(text), (code, name, PLACEHOLDER.findall(text))
            left = [w for w in english_left(english_text, text) if w not in ALSO_THEIRS]
            assert not left, f"{code} {name} still says in English: {left}\n{text}"
    # Someone else, with no language of their own: the workspace default again.
    assert (await chat.post("/webchat/api/me", json={"user": second})).status_code == 200
    assert (await chat.get("/webchat/api/words")).json() == english


async def test_a_person_who_chose_german_reads_the_german_page_and_refusals(
        chat: httpx.AsyncClient) -> None:
    user = (await chat.get("/webchat/api/people")).json()[0]["user"]
    await chat.post("/webchat/api/me", json={"user": user})
    await chat.post("/webchat/api/command", json={"user": user, "text": "language de"})
    words = (await chat.get("/webchat/api/words")).json()
    assert words["chatting_as"] == "Du chattest als" and words["send"] != "Send"
    assert "<code>/mentor join</code>" in words["welcome"]
    assert await _too_long(chat, user) == ("Die Nachricht ist 5.000 Zeichen lang; der Chat "
                                           "nimmt bis zu 4.000. Kürze sie und sende sie noch "
                                           "einmal.")
    refused = await chat.post("/webchat/api/command", json={"user": "someone@else", "text": "x"})
    assert refused.status_code == 403 and refused.json()["detail"].startswith(
        "Dieser Browser chattet als jemand anderes")

"""The local web chat: a page at `/` and a small JSON API that speaks to core.

It is a demo with no accounts: whoever uses it may act as any demo person. So it answers only
requests from this machine, unless ``WEBCHAT_PASSWORD`` is set, in which case every browser
signs in with that password first. Either way each browser session acts as, and reads the
inbox of, only the one person it picked; nobody can read another session's messages by name.

The page speaks the language of the person it chats as (their choice, else the workspace
default): its own words (``words.chrome``), the refusals below and the HTML it is sent. Every
answer says which language that is (``lang``), so the page fetches its words again when the
person switches or sets `/mentor language`.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape
from importlib import resources
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from adapters.webchat.render import file_html, form_html, message_html
from adapters.webchat.sender import WebchatSender
from adapters.webchat.words import chrome, too_long
from core import i18n
from core.admin.rights import admin_user_ids
from core.demo import DEMO_TENANT
from core.events import (
    Actor,
    ButtonAction,
    CloseForm,
    CommandEvent,
    FormErrors,
    FormSubmission,
    InboundEvent,
    Intent,
    OpenForm,
    Reply,
    SendFile,
    UpdateMessage,
)
from core.i18n import N_
from core.i18n import gettext as _
from core.identity import find_identity
from core.language import reader_language
from core.mentorbot import Mentorbot
from core.models import Platform

PLATFORM = "webchat"
COOKIE = "mentorbot_webchat"
# A demo serves a handful of browsers; past this many sessions the oldest are forgotten.
MAX_SESSIONS = 1000
# The longest message the chat takes (Slack's own limit for a command's text is about this).
MAX_TEXT = 4000
# Longer messages still parse, so the answer can say what the limit is; the guard caps bodies.
_TEXT_PARSED = 1024 * 1024
# The page's refusals (HTTP errors' detail, shown as they are), in the chatting person's language.
LOCAL_ONLY = N_("The web chat is a local demo: open it on the machine that runs Mentorbot, or "
                "set WEBCHAT_PASSWORD.")
SIGN_IN_FIRST = N_("Sign in with the demo password first.")
PICK_FIRST = N_("Pick someone from the list first.")
SOMEONE_ELSE = N_("This browser is chatting as someone else: pick them from the list first.")
WRONG_PASSWORD = N_("That is not the demo password.")
UNKNOWN_PERSON = N_("Unknown person: pick someone from the list.")
_WORD = re.compile(r"\{\{(\w+)\}\}")


def is_loopback(host: str | None) -> bool:
    """True for an IP address in 127.0.0.0/8 or ::1 (a host name is never trusted)."""
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class ChatSession:
    """One browser: whether it gave the password, and the person it chose to be."""

    signed_in: bool = False
    user: str | None = None


class LoginIn(BaseModel):
    password: str = Field(max_length=200)


class ChooseIn(BaseModel):
    user: str = Field(min_length=1, max_length=320)


class CommandIn(BaseModel):
    user: str = Field(min_length=1, max_length=320)
    text: str = Field(max_length=_TEXT_PARSED)


class ActionIn(BaseModel):
    user: str = Field(min_length=1, max_length=320)
    action_id: str = Field(min_length=1, max_length=255)
    value: str = Field(default="", max_length=2000)


class SubmitIn(BaseModel):
    user: str = Field(min_length=1, max_length=320)
    form_id: str = Field(min_length=1, max_length=255)
    context: str = Field(default="", max_length=3000)
    values: dict[str, str | list[str] | bool | int | None]


def _to_json(intents: list[Intent], values: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"items": [], "update": None, "form": None, "close_form": False}
    for intent in intents:
        if isinstance(intent, Reply):
            out["items"].append(message_html(intent.message))
        elif isinstance(intent, UpdateMessage):
            out["update"] = message_html(intent.message)
        elif isinstance(intent, OpenForm):
            out["items"].append(form_html(intent.form))
        elif isinstance(intent, FormErrors):
            out["form"] = form_html(intent.form, values, intent.errors)
        elif isinstance(intent, CloseForm):
            out["close_form"] = True
        elif isinstance(intent, SendFile):
            out["items"].append(file_html(intent.filename, intent.content, intent.title))
    return out


def mount_webchat(
    app: FastAPI, *, core: Mentorbot, kick: Callable[[], Awaitable[None]],
    flush: Callable[[], Awaitable[int]], password: str | None = None,
    loopback_only: bool = True,
) -> WebchatSender:
    """Serve the chat page and its API; returns the sender that delivers DMs to open pages.

    Without ``password`` only loopback clients are served (``loopback_only``); with one, every
    browser signs in first.
    """
    sender = WebchatSender()
    known: set[str] = set()
    chats: dict[str, ChatSession] = {}

    def language_of(user: str | None) -> str:
        """The language of the person chatting (read each time: `/mentor language` may have
        just changed it), or the workspace default before anyone is picked."""
        if user is None:
            return core.default_language
        with core.sessions() as session:
            found = find_identity(session, Actor(PLATFORM, DEMO_TENANT, user))
            return reader_language(found.person if found else None, core.default_language)

    def refuse(status: int, msgid: str, user: str | None = None) -> HTTPException:
        with i18n.reading(language_of(user)):
            return HTTPException(status, _(msgid))

    def chat_of(request: Request) -> tuple[str, ChatSession]:
        """This browser's session, after the local-only and password rules."""
        if password is None and loopback_only and not is_loopback(
                request.client.host if request.client else None):
            raise refuse(403, LOCAL_ONLY)
        sid = request.cookies.get(COOKIE, "")
        chat = chats.get(sid)
        if chat is None:
            sid, chat = "", ChatSession()
        if password is not None and not chat.signed_in:
            raise refuse(401, SIGN_IN_FIRST)
        return sid, chat

    def remember(request: Request, response: Response, sid: str, chat: ChatSession) -> None:
        if not sid:
            sid = secrets.token_urlsafe(24)
            if len(chats) >= MAX_SESSIONS:
                chats.pop(next(iter(chats)))
            response.set_cookie(COOKIE, sid, httponly=True, samesite="strict", path="/",
                                secure=request.url.scheme == "https")
        chats[sid] = chat

    def actor(request: Request, user: str) -> Actor:
        """The person this browser chose; acting as anyone else is refused."""
        _sid, chat = chat_of(request)
        if chat.user is None:
            raise refuse(409, PICK_FIRST)
        if user != chat.user:
            raise refuse(403, SOMEONE_ELSE, chat.user)
        return Actor(PLATFORM, DEMO_TENANT, user)

    def known_person(user: str) -> bool:
        if user not in known:
            known.update(u for u, _name, _title in core.directory(PLATFORM, DEMO_TENANT))
        return user in known

    async def run(event: InboundEvent, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """The event's answer as the page's JSON, drawn in the person's language (which the
        event itself may just have changed) and naming it."""
        intents = await asyncio.to_thread(core.handle, event)
        await kick()
        language = await asyncio.to_thread(language_of, event.actor.user_id)
        with i18n.reading(language) as code:
            return {**_to_json(intents, values), "lang": i18n.bcp47(code)}

    def words(user: str | None) -> dict[str, str]:
        """The page's words for whoever this browser chats as, naming the admins to try."""
        rows = core.directory(PLATFORM, DEMO_TENANT)
        marked = admins()
        return chrome(language_of(user), [n for u, n, _t in rows if u in marked])

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request) -> str:
        """The page, already in the language of the person this browser chats as."""
        if password is None and loopback_only and not is_loopback(
                request.client.host if request.client else None):
            raise refuse(403, LOCAL_ONLY)
        chat = chats.get(request.cookies.get(COOKIE, ""))
        said = await asyncio.to_thread(words, chat.user if chat else None)
        template = resources.files("adapters.webchat").joinpath("static/index.html") \
            .read_text("utf-8")
        # JSON inside <script>: "<" escaped, so no text can close the element.
        embedded = json.dumps(said, ensure_ascii=False).replace("<", "\\u003c")
        return _WORD.sub(lambda m: embedded if m.group(1) == "words"
                         else escape(said[m.group(1)]), template)

    @app.get("/webchat/api/words")
    async def page_words(request: Request) -> dict[str, str]:
        """The page's words in the chatting person's language (asked again on a switch)."""
        _sid, chat = chat_of(request)
        return await asyncio.to_thread(words, chat.user)

    @app.post("/webchat/api/login")
    async def login(body: LoginIn, request: Request, response: Response) -> dict[str, bool]:
        """Give the demo password once per browser (only when WEBCHAT_PASSWORD is set)."""
        if password is None:
            chat_of(request)  # still local-only
            return {"signed_in": True}
        sid = request.cookies.get(COOKIE, "")
        # Compared as bytes: compare_digest refuses non-ASCII str.
        if not hmac.compare_digest(body.password.encode("utf-8", "replace"),
                                   password.encode("utf-8")):
            raise refuse(401, WRONG_PASSWORD)
        chat = chats.get(sid) or ChatSession()
        chat.signed_in = True
        # A fresh session id on sign-in, so a planted cookie cannot ride on someone's login.
        chats.pop(sid, None)
        remember(request, response, "", chat)
        return {"signed_in": True}

    def admins() -> set[str]:
        with core.sessions() as session:
            return admin_user_ids(session, Platform(PLATFORM), DEMO_TENANT, core.admin_emails)

    @app.get("/webchat/api/people")
    async def people(request: Request) -> list[dict[str, str | bool]]:
        """Everyone one may chat as; admins are marked, so a newcomer knows whom to pick."""
        chat_of(request)
        rows = await asyncio.to_thread(core.directory, PLATFORM, DEMO_TENANT)
        marked = await asyncio.to_thread(admins)
        return [{"user": u, "name": n, "title": t, "admin": u in marked} for u, n, t in rows]

    @app.get("/webchat/api/me")
    async def me(request: Request) -> dict[str, str | None]:
        """Whom this browser chats as (none until it picks someone), so a reload keeps it."""
        _sid, chat = chat_of(request)
        return {"user": chat.user}

    @app.post("/webchat/api/me")
    async def choose(body: ChooseIn, request: Request, response: Response) -> dict[str, str]:
        """Pick the demo person this browser chats as (and whose messages it receives)."""
        sid, chat = chat_of(request)
        if not await asyncio.to_thread(known_person, body.user):
            raise refuse(404, UNKNOWN_PERSON, chat.user)
        chat.user = body.user
        sender.open(body.user)
        remember(request, response, sid, chat)
        return {"user": body.user}

    @app.post("/webchat/api/command")
    async def command(body: CommandIn, request: Request) -> dict[str, Any]:
        who = actor(request, body.user)
        if len(body.text) > MAX_TEXT:
            with i18n.reading(await asyncio.to_thread(language_of, body.user)):
                raise HTTPException(413, too_long(len(body.text), MAX_TEXT))
        return await run(CommandEvent(who, body.text))

    @app.post("/webchat/api/action")
    async def action(body: ActionIn, request: Request) -> dict[str, Any]:
        return await run(ButtonAction(actor(request, body.user), body.action_id, body.value))

    @app.post("/webchat/api/submit")
    async def submit(body: SubmitIn, request: Request) -> dict[str, Any]:
        event = FormSubmission(actor(request, body.user), body.form_id, dict(body.values),
                               body.context)
        return await run(event, dict(body.values))

    @app.get("/webchat/api/inbox")
    async def inbox(request: Request, user: str | None = None) -> dict[str, Any]:
        """Messages for the person this browser chose (named in the answer, so a page that
        switched person meanwhile files them in the right log); naming anyone else is refused."""
        _sid, chat = chat_of(request)
        if chat.user is None:
            return {"user": None, "items": []}
        if user is not None and user != chat.user:
            raise refuse(403, SOMEONE_ELSE, chat.user)
        # The page is polling for exactly these messages: deliver what is due before answering.
        await flush()
        if not sender.waiting(chat.user):
            return {"user": chat.user, "items": []}
        # Drawn in the reader's language (looked up only when there is something to draw).
        with i18n.reading(await asyncio.to_thread(language_of, chat.user)):
            return {"user": chat.user, "items": sender.drain(chat.user)}

    return sender

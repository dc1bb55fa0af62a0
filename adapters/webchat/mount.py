"""The local web chat: a page at `/` and a small JSON API that speaks to core."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from adapters.webchat.render import file_html, form_html, message_html
from adapters.webchat.sender import WebchatSender
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
from core.mentorbot import Mentorbot

PLATFORM = "webchat"


class CommandIn(BaseModel):
    user: str = Field(min_length=1, max_length=320)
    text: str = Field(max_length=4000)


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
    flush: Callable[[], Awaitable[int]],
) -> WebchatSender:
    """Serve the chat page and its API; returns the sender that delivers DMs to open pages."""
    sender = WebchatSender()
    known: set[str] = set()

    def actor(user: str) -> Actor:
        if user not in known:
            people = {u for u, _, _ in core.directory(PLATFORM, DEMO_TENANT)}
            known.update(people)
            if user not in known:
                raise HTTPException(404, "Unknown person: pick someone from the list.")
        return Actor(PLATFORM, DEMO_TENANT, user)

    async def run(event: InboundEvent) -> list[Intent]:
        intents = await asyncio.to_thread(core.handle, event)
        await kick()
        return intents

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> str:
        return resources.files("adapters.webchat").joinpath("static/index.html").read_text("utf-8")

    @app.get("/webchat/api/people")
    async def people() -> list[dict[str, str]]:
        rows = await asyncio.to_thread(core.directory, PLATFORM, DEMO_TENANT)
        return [{"user": u, "name": n, "title": t} for u, n, t in rows]

    @app.post("/webchat/api/command")
    async def command(body: CommandIn) -> dict[str, Any]:
        return _to_json(await run(CommandEvent(actor(body.user), body.text)))

    @app.post("/webchat/api/action")
    async def action(body: ActionIn) -> dict[str, Any]:
        return _to_json(await run(ButtonAction(actor(body.user), body.action_id, body.value)))

    @app.post("/webchat/api/submit")
    async def submit(body: SubmitIn) -> dict[str, Any]:
        event = FormSubmission(actor(body.user), body.form_id, dict(body.values), body.context)
        return _to_json(await run(event), dict(body.values))

    @app.get("/webchat/api/inbox")
    async def inbox(user: str) -> dict[str, list[str]]:
        # The page is polling for exactly these messages: deliver what is due before answering.
        await flush()
        return {"items": sender.drain(user)}

    return sender

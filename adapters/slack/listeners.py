"""Bolt listeners: translate the payload, ask core, carry out the intents in Slack terms."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.http import PerLoopSession
from adapters.slack.rendered import blocks_of, form_view, reply_modal, text_of
from adapters.slack.translate import (
    BadPayload,
    errors_to_ack,
    home_view,
    to_event,
)
from core.events import (
    Actor,
    CommandEvent,
    FormErrors,
    InboundEvent,
    Intent,
    OpenForm,
    Reply,
    SendFile,
    UpdateMessage,
)
from core.identity import needs_email
from core.mentorbot import Mentorbot
from core.outbox.enqueue import noting_queued
from core.ui import Divider, Message, Section

log = logging.getLogger(__name__)

Kick = Callable[[], Awaitable[None]]
# users.info runs before a form submission's ack (Slack waits 3 s at most).
USERS_INFO_TIMEOUT = 1.5
ASK_EMAIL_AGAIN = timedelta(hours=1)
# A response_url reply, as long as slack_sdk's webhook client allowed it.
REPLY_TIMEOUT = aiohttp.ClientTimeout(total=30)
EVENT_KEY = "mentorbot_event"
ANY = re.compile(".*")
# Commands whose answer is usually a form: their modal opens before core runs.
FORM_COMMANDS = ("join",)
# Threads that run core for Slack. Few on purpose: core is CPU-bound Python, and every busy
# thread takes the GIL from the event loop that acks (with 8, acks waited seconds under load;
# with 2, tens of milliseconds: `mentorbot bench acks`). Work beyond them queues.
CORE_WORKERS = 2


# A check run before anything else on a request: a refusal, or None to carry on.
Refuse = Callable[[AsyncBoltContext], BoltResponse | None]


def _remember(seen: dict[tuple[str, str], datetime], key: tuple[str, str],
              now: datetime) -> None:
    """Note when ``key`` was looked at; the memory is bounded (forgetting costs one query)."""
    if len(seen) > 50_000:
        seen.clear()
    seen[key] = now


class Listeners:
    """The listeners for one core; each one translates, calls core, renders, and kicks the
    outbox when core queued a message."""

    def __init__(self, core: Mentorbot, kick: Kick, *, workers: int = CORE_WORKERS) -> None:
        self.core = core
        self.kick = kick
        # Accounts Slack showed no email for, and when: asked again only after a while.
        self._asked: dict[tuple[str, str], datetime] = {}
        # Accounts the bot had an email for, and when it looked: not looked up again for a
        # while, so a regular's command costs no transaction before core's own.
        self._has_email: dict[tuple[str, str], datetime] = {}
        # core is synchronous and talks to the database: it runs on threads of its own, so a
        # burst of commands queues there and never takes the threads anything else needs.
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-core")
        self._http = PerLoopSession()
        # Words of the commands that answer with a form (looked up in core's routing table).
        self._form_words = frozenset(
            w for name in FORM_COMMANDS if (c := core.routes.command(name)) is not None
            for w in c.words)

    def middleware(self, refuse: Refuse | None = None) -> Callable[..., Awaitable[BoltResponse]]:
        """The one Bolt middleware: ``refuse`` (a request Bolt must not handle), then the
        payload translated once, before any listener acks, so a malformed one still gets a
        400. One middleware, not one per step: each costs Bolt a layer on every request.

        It also gives the request's Web API client the kept-alive session: Bolt makes a client
        per request without one, and such a client opens (and closes) a new connection for
        every call (views.open, views.update, users.info)."""

        async def mentorbot(body: Any, context: AsyncBoltContext,
                            next_: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
            if refuse is not None and (refused := refuse(context)) is not None:
                return refused
            try:
                context[EVENT_KEY] = to_event(body)
            except BadPayload as exc:
                log.info("rejected Slack payload: %s", exc)
                return BoltResponse(status=400, body="bad request")
            client = context.get("client")
            if isinstance(client, AsyncWebClient) and client.session is None:
                client.session = self._web()
            return await next_()

        return mentorbot

    def _web(self) -> aiohttp.ClientSession:
        """The HTTP session for replies and Web API calls, one per event loop."""
        return self._http.get()

    async def close(self) -> None:
        """Close the kept-alive session (at shutdown)."""
        await self._http.close()

    async def _in_core(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def _handle(self, event: InboundEvent,
                      client: AsyncWebClient | None = None) -> list[Intent]:
        """Core's answer; delivery of whatever it queued starts at once."""
        intents, queued = await self._handle_noting(event, client)
        if queued:
            await self.kick()
        return intents

    async def _handle_noting(self, event: InboundEvent, client: AsyncWebClient | None = None
                             ) -> tuple[list[Intent], bool]:
        """Core's answer, and whether it queued a message. An event that queued nothing
        starts no flush (the scheduler's tick still retries what is due)."""
        if client is not None:
            event = await self._with_email(event, client)
        intents, queued = await self._in_core(noting_queued, self.core.handle, event)
        return list(intents), queued

    async def _with_email(self, event: InboundEvent, client: AsyncWebClient) -> InboundEvent:
        """Ask Slack for the person's email whenever the bot has none for them yet (first
        contact, whatever the event, or a record made while Slack gave no email), so core
        links them to their HRIS record, or merges the early record into it. People with an
        email cost nothing (after the first look, not even a query, for an hour); an account
        Slack shows no email for is asked again hourly."""
        actor = getattr(event, "actor", None)
        if actor is None or actor.email or not isinstance(actor.user_id, str):
            return event
        key, now = (actor.tenant_id, actor.user_id), self.core.clock.now()
        for seen in (self._asked, self._has_email):
            when = seen.get(key)
            if when is not None and now - when < ASK_EMAIL_AGAIN:
                return event
        if not await self._in_core(self._needs_email, actor):
            _remember(self._has_email, key, now)
            return event
        try:
            info = await asyncio.wait_for(client.users_info(user=actor.user_id,
                                                            include_locale=True),
                                          USERS_INFO_TIMEOUT)
        except SlackApiError as exc:
            log.info("users.info failed for a new user: %s", exc.response.get("error"))
            return event
        except TimeoutError:
            log.info("users.info did not answer in time; carrying on without an email")
            return event
        user = info.get("user") or {}
        profile = user.get("profile") or {}
        email = str(profile.get("email") or "")
        if not email:
            _remember(self._asked, key, now)
        name = str(profile.get("real_name") or actor.name)
        # The person's Slack language, so core writes to them in it (core/language.py).
        locale = str(user.get("locale") or "")
        return replace(event, actor=replace(  # type: ignore[type-var]
            actor, email=email, name=name, locale=locale))

    def _needs_email(self, actor: Actor) -> bool:
        with self.core.sessions() as session:
            return needs_email(session, actor)

    async def _after_ack(self, work: Awaitable[None], what: str) -> None:
        """Run the work that follows an ack; it must never raise into Bolt.

        Bolt clears an ack whose listener raises afterwards: Slack then waits its 3 s and shows
        an error although the work was done. A refusal from Slack is logged, not re-raised.
        """
        try:
            await work
        except SlackApiError as exc:
            log.warning("Slack refused %s: %s", what, exc.response.get("error"))
        except Exception:  # noqa: BLE001 - logged with its traceback, never handed to Bolt
            log.exception("%s failed after the ack", what)

    async def _show(self, message: Message, *, replace: bool, body: dict[str, Any],
                    respond: AsyncRespond | None, client: AsyncWebClient,
                    event: InboundEvent) -> None:
        """Show core's answer on the surface the person acted on."""
        blocks = blocks_of(message) or None
        # Bolt passes a respond even without a response_url (buttons in modals and on Home).
        if respond is not None and respond.response_url:
            reply: dict[str, Any] = {"text": text_of(message), "blocks": blocks,
                                     "replace_original": replace}
            if not replace:
                reply["response_type"] = "ephemeral"
            # One kept-alive HTTP session for every reply (Bolt's respond opens a new one each
            # time: a connection and a TLS handshake per reply), posted as is (a webhook
            # client per reply cost as much as the post).
            async with self._web().post(
                    respond.response_url,
                    json={k: v for k, v in reply.items() if v is not None},
                    timeout=REPLY_TIMEOUT) as answered:
                # Read to the end: a connection whose answer was left unread is closed, not
                # kept alive, and the next reply would open (and handshake) a new one.
                await answered.read()
                if answered.status >= 400:
                    log.warning("Slack refused a reply: HTTP %s", answered.status)
            return
        view = body.get("view") or {}
        if view.get("type") == "modal" and view.get("id"):
            # A button inside a modal: the modal itself is "where they acted".
            await client.views_update(view_id=view["id"], view=reply_modal(message))
            return
        actor = getattr(event, "actor", None)
        if view.get("type") == "home" and actor is not None:
            await self._publish_home(actor, client, note=message)
            return
        user_id = (body.get("user") or {}).get("id") or body.get("user_id")
        await client.chat_postMessage(channel=user_id, text=text_of(message), blocks=blocks)

    async def _publish_home(self, actor: Actor, client: AsyncWebClient,
                            note: Message | None = None) -> None:
        """Publish the person's Home, with ``note`` (the answer to a Home button) on top."""
        intents = await self._handle(CommandEvent(actor, "home"))
        home = next((i.message for i in intents if isinstance(i, Reply)), None)
        if home is None:
            return
        if note is not None:
            top = note.blocks or [Section(note.text)]
            home = Message(text=note.text, blocks=[*top, Divider(), *home.blocks])
        await client.views_publish(user_id=actor.user_id, view=home_view(home))

    async def _send_file(self, intent: SendFile, *, body: dict[str, Any],
                         client: AsyncWebClient) -> None:
        # A file can't ride on response_url; upload it into the person's DM with the bot.
        user_id = (body.get("user") or {}).get("id") or body.get("user_id") \
            or (body.get("event") or {}).get("user")
        dm = await client.conversations_open(users=user_id)
        await client.files_upload_v2(channel=dm["channel"]["id"], content=intent.content,
                                     filename=intent.filename, title=intent.title or None)

    async def _carry_out(self, intents: list[Intent], *, body: dict[str, Any],
                         respond: AsyncRespond | None, client: AsyncWebClient,
                         event: InboundEvent) -> None:
        for intent in intents:
            if isinstance(intent, OpenForm):
                view = body.get("view") or {}
                if view.get("type") == "modal" and view.get("id"):
                    # From inside a modal (or the loading modal): the form takes its place.
                    await client.views_update(view_id=view["id"], view=form_view(intent.form))
                else:
                    await client.views_open(trigger_id=body["trigger_id"],
                                            view=form_view(intent.form))
            elif isinstance(intent, Reply | UpdateMessage):
                replace = isinstance(intent, UpdateMessage) and "message" in body
                await self._show(intent.message, replace=replace, body=body, respond=respond,
                                 client=client, event=event)
            elif isinstance(intent, SendFile):
                await self._send_file(intent, body=body, client=client)
            else:
                log.warning("ignoring %s outside a form submission", type(intent).__name__)

    async def on_command(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext,
                         respond: AsyncRespond | None, client: AsyncWebClient) -> None:
        """/mentor, or any button or select: ack at once, then reply, update or open a form."""
        await ack()
        event = context[EVENT_KEY]

        async def work() -> None:
            here, answer = body, respond
            if self._opens_form(event) and body.get("trigger_id"):
                # The modal opens first, while the trigger is fresh (it lasts 3 s); the form,
                # or whatever core answers, replaces the loading view when core is done.
                try:
                    opened = await client.views_open(trigger_id=body["trigger_id"],
                                                     view=reply_modal(self.core.loading()))
                    here = {**body, "view": {"id": opened["view"]["id"], "type": "modal"}}
                    answer = None
                except SlackApiError as exc:  # core still answers, by response_url
                    log.warning("could not open the loading modal: %s",
                                exc.response.get("error"))
            intents = await self._handle(event, client)
            await self._carry_out(intents, body=here, respond=answer, client=client,
                                  event=event)

        await self._after_ack(work(), "a command or button")

    def _opens_form(self, event: InboundEvent) -> bool:
        if not isinstance(event, CommandEvent) or "command" not in (event.raw or {}):
            return False
        words = event.text.split(maxsplit=1)
        return bool(words) and words[0].lower() in self._form_words

    # A click needs exactly what a command needs: ack first, then carry out core's answer.
    on_action = on_command

    async def on_submission(self, ack: AsyncAck, context: AsyncBoltContext,
                            client: AsyncWebClient) -> None:
        """A modal submit: core runs before the ack because field errors travel in the ack.
        A first contact by a form (a modal opened from a link or a shortcut) is linked by
        email like any other."""
        intents, queued = await self._handle_noting(context[EVENT_KEY], client)
        try:
            errors = next((i for i in intents if isinstance(i, FormErrors)), None)
            reply = next((i for i in intents if isinstance(i, Reply | UpdateMessage)), None)
            form = next((i for i in intents if isinstance(i, OpenForm)), None)
            if errors is not None:
                await ack(**errors_to_ack(errors))
            elif reply is not None:
                await ack(response_action="update", view=reply_modal(reply.message))
            elif form is not None:
                await ack(response_action="update", view=form_view(form.form))
            else:
                await ack()  # CloseForm, or nothing to show
        finally:
            if queued:  # after the ack: the flush must not delay it
                await self.kick()

    async def on_home_opened(self, ack: AsyncAck, context: AsyncBoltContext,
                             client: AsyncWebClient) -> None:
        """First contact: core may queue a welcome DM; the Home tab shows the person's Home."""
        await ack()
        joined = context[EVENT_KEY]

        async def work() -> None:
            await self._handle(joined, client)
            await self._publish_home(joined.actor, client)

        await self._after_ack(work(), "app_home_opened")

    async def on_typed(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext,
                       client: AsyncWebClient) -> None:
        """A DM to the bot works like the slash command; an @mention in a channel is answered
        only to the person who wrote it (ephemeral), so nothing private is shown to the room."""
        await ack()
        event = context.get(EVENT_KEY)
        if not isinstance(event, CommandEvent):
            return  # the bot's own messages, edits, joins: nothing to answer
        in_channel = (body.get("event") or {}).get("type") == "app_mention"

        async def say(message: Message) -> None:
            text, blocks = text_of(message), blocks_of(message) or None
            if in_channel:
                await client.chat_postEphemeral(channel=event.channel_id,
                                                user=event.actor.user_id, text=text,
                                                blocks=blocks)
            else:
                await client.chat_postMessage(channel=event.channel_id, text=text,
                                              blocks=blocks)

        async def work() -> None:
            for intent in await self._handle(event, client):
                if isinstance(intent, Reply | UpdateMessage):
                    await say(intent.message)
                elif isinstance(intent, SendFile):
                    await self._send_file(intent, body=body, client=client)

        await self._after_ack(work(), body.get("event", {}).get("type") or "a message")

    async def on_member_joined_channel(self, ack: AsyncAck, body: dict[str, Any],
                                       context: AsyncBoltContext,
                                       client: AsyncWebClient) -> None:
        """The bot was added to a channel: say once, in public, what it is for. Other people
        joining a channel are not the bot's business."""
        await ack()
        event = body.get("event") or {}
        if event.get("user") != context.bot_user_id or not isinstance(event.get("channel"), str):
            return
        await self._after_ack(client.chat_postMessage(channel=event["channel"],
                                                      text=self.core.channel_hello(
                                                          "slack").text),
                              "member_joined_channel")

    async def on_ignored(self, ack: AsyncAck) -> None:
        """Events we subscribe to only to ack (other message kinds)."""
        await ack()


Gone = Callable[..., Awaitable[None]]


def on_gone_listener(forget: Gone | None) -> Callable[..., Awaitable[None]]:
    """app_uninstalled and tokens_revoked: the install's tokens are deleted, so nothing more is
    sent to that workspace (its outbox rows fail for good, no retry storm); its data stays
    under the retention rules. With one SLACK_BOT_TOKEN there is nothing stored to delete:
    Slack refuses the dead token and the outbox marks those sends failed."""

    async def gone(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        # Forgotten before the ack (one quick delete): once Slack hears back, nothing here
        # will use the tokens again.
        try:
            event = body.get("event") or {}
            tokens = event.get("tokens") if isinstance(event.get("tokens"), dict) else {}
            if event.get("type") == "tokens_revoked" and not tokens.get("bot"):
                return  # only user tokens were revoked; we keep none
            log.warning("Slack %s for enterprise %s team %s", event.get("type"),
                        context.enterprise_id, context.team_id)
            if forget is not None:
                await forget(enterprise_id=context.enterprise_id, team_id=context.team_id,
                             is_enterprise_install=bool(context.is_enterprise_install))
        finally:
            await ack()

    return gone


def register(app: AsyncApp, *, core: Mentorbot, kick: Kick, on_gone: Gone | None = None,
             refuse: Refuse | None = None) -> Listeners:
    """Attach Mentorbot's middleware and listeners to ``app``; ``refuse`` runs first on every
    request (the one-token set-up refuses other workspaces with it)."""
    listeners = Listeners(core, kick)
    app.middleware(listeners.middleware(refuse))
    app.command("/mentor")(listeners.on_command)
    app.block_action(ANY)(listeners.on_action)
    app.view_submission(ANY)(listeners.on_submission)
    app.event("app_home_opened")(listeners.on_home_opened)
    app.event("message")(listeners.on_typed)
    app.event("app_mention")(listeners.on_typed)
    app.event("member_joined_channel")(listeners.on_member_joined_channel)
    gone = on_gone_listener(on_gone)
    app.event("app_uninstalled")(gone)
    app.event("tokens_revoked")(gone)
    return listeners

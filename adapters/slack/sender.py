"""Delivers outbox rows as Slack messages; a 429 becomes RetryLater so the outbox waits."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.http import PerLoopSession
from adapters.slack.render import fallback_text, message_to_blocks
from core.events import Delivery, PermanentFailure
from core.outbox import RetryLater
from core.outbox.send import arrived_at, reached_at, request_starting

log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 30.0
# Every message carries its outbox key as message metadata, so a retry can find it.
METADATA_EVENT = "mentorbot_outbox"
# How far back a retry looks for its own message (one history page).
HISTORY_LOOKBACK = 100

# Errors that retrying cannot fix: the person, channel or token is gone or unusable.
PERMANENT_ERRORS = frozenset({
    "user_not_found", "account_inactive", "channel_not_found", "is_archived", "not_in_channel",
    "cannot_dm_bot", "invalid_auth", "token_revoked", "user_disabled", "users_not_found",
    "not_authed", "missing_scope", "msg_too_long", "no_text", "invalid_blocks",
})
# Errors after which a cached group conversation id may be stale (retry with a new one).
_STALE_CHANNEL_ERRORS = frozenset({"channel_not_found", "is_archived", "not_in_channel"})


def make_client(token: str | None, base_url: str) -> AsyncWebClient:
    """A Web API client that retries dropped connections but surfaces rate limits."""
    return AsyncWebClient(token=token, base_url=base_url,
                          retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=2)])


def _retry_after(error: SlackApiError) -> float:
    headers = getattr(error.response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(float(raw), 1.0)
            except (TypeError, ValueError):
                break
    return DEFAULT_RETRY_AFTER


def _error_code(error: SlackApiError) -> str:
    try:
        return str(error.response.get("error") or "")
    except AttributeError:
        return ""


def _report_arrival(ts: str) -> None:
    """A message's ts is when Slack took it (POSIX seconds): the outbox paces the
    conversation's next message from there."""
    try:
        arrived_at(datetime.fromtimestamp(float(ts), UTC))
    except (ValueError, OverflowError, OSError):
        pass  # not a time: paced from the answer instead


class SlackSender:
    """core.events.Sender for Slack: DMs go to the user id, channel posts to the channel,
    group messages to one multi-person DM opened with conversations.open."""

    # conversations.open with several users makes one group DM for a pair or group.
    supports_group_chat = True

    def __init__(self, client: AsyncWebClient | None = None, *,
                 clients: Callable[[str], Awaitable[AsyncWebClient]] | None = None) -> None:
        """One token for one workspace (``client``), or ``clients``: the client that speaks
        in a given workspace (a distributed app, one install per workspace)."""
        if (client is None) == (clients is None):
            raise ValueError("give either one client or a clients lookup")
        self.client = client
        self._clients = clients
        # (workspace, sorted user ids) -> the group DM's channel id; Slack returns the same
        # conversation for the same people, so opening it again would only spend Tier 3 calls.
        self._groups: dict[tuple[str, tuple[str, ...]], str] = {}
        # (workspace, user id) -> their DM's channel id, learnt from chat.postMessage's answer
        # (or a stored reference): reading a DM's history needs it, and conversations.open is
        # a Tier 3 call that, after an outage, every unsure row would otherwise make.
        self._dms: dict[tuple[str, str], str] = {}
        self._http = PerLoopSession()

    def _kept_alive(self, client: AsyncWebClient) -> AsyncWebClient:
        """``client``'s token and settings on this loop's kept-alive session (a client with
        no session of its own opens a new connection for every message)."""
        if client.session is not None:
            return client
        return AsyncWebClient(token=client.token, base_url=client.base_url,
                              timeout=client.timeout, session=self._http.get(),
                              retry_handlers=client.retry_handlers)

    async def close(self) -> None:
        """Close this loop's kept-alive session (at shutdown)."""
        await self._http.close()

    async def deliver(self, delivery: Delivery) -> str | None:
        """Post one message and return its ``ts``.

        Raises RetryLater on 429, PermanentFailure on errors no retry can fix; anything else
        propagates so the outbox backs off and retries.
        """
        message = delivery.message
        group_key = (delivery.tenant_id, tuple(sorted(delivery.group_user_ids)))
        from_cache = bool(delivery.group_user_ids) and group_key in self._groups
        if self._clients is not None:
            client = await self._clients(delivery.tenant_id)  # not installed: PermanentFailure
        else:
            assert self.client is not None
            client = self.client
        client = self._kept_alive(client)
        try:
            if delivery.group_user_ids:
                channel = await self._open_group(client, group_key)
            else:
                channel = delivery.user_id or delivery.channel_id
            if delivery.maybe_sent and delivery.key:
                found = await self._already_posted(
                    client, self._known_dm(delivery) or channel, delivery.key, delivery)
                if found is not None:
                    return found
            if message.file is not None:
                return await self._post_file(client, delivery, channel)
            request_starting()
            response = await client.chat_postMessage(
                channel=channel, text=fallback_text(message),
                blocks=message_to_blocks(message) or None,
                metadata={"event_type": METADATA_EVENT,
                          "event_payload": {"key": delivery.key}} if delivery.key else None)
        except SlackApiError as exc:
            code = _error_code(exc)
            if from_cache and code in _STALE_CHANNEL_ERRORS:
                # Our remembered group DM is gone: forget it; the retry opens a fresh one.
                self._groups.pop(group_key, None)
                raise
            if exc.response.status_code == 429:
                raise RetryLater(_retry_after(exc)) from exc
            if code in PERMANENT_ERRORS:
                raise PermanentFailure(code) from exc
            raise
        landed = response.get("channel")
        if delivery.user_id and not delivery.group_user_ids and isinstance(landed, str) \
                and landed.startswith("D"):
            self._learn_dm(delivery, landed)
        ts = response.get("ts")
        if ts:
            _report_arrival(str(ts))
        return str(ts) if ts else None

    def _known_dm(self, delivery: Delivery) -> str | None:
        """The DM channel of ``delivery``'s recipient, if stored or learnt; None otherwise."""
        if not delivery.user_id or delivery.group_user_ids:
            return None
        stored = (delivery.conversation_ref or {}).get("channel")
        if isinstance(stored, str) and stored:
            return stored
        return self._dms.get((delivery.tenant_id, delivery.user_id))

    def _learn_dm(self, delivery: Delivery, channel: str) -> None:
        self._dms[(delivery.tenant_id, delivery.user_id)] = channel
        if (delivery.conversation_ref or {}).get("channel") != channel:
            reached_at({"channel": channel})  # the outbox stores it on the identity

    async def _already_posted(self, client: AsyncWebClient, channel: str,
                              key: str, delivery: Delivery) -> str | None:
        """The ts of our message tagged ``key`` in the conversation's recent history, if an
        earlier try did land; None when it didn't (or history can't be read: then we post,
        and at worst a person sees a message twice rather than never)."""
        try:
            if channel.startswith("U"):  # history needs the DM's channel id, not the user id
                opened = await client.conversations_open(users=channel)
                channel = str(opened["channel"]["id"])
                self._learn_dm(delivery, channel)
            page = await client.conversations_history(
                channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True)
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                raise RetryLater(_retry_after(exc)) from exc
            log.warning("could not read history to check for %s: %s", key, _error_code(exc))
            return None
        for found in page.get("messages") or []:
            metadata = found.get("metadata") or {}
            if metadata.get("event_type") == METADATA_EVENT and \
                    (metadata.get("event_payload") or {}).get("key") == key:
                log.info("outbox %s had already landed as %s; not sending again", key,
                         found.get("ts"))
                return str(found.get("ts"))
        return None

    async def _post_file(self, client: AsyncWebClient, delivery: Delivery,
                         channel: str) -> str | None:
        """A message with a file (a calendar invite, a chart) is one upload with the text as its
        comment: one Slack message, so a retry can't leave the text posted without its file."""
        file = delivery.message.file
        assert file is not None
        if channel.startswith("U"):  # uploads need the DM's channel id, not the user id
            channel = self._known_dm(delivery) or channel
        if channel.startswith("U"):
            opened = await client.conversations_open(users=channel)
            channel = str(opened["channel"]["id"])
            self._learn_dm(delivery, channel)
        request_starting()
        response = await client.files_upload_v2(
            channel=channel, content=file.data(), filename=file.filename,
            title=file.filename, initial_comment=fallback_text(delivery.message))
        uploaded = response.get("files") or [response.get("file") or {}]
        return str(uploaded[0].get("id")) if uploaded and uploaded[0] else None

    async def _open_group(self, client: AsyncWebClient,
                          key: tuple[str, tuple[str, ...]]) -> str:
        channel = self._groups.get(key)
        if channel is None:
            opened = await client.conversations_open(users=",".join(key[1]))
            channel = str(opened["channel"]["id"])
            self._groups[key] = channel
        return channel

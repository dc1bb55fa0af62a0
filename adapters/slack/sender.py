"""Delivers outbox rows as Slack messages; a 429 becomes RetryLater so the outbox waits."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import message_to_blocks
from core.events import Delivery
from core.outbox import RetryLater

DEFAULT_RETRY_AFTER = 30.0


def make_client(token: str, base_url: str) -> AsyncWebClient:
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


class SlackSender:
    """core.events.Sender for Slack: DMs go to the user id, channel posts to the channel."""

    # conversations.open with several users makes one group DM for a pair or group.
    supports_group_chat = True

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def deliver(self, delivery: Delivery) -> None:
        """Post one message; raise RetryLater on 429, anything else propagates for a retry."""
        message = delivery.message
        try:
            await self.client.chat_postMessage(
                channel=delivery.user_id or delivery.channel_id,
                text=message.text, blocks=message_to_blocks(message) or None)
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                raise RetryLater(_retry_after(exc)) from exc
            raise

"""Build botbuilder's CloudAdapter from our settings; the only place that knows its config."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)

from bot.settings import Settings


@dataclass(frozen=True)
class BotFrameworkConfig:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def make_adapter(settings: Settings) -> CloudAdapter:
    """A CloudAdapter; without an app id, auth is disabled (Bot Framework Emulator, tests).

    With no app id botbuilder uses empty credentials and sends no token to any service URL,
    so no trust list or emulator special case is needed for a local fake connector.
    """
    password = settings.microsoft_app_password
    config = BotFrameworkConfig(
        APP_ID=settings.microsoft_app_id or "",
        APP_PASSWORD=password.get_secret_value() if password else "",
        APP_TYPE=settings.microsoft_app_type,
        APP_TENANTID=settings.microsoft_app_tenant_id or "",
    )
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(config))

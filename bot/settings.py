"""Configuration from environment variables and `.env`, validated once at start."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.db import DEFAULT_DATABASE_URL
from core.i18n import LANGUAGES, normalise


class Settings(BaseSettings):
    """Every setting Mentorbot reads; see the configuration table in README.md."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_json: bool = False

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    # A distributed app: any workspace installs it at /slack/install (OAuth v2). Bot tokens are
    # stored encrypted with SLACK_TOKEN_ENCRYPTION_KEY (Fernet keys, comma-separated, newest
    # first). Without these, SLACK_BOT_TOKEN serves the one workspace it belongs to.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_token_encryption_key: SecretStr | None = None
    # Points slack_sdk at another Web API host; only tests and proxies need it.
    slack_api_url: str = "https://slack.com/api/"

    microsoft_app_id: str | None = None
    microsoft_app_password: SecretStr | None = None
    microsoft_app_tenant_id: str | None = None
    microsoft_app_type: str = "MultiTenant"

    # Where people reach this bot from a browser: sign-in links to the admin page use it.
    public_url: str = "http://127.0.0.1:8000"

    # Comma-separated emails of the first admins of every workspace; admins grant others in chat.
    admin_emails: str = ""
    # Key for admin sign-in links; every replica must share it (one process picks its own).
    admin_link_secret: SecretStr | None = None
    # The language of people who chose none (`/mentor language`) and whose platform reports
    # none: en, de, fr, es or pt_BR (a platform code such as de-DE works too).
    default_language: str = "en"

    # None means: on exactly when MICROSOFT_APP_ID is set. True without an app id serves the
    # Bot Framework Emulator (no JWT check) and must never face the internet.
    teams_enabled: bool | None = None

    # None means: on exactly when neither Slack nor Teams is configured.
    webchat_enabled: bool | None = None
    # Unset: the web chat answers only this machine (loopback). Set: any address may use it
    # after signing in with this password (a demo: every signed-in browser can be anyone).
    webchat_password: SecretStr | None = None
    # Comma-separated proxy addresses (or "*") whose X-Forwarded-For/-Proto are believed: the
    # client address the web chat checks, and https for the admin cookie.
    trusted_proxies: str = "127.0.0.1"
    # One scheduler job: plan due nudges, check-ins and surveys, then deliver the outbox.
    tick_seconds: float = 15.0
    # Meeting notes, survey comments and private end notes older than this many months are
    # erased (the rows and counts stay). Unset keeps them for as long as the program runs.
    free_text_retention_months: int | None = Field(default=None, ge=1)

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        found = normalise(value)
        if found is None:
            raise ValueError(f"DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
        return found

    @property
    def admin_email_list(self) -> list[str]:
        return [e.strip() for e in self.admin_emails.split(",") if e.strip()]

    @property
    def slack_oauth_on(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def slack_configured(self) -> bool:
        return bool(self.slack_signing_secret and (self.slack_bot_token or self.slack_oauth_on))

    @property
    def teams_configured(self) -> bool:
        return bool(self.microsoft_app_id)

    @property
    def teams_on(self) -> bool:
        return self.teams_enabled if self.teams_enabled is not None else self.teams_configured

    @property
    def webchat_on(self) -> bool:
        if self.webchat_enabled is not None:
            return self.webchat_enabled
        return not (self.slack_configured or self.teams_configured)


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""Structured logging that never prints a token or secret."""

from __future__ import annotations

import json
import logging
import re

# Slack tokens, bearer tokens and signing-style secrets: redacted wherever they appear.
_SECRET = re.compile(r"(xox[abposr]-[\w-]+|xapp-[\w-]+|Bearer\s+[\w.\-~+/=]+)", re.IGNORECASE)
# A one-time admin sign-in link travels as ?token=...: access logs must not keep it.
_QUERY_TOKEN = re.compile(r"([?&](?:token|password)=)[^&\s\"']+", re.IGNORECASE)


def redact(text: str) -> str:
    """Replace anything that looks like a token with a marker."""
    return _QUERY_TOKEN.sub(r"\1[redacted]", _SECRET.sub("[redacted]", text))


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"level": record.levelname, "logger": record.name, "msg": record.getMessage(),
                "time": self.formatTime(record)}
        if record.exc_info:
            data["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(data)


def configure(level: str = "INFO", *, as_json: bool = False) -> None:
    """Install one handler on the root logger with redaction (and JSON lines when asked)."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if as_json else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The outbox tick runs every few seconds; its per-run lines would drown everything else.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)

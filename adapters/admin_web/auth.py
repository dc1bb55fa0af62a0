"""The admin page's cookie. Sessions themselves live server-side (``core.admin.web_sessions``):
the cookie holds only a random secret whose hash names the session."""

from __future__ import annotations

COOKIE = "mentorbot_admin"

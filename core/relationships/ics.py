"""An iCalendar (RFC 5545) invite for a scheduled meeting, so people add it in one click."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def _fmt(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def invite(*, uid: str, start: datetime, minutes: int, summary: str, description: str,
           attendees: list[tuple[str, str]], stamp: datetime) -> str:
    """A one-event calendar; ``attendees`` are (name, email) pairs."""
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Mentorbot//EN", "METHOD:PUBLISH",
        "BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{_fmt(stamp)}", f"DTSTART:{_fmt(start)}",
        f"DTEND:{_fmt(start + timedelta(minutes=minutes))}", f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
    ]
    lines += [f'ATTENDEE;CN="{name}";ROLE=REQ-PARTICIPANT:mailto:{email}'
              for name, email in attendees if email]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"

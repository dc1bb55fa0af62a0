"""The report as a chat digest: a few headline figures and one chart, on demand or monthly."""

from __future__ import annotations

import base64
import io
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.admin.audit import record
from core.admin.rights import admin_people
from core.admin.texts import say
from core.enrollment.programs import find_program
from core.events import DirectMessage, Intent, Reply
from core.i18n import format_date
from core.i18n import gettext as _
from core.language import writing_to
from core.models import OutboxMessage, Person, Program, ProgramStatus
from core.outbox import enqueue_dm
from core.relationships.timing import sendable, zone
from core.reports.model import Figure, ProgramReport
from core.ui import Context, Fields, FileAttachment, Message, Section

# The figures an executive asks about first, in this order; the full report has the rest.
HEADLINES = ("enrolled", "match_rate", "met_within_14_days", "sessions_per_pair_month",
             "useful_share", "nps", "retention_participants", "estimated_saving")
DIGEST_HOUR = 9
# A digest missed while the bot was down still goes out in the month's first week, not later:
# a digest turned on mid-month starts with the next month.
CATCH_UP_DAYS = 7
# Teams refuses bot messages over ~28 KB, and the chart travels inline there.
MAX_CHART_BYTES = 20_000


def _headlines(report: ProgramReport) -> list[Figure]:
    by_key = {f.key: f for _, figures in report.sections() for f in figures}
    return [by_key[k] for k in HEADLINES if k in by_key]


def compact_png(png: bytes) -> bytes:
    """A chart re-encoded with a small palette: charts have few colours, so this is lossless
    to the eye and keeps the inline image under the Teams message limit."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    for colours in (64, 32, 16):
        out = io.BytesIO()
        image.quantize(colors=colours).save(out, format="PNG", optimize=True)
        if out.tell() <= MAX_CHART_BYTES:
            break
        image = image.resize((image.width * 3 // 4, image.height * 3 // 4))
    return out.getvalue()


def digest_message(report: ProgramReport, chart_png: bytes, title: str) -> Message:
    """A short digest: headline figures, the funnel chart, and where the full report lives."""
    figures = _headlines(report)
    lines = [f"{f.label}: {f.display()}" for f in figures]
    text = f"{title}\n" + "\n".join(lines)
    blocks = [Section(f"*{title}*\n{report.scope}"),
              Fields([f"*{f.label}*\n{f.display()}" for f in figures]),
              Context([_("Figures about fewer than 5 people are not shown. The full report, "
                         "with every chart: `/mentor admin web` or `mentorbot report`.")])]
    chart = base64.b64encode(compact_png(chart_png)).decode()
    slug = report.program.lower().replace(" ", "-")
    return Message(text, blocks, FileAttachment(f"{slug}-funnel.png", chart, "image/png"))


def program_digest(session: Session, program: Program, now: datetime, title: str) -> Message:
    """Build the program's report now and turn it into a digest."""
    # Lazy: matplotlib takes a moment to import, and only reports need it.
    from core.reports.charts import digest_chart
    from core.reports.metrics import build_report

    report = build_report(session, program, now=now)
    return digest_message(report, digest_chart(report), title)


def monthly_digests(session: Session, now: datetime) -> int:
    """Queue each month's digest for the admins of programs that asked for one.

    Sent on the first weekday morning (09:00 local) of the month, or a later morning of the
    first week if the bot was down; the outbox key makes it once per admin, program and month.
    """
    programs = session.scalars(select(Program).where(
        Program.monthly_digest.is_(True), Program.status != ProgramStatus.ENDED)).all()
    queued = 0
    for program in programs:
        due: list[tuple[Person, str]] = []
        for admin in admin_people(session, program.workspace_id):
            local = now.astimezone(zone(admin.timezone))
            month_start = datetime.combine(local.date().replace(day=1), time(0),
                                           zone(admin.timezone))
            key = f"digest:{program.id}:{local:%Y-%m}:{admin.id}"
            if local.day <= CATCH_UP_DAYS and sendable(now, month_start, admin.timezone,
                                                       catch_up=True, hour=DIGEST_HOUR) \
                    and session.scalar(select(OutboxMessage.id).where(
                        OutboxMessage.idempotency_key == key)) is None:
                due.append((admin, key))
        if not due:
            continue  # most ticks: nothing due, so no report is built
        # Each admin reads it in their own language: the report is built once per language.
        written: dict[str, Message] = {}
        for admin, key in due:
            with writing_to(admin) as language:
                if language not in written:
                    title = _("{program}: monthly digest, {month}").format(
                        program=program.name, month=format_date(now, "LLLL y"))
                    written[language] = program_digest(session, program, now, title)
                queued += enqueue_dm(session, admin, written[language], key, kind="digest",
                                     now=now) is not None
    return queued


def admin_report(session: Session, admin: Person, rest: str, now: datetime,
                 usage: str) -> list[Intent]:
    """`admin report <program>` DMs the digest now; `admin report <program> monthly on|off`
    turns the monthly digest on or off."""
    words = rest.split()
    toggle = None
    if len(words) >= 2 and words[-2].lower() == "monthly" and words[-1].lower() in ("on", "off"):
        toggle, words = words[-1].lower() == "on", words[:-2]
    program = find_program(session, admin, " ".join(words)) if words else None
    if program is None:
        known = ", ".join(p.name for p in session.scalars(select(Program).where(
            Program.workspace_id == admin.workspace_id).order_by(Program.name)))
        return [Reply(say(usage + "\n" + (_("Programs: {names}.").format(names=known) if known
                                          else _("No programs yet."))))]
    if toggle is not None:
        program.monthly_digest = toggle
        record(session, admin, "monthly digest", now=now, program=program.name, on=toggle)
        return [Reply(say((_("Monthly digest for *{program}* is on: admins get it on the first "
                             "weekday morning of each month.") if toggle else
                           _("Monthly digest for *{program}* is off.")).format(
            program=program.name)))]
    message = program_digest(session, program, now, _("{program}: report digest").format(
        program=program.name))
    record(session, admin, "report digest", now=now, program=program.name)
    return [Reply(say(_("I've sent you the *{program}* digest in a direct message.").format(
        program=program.name))),
            DirectMessage(admin.id, message, f"digest:{program.id}:{admin.id}:{now.isoformat()}")]

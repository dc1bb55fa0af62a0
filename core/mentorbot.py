"""The core's front door: one neutral event in, the intents to carry out back."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core import outbox
from core.admin import announcements, invitations
from core.admin.announcements import FORM_ID as ANNOUNCE_FORM
from core.admin.commands import AdminCommands
from core.admin.programs import FORM_ID as PROGRAM_FORM
from core.admin.rights import normalise_emails, seed_admins
from core.clock import Clock
from core.db import clock_for
from core.enrollment import avoid, dialog, texts
from core.enrollment.form import FORM_ID
from core.enrollment.programs import find_program
from core.events import (
    Actor,
    AppInstalled,
    ButtonAction,
    CommandEvent,
    DirectMessage,
    FormSubmission,
    InboundEvent,
    Intent,
    MemberJoined,
    Reply,
    SendFile,
)
from core.home import home
from core.identity import find_identity, get_or_create_workspace, resolve_person
from core.identity_links import link
from core.models import ChannelRef, Person, Platform, PlatformIdentity
from core.people_refs import find_person
from core.privacy import export_json
from core.relationships.actions import Relationships
from core.relationships.planner import plan_due
from core.reports.digest import monthly_digests
from core.retention import purge_free_text
from core.self_select import flow as self_select
from core.training import chat as training
from core.training import deliver_due
from core.ui import LINK_ACTION, Message, Section

log = logging.getLogger(__name__)

MAX_COMMAND_LENGTH = 500
MAKES_MATCHES = ("match.publish", "request.accept")
RELATIONSHIP_FORMS = ("meeting", "schedule", "end", "goal", "survey")


class Mentorbot:
    """Routes events to dialogs inside one transaction and queues DMs in the outbox."""

    def __init__(self, sessions: sessionmaker[Session], *, admin_emails: Iterable[str] = (),
                 clock: Clock | None = None, group_platforms: Iterable[str] = (),
                 public_url: str = "http://127.0.0.1:8000",
                 free_text_retention_months: int | None = None) -> None:
        self.sessions = sessions
        self.admin_emails = normalise_emails(admin_emails)
        self.clock: Clock = clock_for(sessions, clock)
        # Platforms whose sender can open one conversation with several people (Slack).
        self.group_platforms = set(group_platforms)
        self.public_url = public_url
        self.free_text_retention_months = free_text_retention_months
        self._purged_on: date | None = None

    def handle(self, event: InboundEvent) -> list[Intent]:
        """Handle one event. DMs are written to the outbox in the same transaction.

        An unexpected error rolls the transaction back and becomes an apology, never silence
        (and never a 500 where the platform needs an answer, as in a Slack form submission).
        """
        try:
            return self._handle(event)
        except Exception:
            log.exception("failed to handle %s", type(event).__name__)
            return [Reply(texts.something_went_wrong())]

    def _handle(self, event: InboundEvent) -> list[Intent]:
        with self.sessions() as session, session.begin():
            if isinstance(event, AppInstalled):
                get_or_create_workspace(session, event.platform, event.tenant_id, event.name)
                return []
            person = resolve_person(session, event.actor)
            # Admins named in settings are known before they ever talk to the bot, so
            # nominations and alerts reach them.
            seed_admins(session, person.workspace_id, self.admin_emails)
            intents = self._route(session, person, event)
            if isinstance(event, ButtonAction) and event.action_id in MAKES_MATCHES:
                # New matches are introduced now, not at the next tick.
                plan_due(session, self.clock.now(), self.group_platforms)
            return self._queue_dms(session, intents)

    def tick(self, now: datetime | None = None) -> int:
        """Periodic work the scheduler triggers: lapse unanswered mentor requests, plan the
        introductions, nudges, check-ins and surveys that are due, send mentors their daily
        training module and admins their monthly digest, and apply the free-text retention
        setting. Returns messages queued."""
        now = now or self.clock.now()
        with self.sessions() as session, session.begin():
            dms = self_select.expire_requests(session, now)
            self._queue_dms(session, list(dms), now)
            queued = len(dms) + plan_due(session, now, self.group_platforms)
            queued += deliver_due(session, now) + monthly_digests(session, now)
            self._apply_retention(session, now)
            return queued + announcements.post_due(session, now) + \
                announcements.report_failures(session, now)

    def _apply_retention(self, session: Session, now: datetime) -> None:
        """Erase free text past the retention setting, once a day (the tick runs every few
        seconds; the sweep is a table scan)."""
        months = self.free_text_retention_months
        if not months or self._purged_on == now.date():
            return
        purged = purge_free_text(session, now, months)
        self._purged_on = now.date()
        if purged.total:
            log.info("retention: erased free text older than %s months from %s rows",
                     months, purged.total)

    def remember_channel(self, platform: str, tenant_id: str, channel_id: str, name: str,
                         team_name: str, reference: dict[str, Any]) -> None:
        """A channel the app was installed in, so announcements can be posted there later."""
        with self.sessions() as session, session.begin():
            get_or_create_workspace(session, platform, tenant_id)
            row = session.scalar(select(ChannelRef).where(
                ChannelRef.platform == Platform(platform), ChannelRef.tenant_id == tenant_id,
                ChannelRef.channel_id == channel_id))
            if row is None:
                row = ChannelRef(platform=Platform(platform), tenant_id=tenant_id,
                                 channel_id=channel_id)
                session.add(row)
            row.name, row.team_name, row.conversation_ref = name, team_name, reference

    def link_members(self, platform: str, tenant_id: str,
                     members: list[tuple[str, str]]) -> int:
        """Link (user id, email) pairs from a platform's member list to HRIS people by email."""
        linked = 0
        with self.sessions() as session, session.begin():
            ws = get_or_create_workspace(session, platform, tenant_id)
            by_email = {p.email.lower(): p for p in session.scalars(select(Person).where(
                Person.workspace_id == ws.id, Person.email.is_not(None)))}
            for user_id, email in members:
                person = by_email.get(email.lower())
                if person is not None and link(session, person, platform, tenant_id, user_id):
                    linked += 1
        return linked

    def knows(self, actor: Actor) -> bool:
        """Whether this platform account is already linked to a person."""
        with self.sessions() as session:
            return find_identity(session, actor) is not None

    def remember_conversation(self, actor: Actor, reference: dict[str, Any]) -> None:
        """Store where to reach ``actor`` proactively later (Teams needs this for DMs)."""
        with self.sessions() as session, session.begin():
            resolve_person(session, actor)
            identity = find_identity(session, actor)
            if identity is not None and identity.conversation_ref != reference:
                identity.conversation_ref = reference

    def directory(self, platform: str, tenant_id: str) -> list[tuple[str, str, str]]:
        """(user id, name, title) of every active person with an identity on this platform."""
        with self.sessions() as session:
            rows = session.execute(
                select(PlatformIdentity.user_id, Person.name, Person.title)
                .join(Person, Person.id == PlatformIdentity.person_id)
                .where(PlatformIdentity.platform == Platform(platform),
                       PlatformIdentity.tenant_id == tenant_id, Person.active.is_(True))
                .order_by(Person.name)
            ).all()
        return [(r[0], r[1], r[2]) for r in rows]

    def _route(self, session: Session, person: Person, event: InboundEvent) -> list[Intent]:
        platform = event.actor.platform  # type: ignore[union-attr]
        if isinstance(event, CommandEvent):
            return self._command(session, person, event.text, event.actor)
        if isinstance(event, ButtonAction):
            if event.action_id.startswith("nominate."):
                return self._admin(session, person, event.actor).nomination_action(
                    event.action_id, event.value)
            if event.action_id.startswith("announce."):
                return self._admin(session, person, event.actor).announcement_action(
                    event.action_id, event.value)
            if event.action_id == "program.template":
                return self._admin(session, person, event.actor).program_template(event.value)
            if event.action_id.startswith("match."):
                return self._admin(session, person, event.actor).action(event.action_id,
                                                                        event.value)
            if event.action_id.startswith("rel."):
                return self._relationships(session, person, event.actor).button(
                    event.action_id, event.value)
            if event.action_id.startswith("plan."):
                return self._relationships(session, person, event.actor).plan_button(
                    event.action_id, event.value)
            if event.action_id.startswith("training."):
                return training.button(session, person, event.action_id, event.value,
                                       platform, self.clock.now())
            if event.action_id == "request.ask":
                return self_select.ask(session, person, event.actor, event.value)
            if event.action_id in ("request.accept", "request.decline"):
                return self_select.answer(session, person, event.actor, event.action_id,
                                          event.value, self.clock.now())
            if event.action_id == LINK_ACTION:
                return []  # the platform opened the page; nothing to answer
            if event.action_id == "avoid.undo":
                return avoid.undo(session, person, event.value)
            if event.action_id == "join.pick":
                return dialog.pick(session, person, event.value, platform)
            if event.action_id.startswith("leave."):
                return dialog.leave_action(session, person, event.action_id, event.value)
            log.info("unknown action %r", event.action_id[:80])
            return [Reply(texts.stale_action())]
        if isinstance(event, FormSubmission):
            if event.form_id == FORM_ID:
                return dialog.submit(session, person, event.values, event.context, platform)
            if event.form_id == ANNOUNCE_FORM:
                return self._admin(session, person, event.actor).submit_announcement(
                    event.values, event.context)
            if event.form_id == PROGRAM_FORM:
                return self._admin(session, person, event.actor).submit_program(
                    event.values, event.context)
            if event.form_id in RELATIONSHIP_FORMS:
                return self._relationships(session, person, event.actor).submit(
                    event.form_id, event.values, event.context)
            return [Reply(texts.stale_action())]
        if isinstance(event, MemberJoined):
            return [DirectMessage(person.id, texts.welcome(platform), f"welcome:{person.id}")]
        return []

    def _admin(self, session: Session, person: Person, actor: Actor) -> AdminCommands:
        return AdminCommands(session, person, actor, self.admin_emails, self.clock.now(),
                             self.public_url)

    def _command(self, session: Session, person: Person, text: str, actor: Actor) -> list[Intent]:
        platform = actor.platform
        text = " ".join(text.split())[:MAX_COMMAND_LENGTH]
        words = text.split(" ", 1)
        # Teams users type "mentor join"; tolerate the word everywhere.
        if words[0].lower().lstrip("/") == "mentor":
            words = (words[1] if len(words) > 1 else "").split(" ", 1)
        sub = words[0].lower()
        arg = words[1] if len(words) > 1 else ""
        if sub in ("", "help", "?"):
            return [Reply(texts.help_message(platform))]
        if sub in ("join", "enroll", "edit"):
            return dialog.join(session, person, arg, platform)
        if sub in ("status", "me"):
            return dialog.status(session, person, platform)
        if sub in ("leave", "withdraw"):
            return dialog.leave(session, person, arg, platform)
        if sub in ("pause", "resume", "end", "rematch"):
            return self._relationships(session, person, actor).command(sub, arg)
        if sub == "plan":
            return self._relationships(session, person, actor).plan()
        if sub in ("training", "train"):
            return training.command(session, person, arg, platform)
        if sub in ("suggest", "suggestions"):
            return self_select.suggest(session, person, actor, arg)
        if sub in ("my-data", "mydata"):
            return [SendFile("my-mentorbot-data.json", export_json(session, person),
                             "Everything Mentorbot stores about you")]
        if sub == "home":
            return [Reply(home(session, person, platform, self.clock.now(), self.admin_emails))]
        if sub == "nominate":
            return self._nominate(session, person, actor, arg)
        if sub == "avoid":
            return avoid.avoid(session, person, actor, arg)
        if sub == "admin":
            return self._admin(session, person, actor).command(arg)
        return [Reply(texts.unknown_command(platform, sub[:40]))]

    def _nominate(self, session: Session, person: Person, actor: Actor,
                  arg: str) -> list[Intent]:
        """A manager nominates a report for an invite-only program: `nominate @x <program>`."""
        who, _, name = arg.partition(" ")
        nominee = find_person(session, person, who, actor.platform, actor.tenant_id)
        program = find_program(session, person, name) if name else None
        if nominee is None or program is None:
            return [Reply(texts.help_message(
                actor.platform, "Usage: `nominate <@person or email> <program>`."))]
        _, text = invitations.nominate(session, program, nominee, person, now=self.clock.now())
        return [Reply(Message(text, [Section(text)]))]

    def _relationships(self, session: Session, person: Person, actor: Actor) -> Relationships:
        return Relationships(session, person, actor, self.clock.now())

    def _queue_dms(self, session: Session, intents: list[Intent],
                   now: datetime | None = None) -> list[Intent]:
        rest: list[Intent] = []
        for intent in intents:
            if isinstance(intent, DirectMessage):
                target = session.get(Person, intent.person_id)
                if target is not None:
                    outbox.enqueue_dm(session, target, intent.message, key=intent.key,
                                      now=now or self.clock.now())
            else:
                rest.append(intent)
        return rest


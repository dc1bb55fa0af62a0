"""The core's front door: one neutral event in, the intents to carry out back."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core import addresses, coordination, group_chats, i18n, outbox, personal, undelivered
from core.admin import announcements
from core.admin.rights import admin_people, normalise_emails, seed_admins
from core.clock import Clock
from core.db import clock_for, isolated
from core.enrollment import texts
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
    OpenForm,
    Reply,
)
from core.features import FEATURES
from core.help import help_message, unknown_command
from core.i18n import N_
from core.identity import find_identity, get_or_create_workspace, needs_email, resolve_person
from core.identity_links import link
from core.language import (
    in_workspace,
    reader_language,
    remember_platform_language,
    writing_to,
)
from core.models import ChannelRef, Person, Platform, PlatformIdentity
from core.relationships.planner import plan_due
from core.reports.digest import monthly_digests
from core.retention import purge_free_text
from core.routing import Action, Command, Routes, RoutingTable, Turn
from core.self_select import flow as self_select
from core.training import deliver_due
from core.ui import LINK_ACTION, Message

log = logging.getLogger(__name__)

MAX_COMMAND_LENGTH = 500


class Mentorbot:
    """Routes events to dialogs inside one transaction and queues DMs in the outbox."""

    def __init__(self, sessions: sessionmaker[Session], *, admin_emails: Iterable[str] = (),
                 clock: Clock | None = None, group_platforms: Iterable[str] = (),
                 public_url: str = "http://127.0.0.1:8000",
                 free_text_retention_months: int | None = None,
                 default_language: str = i18n.DEFAULT_LANGUAGE) -> None:
        self.sessions = sessions
        # Who chose no language and whose platform reports none reads this one.
        self.default_language = i18n.normalise(default_language) or i18n.DEFAULT_LANGUAGE
        self.admin_emails = normalise_emails(admin_emails)
        self.clock: Clock = clock_for(sessions, clock)
        # Platforms whose sender can open one conversation with several people (Slack).
        self.group_platforms = set(group_platforms)
        self.public_url = public_url
        self.free_text_retention_months = free_text_retention_months
        self._purged_on: date | None = None
        self.routes = RoutingTable.build((*FEATURES, Routes(
            "core",
            commands=(Command("help", self._help, "help", N_("this message"), ("?",), 120,
                              public=True),),
            actions=(Action(LINK_ACTION, self._opened_link),),
        )))

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
            if event.actor.locale:
                remember_platform_language(person, event.actor.locale)
            with in_workspace(self.default_language), \
                    i18n.reading(reader_language(person, self.default_language)):
                return self._answer(session, person, event)

    def _answer(self, session: Session, person: Person, event: InboundEvent) -> list[Intent]:
        """Everything after the person is known, written in their language."""
        # Admins named in settings are known before they ever talk to the bot, so
        # nominations and alerts reach them.
        seed_admins(session, person.workspace_id, self.admin_emails)
        if isinstance(event, FormSubmission) and event.owner is not None \
                and event.owner != event.actor.user_id:
            log.info("refused a form submitted by someone it was not shown to")
            return [Reply(personal.not_your_form())]
        intents = self._route(session, person, event)
        intents = self._queue_dms(session, intents, actor=person)
        intents = personal.owned_by(intents, event.actor.user_id)
        if isinstance(event, CommandEvent) and not event.opens_forms:
            intents = [Reply(texts.form_from_command(event.actor.platform, event.text))
                       if isinstance(i, OpenForm) else i for i in intents]
        return personal.keep_private(
            intents, public=getattr(event, "public", False),
            shareable=isinstance(event, CommandEvent) and self._shareable(event.text))

    def tick(self, now: datetime | None = None) -> int:
        """Periodic work the scheduler triggers: lapse unanswered mentor requests, plan the
        introductions, nudges, check-ins and surveys that are due, send mentors their daily
        training module and admins their monthly digest, and apply the free-text retention
        setting. Returns messages queued.

        One replica plans at a time (the others skip the tick and only deliver), and each
        stage runs in its own savepoint, so a conflict costs that stage, not the whole tick.
        """
        now = now or self.clock.now()
        with self.sessions() as session, session.begin(), in_workspace(self.default_language):
            if not coordination.try_turn(session, coordination.PLANNER):
                return 0

            def lapse_requests() -> int:
                dms = self_select.expire_requests(session, now)
                self._queue_dms(session, list(dms), now)
                return len(dms)

            def retention() -> int:
                self._apply_retention(session, now)
                return 0

            stages: tuple[tuple[str, Callable[[], int]], ...] = (
                ("mentor requests", lapse_requests),
                ("relationships", lambda: plan_due(session, now, self.group_platforms)),
                ("training", lambda: deliver_due(session, now)),
                ("digests", lambda: monthly_digests(session, now)),
                ("retention", retention),
                ("announcements", lambda: announcements.post_due(session, now)),
                ("announcement failures", lambda: announcements.report_failures(session, now)),
            )
            return sum(isolated(session, name, work) for name, work in stages)

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

    def channel_hello(self, platform: str) -> Message:
        """What the bot says once, in public, when added to a channel: in the workspace's
        language, since a channel has many readers."""
        with i18n.reading(self.default_language):
            return texts.channel_hello(platform)

    def loading(self) -> Message:
        """The placeholder a form opens with before core has read anything (so before the
        person's own language is known): in the workspace's language."""
        with i18n.reading(self.default_language):
            return texts.loading()

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

    def remember_group_chat(self, platform: str, tenant_id: str, chat_id: str,
                            reference: dict[str, Any], member_ids: list[str]) -> None:
        """A group chat the bot is in, with who is in it now: a group's introduction is
        posted there when its people are exactly the group (``core.group_chats``)."""
        with self.sessions() as session, session.begin():
            get_or_create_workspace(session, platform, tenant_id)
            group_chats.remember(session, platform, tenant_id, chat_id, reference, member_ids)

    def forget_group_chat(self, platform: str, tenant_id: str, chat_id: str) -> None:
        """The bot was removed from a group chat."""
        with self.sessions() as session, session.begin():
            group_chats.forget(session, platform, tenant_id, chat_id)

    def link_members(self, platform: str, tenant_id: str,
                     members: list[tuple[str, str]]) -> int:
        """Link (user id, email) pairs from a platform's member list to HRIS people by email."""
        linked = 0
        with self.sessions() as session, session.begin():
            ws = get_or_create_workspace(session, platform, tenant_id)
            by_email = {p.email.lower(): p for p in session.scalars(select(Person).where(
                Person.workspace_id == ws.id, Person.email.is_not(None)))}
            reached: list[int] = []
            for user_id, email in members:
                person = by_email.get(email.lower())
                if person is not None and link(session, person, platform, tenant_id, user_id):
                    linked += 1
                    reached.append(person.id)
            # The roster gives the tenant's address: what was kept for them can go out now.
            undelivered.resume(session, reached, self.clock.now())
        return linked

    def needs_email(self, actor: Actor) -> bool:
        """Whether this account is unknown, or known without an email (Teams sends none)."""
        with self.sessions() as session:
            return needs_email(session, actor)

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
                # They can be reached now: what was kept for them goes out.
                undelivered.resume(session, [identity.person_id], self.clock.now())

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
        actor: Actor = event.actor  # type: ignore[union-attr]
        turn = Turn(session, person, actor, self.clock.now(), self.admin_emails, self.public_url,
                    self.default_language)
        if isinstance(event, CommandEvent):
            return self._command(turn, event.text)
        if isinstance(event, ButtonAction):
            action = self.routes.action(event.action_id)
            if action is None:
                log.info("unknown action %r", event.action_id[:80])
                return [Reply(texts.stale_action())]
            intents = action.handler(turn, event.action_id, event.value)
            if action.makes_matches:
                # New matches are introduced now, not at the next tick.
                plan_due(session, turn.now, self.group_platforms)
            return intents
        if isinstance(event, FormSubmission):
            form = self.routes.form(event.form_id)
            if form is None:
                return [Reply(texts.stale_action())]
            return form.handler(turn, event.form_id, event.values, event.context)
        if isinstance(event, MemberJoined):
            return [DirectMessage(person.id, texts.welcome(actor.platform),
                                  f"welcome:{person.id}")]
        return []

    def _command(self, turn: Turn, text: str) -> list[Intent]:
        text = " ".join(text.split())[:MAX_COMMAND_LENGTH]
        words = text.split(" ", 1)
        # Teams users type "mentor join"; tolerate the word everywhere.
        if words[0].lower().lstrip("/") == "mentor":
            words = (words[1] if len(words) > 1 else "").split(" ", 1)
        sub = words[0].lower()
        arg = words[1] if len(words) > 1 else ""
        if not sub:
            return self._help(turn, sub, arg)
        command = self.routes.command(sub)
        if command is None:
            return [Reply(unknown_command(turn.platform, self.routes, sub[:40]))]
        return command.handler(turn, sub, arg)

    def _shareable(self, text: str) -> bool:
        """Whether a command's answer may be shown where it was asked (help, and the help an
        unknown word gets): nothing in it is about the person."""
        words = [w.lower().lstrip("/") for w in text.split()[:2]]
        if words and words[0] == "mentor":
            words = words[1:]
        if not words:
            return True
        command = self.routes.command(words[0])
        return command is None or command.public

    def _help(self, turn: Turn, _word: str, _arg: str) -> list[Intent]:
        return [Reply(help_message(turn.platform, self.routes))]

    @staticmethod
    def _opened_link(_turn: Turn, _action: str, _value: str) -> list[Intent]:
        return []  # the platform opened the page; nothing to answer

    def _queue_dms(self, session: Session, intents: list[Intent],
                   now: datetime | None = None, actor: Person | None = None) -> list[Intent]:
        rest: list[Intent] = []
        told: set[int] = set()
        for intent in intents:
            if isinstance(intent, DirectMessage):
                target = session.get(Person, intent.person_id)
                if target is None:
                    continue
                if not addresses.reachable(session, target):
                    if actor is not None and target.id != actor.id and target.id not in told:
                        told.add(target.id)
                        rest.append(Reply(addresses.unreachable_note(target)))
                    self._alert_unreachable(session, target, now or self.clock.now())
                    continue
                outbox.enqueue_dm(session, target, intent.message, key=intent.key,
                                  now=now or self.clock.now(), requested_by=actor)
            else:
                rest.append(intent)
        return rest

    @staticmethod
    def _alert_unreachable(session: Session, target: Person, now: datetime) -> None:
        """Tell the workspace's admins, once per person, that someone can't be reached."""
        log.info("person %s is unreachable: no chat account known", target.id)
        for admin in admin_people(session, target.workspace_id):
            if admin.id != target.id and addresses.reachable(session, admin):
                with writing_to(admin):  # each admin reads it in their own language
                    alert = addresses.admin_alert(target)
                outbox.enqueue_dm(session, admin, alert,
                                  key=f"unreachable:{target.id}:{admin.id}", now=now)


"""`/mentor admin ...` and the buttons on a matching preview; every path checks admin rights."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.admin import announcements, invitations, programs, texts, web_links, web_sessions
from core.admin.audit import record
from core.admin.rights import active_admins, grant, is_admin
from core.enrollment.programs import find_program
from core.enrollment.texts import prefix
from core.events import (
    Actor,
    CloseForm,
    DirectMessage,
    FormErrors,
    Intent,
    OpenForm,
    Reply,
    SendFile,
    UpdateMessage,
)
from core.i18n import format_clock, format_day
from core.i18n import gettext as _
from core.ids import get_by_id
from core.language import writing_to
from core.match_runs import texts as run_texts
from core.match_runs.export import run_csv
from core.match_runs.runs import proposed_matches, publish, run_program
from core.models import (
    AdjustmentKind,
    Announcement,
    AnnouncementStatus,
    MatchAdjustment,
    MatchRun,
    Nomination,
    Person,
    Program,
    ProgramStatus,
    RunStatus,
)
from core.people_refs import find_person
from core.relationships.planner import intro_times
from core.reports.digest import admin_report
from core.training import attach_starter
from core.training import texts as training_texts
from core.training.progress import mentor_completion
from core.ui import Message, validate


class AdminCommands:
    """Admin-only handlers for one actor; construct per event."""

    def __init__(self, session: Session, person: Person, actor: Actor,
                 seeded_admins: frozenset[str], now: datetime,
                 public_url: str = "http://127.0.0.1:8000") -> None:
        self.now = now
        self.public_url = public_url
        self.session = session
        self.person = person
        self.actor = actor
        self.allowed = is_admin(session, person, seeded_admins)

    # --- commands ------------------------------------------------------------------------

    def command(self, arg: str) -> list[Intent]:
        if not self.allowed:
            return [Reply(texts.refused())]
        sub, _sep, rest = arg.partition(" ")
        sub = sub.lower()
        if sub in ("", "help"):
            return [Reply(texts.admin_help(self.actor.platform))]
        if sub == "match":
            return self._match(rest)
        if sub in ("lock", "exclude"):
            return self._adjust(sub, rest)
        if sub == "swap":
            return self._swap(rest)
        if sub == "grant":
            return self._grant(rest)
        if sub == "revoke":
            return self._revoke(rest)
        if sub == "program":
            return self._program_command(rest)
        if sub == "web":
            # The outbox keeps only a placeholder; the sender writes the address in.
            url = web_links.pending_link(self.session, self.person, now=self.now,
                                         base_url=self.public_url)
            record(self.session, self.person, "web link", now=self.now)
            return [Reply(texts.say(_("I've sent you a sign-in link in a direct message."))),
                    DirectMessage(self.person.id, texts.say(
                        _("Your admin page (works once, for 15 minutes): {url}").format(
                            url=url)),
                        f"admin-web:{self.person.id}:{self.now.isoformat()}")]
        if sub == "invite":
            return self._invite(rest)
        if sub == "report":
            return admin_report(self.session, self.person, rest, self.now,
                                texts.report_usage(self.actor.platform))
        if sub == "training":
            return self._training(rest)
        if sub == "announce":
            if rest.strip().lower() == "list":
                return [Reply(announcements.scheduled_list(self.session, self.person))]
            return [OpenForm(announcements.announce_form(
                announcements.programs_for_join(self.session, self.person.workspace_id),
                self.person.timezone))]
        return [Reply(texts.admin_help(self.actor.platform, _(
            "Sorry, I don't know `{command}`.").format(command=f"admin {sub[:40]}")))]

    def _program(self, name: str) -> Program | None:
        return find_program(self.session, self.person, name) if name.strip() else None

    def _person(self, token: str) -> Person | None:
        return find_person(self.session, self.person, token, self.actor.platform,
                           self.actor.tenant_id)

    def _match(self, name: str) -> list[Intent]:
        program = self._program(name)
        if program is None:
            return [Reply(texts.say(_("Which program? I couldn't find “{name}”.").format(
                name=name.strip())))]
        record(self.session, self.person, "match run", now=self.now, program=program.name)
        return [Reply(self._preview(run_program(self.session, program, by=self.person)))]

    def _revoke(self, token: str) -> list[Intent]:
        target = self._person(token)
        if target is None:
            return [Reply(texts.say(texts.not_found(token)))]
        admins = active_admins(self.session, self.person.workspace_id)
        row = next((a for a in admins if a.person_id == target.id), None)
        if row is None:
            return [Reply(texts.say(_("{name} isn't an admin.").format(name=target.name)))]
        if len(admins) <= 1:
            return [Reply(texts.say(_("That's the last admin: grant someone else first, so the "
                                      "workspace is never left without one.")))]
        row.revoked_at = self.now
        # Their admin page sessions end now; a later re-grant starts from a fresh sign-in.
        web_sessions.end_all(self.session, target.id, now=self.now)
        record(self.session, self.person, "revoke", now=self.now, target=target.name)
        return [Reply(texts.say(_("{name} is no longer an admin.").format(name=target.name)))]

    # --- programs --------------------------------------------------------------------------

    def _program_command(self, rest: str) -> list[Intent]:
        verb, _sep, name = rest.partition(" ")
        verb = verb.lower()
        if verb == "new":
            chosen = programs.template(name.strip().lower().replace(" ", "_").replace("-", "_"))
            if chosen is None:
                return [Reply(texts.templates(programs.TEMPLATES))]
            return [OpenForm(programs.program_form(context=f"new:{chosen.key}",
                                                   defaults=chosen.values))]
        if verb == "list":
            return [Reply(texts.program_list(programs.listing(self.session,
                                                              self.person.workspace_id)))]
        if verb == "remind":
            return self._remind(name)
        if verb in ("edit", "open", "close"):
            program = self._program(name)
            if program is None:
                return [Reply(texts.say(texts.no_program(name)))]
            if verb == "edit":
                return [OpenForm(programs.program_form(context=str(program.id),
                                                       program=program))]
            program.status = ProgramStatus.OPEN if verb == "open" else ProgramStatus.RUNNING
            record(self.session, self.person, f"program {verb}", now=self.now,
                   program=program.name)
            return [Reply(texts.say((
                _("*{program}* is open for enrollment. People can join with `/mentor join`.")
                if verb == "open" else
                _("Enrollment in *{program}* is closed; the program is running.")).format(
                program=program.name)))]
        return [Reply(texts.admin_help(self.actor.platform, texts.usage(
            "admin program new|edit|open|close|list")))]

    # --- training --------------------------------------------------------------------------

    TRAINING_VERBS = ("on", "off", "starter", "status")

    def _training(self, rest: str) -> list[Intent]:
        """`training <program> on|off|starter|status` (the verb may also come first)."""
        words = rest.split()
        if words and words[-1].lower() in self.TRAINING_VERBS:
            verb, name = words[-1].lower(), " ".join(words[:-1])
        elif words and words[0].lower() in self.TRAINING_VERBS:
            verb, name = words[0].lower(), " ".join(words[1:])
        else:
            return [Reply(texts.admin_help(self.actor.platform, training_texts.admin_usage()))]
        program = self._program(name)
        if program is None:
            return [Reply(texts.say(texts.no_program(name) + " "
                                    + training_texts.admin_usage()))]
        counts, total = mentor_completion(self.session, program)
        if verb == "status":
            people = {p.id: p for p in self.session.scalars(
                select(Person).where(Person.id.in_(list(counts))))}
            return [Reply(training_texts.admin_status(program, counts, total, people))]
        if verb == "starter":
            added = attach_starter(self.session, program)
            record(self.session, self.person, "training starter", now=self.now,
                   program=program.name, added=added)
            return [Reply(training_texts.admin_starter(program, added, total + added))]
        program.training_required = verb == "on"
        record(self.session, self.person, f"training {verb}", now=self.now,
               program=program.name)
        return [Reply(training_texts.admin_toggled(program, verb == "on", total))]

    def _invite(self, rest: str) -> list[Intent]:
        tokens = rest.split()
        people_tokens = []
        while tokens and ("@" in tokens[0] or tokens[0].startswith("<@")):
            people_tokens.append(tokens.pop(0))
        program = self._program(" ".join(tokens))
        if not people_tokens or program is None:
            return [Reply(texts.admin_help(self.actor.platform, texts.usage(
                "admin invite <@person or email>… <program>")))]
        found, missing = [], []
        for token in people_tokens:
            person = self._person(token)
            (found if person else missing).append(person or token)
        added = [p for p in found if invitations.invite(self.session, program, p, now=self.now,
                                                       by=self.person)]
        record(self.session, self.person, "invite", now=self.now, program=program.name,
               people=[p.name for p in added])
        return [Reply(texts.say(texts.invited(program, len(added), len(found) - len(added),
                                              missing)))]

    def nomination_action(self, action_id: str, value: str) -> list[Intent]:
        if not self.allowed:
            return [Reply(texts.refused())]
        row = get_by_id(self.session, Nomination, value)
        program = self.session.get(Program, row.program_id) if row else None
        if row is None or program is None or program.workspace_id != self.person.workspace_id:
            return [Reply(texts.say(_("That nomination no longer exists.")))]
        approve = action_id == "nominate.approve"
        record(self.session, self.person, "nomination " + ("approve" if approve else "decline"),
               now=self.now, nomination=row.id)
        return [UpdateMessage(invitations.decide(self.session, row, approve, self.person,
                                                 now=self.now))]

    def _remind(self, rest: str) -> list[Intent]:
        """`program remind <program> #channel…`: an "enrollment closes in 3 days" post."""
        words = rest.split()
        channels = [w for w in words if w.startswith(("#", "<#"))]
        program = self._program(" ".join(w for w in words if w not in channels))
        if program is None or not channels:
            return [Reply(texts.admin_help(self.actor.platform, texts.usage(
                "admin program remind <program> #channel…")))]
        if program.enrollment_closes is None:
            return [Reply(texts.say(_("*{program}* has no enrollment close date; set one with "
                                      "`{command}`.").format(
                program=program.name, command=f"admin program edit {program.name}")))]
        when = announcements.reminder_time(program, self.person.timezone)
        if when <= self.now:
            return [Reply(texts.say(_("That's less than three days before enrollment closes: "
                                      "use `admin announce` to post now.")))]
        a = Announcement(workspace_id=self.person.workspace_id, created_by_id=self.person.id,
                         channels=announcements.channels_of(" ".join(channels)),
                         text=texts.closing_soon(program),
                         join_program_id=program.id, post_at=when,
                         status=AnnouncementStatus.SCHEDULED, created_at=self.now)
        self.session.add(a)
        record(self.session, self.person, "program remind", now=self.now, program=program.name)
        return [Reply(texts.say(_("Scheduled for {when} UTC in {channels}: “enrollment closes "
                                  "in 3 days”. `admin announce list` shows it.").format(
            when=f"{format_day(when)}, {format_clock(when)}", channels=", ".join(a.channels))))]

    def program_template(self, key: str) -> list[Intent]:
        if not self.allowed:
            return [Reply(texts.refused())]
        chosen = programs.template(key)
        return [OpenForm(programs.program_form(
            context=f"new:{key}", defaults=chosen.values if chosen else {}))]

    def submit_announcement(self, values: dict, context: str) -> list[Intent]:
        """The announce form: a draft and its preview; nothing is posted yet."""
        if not self.allowed:
            return [Reply(texts.refused())]
        form = announcements.announce_form(
            announcements.programs_for_join(self.session, self.person.workspace_id),
            self.person.timezone)
        clean, errors = validate(form, values)
        # Every problem in one round: rules across fields next to each field's own errors.
        errors = {**announcements.check(clean, self.person, now=self.now), **errors}
        draft = None
        if not errors:
            draft, errors = announcements.create(self.session, self.person, clean, now=self.now)
        if errors or draft is None:
            return [FormErrors(errors, form)]
        program = self.session.get(Program, draft.join_program_id) \
            if draft.join_program_id else None
        return [Reply(announcements.preview(draft, program, self.person.timezone))]

    def announcement_action(self, action_id: str, value: str) -> list[Intent]:
        """Post / Schedule / Cancel under a preview or in the scheduled list."""
        if not self.allowed:
            return [Reply(texts.refused())]
        a = get_by_id(self.session, Announcement, value)
        if a is None or a.workspace_id != self.person.workspace_id or a.status in (
                AnnouncementStatus.POSTED, AnnouncementStatus.CANCELLED):
            return [UpdateMessage(texts.say(_("That announcement was already posted or "
                                              "cancelled.")))]
        if action_id == "announce.cancel":
            return [UpdateMessage(texts.say(announcements.cancel(self.session, a, self.person,
                                                                 now=self.now)))]
        return [UpdateMessage(texts.say(announcements.confirm(self.session, a, self.person,
                                                              now=self.now)))]

    def submit_program(self, values: dict, context: str) -> list[Intent]:
        """The program form: validate, create a draft or save an edit, audit it."""
        if not self.allowed:
            return [Reply(texts.refused())]
        done = programs.submit(self.session, self.person, values, context, now=self.now)
        if done.program is None:
            return [FormErrors(done.errors, done.form)]
        return [CloseForm(), DirectMessage(self.person.id, texts.program_saved(
            done.program, created=done.created, platform=self.actor.platform),
            f"program-saved:{done.program.id}:{self.now.isoformat()}")]

    def _preview(self, run: MatchRun) -> Message:
        program = self.session.get(Program, run.program_id)
        assert program is not None
        matches = proposed_matches(self.session, run)
        return run_texts.preview(program, run, matches, self._people(run, matches))

    def _people(self, run: MatchRun, matches: list) -> dict[int, Person]:
        ids = {m.mentor_id for m in matches} | {x.person_id for m in matches for x in m.mentees}
        ids |= {u["person_id"] for u in run.unmatched}
        rows = self.session.scalars(select(Person).where(Person.id.in_(ids))).all()
        return {p.id: p for p in rows}

    def _adjust(self, kind: str, rest: str) -> list[Intent]:
        parts = rest.split(" ", 2)
        if len(parts) < 3:
            return [Reply(texts.admin_help(self.actor.platform, texts.usage(
                f"admin {kind} <mentor> <mentee> <program>")))]
        mentor, mentee, program = self._person(parts[0]), self._person(parts[1]), \
            self._program(parts[2])
        if mentor is None or mentee is None or program is None:
            missing = parts[0] if mentor is None else parts[1] if mentee is None else parts[2]
            return [Reply(texts.say(texts.not_found(missing)))]
        self._set_adjustment(program, mentor, mentee, AdjustmentKind(kind))
        record(self.session, self.person, f"match {kind}", now=self.now, program=program.name,
               mentor=mentor.name, mentee=mentee.name)
        change = (run_texts.locked if kind == "lock" else run_texts.excluded)(mentor.name,
                                                                             mentee.name)
        return [Reply(run_texts.adjusted(change, program))]

    def _set_adjustment(self, program: Program, mentor: Person, mentee: Person,
                        kind: AdjustmentKind) -> None:
        row = self.session.scalar(select(MatchAdjustment).where(
            MatchAdjustment.program_id == program.id, MatchAdjustment.mentor_id == mentor.id,
            MatchAdjustment.mentee_id == mentee.id))
        if row is None:
            self.session.add(MatchAdjustment(program_id=program.id, mentor_id=mentor.id,
                                             mentee_id=mentee.id, kind=kind,
                                             created_by_id=self.person.id))
        else:
            row.kind = kind
        self.session.flush()

    def _swap(self, rest: str) -> list[Intent]:
        parts = rest.split(" ", 2)
        if len(parts) < 3:
            return [Reply(texts.admin_help(self.actor.platform, texts.usage(
                "admin swap <mentee> <mentee> <program>")))]
        a, b, program = self._person(parts[0]), self._person(parts[1]), self._program(parts[2])
        if a is None or b is None or program is None:
            return [Reply(texts.say(_("I couldn't find one of those people or the program.")))]
        run = self.session.scalar(select(MatchRun).where(
            MatchRun.program_id == program.id, MatchRun.status == RunStatus.PREVIEW))
        mentor_of = {x.person_id: m.mentor_id
                     for m in (proposed_matches(self.session, run) if run else [])
                     for x in m.mentees}
        if a.id not in mentor_of or b.id not in mentor_of:
            return [Reply(texts.say(_("Both mentees must be matched in the current preview "
                                      "to swap them.")))]
        ma, mb = self.session.get(Person, mentor_of[a.id]), self.session.get(Person,
                                                                           mentor_of[b.id])
        assert ma is not None and mb is not None
        for mentor, mentee, kind in ((ma, b, AdjustmentKind.LOCK), (mb, a, AdjustmentKind.LOCK),
                                     (ma, a, AdjustmentKind.EXCLUDE),
                                     (mb, b, AdjustmentKind.EXCLUDE)):
            self._set_adjustment(program, mentor, mentee, kind)
        record(self.session, self.person, "match swap", now=self.now, program=program.name,
               mentees=[a.name, b.name])
        return [Reply(run_texts.adjusted(
            run_texts.swapped(f"{ma.name} → {b.name}, {mb.name} → {a.name}"), program))]

    def _grant(self, token: str) -> list[Intent]:
        target = self._person(token)
        if target is None:
            return [Reply(texts.say(texts.not_found(token)))]
        if grant(self.session, target, by=self.person):
            record(self.session, self.person, "grant", now=self.now, target=target.name)
            with writing_to(target):  # the new admin reads it in their own language
                told = texts.say(_("{name} made you a Mentorbot admin. Try `{command}`.").format(
                    name=self.person.name, command=f"{prefix(self.actor.platform)} admin help"))
            return [Reply(texts.say(_("{name} is now an admin.").format(name=target.name))),
                    DirectMessage(target.id, told, f"granted:{target.id}:{self.person.id}")]
        return [Reply(texts.say(_("{name} is already an admin.").format(name=target.name)))]

    # --- preview buttons -------------------------------------------------------------------

    def action(self, action_id: str, value: str) -> list[Intent]:
        if not self.allowed:
            return [Reply(texts.refused())]
        if action_id == "match.rerun":
            program = get_by_id(self.session, Program, value)
            if program is None or program.workspace_id != self.person.workspace_id:
                return [Reply(texts.say(_("That program no longer exists.")))]
            return [UpdateMessage(self._preview(run_program(self.session, program,
                                                            by=self.person)))]
        run = get_by_id(self.session, MatchRun, value)
        program = self.session.get(Program, run.program_id) if run else None
        if run is None or program is None or program.workspace_id != self.person.workspace_id:
            return [Reply(texts.say(_("That preview no longer exists.")))]
        if action_id == "match.csv":
            record(self.session, self.person, "match csv", now=self.now, run=run.id)
            matches = proposed_matches(self.session, run)
            return [SendFile(f"matches-{program.name.lower().replace(' ', '-')}-run{run.id}.csv",
                             run_csv(run, matches, self._people(run, matches)),
                             _("{program}: matches (run {run})").format(
                                 program=program.name, run=run.id))]
        if action_id == "match.publish":
            if run.status is not RunStatus.PREVIEW:
                return [UpdateMessage(run_texts.already_published(program))]
            record(self.session, self.person, "match publish", now=self.now, run=run.id,
                   program=program.name)
            matches = publish(self.session, run, now=self.now, by=self.person)
            people = self._people(run, matches)
            # Said plainly when it is not now (an evening or a weekend): when they go out.
            when = run_texts.introductions_when(intro_times(self.session, matches, self.now),
                                                self.now, self.person.timezone)
            held = sum(1 for u in run.unmatched if u.get("code") == run_texts.TRAINING)
            intents: list[Intent] = [UpdateMessage(run_texts.published(
                program, len(matches), len(run.unmatched) - held, when, held))]
            for u in run.unmatched:
                person = people.get(u["person_id"])
                if person is not None:
                    with writing_to(person):  # each reads why in their own language
                        told = run_texts.not_matched_dm(program, person, u["reason"])
                    intents.append(DirectMessage(person.id, told,
                                                 f"unmatched:{run.id}:{person.id}"))
            return intents
        return [Reply(texts.say(_("That button is out of date.")))]

"""One person, one record: fold a second record of someone (a chat account created before its
email was known, a duplicate HR row) into their HR record, keeping everything.

``merge_people`` moves every row that names ``absorb`` onto ``keep`` in one savepoint of the
caller's transaction, deletes ``absorb`` and writes an audit entry. ``keep``'s email and HR
fields stay. Where the two records each hold a row that may exist only once (an enrollment in
one program, an admin right, a completed training module), one unified row is kept by a stated
rule. Where a merge would break a rule that no choice can mend (a mentee in two live matches of
one program, the two records matched with each other, two workspaces), it is refused with
``MergeRefused`` and nothing changes.

Every foreign key to ``people.id`` is covered: the ones below by name, and any table added
later by a plain move (``tests/test_identity_merge.py`` lists them, so a new table is seen).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Table, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import Base
from core.i18n import N_
from core.i18n import gettext as _
from core.models import (
    Admin,
    AdminLink,
    AdminWebSession,
    Announcement,
    AuditEntry,
    Checkin,
    DirectoryProfile,
    DoNotMatch,
    Enrollment,
    EnrollmentStatus,
    Goal,
    Invitation,
    LevelChange,
    Match,
    MatchAdjustment,
    MatchEvent,
    MatchMentee,
    MatchRun,
    MatchStatus,
    Meeting,
    MentorRequest,
    Nomination,
    OutboxMessage,
    Person,
    PlatformIdentity,
    Program,
    ProgramKind,
    ProtectedAttribute,
    RequestStatus,
    Role,
    SurveyResponse,
    TrainingCompletion,
)
from core.outbox.enqueue import conversation_of

# A match that still binds its people: a preview's proposal, or a running one.
_BINDING = (MatchStatus.PROPOSED, MatchStatus.ACTIVE, MatchStatus.PAUSED)

# Foreign keys to people.id moved as they are: no unique key can clash once the checks pass.
_PLAIN: tuple[Any, ...] = (
    PlatformIdentity.person_id, MatchRun.created_by_id, Match.mentor_id,
    MatchMentee.person_id, MatchAdjustment.created_by_id, MentorRequest.mentee_id,
    MentorRequest.mentor_id, MatchEvent.actor_id, Checkin.person_id, Meeting.logged_by_id,
    Goal.owner_id, SurveyResponse.person_id, AuditEntry.actor_id, Announcement.created_by_id,
    Nomination.nominated_by_id, Admin.granted_by_id, AdminLink.person_id,
    AdminWebSession.person_id, LevelChange.person_id, OutboxMessage.person_id,
    OutboxMessage.requested_by_id, Person.manager_id,
)
# Foreign keys in a unique key: moved where keep has no such row, handled one by one.
_UNIQUE: tuple[Any, ...] = (
    Enrollment.person_id, ProtectedAttribute.person_id, DoNotMatch.person_id,
    DoNotMatch.other_id, MatchAdjustment.mentor_id, MatchAdjustment.mentee_id,
    Invitation.person_id, Nomination.nominee_id, TrainingCompletion.person_id,
    Admin.person_id, DirectoryProfile.person_id,
)


def covered_columns() -> set[tuple[str, str]]:
    """(table, column) of every foreign key to people the merge handles by name."""
    return {(c.table.name, c.key) for c in (*_PLAIN, *_UNIQUE)} | {("people", "id")}


class MergeRefused(ValueError):
    """The merge would break a rule; the message says which, in words an admin can act on.

    It is read later, by whoever is told (each admin in their own language), so it keeps its
    msgid and fields and is written out in the reader's language when shown (``str``).
    """

    def __init__(self, message: str, **fields: object) -> None:
        super().__init__(message)
        self.message, self.fields = message, fields

    def __str__(self) -> str:
        return _(self.message).format(**self.fields)


@dataclass
class MergeReport:
    """What a merge did: rows moved per table, and every choice made on the way."""

    keep_id: int
    absorbed_id: int
    moved: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    admin: bool = False

    def count(self, table: str, n: int) -> None:
        if n:
            self.moved[table] = self.moved.get(table, 0) + n


def merge_people(session: Session, *, keep: Person, absorb: Person, actor_note: str,
                 admin_emails: Iterable[str] = ()) -> MergeReport:
    """Move everything of ``absorb`` onto ``keep``, delete ``absorb``; one savepoint.

    ``keep`` keeps its email and HR fields (blanks are filled from ``absorb``). Afterwards the
    ``admin_emails`` setting (ADMIN_EMAILS) applies to ``keep`` as on first contact.
    Raises ``MergeRefused`` (a ValueError) and changes nothing when a rule would break.
    """
    if keep.id == absorb.id:
        raise MergeRefused(N_("These are already the same person."))
    if keep.workspace_id != absorb.workspace_id:
        raise MergeRefused(N_("{keep} and {absorb} belong to different workspaces; people are "
                              "merged only within one workspace."),
                           keep=_who(keep), absorb=_who(absorb))
    session.flush()
    # Lock both rows (PostgreSQL), so two merges or a merge and an edit take turns.
    list(session.scalars(select(Person.id).where(Person.id.in_([keep.id, absorb.id]))
                         .order_by(Person.id).with_for_update()))
    _refuse_broken_rules(session, keep, absorb)
    report = MergeReport(keep_id=keep.id, absorbed_id=absorb.id)
    try:
        with session.begin_nested():
            _merge(session, keep, absorb, report)
    except IntegrityError as exc:
        session.expire_all()
        raise MergeRefused(N_("{absorb} could not be merged into {keep}: a row of theirs "
                              "clashes with one of {keep}'s ({detail})."),
                           absorb=_who(absorb), keep=_who(keep),
                           detail=str(exc.orig).splitlines()[0][:160]) from exc
    session.expire_all()
    session.expunge(absorb)
    report.admin = _apply_admin_setting(session, keep, admin_emails)
    session.add(AuditEntry(workspace_id=keep.workspace_id, actor_id=None, action="merge_people",
                           detail={"kept": report.keep_id, "absorbed": report.absorbed_id,
                                   "note": actor_note[:500], "moved": report.moved,
                                   "choices": report.notes}))
    session.flush()
    return report


def _who(person: Person) -> str:
    return f"{person.name} (#{person.id})"


def _refuse_broken_rules(session: Session, keep: Person, absorb: Person) -> None:
    ids = (keep.id, absorb.id)
    shared = session.scalar(
        select(Match.id).join(MatchMentee, MatchMentee.match_id == Match.id).where(
            or_((Match.mentor_id.in_(ids)) & MatchMentee.person_id.in_(ids)
                & (Match.mentor_id != MatchMentee.person_id),
                Match.id.in_(select(MatchMentee.match_id).where(MatchMentee.person_id == keep.id)
                             .intersect(select(MatchMentee.match_id)
                                        .where(MatchMentee.person_id == absorb.id))))).limit(1))
    if shared is not None:
        raise MergeRefused(N_("{keep} and {absorb} are in the same match (#{match}): they are "
                              "two people, not one."),
                           keep=_who(keep), absorb=_who(absorb), match=shared)
    binding = _binding_matches(session, ids)
    for program_id in {p for (p, who) in binding if who == keep.id} & {
            p for (p, who) in binding if who == absorb.id}:
        program = session.get(Program, program_id)
        assert program is not None
        only_mentor = program.kind is not ProgramKind.PEER and all(
            role == Role.MENTOR for who in ids for role in binding[(program_id, who)])
        if not only_mentor:
            raise MergeRefused(
                N_("{keep} and {absorb} each have a live match in {program}; one person can't "
                   "be matched twice there. End or discard one of the matches (or the "
                   "preview), then merge again."),
                keep=_who(keep), absorb=_who(absorb), program=program.name)


def _binding_matches(session: Session, ids: tuple[int, int]) -> dict[tuple[int, int], list[Role]]:
    """(program, person) -> their roles in matches still binding them."""
    out: dict[tuple[int, int], list[Role]] = {}
    for program_id, mentor_id in session.execute(select(Match.program_id, Match.mentor_id).where(
            Match.mentor_id.in_(ids), Match.status.in_(_BINDING))):
        out.setdefault((program_id, mentor_id), []).append(Role.MENTOR)
    for program_id, person_id in session.execute(
            select(Match.program_id, MatchMentee.person_id)
            .join(MatchMentee, MatchMentee.match_id == Match.id)
            .where(MatchMentee.person_id.in_(ids), Match.status.in_(_BINDING))):
        out.setdefault((program_id, person_id), []).append(Role.MENTEE)
    return out


def _merge(session: Session, keep: Person, absorb: Person, report: MergeReport) -> None:
    k, a = keep.id, absorb.id
    binding = _binding_matches(session, (k, a))
    _unify_enrollments(session, k, a, binding, report)
    _unify_admin(session, keep, absorb, report)
    _move_unique(session, k, a, report)
    # keep's own manager link must not point at the record that goes away.
    if keep.manager_id == a:
        keep.manager_id = absorb.manager_id if absorb.manager_id != k else None
        session.flush()
    for column in _PLAIN:
        n = session.execute(update(column.class_).where(column == a).values({column.key: k})
                            .execution_options(synchronize_session=False)).rowcount
        report.count(column.class_.__tablename__, n)
    _move_unknown(session, k, a, report)
    _rewrite_json(session, k, a, report)
    # A mentor request between the two records is now a request to oneself.
    session.execute(update(MentorRequest).where(
        MentorRequest.mentee_id == k, MentorRequest.mentor_id == k,
        MentorRequest.status == RequestStatus.PENDING).values(status=RequestStatus.EXPIRED)
        .execution_options(synchronize_session=False))
    _fill_blanks(session, keep, absorb, report)
    session.flush()
    session.execute(delete(Person).where(Person.id == a)
                    .execution_options(synchronize_session=False))
    session.flush()


def _unify_enrollments(session: Session, k: int, a: int,
                       binding: dict[tuple[int, int], list[Role]], report: MergeReport) -> None:
    """One enrollment per program: the one a binding match rests on, else the active one,
    else keep's (the HR record's). A mentor kept by both records keeps every mentee."""
    mine = {e.program_id: e for e in session.scalars(
        select(Enrollment).where(Enrollment.person_id == k))}
    for theirs in list(session.scalars(select(Enrollment).where(Enrollment.person_id == a))):
        ours = mine.get(theirs.program_id)
        if ours is None:
            continue
        program = session.get(Program, theirs.program_id)
        name = program.name if program else f"program #{theirs.program_id}"
        k_bound, a_bound = (theirs.program_id, k) in binding, (theirs.program_id, a) in binding
        if a_bound and not k_bound:
            winner, loser, why = theirs, ours, "it has the live match"
        elif k_bound and not a_bound:
            winner, loser, why = ours, theirs, "it has the live match"
        elif theirs.status is EnrollmentStatus.ACTIVE and ours.status is not \
                EnrollmentStatus.ACTIVE:
            winner, loser, why = theirs, ours, "it is the active one"
        else:
            winner, loser, why = ours, theirs, "the HR record's"
        if k_bound and a_bound:  # both mentors there: the kept enrollment carries every mentee
            mentees = session.scalar(
                select(func.count()).select_from(MatchMentee)
                .join(Match, Match.id == MatchMentee.match_id).where(
                    Match.program_id == theirs.program_id, Match.mentor_id.in_((k, a)),
                    Match.status.in_(_BINDING)))
            capacity = max(ours.capacity, theirs.capacity, int(mentees or 0))
            if capacity != winner.capacity:
                report.notes.append(f"{name}: capacity raised to {capacity} to keep both "
                                    "records' mentees")
                winner.capacity = capacity
        report.notes.append(f"{name}: kept one enrollment ({winner.role.value}, "
                            f"{winner.status.value}): {why}")
        if winner is theirs:
            winner.revision = max(ours.revision, theirs.revision) + 1
        session.delete(loser)
        session.flush()


def _unify_admin(session: Session, keep: Person, absorb: Person, report: MergeReport) -> None:
    """An active right on either record makes keep an admin. A revoked right of the absorbed
    record alone is dropped: it was about an account without an email, and ADMIN_EMAILS then
    decides for keep as for anyone."""
    rows = {r.person_id: r for r in session.scalars(select(Admin).where(
        Admin.workspace_id == keep.workspace_id, Admin.person_id.in_((keep.id, absorb.id))))}
    theirs, ours = rows.get(absorb.id), rows.get(keep.id)
    if theirs is None:
        return
    if ours is None and theirs.revoked_at is None:
        theirs.person_id = keep.id
        report.count("admins", 1)
        report.notes.append("admin right moved to the kept record")
    else:
        if ours is not None and ours.revoked_at is not None and theirs.revoked_at is None:
            ours.revoked_at, ours.granted_by_id = None, theirs.granted_by_id
            report.notes.append("admin right restored: the absorbed record held it")
        session.delete(theirs)
    session.flush()


def _move_unique(session: Session, k: int, a: int, report: MergeReport) -> None:
    """Rows whose unique key holds the person: moved unless keep has the same; else dropped
    (the same fact twice). A pair of the two records with each other is dropped too."""

    def move(model: Any, column: Any, key: tuple[Any, ...]) -> None:
        have = {tuple(r) for r in session.execute(select(*key).where(column == k))}
        moved = 0
        for row in list(session.scalars(select(model).where(column == a))):
            if tuple(getattr(row, c.key) for c in key) in have:
                session.delete(row)
            else:
                setattr(row, column.key, k)
                moved += 1
        session.flush()
        report.count(model.__tablename__, moved)

    move(Enrollment, Enrollment.person_id, (Enrollment.program_id,))
    move(ProtectedAttribute, ProtectedAttribute.person_id, (ProtectedAttribute.attribute,))
    move(Invitation, Invitation.person_id, (Invitation.program_id,))
    move(Nomination, Nomination.nominee_id, (Nomination.program_id,))
    move(TrainingCompletion, TrainingCompletion.person_id, (TrainingCompletion.module_id,))
    # Pairs: drop a pair of the two records, then move each side.
    session.execute(delete(DoNotMatch).where(DoNotMatch.person_id.in_((k, a)),
                                             DoNotMatch.other_id.in_((k, a))))
    session.execute(delete(MatchAdjustment).where(MatchAdjustment.mentor_id.in_((k, a)),
                                                  MatchAdjustment.mentee_id.in_((k, a))))
    move(DoNotMatch, DoNotMatch.person_id, (DoNotMatch.other_id,))
    move(DoNotMatch, DoNotMatch.other_id, (DoNotMatch.person_id,))
    move(MatchAdjustment, MatchAdjustment.mentor_id,
         (MatchAdjustment.program_id, MatchAdjustment.mentee_id))
    move(MatchAdjustment, MatchAdjustment.mentee_id,
         (MatchAdjustment.program_id, MatchAdjustment.mentor_id))
    move(Admin, Admin.person_id, (Admin.workspace_id,))
    # One identity-provider profile per person: keep's, else the absorbed record's.
    if session.get(DirectoryProfile, k) is None:
        n = session.execute(update(DirectoryProfile).where(DirectoryProfile.person_id == a)
                            .values(person_id=k)
                            .execution_options(synchronize_session=False)).rowcount
        report.count("directory_profiles", n)
    else:
        session.execute(delete(DirectoryProfile).where(DirectoryProfile.person_id == a))


def _people_foreign_keys() -> list[tuple[Table, Column[Any]]]:
    out = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "people" and fk.column.name == "id":
                out.append((table, fk.parent))
    return out


def _move_unknown(session: Session, k: int, a: int, report: MergeReport) -> None:
    """A table added after this module, not named above: move its rows as they are (a clash
    with keep's rows raises, and the merge is refused whole)."""
    known = covered_columns()
    for table, column in _people_foreign_keys():
        if (table.name, column.key) in known:
            continue
        n = session.execute(update(table).where(column == a).values({column.key: k})).rowcount
        report.count(table.name, n)


def _rewrite_json(session: Session, k: int, a: int, report: MergeReport) -> None:
    """Person ids kept in JSON: a group message's people (and so its conversation), and a
    match run's unmatched list."""
    for row in session.scalars(select(OutboxMessage).where(
            or_(OutboxMessage.person_id == k, OutboxMessage.group_person_ids.is_not(None)))
            .execution_options(populate_existing=True)):
        group = row.group_person_ids
        if group and a in group:
            row.group_person_ids = sorted({k if i == a else i for i in group})
            report.count("outbox", 1)
        target = conversation_of(row)
        if target != row.target:
            row.target = target
    for run in session.scalars(select(MatchRun)):
        if any(u.get("person_id") == a for u in run.unmatched):
            run.unmatched = [u | {"person_id": k} if u.get("person_id") == a else u
                             for u in run.unmatched]
            report.count("match_runs", 1)
    session.flush()


_BLANKS = ("external_id", "email", "title", "department", "level", "location", "hire_date",
           "left_on")


def _fill_blanks(session: Session, keep: Person, absorb: Person, report: MergeReport) -> None:
    """Keep's HR fields stay; only what keep lacks is taken from the absorbed record."""
    taken = {name: getattr(absorb, name) for name in _BLANKS}
    # The absorbed record lets go of its email first: one email per workspace.
    absorb.email, absorb.external_id = None, None
    session.flush()
    for name, value in taken.items():
        if getattr(keep, name) in (None, "") and value not in (None, ""):
            setattr(keep, name, value)
            report.notes.append(f"{name} taken from the absorbed record")
    if keep.timezone in ("", "UTC") and absorb.timezone not in ("", "UTC"):
        keep.timezone = absorb.timezone
    if absorb.skills:
        keep.skills = list(dict.fromkeys([*keep.skills, *absorb.skills]))


def _apply_admin_setting(session: Session, keep: Person, admin_emails: Iterable[str]) -> bool:
    from core.admin.rights import is_admin, normalise_emails

    return is_admin(session, keep, normalise_emails(admin_emails))

"""What admins and participants are told about a matching run, in the reader's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.i18n import (
    format_clock,
    format_day_long,
    format_decimal,
    format_number,
    format_percent,
    format_weekday,
    ngettext,
)
from core.i18n import gettext as _
from core.match_runs import reasons
from core.matching.fairness import floor_note
from core.models import Match, MatchRun, Person, Program
from core.relationships.timing import zone
from core.ui import Button, Buttons, Context, Divider, Fields, Message, Section
from core.ui.words import count

LOWEST_SHOWN = 5
TRAINING = "training"  # the unmatched code of a mentor held back until they finish training



def _field(label: str, value: object) -> str:
    """A labelled figure: the label bold on its own line."""
    return f"*{label}*\n{value}"

def fairness_lines(fairness: dict[str, Any]) -> list[str]:
    """One line per flagged protected attribute; empty when nothing is flagged."""
    lines = []
    for name, audit in sorted((fairness.get("attributes") or {}).items()):
        if audit.get("match_rate_flag"):
            lines.append("⚠️ " + _("{attribute}: match-rate ratio {ratio} (under the "
                                   "four-fifths rule's {floor})").format(
                attribute=name, ratio=_decimal(audit["match_rate_ratio"]),
                floor=_decimal(0.8)))
        if audit.get("top_mentor_flag"):
            lines.append("⚠️ " + _("{attribute}: the most sought-after mentors went unevenly "
                                   "(ratio {ratio})").format(
                attribute=name, ratio=_decimal(audit["top_mentor_ratio"])))
    return lines


def _decimal(value: float) -> str:
    """A score or ratio with two decimals, written the reader's way ("0,83" in German)."""
    return format_decimal(value, "0.00")


def _pair(match: Match, people: dict[int, Person]) -> str:
    mentees = ", ".join(people[m.person_id].name for m in match.mentees)
    return f"{people[match.mentor_id].name} → {mentees}"


def _more(n: int) -> str:
    return ("\n" + ngettext("…and {n} more in the CSV", "…and {n} more in the CSV", n)
            .format(n=format_number(n))) if n > 0 else ""


def preview(program: Program, run: MatchRun, matches: list[Match],
            people: dict[int, Person]) -> Message:
    """The admin's preview: figures, fairness flags, the weakest matches, and what to do next."""
    stats = run.stats
    seekers, matched = stats.get("seekers", 0), stats.get("matched_seekers", 0)
    coverage = format_percent(stats.get("coverage", 0.0))
    mean = _decimal(stats.get("mean_score", 0.0))
    flags = fairness_lines(run.fairness)
    head = _("*{program}* – matching preview").format(program=program.name)
    matched_of = _("{matched} of {seekers} ({coverage})").format(
        matched=format_number(matched), seekers=format_number(seekers), coverage=coverage)
    fairness = ("⚠️ " + count(len(flags), "flag", "flags")) if flags else "✅ " + _("no flags")
    blocks: list[Any] = [
        Section(head),
        Fields([_field(_("Matched"), matched_of),
                _field(_("Matches"), format_number(len(matches))),
                _field(_("Mean score"), mean),
                _field(_("Fairness"), fairness)]),
    ]
    if flags:
        blocks.append(Section("\n".join(flags)))
    cost = floor_cost_line(stats)
    if cost:
        blocks.append(Section(cost))
    if matches:
        lines = [f"• {_pair(m, people)} ({_decimal(m.score)}): "
                 f"{'; '.join(reasons.reasons(m.reasons))}"
                 for m in matches[:LOWEST_SHOWN]]
        blocks.append(Section("*" + _("Lowest-scoring matches") + "* – "
                              + _("check these before publishing") + "\n" + "\n".join(lines)))
    held = [u for u in run.unmatched if u.get("code") == TRAINING]
    unmatched = [u for u in run.unmatched if u.get("code") != TRAINING]
    if held:
        lines = [f"• {people[u['person_id']].name}: "
                 f"{reasons.unmatched(u['reason'], with_tail=False).rstrip('.')}"
                 for u in held[:LOWEST_SHOWN] if u["person_id"] in people]
        blocks.append(Section(f"*{held_back_line(len(held))}*\n" + "\n".join(lines)
                              + _more(len(held) - len(lines))))
    if unmatched:
        lines = [f"• {people[u['person_id']].name}: {reasons.unmatched(u['reason'])}"
                 for u in unmatched[:LOWEST_SHOWN] if u["person_id"] in people]
        title = _("Not matched ({n})").format(n=format_number(len(unmatched)))
        blocks.append(Section(f"*{title}*\n" + "\n".join(lines)
                              + _more(len(unmatched) - len(lines))))
    rerun = _("Re-run")
    blocks += [
        Divider(),
        Buttons([Button(_("Publish"), "match.publish", str(run.id), "primary"),
                 Button(rerun, "match.rerun", str(program.id)),
                 Button(_("Download CSV"), "match.csv", str(run.id))]),
        Context([_("Adjust before publishing: {lock}, {exclude}, {swap}, then {rerun}.").format(
            lock="`/mentor admin lock <mentor> <mentee> <program>`",
            exclude="`exclude <mentor> <mentee> <program>`",
            swap="`swap <mentee> <mentee> <program>`", rerun=rerun)]),
    ]
    text = (head + ": " + ngettext(
        "{matched} of {seekers} matched ({coverage}), mean score {mean}, {n} fairness flag.",
        "{matched} of {seekers} matched ({coverage}), mean score {mean}, {n} fairness flags.",
        len(flags)).format(matched=format_number(matched), seekers=format_number(seekers),
                           coverage=coverage, mean=mean, n=format_number(len(flags)))
            + (f" {held_back_line(len(held))}." if held else ""))
    return Message(text=text, blocks=blocks)


def floor_cost_line(stats: dict[str, Any]) -> str:
    """What the opt-in fairness floor cost in score, or "" when it is off."""
    before = stats.get("mean_score_without_floor")
    if before is None:
        return ""
    after = stats.get("mean_score", 0.0)
    note = next((n for n in stats.get("notes", ()) if str(n).startswith("fairness floor")), "")
    if round(before, 2) == round(after, 2):
        line = _("The fairness floor keeps the mean score at {after}.").format(
            after=_decimal(after))
    else:
        line = _("The fairness floor lowers the mean score from {before} to {after}.").format(
            before=_decimal(before), after=_decimal(after))
    # The engine stores its note in English; the reader gets it in their language.
    return "⚖️ " + line + (f" ({floor_note(note)})" if note else "")


def held_back_line(held: int) -> str:
    """How many mentors training keeps out of this run."""
    return ngettext("{n} mentor held back until they finish training",
                    "{n} mentors held back until they finish training", held).format(
        n=format_number(held))


def _when(moment: datetime, now: datetime, tz: str) -> str:
    """ "today at 08:00", "tomorrow at 08:00", "Monday at 10:00" or "Monday, June 14 at
    08:00", in ``tz`` and the reader's language."""
    local, today = moment.astimezone(zone(tz)), now.astimezone(zone(tz)).date()
    days = (local.date() - today).days
    at = format_clock(local)
    if days == 0:
        return _("today at {time}").format(time=at)
    if days == 1:
        return _("tomorrow at {time}").format(time=at)
    day = format_weekday(local) if days < 7 else format_day_long(local)
    return _("{day} at {time}").format(day=day, time=at)


def introductions_when(times: list[datetime], now: datetime, tz: str) -> str:
    """When the introductions of newly published matches go out, in the reader's time zone:
    at once during everyone's working day, else when it starts (see ``planner.intro_due_at``)."""
    later = sorted(t for t in times if t > now)
    if not times:
        return ""
    if not later:
        return _("Introductions are going out now.")
    where = _("your time, {zone}").format(zone=tz or "UTC")
    first, last = _when(later[0], now, tz), _when(later[-1], now, tz)
    span = first if first == last else _("between {first} and {last}").format(
        first=first, last=last)
    if len(later) == len(times):
        return ngettext(
            "It's outside working hours, so the introduction goes out {span} ({where}), once "
            "the working day has begun for everyone in the match.",
            "It's outside working hours, so introductions go out {span} ({where}), once the "
            "working day has begun for everyone in each match.", len(times)).format(
            span=span, where=where)
    now_going = ngettext("{n} introduction is going out now;",
                         "{n} introductions are going out now;", len(times) - len(later))
    waiting = ngettext("{n} other waits for working hours and goes out {span} ({where}).",
                       "{n} others wait for working hours and go out {span} ({where}).",
                       len(later))
    return (now_going.format(n=format_number(len(times) - len(later))) + " "
            + waiting.format(n=format_number(len(later)), span=span, where=where))


def published(program: Program, matches: int, unmatched: int, introductions: str = "",
              held: int = 0) -> Message:
    """The publish confirmation. ``unmatched`` counts as the preview's "Not matched" does;
    ``held`` are the mentors training held back (told too, counted apart as in the preview)."""
    parts = [ngettext("Published {n} match in *{program}*.",
                      "Published {n} matches in *{program}*.", matches).format(
        n=format_number(matches), program=program.name)]
    if unmatched:
        parts.append(ngettext(
            "{n} person who could not be matched was told why and what happens next.",
            "{n} people who could not be matched were told why and what happens next.",
            unmatched).format(n=format_number(unmatched)))
    else:
        parts.append(_("Everyone in the pool was matched."))
    if held:
        parts.append(ngettext(
            "The {n} mentor held back until they finish training was told what is left to do.",
            "The {n} mentors held back until they finish training were told what is left to "
            "do.", held).format(n=format_number(held)))
    if introductions:
        parts.append(introductions)
    text = " ".join(parts)
    return Message(text=text, blocks=[Section(text)])


def already_published(program: Program) -> Message:
    text = _("That preview of *{program}* is no longer current (it was published or re-run). "
             "Run `/mentor admin match` again for a fresh preview.").format(program=program.name)
    return Message(text=text, blocks=[Section(text)])


def not_matched_dm(program: Program, person: Person, reason: str) -> Message:
    text = _("Hi {name}, matching for *{program}* has run and I couldn't find you a match this "
             "time.").format(name=person.name.split()[0], program=program.name)
    text += " " + reasons.unmatched(reason)
    return Message(text=text, blocks=[Section(text)])


def locked(mentor: str, mentee: str) -> str:
    return _("Locked {mentor} → {mentee}").format(mentor=mentor, mentee=mentee)


def excluded(mentor: str, mentee: str) -> str:
    return _("Excluded {mentor} → {mentee}").format(mentor=mentor, mentee=mentee)


def swapped(pairs: str) -> str:
    return _("Swapped: {pairs}").format(pairs=pairs)


def adjusted(what: str, program: Program) -> Message:
    text = _("{change} in *{program}*. Press {rerun} (or `{command}`).").format(
        change=what, program=program.name, rerun=_("Re-run"),
        command=f"/mentor admin match {program.name}")
    return Message(text=text, blocks=[Section(text)])

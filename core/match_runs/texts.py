"""What admins and participants are told about a matching run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.models import Match, MatchRun, Person, Program
from core.relationships.timing import zone
from core.ui import Button, Buttons, Context, Divider, Fields, Message, Section
from core.ui.words import count, plural

LOWEST_SHOWN = 5
TRAINING = "training"  # the unmatched code of a mentor held back until they finish training


def fairness_lines(fairness: dict[str, Any]) -> list[str]:
    """One line per flagged protected attribute; empty when nothing is flagged."""
    lines = []
    for name, audit in sorted((fairness.get("attributes") or {}).items()):
        if audit.get("match_rate_flag"):
            lines.append(f"⚠️ {name}: match-rate ratio {audit['match_rate_ratio']:.2f} "
                         "(under the four-fifths rule's 0.80)")
        if audit.get("top_mentor_flag"):
            lines.append(f"⚠️ {name}: the most sought-after mentors went unevenly "
                         f"(ratio {audit['top_mentor_ratio']:.2f})")
    return lines


def _pair(match: Match, people: dict[int, Person]) -> str:
    mentees = ", ".join(people[m.person_id].name for m in match.mentees)
    return f"{people[match.mentor_id].name} → {mentees}"


def preview(program: Program, run: MatchRun, matches: list[Match],
            people: dict[int, Person]) -> Message:
    """The admin's preview: figures, fairness flags, the weakest matches, and what to do next."""
    stats = run.stats
    seekers, matched = stats.get("seekers", 0), stats.get("matched_seekers", 0)
    coverage = stats.get("coverage", 0.0)
    flags = fairness_lines(run.fairness)
    flag_word = plural(len(flags), "flag", "flags")
    head = f"*{program.name}* – matching preview"
    blocks: list[Any] = [
        Section(head),
        Fields([f"*Matched*\n{matched} of {seekers} ({coverage:.0%})",
                f"*Matches*\n{len(matches)}",
                f"*Mean score*\n{stats.get('mean_score', 0.0):.2f}",
                f"*Fairness*\n{f'⚠️ {len(flags)} {flag_word}' if flags else '✅ no flags'}"]),
    ]
    if flags:
        blocks.append(Section("\n".join(flags)))
    cost = floor_cost_line(stats)
    if cost:
        blocks.append(Section(cost))
    if matches:
        lines = [f"• {_pair(m, people)} ({m.score:.2f}): {'; '.join(m.reasons)}"
                 for m in matches[:LOWEST_SHOWN]]
        blocks.append(Section("*Lowest-scoring matches* – check these before publishing\n"
                              + "\n".join(lines)))
    held = [u for u in run.unmatched if u.get("code") == TRAINING]
    unmatched = [u for u in run.unmatched if u.get("code") != TRAINING]
    if held:
        lines = [f"• {people[u['person_id']].name}: {u['reason'].split('.')[0]}"
                 for u in held[:LOWEST_SHOWN] if u["person_id"] in people]
        more = len(held) - len(lines)
        blocks.append(Section(f"*{held_back_line(len(held))}*\n" + "\n".join(lines)
                              + (f"\n…and {more} more in the CSV" if more > 0 else "")))
    if unmatched:
        lines = [f"• {people[u['person_id']].name}: {u['reason']}"
                 for u in unmatched[:LOWEST_SHOWN] if u["person_id"] in people]
        more = len(unmatched) - len(lines)
        blocks.append(Section(f"*Not matched ({len(unmatched)})*\n" + "\n".join(lines)
                              + (f"\n…and {more} more in the CSV" if more > 0 else "")))
    blocks += [
        Divider(),
        Buttons([Button("Publish", "match.publish", str(run.id), "primary"),
                 Button("Re-run", "match.rerun", str(program.id)),
                 Button("Download CSV", "match.csv", str(run.id))]),
        Context(["Adjust before publishing: `/mentor admin lock <mentor> <mentee> <program>`, "
                 "`exclude <mentor> <mentee> <program>`, `swap <mentee> <mentee> <program>`, "
                 "then Re-run."]),
    ]
    text = (f"{head}: {matched} of {seekers} matched ({coverage:.0%}), mean score "
            f"{stats.get('mean_score', 0.0):.2f}, {len(flags)} fairness {flag_word}."
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
        change = f"keeps the mean score at {after:.2f}"
    else:
        change = f"lowers the mean score from {before:.2f} to {after:.2f}"
    return f"⚖️ The fairness floor {change}." + (f" ({note})" if note else "")


def held_back_line(held: int) -> str:
    """How many mentors training keeps out of this run."""
    return f"{count(held, 'mentor', 'mentors')} held back until they finish training"


def _when(moment: datetime, now: datetime, tz: str) -> str:
    """ "today at 08:00", "tomorrow at 08:00", "Monday at 10:00" or "Monday 14 June at 08:00",
    in ``tz``."""
    local, today = moment.astimezone(zone(tz)), now.astimezone(zone(tz)).date()
    days = (local.date() - today).days
    day = ("today" if days == 0 else "tomorrow" if days == 1
           else f"{local:%A}" if days < 7 else f"{local:%A} {local.day} {local:%B}")
    return f"{day} at {local:%H:%M}"


def introductions_when(times: list[datetime], now: datetime, tz: str) -> str:
    """When the introductions of newly published matches go out, in the reader's time zone:
    at once during everyone's working day, else when it starts (see ``planner.intro_due_at``)."""
    later = sorted(t for t in times if t > now)
    if not times:
        return ""
    if not later:
        return "Introductions are going out now."
    where = f"your time, {tz or 'UTC'}"
    first, last = _when(later[0], now, tz), _when(later[-1], now, tz)
    span = first if first == last else f"between {first} and {last}"
    if len(later) == len(times):
        each = "the match" if len(times) == 1 else "each match"
        return (f"It's outside working hours, so introductions go out {span} ({where}), once "
                f"the working day has begun for everyone in {each}.")
    return (f"{count(len(times) - len(later), 'introduction is', 'introductions are')} going "
            f"out now; {count(len(later), 'other waits', 'others wait')} for working hours and "
            f"{plural(len(later), 'goes', 'go')} out {span} ({where}).")


def published(program: Program, matches: int, unmatched: int, introductions: str = "",
              held: int = 0) -> Message:
    """The publish confirmation. ``unmatched`` counts as the preview's "Not matched" does;
    ``held`` are the mentors training held back (told too, counted apart as in the preview)."""
    text = (f"Published {count(matches, 'match', 'matches')} in *{program.name}*. "
            + (f"{count(unmatched, 'person', 'people')} who could not be matched "
               f"{plural(unmatched, 'was', 'were')} told why and what happens next."
               if unmatched else "Everyone in the pool was matched.")
            + (f" The {held_back_line(held)} {plural(held, 'was', 'were')} told what is left "
               "to do." if held else "")
            + (f" {introductions}" if introductions else ""))
    return Message(text=text, blocks=[Section(text)])


def already_published(program: Program) -> Message:
    text = (f"That preview of *{program.name}* is no longer current (it was published or "
            "re-run). Run `/mentor admin match` again for a fresh preview.")
    return Message(text=text, blocks=[Section(text)])


def not_matched_dm(program: Program, person: Person, reason: str) -> Message:
    text = (f"Hi {person.name.split()[0]}, matching for *{program.name}* has run and I couldn't "
            f"find you a match this time. {reason}")
    return Message(text=text, blocks=[Section(text)])


def adjusted(what: str, program: Program) -> Message:
    text = f"{what} in *{program.name}*. Press Re-run (or `/mentor admin match {program.name}`)."
    return Message(text=text, blocks=[Section(text)])

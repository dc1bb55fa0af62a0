"""`/mentor training` and the buttons on a module: show progress, mark done, answer a quiz."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.enrollment.programs import find_program
from core.events import Intent, Reply, UpdateMessage
from core.i18n import gettext
from core.ids import get_by_id
from core.models import Person, Program, TrainingModule
from core.training import texts
from core.training.progress import (
    check_answer,
    mark_done,
    mentor_programs,
    progress,
    requires_training,
)


def command(session: Session, person: Person, arg: str, platform: str) -> list[Intent]:
    """Progress in every program that asks this mentor for training, and the next module.

    ``arg`` may name one program to focus on it.
    """
    programs = mentor_programs(session, person)
    if arg.strip():
        named = find_program(session, person, arg.strip())
        programs = [p for p in programs if named is not None and p.id == named.id]
    if not programs:
        return [Reply(texts.not_required(platform))]
    progresses = [progress(session, person.id, p) for p in programs]
    message = texts.overview(progresses, platform)
    return [Reply(message if message is not None else texts.all_done(progresses))]


def button(session: Session, person: Person, action_id: str, value: str, platform: str,
           now: datetime) -> list[Intent]:
    """``training.done`` (module id), ``training.quiz`` (module id:choice), ``training.next``
    (program id)."""
    if action_id == "training.next":
        program = get_by_id(session, Program, value)
        if program is None or program.workspace_id != person.workspace_id:
            return [Reply(texts.module_gone())]
        return command(session, person, program.name, platform) \
            if requires_training(session, program) else [Reply(texts.not_required(platform))]
    module_id, _, choice = value.partition(":")
    module = get_by_id(session, TrainingModule, module_id)
    program = session.get(Program, module.program_id) if module else None
    if module is None or program is None or program.workspace_id != person.workspace_id:
        return [Reply(texts.module_gone())]
    if action_id == "training.quiz":
        # ASCII digits only: "²".isdigit() is true, but int("²") raises.
        right = choice.isascii() and choice.isdigit() and len(choice) <= 3 \
            and check_answer(module, int(choice))
        if not right:
            # Kind, and the module stays on screen with its choices, so they can retry.
            now_at = progress(session, person.id, program)
            return [UpdateMessage(texts.module_message(module, now_at, platform,
                                                       note=gettext(texts.NOT_QUITE)))]
    elif action_id != "training.done":
        return [Reply(texts.module_gone())]
    elif module.quiz_choices:
        # A quiz module is finished by answering it, not by a (stale or crafted) done button.
        return [UpdateMessage(texts.module_message(
            module, progress(session, person.id, program), platform,
            note=gettext(texts.ANSWER_FIRST)))]
    if not mark_done(session, person, module, now=now):
        return [UpdateMessage(texts.already_done(module))]
    after = progress(session, person.id, program)
    return [UpdateMessage(texts.finished_module(module, after, platform,
                                                right_answer=action_id == "training.quiz"))]

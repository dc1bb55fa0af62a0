"""The routing table: each feature declares its commands, buttons and forms where it lives.

``Mentorbot`` builds one :class:`RoutingTable` from every feature's :class:`Routes` at start
and dispatches from it. A clash (two features claiming one command word, action id or form
id, or one action prefix shadowing another's ids) or a malformed registration raises
:class:`RoutingError` there, at start-up, never while a person waits for an answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.events import Actor, Intent
from core.models import Person


@dataclass(frozen=True)
class Turn:
    """What a handler may use: the unit of work, who is asking, and the bot's settings."""

    session: Session
    person: Person
    actor: Actor
    now: datetime
    admin_emails: frozenset[str]
    public_url: str
    # The workspace's language for people who chose none and whose platform said none.
    default_language: str = "en"

    @property
    def platform(self) -> str:
        return self.actor.platform


CommandHandler = Callable[[Turn, str, str], list[Intent]]  # (ctx, word, argument)
ActionHandler = Callable[[Turn, str, str], list[Intent]]  # (ctx, action id, value)
FormHandler = Callable[[Turn, str, dict[str, Any], str], list[Intent]]  # id, values, context


@dataclass(frozen=True)
class Command:
    """A word people type after ``/mentor``. ``usage`` and ``summary`` make its help line
    (``also`` names sibling usages that share the line); ``rank`` orders the help (lower
    first); hidden commands get no line of their own."""

    name: str
    handler: CommandHandler
    usage: str = ""
    summary: str = ""
    aliases: tuple[str, ...] = ()
    rank: int = 100
    hidden: bool = False
    also: tuple[str, ...] = ()
    # May answer where it was asked even in a channel or group chat (nothing personal in it).
    public: bool = False

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Action:
    """A button: an exact action id, or every id under a prefix ending in ``.``.

    ``makes_matches``: the button can create live matches, so introductions are planned at
    once rather than at the next tick.
    """

    action_id: str
    handler: ActionHandler
    makes_matches: bool = False

    @property
    def is_prefix(self) -> bool:
        return self.action_id.endswith(".")


@dataclass(frozen=True)
class Form:
    """A form submission by form id."""

    form_id: str
    handler: FormHandler


@dataclass(frozen=True)
class Routes:
    """One feature's declarations."""

    feature: str
    commands: tuple[Command, ...] = ()
    actions: tuple[Action, ...] = ()
    forms: tuple[Form, ...] = ()


class RoutingError(ValueError):
    """A registration that can't be routed unambiguously."""


_WORD = re.compile(r"^[a-z?][a-z0-9?-]*$")
_ACTION = re.compile(r"^[a-z_][a-z0-9_.:-]*$")


@dataclass
class RoutingTable:
    """Every registered command word, action id or prefix, and form id, each owned once."""

    features: tuple[Routes, ...]
    _words: dict[str, tuple[str, Command]] = field(default_factory=dict)
    _exact: dict[str, tuple[str, Action]] = field(default_factory=dict)
    _prefixes: dict[str, tuple[str, Action]] = field(default_factory=dict)
    _forms: dict[str, tuple[str, Form]] = field(default_factory=dict)

    @classmethod
    def build(cls, features: Iterable[Routes]) -> RoutingTable:
        """Check and index ``features``; raises :class:`RoutingError` on any clash."""
        table = cls(tuple(features))
        seen: set[str] = set()
        for routes in table.features:
            if routes.feature in seen:
                raise RoutingError(f"feature {routes.feature!r} registered twice")
            seen.add(routes.feature)
            for command in routes.commands:
                table._add_command(routes.feature, command)
            for action in routes.actions:
                table._add_action(routes.feature, action)
            for form in routes.forms:
                table._add_form(routes.feature, form)
        table._check_prefixes()
        return table

    def _add_command(self, feature: str, command: Command) -> None:
        if not callable(command.handler):
            raise RoutingError(f"{feature}: command {command.name!r} has no handler")
        if not command.hidden and not (command.usage and command.summary):
            raise RoutingError(f"{feature}: command {command.name!r} needs usage and summary")
        for word in command.words:
            if not _WORD.match(word):
                raise RoutingError(f"{feature}: {word!r} is not a lowercase command word")
            if word in self._words:
                raise RoutingError(f"command word {word!r} claimed by {self._words[word][0]} "
                                   f"and {feature}")
            self._words[word] = (feature, command)

    def _add_action(self, feature: str, action: Action) -> None:
        if not callable(action.handler):
            raise RoutingError(f"{feature}: action {action.action_id!r} has no handler")
        if not _ACTION.match(action.action_id):
            raise RoutingError(f"{feature}: {action.action_id!r} is not an action id")
        index = self._prefixes if action.is_prefix else self._exact
        if action.action_id in index:
            raise RoutingError(f"action {action.action_id!r} claimed by "
                               f"{index[action.action_id][0]} and {feature}")
        index[action.action_id] = (feature, action)

    def _add_form(self, feature: str, form: Form) -> None:
        if not callable(form.handler) or not form.form_id:
            raise RoutingError(f"{feature}: form {form.form_id!r} is malformed")
        if form.form_id in self._forms:
            raise RoutingError(f"form {form.form_id!r} claimed by {self._forms[form.form_id][0]} "
                               f"and {feature}")
        self._forms[form.form_id] = (feature, form)

    def _check_prefixes(self) -> None:
        """No prefix may swallow another feature's prefix or exact id (within one feature an
        exact id may refine its own prefix: exact ids win)."""
        for prefix, (owner, _) in self._prefixes.items():
            others = [(k, f) for k, (f, _) in [*self._prefixes.items(), *self._exact.items()]
                      if k != prefix and k.startswith(prefix) and f != owner]
            for key, feature in others:
                raise RoutingError(f"action prefix {prefix!r} of {owner} shadows {key!r} "
                                   f"of {feature}")

    def command(self, word: str) -> Command | None:
        """The command for a typed word (or alias), if any."""
        found = self._words.get(word)
        return found[1] if found else None

    def action(self, action_id: str) -> Action | None:
        """The handler for a button: its exact id first, else the prefix it falls under."""
        found = self._exact.get(action_id)
        if found:
            return found[1]
        for prefix in sorted(self._prefixes, key=len, reverse=True):
            if action_id.startswith(prefix):
                return self._prefixes[prefix][1]
        return None

    def form(self, form_id: str) -> Form | None:
        """The handler for a submitted form, if any."""
        found = self._forms.get(form_id)
        return found[1] if found else None

    def help_commands(self) -> list[Command]:
        """Commands with a help line, in help order."""
        unique = {id(c): c for _, c in self._words.values() if not c.hidden}
        return sorted(unique.values(), key=lambda c: (c.rank, c.name))

    def listing(self) -> dict[str, dict[str, str]]:
        """Every registration and the feature owning it, for review and tests."""
        return {
            "commands": {w: f for w, (f, _) in sorted(self._words.items())},
            "actions": {a: f for a, (f, _) in sorted([*self._exact.items(),
                                                      *self._prefixes.items()])},
            "forms": {k: f for k, (f, _) in sorted(self._forms.items())},
        }

"""The routing table: every command, button and form has exactly one owner, known at start."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.features import FEATURES
from core.mentorbot import Mentorbot
from core.routing import Action, Command, Form, Routes, RoutingError, RoutingTable

ROOT = Path(__file__).resolve().parent.parent


def _nothing(*_args: object) -> list:  # type: ignore[type-arg]
    return []


EXPECTED = {
    "commands": {
        "?": "core", "admin": "admin", "avoid": "enrollment", "edit": "enrollment",
        "end": "relationships", "enroll": "enrollment", "help": "core", "home": "personal",
        "join": "enrollment", "lang": "language", "language": "language",
        "leave": "enrollment", "me": "enrollment",
        "my-data": "personal", "mydata": "personal", "nominate": "admin",
        "pause": "relationships", "plan": "relationships", "rematch": "relationships",
        "resume": "relationships", "status": "enrollment", "suggest": "self_select",
        "suggestions": "self_select", "train": "training", "training": "training",
        "withdraw": "enrollment",
    },
    "actions": {
        "announce.": "admin", "avoid.undo": "enrollment", "join.pick": "enrollment",
        "leave.": "enrollment", "link.open": "core", "match.": "admin",
        "match.publish": "admin", "nominate.": "admin", "plan.": "relationships",
        "program.template": "admin", "rel.": "relationships", "request.accept": "self_select",
        "request.ask": "self_select", "request.decline": "self_select", "training.": "training",
    },
    "forms": {
        "announce": "admin", "end": "relationships", "enroll": "enrollment",
        "goal": "relationships", "meeting": "relationships", "program": "admin",
        "schedule": "relationships", "survey": "relationships",
    },
}


def test_every_registration_is_listed_with_its_owner(sessions: sessionmaker[Session]) -> None:
    # A new command, button or form shows up here, so review sees what people can now reach.
    assert Mentorbot(sessions).routes.listing() == EXPECTED


def test_only_match_making_buttons_plan_introductions_at_once(
        sessions: sessionmaker[Session]) -> None:
    table = Mentorbot(sessions).routes
    assert {a for a in EXPECTED["actions"] if table.action(a) and table.action(a).makes_matches} \
        == {"match.publish", "request.accept"}
    # An exact id refines its own feature's prefix; other ids fall under the prefix.
    assert table.action("match.publish").makes_matches  # type: ignore[union-attr]
    assert not table.action("match.rerun").makes_matches  # type: ignore[union-attr]
    assert table.action("nope.nothing") is None


def _button_ids_in_core() -> set[str]:
    """Every literal action id passed to a Button(...) or Select(...) anywhere in core/."""
    ids = set()
    for path in (ROOT / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("Button",
                                                                              "Select"):
                args = [*node.args, *(k.value for k in node.keywords if k.arg == "action_id")]
                ids |= {a.value for a in args[1:2] if isinstance(a, ast.Constant)
                        and isinstance(a.value, str) and "." in a.value}
    return ids


def test_every_button_core_draws_reaches_a_handler(sessions: sessionmaker[Session]) -> None:
    table = Mentorbot(sessions).routes
    drawn = _button_ids_in_core()
    assert len(drawn) > 20  # the scan itself works
    assert sorted(a for a in drawn if table.action(a) is None) == []


def test_help_has_a_line_for_every_command_people_can_type(
        sessions: sessionmaker[Session]) -> None:
    table = Mentorbot(sessions).routes
    shown = {c.name for c in table.help_commands()}
    mentioned = {u.split()[0] for c in table.help_commands() for u in c.also}
    every = {c.name for routes in table.features for c in routes.commands}
    assert every == shown | mentioned


def _table(*features: Routes) -> RoutingTable:
    return RoutingTable.build((*FEATURES, *features))


@pytest.mark.parametrize("clash, message", [
    (Routes("extra", commands=(Command("join", _nothing, "join", "again"),)),
     "command word 'join' claimed by enrollment and extra"),
    (Routes("extra", commands=(Command("hello", _nothing, "hello", "hi", ("status",)),)),
     "command word 'status' claimed by enrollment and extra"),
    (Routes("extra", actions=(Action("request.ask", _nothing),)),
     "action 'request.ask' claimed by self_select and extra"),
    (Routes("extra", actions=(Action("rel.", _nothing),)),
     "action 'rel.' claimed by relationships and extra"),
    (Routes("extra", actions=(Action("request.", _nothing),)),
     "action prefix 'request.' of extra shadows"),
    (Routes("extra", actions=(Action("training.extra", _nothing),)),
     "action prefix 'training.' of training shadows 'training.extra' of extra"),
    (Routes("extra", forms=(Form("enroll", _nothing),)),
     "form 'enroll' claimed by enrollment and extra"),
    (Routes("enrollment"), "feature 'enrollment' registered twice"),
    (Routes("extra", commands=(Command("Shout", _nothing, "Shout", "loud"),)),
     "'Shout' is not a lowercase command word"),
    (Routes("extra", commands=(Command("quiet", _nothing),)),
     "command 'quiet' needs usage and summary"),
])
def test_a_clash_or_a_malformed_registration_fails_at_start(clash: Routes, message: str) -> None:
    with pytest.raises(RoutingError, match=message.replace("(", r"\(").replace("?", r"\?")):
        _table(clash)


def test_a_new_feature_is_reached_without_touching_the_front_door() -> None:
    table = _table(Routes("extra", commands=(Command("hello", _nothing, "hello", "say hi"),),
                          actions=(Action("hello.", _nothing),), forms=(Form("hi", _nothing),)))
    assert table.command("hello") is not None and table.action("hello.wave") is not None
    assert table.form("hi") is not None
    assert "hello" in {c.name for c in table.help_commands()}

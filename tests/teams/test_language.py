"""A Teams activity's locale reaches core, which writes to the person in that language."""

from __future__ import annotations

from adapters.teams.translate import activity_from_dict, activity_to_event
from tests.teams.conftest import activity


def test_a_teams_activity_carries_its_locale_to_core() -> None:
    event = activity_to_event(activity_from_dict(activity("http://127.0.0.1:1/",
                                                          text="help", locale="pt-BR")))
    assert event.actor.locale == "pt-BR"

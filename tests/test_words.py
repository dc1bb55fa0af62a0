"""Counted words read as English: "1 match", "16 matches", never "match(es)"."""

from __future__ import annotations

from core.match_runs.texts import held_back_line, published
from core.models import Program
from core.ui.words import count, plural


def test_plural_for_0_1_2_and_5() -> None:
    assert [count(n, "match", "matches") for n in (0, 1, 2, 5)] == [
        "0 matches", "1 match", "2 matches", "5 matches"]
    assert count(1.0, "working hour", "working hours") == "1 working hour"
    assert count(1.5, "working hour", "working hours") == "1.5 working hours"
    assert plural(1, "was", "were") == "was" and plural(29, "was", "were") == "were"


def test_publish_and_held_back_lines_read_as_english() -> None:
    program = Program(name="Leadership 1:1")
    one = published(program, 1, 1).text
    assert one.startswith("Published 1 match in *Leadership 1:1*.")
    assert "1 person who could not be matched was told why" in one
    many = published(program, 16, 29).text
    assert "Published 16 matches" in many and "29 people who could not be matched were" in many
    assert "(es)" not in one + many and "(s)" not in one + many
    assert held_back_line(1) == "1 mentor held back until they finish training"


def test_publish_counts_as_the_preview_does() -> None:
    # The preview lists 25 "Not matched" and 4 mentors held back for training: publish says so,
    # not "29 people could not be matched".
    text = published(Program(name="Leadership 1:1"), 16, 25, held=4).text
    assert "25 people who could not be matched were told why" in text
    assert "The 4 mentors held back until they finish training were told what is left" in text

"""Run `mentorbot` commands in-process at the suite's fixed instant, never the wall clock."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from core.clock import FakeClock
from tests.conftest import TEST_NOW


class ClockedRunner(CliRunner):
    """A CliRunner whose commands read a FakeClock at TEST_NOW (the context's ``obj``)."""

    def invoke(self, app: Any, args: str | Sequence[str] | None = None,  # type: ignore[override]
               **kwargs: Any) -> Result:
        kwargs.setdefault("obj", FakeClock(TEST_NOW))
        return super().invoke(app, args, **kwargs)


runner = ClockedRunner()

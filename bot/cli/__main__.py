"""``python -m bot.cli …``."""

from bot.cli import app

app()

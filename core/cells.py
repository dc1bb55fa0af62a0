"""Spreadsheet cells that stay text: every CSV and XLSX export writes people's words through here.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return before one) as a formula, so a name like
``=HYPERLINK("https://evil.example","Open")`` would become a live link in an admin's
spreadsheet. A leading apostrophe is the spreadsheets' own "this is text" mark.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """``value``, with text that a spreadsheet would run as a formula made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeWriter:
    """A ``csv.writer`` whose every cell goes through :func:`inert`."""

    def __init__(self, out: IO[str], **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row, each text cell made inert."""
        return self._writer.writerow([inert(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write every row, each text cell made inert."""
        for row in rows:
            self.writerow(row)


def safe_writer(out: IO[str], **kwargs: Any) -> SafeWriter:
    """A drop-in for ``csv.writer(out, **kwargs)`` that never writes a live formula."""
    return SafeWriter(out, **kwargs)

"""The charts' alt text counts people, sessions and pairs with each language's plural forms:
"1 person", "1 Person", never "1 people"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core import i18n
from core.reports.charts import SPEC_BY_KEY
from core.reports.model import ProgramReport

COUNTS = (0, 1, 2, 5)


def _report(**values) -> ProgramReport:  # type: ignore[no-untyped-def]
    return ProgramReport(program_id=1, program="P", generated_at=datetime(2027, 3, 1, tzinfo=UTC),
                         scope="All cohorts", **values)


def _satisfaction(code: str) -> list[str]:
    report = _report(satisfaction_distribution={i + 1: n for i, n in enumerate(COUNTS)})
    with i18n.reading(code):
        text = SPEC_BY_KEY["satisfaction"].describe(report)
    return text.split(": ", 1)[1].rstrip(".").split("; ")


def _sessions(code: str) -> list[str]:
    report = _report(sessions_by_month=[(f"2027-0{i + 1}", n, n) for i, n in enumerate(COUNTS)])
    with i18n.reading(code):
        text = SPEC_BY_KEY["sessions"].describe(report)
    return text.split(": ", 1)[1].rstrip(".").split("; ")


@pytest.mark.parametrize(("code", "said"), [
    ("en", ["1: 0 people", "2: 1 person", "3: 2 people", "4: 5 people"]),
    ("de", ["1: 0 Personen", "2: 1 Person", "3: 2 Personen", "4: 5 Personen"]),
    # French and Brazilian Portuguese count zero as one.
    ("fr", ["1 : 0 personne", "2 : 1 personne", "3 : 2 personnes", "4 : 5 personnes"]),
    ("es", ["1: 0 personas", "2: 1 persona", "3: 2 personas", "4: 5 personas"]),
    ("pt_BR", ["1: 0 pessoa", "2: 1 pessoa", "3: 2 pessoas", "4: 5 pessoas"]),
])
def test_the_satisfaction_chart_counts_people_in_each_language(code: str,
                                                               said: list[str]) -> None:
    assert _satisfaction(code) == said


@pytest.mark.parametrize(("code", "said"), [
    ("en", ["2027-01: 0 sessions, 0 live pairs", "2027-02: 1 session, 1 live pair",
            "2027-03: 2 sessions, 2 live pairs", "2027-04: 5 sessions, 5 live pairs"]),
    ("de", ["2027-01: 0 Treffen, 0 laufende Paare", "2027-02: 1 Treffen, 1 laufendes Paar",
            "2027-03: 2 Treffen, 2 laufende Paare", "2027-04: 5 Treffen, 5 laufende Paare"]),
    ("fr", ["2027-01 : 0 séance, 0 binôme en cours", "2027-02 : 1 séance, 1 binôme en cours",
            "2027-03 : 2 séances, 2 binômes en cours",
            "2027-04 : 5 séances, 5 binômes en cours"]),
    ("es", ["2027-01: 0 sesiones, 0 parejas en curso", "2027-02: 1 sesión, 1 pareja en curso",
            "2027-03: 2 sesiones, 2 parejas en curso",
            "2027-04: 5 sesiones, 5 parejas en curso"]),
    ("pt_BR", ["2027-01: 0 sessão, 0 par em andamento", "2027-02: 1 sessão, 1 par em andamento",
               "2027-03: 2 sessões, 2 pares em andamento",
               "2027-04: 5 sessões, 5 pares em andamento"]),
])
def test_the_sessions_chart_counts_sessions_and_pairs_in_each_language(
        code: str, said: list[str]) -> None:
    assert _sessions(code) == said

"""Hand-built reports for the renderer tests: a full one and a small, suppressed one.

Built straight from the report contract (``core.reports.model``), so the renderers are tested
without a database or the metrics module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.reports.model import Figure, ProgramReport, Table, figure

GENERATED = datetime(2026, 3, 31, 9, 30, tzinfo=UTC)


def full_report() -> ProgramReport:
    """A program with enough people for every figure and chart to show."""
    retention_p = figure("retention_participants", "Retention (participants)", 0.91, 80, "%")
    retention_c = figure("retention_comparison", "Retention (comparison group)", 0.78, 400, "%")
    promotion_p = figure("promotion_participants", "Promotion (participants)", 0.17, 80, "%")
    promotion_c = figure("promotion_comparison", "Promotion (comparison group)", 0.09, 400, "%")
    return ProgramReport(
        program_id=7, program="Leadership 1:1", generated_at=GENERATED,
        scope="2026-01-01 to 2026-03-31", since=date(2026, 1, 1), until=date(2026, 3, 31),
        replacement_cost=60000,
        participation=[figure("invited", "Invited", 140, 0, "people", count=True),
                       figure("enrolled", "Enrolled", 96, 0, "people", count=True),
                       figure("enrol_rate", "Invited who enrolled", 0.6857, 140, "%"),
                       figure("mentors", "Mentors", 38, 0, "people", count=True)],
        matching=[figure("match_rate", "Enrolled and matched", 0.875, 96, "%"),
                  figure("days_to_match", "Median days to a match", 6, 84, "days")],
        engagement=[figure("met_within_14_days", "Met within 14 days", 0.81, 42, "%"),
                    figure("sessions_per_pair_month", "Sessions per pair a month", 1.4, 42,
                           "sessions")],
        satisfaction=[figure("useful_share", "Found it useful (4 or 5)", 0.83, 58, "%"),
                      figure("nps", "Net promoter score", 41.0, 58, "nps"),
                      figure("mean_useful", "Mean usefulness", 4.12, 58, "score")],
        development=[figure("goals_met", "Goals met", 0.64, 50, "%"),
                     figure("training_done", "Mentors trained", 0.9, 38, "%")],
        outcomes=[retention_p, retention_c, promotion_p, promotion_c,
                  figure("estimated_saving", "Estimated saving", 624000.0, 80, "money",
                         "Assumes replacing one employee costs $60,000.")],
        funnel=[figure("invited", "Invited", 140, 0, count=True),
                figure("enrolled", "Enrolled", 96, 0, count=True),
                figure("matched", "Matched", 84, 0, count=True),
                figure("met", "Met", 70, 0, count=True),
                figure("active", "Active", 61, 0, count=True)],
        sessions_by_month=[("2026-01", 22, 30), ("2026-02", 51, 40), ("2026-03", 64, 42)],
        satisfaction_distribution={1: 2, 2: 3, 3: 5, 4: 21, 5: 27},
        comparison={"retention_participants": retention_p,
                    "retention_comparison": retention_c,
                    "promotion_participants": promotion_p,
                    "promotion_comparison": promotion_c},
        quotes=["My mentor helped me prepare for my first <board> presentation.",
                "Fortnightly coffee turned into the best hour of my week."],
        fairness=Table("fairness", "Fairness", ["Group", "Match rate", "People"],
                       [["Women", 0.88, 44], ["Men", 0.87, 46], ["Other / not said", None, 6]]),
        end_reasons=Table("end_reasons", "Why pairs ended", ["Reason", "Pairs"],
                          [["Completed", 14], ["Left the company", 5]]),
        cohorts=Table("cohorts", "Cohorts", ["Cohort", "Published", "Pairs"],
                      [["Cohort 1", "2026-01-12", 40], ["Cohort 2", "2026-03-02", 2]]),
    )


# Head counts that must never appear next to their suppressed labels.
SMALL = {"enrolled": 4, "matched": 3, "met": 2, "active": 1}


def small_report() -> ProgramReport:
    """A pilot of four people: nearly everything is withheld or not measured yet."""
    return ProgramReport(
        program_id=8, program="Tiny pilot", generated_at=GENERATED, scope="All cohorts",
        participation=[figure("invited", "Invited", 0, 0, "people", count=True),
                       figure("enrolled", "Enrolled", SMALL["enrolled"], 0, "people",
                              count=True)],
        matching=[figure("match_rate", "Enrolled and matched", 0.75, 4, "%")],
        engagement=[figure("met_within_14_days", "Met within 14 days", None, 0, "%")],
        satisfaction=[figure("useful_share", "Found it useful (4 or 5)", 1.0, 3, "%")],
        development=[],
        outcomes=[figure("estimated_saving", "Estimated saving", 50000.0, 2, "money")],
        funnel=[figure(k, k.title(), v, 0, count=True) for k, v in
                {"invited": 0, **SMALL}.items()],
        sessions_by_month=[],
        satisfaction_distribution=None,
        comparison={"retention_participants":
                    figure("retention_participants", "Retention (participants)", 1.0, 3, "%"),
                    "retention_comparison":
                    Figure("retention_comparison", "Retention (comparison group)", None, 0,
                           "%", "no data yet")},
    )

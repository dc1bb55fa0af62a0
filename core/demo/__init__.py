"""The demo: a sample organisation to try the bot with, and a finished cohort to report on.

Only ``mentorbot demo``, the web chat and tests use it; nothing in the product depends on it.
"""

from core.demo.cohort import SimulationSummary, simulate_program
from core.demo.organisation import (
    DEMO_ADMIN_EMAIL,
    DEMO_TENANT,
    DemoSummary,
    demo_rows,
    has_people,
    load_demo,
)

__all__ = ["DEMO_ADMIN_EMAIL", "DEMO_TENANT", "DemoSummary", "SimulationSummary", "demo_rows",
           "has_people", "load_demo", "simulate_program"]

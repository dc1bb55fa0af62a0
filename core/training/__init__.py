"""Mentor training: short modules a program can require before its mentors are matched.

`course` holds the starter course, `setup` attaches it to a program, `progress` tracks who has
finished what (and who matching must hold back), `delivery` sends one module a day, `chat`
answers `/mentor training` and the module buttons, `texts` says it all.
"""

from core.training.delivery import deliver_due
from core.training.progress import mentors_in_training, training_gaps
from core.training.setup import attach_starter

__all__ = ["attach_starter", "deliver_due", "mentors_in_training", "training_gaps"]

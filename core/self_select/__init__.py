"""Self-select: a mentee picks from suggested mentors, who accept or decline."""

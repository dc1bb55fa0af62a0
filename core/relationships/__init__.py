"""A published match as a relationship: introduction, nudges, check-ins, plan, pause and end."""

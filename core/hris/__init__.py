"""People from the HR system: records, upserts, the reporting tree, and deactivation."""

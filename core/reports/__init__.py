"""Program outcomes: metrics, suppression of small groups, and the report renderers."""

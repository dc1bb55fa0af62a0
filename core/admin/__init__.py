"""Admin-only commands and the rights that guard them."""

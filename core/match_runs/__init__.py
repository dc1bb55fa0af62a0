"""Matching runs for a program: load from the database, preview, adjust, publish, export."""

"""Benchmarks that print their figures (``mentorbot bench …``), and the fakes they need.

The fakes here are real HTTP servers on 127.0.0.1 that play a platform (``fake_slack``
enforces Slack's rate limits), so a benchmark runs from an installed package, not only from a
source checkout; the test suite uses the same fakes.
"""

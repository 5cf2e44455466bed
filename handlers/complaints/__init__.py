"""Complaints, suggestions, opinions and compliments (seed 001 lines 321–406; seed 000 PMQA 3.5–3.12):
filing in a 1:1 chat, the officers' desk, deadlines in working days, statistics and the complainant's data."""

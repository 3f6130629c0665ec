"""Ratings & evaluation read models: ballots and case ratings, satisfaction tallies, each
subject's ratings, the year-end evaluation and the awards decided.

Used by other features: `satisfaction.BallotRow` (the simulated-year banner).
"""

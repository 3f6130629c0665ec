"""Supervision read models: visits, findings and the steps on them.

Used by other features: `supervision_queries` (scorecards, timelines, the evaluation).
"""

"""Plan & progress read models: the plan's catalog and its queries, the monthly reports
and what they add up to (progress, scorecards, the simulated-year banner), item timelines.

Used by other features: `catalog` (names of rated items), `queries` and `progress_queries`
(the evaluation). How the simulated year is labelled: domain.actors.
"""

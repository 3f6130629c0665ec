"""The domain: the yearly plan, its progress and its cases, as aggregates and pure rules.

Imports the standard library and `eventsourcing.domain` only.
"""

"""Supervision: the public record of supervision visits and findings, and the supervisors'
and units' staff steps on them (record, rectify, close, reopen).

Public to other features: nothing; they read supervision through projections only.
"""

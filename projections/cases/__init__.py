"""Case read models: the public facts of each case and its steps (never personal data),
the personal-data access log, and the Open311 GeoReport view of cases.

Used by other features: `cases.CaseRow` (the simulated-year banner, the evaluation).
"""

"""The staff read model: accounts, their unit and roles (never a password).

Used by other features: nothing.
"""

"""The yearly cycle: the solicitation of proposals, conversions of cases, candidates for
next year's plan, the People's Congress vote (人代会票决) and amendments of a plan.

Public to other features: nothing yet.
"""

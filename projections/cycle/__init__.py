"""The yearly cycle's read models: proposals and their supports, conversions of cases,
candidates, the congress vote, and the amendments of registered plans."""

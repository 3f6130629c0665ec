"""Site search: the box on every page, its results page, its API and OpenSearch description.

Public to other features: nothing; the search index is a read model (projections/search).
"""

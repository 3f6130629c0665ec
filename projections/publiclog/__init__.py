"""The public log and the store chain: which events are public and how each reads
(public_entries), the hash-chained log and its queries, and the verifiers of both.

Used by other features: `log_queries` (permalinks in item timelines).
"""

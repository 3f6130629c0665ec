"""What changed between two Wuxi days, across the read models: the public log's entries of
the kinds a reader follows (read by their recorded time), reports' values before and after,
projects whose status moved, cases that passed their time limit, each flagged simulated or
not. It reads other features' tables and is read only by the open-data pages.
"""

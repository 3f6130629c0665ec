"""Plan & progress: the yearly plan's pages, the progress dashboard, scorecards and charts,
and the reporters' monthly reports.

Public to other features: `charts` (the satisfaction page draws with it).
Everything else (pages, progress, reporting, forms) is this feature's own.
"""

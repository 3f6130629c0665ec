"""Open data & journalism: the JSON API, Open311 GeoReport v2, CSV and JSON exports with
their OpenAPI description, feeds, the public log's event pages and the journalists' page,
and the `log` command line.

Public to other features: `changes.week_of` and `changes.week_item` (the weekly e-mail
digest); `open311.errors` is used by the shared error handlers.
"""

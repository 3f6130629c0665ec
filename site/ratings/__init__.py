"""Ratings & evaluation: citizens verify a contact and rate projects and items; the
satisfaction results, the year-end evaluation and awards, and moderation of comments.

Public to other features: `panel` (the ratings panel plan pages show, and the labels of
why a comment was not published). `contact` holds the verified contact in the session and
builds the senders and the verifier; `limits` the rating pages' rate limits; `outbox` the
development outbox page.
"""

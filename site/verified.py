"""The phone or e-mail a visitor proved with a one-time code, kept in their session sealed.

Shared by the features that act for a verified person: ratings (one per person and
quarter) and cases ("my cases" by phone). The contact lives in the session only
sealed (AES-GCM under a key derived from SECRET_KEY), never readable in the cookie.
"""

from __future__ import annotations

from flask import session

from application.verification import Address, Verified, Verifier
from minsheng_site.sealing import unseal
from minsheng_site.services import services

VOTER, PENDING = "voter", "voter_pending"
VERIFIED_FOR = 24 * 3600  # seconds a verification lasts in a session


def verified() -> Verified | None:
    """The contact this visitor proved in this session, if still valid."""
    data = unseal(VOTER, session.get(VOTER))
    if data is None:
        return None
    return Verified(data["voter"], Address(data["kind"], data["value"]))


def verifier() -> Verifier:
    return services().verifier

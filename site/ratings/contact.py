"""The contact a visitor verified, kept in their session only sealed, and the verifier.

The verified contact lives in the visitor's session only sealed (AES-GCM
under a key derived from SECRET_KEY), never readable in the cookie.
"""

from __future__ import annotations

import ipaddress

from flask import session

from application.verification import Address, Verified, Verifier
from minsheng_site.sealing import unseal
from minsheng_site.services import services

VOTER, PENDING = "voter", "voter_pending"
VERIFIED_FOR = 24 * 3600  # seconds a verification lasts in a session


# What the session holds is sealed (minsheng_site.sealing) ----------------------------


def verified() -> Verified | None:
    """The contact this visitor proved in this session, if still valid."""
    data = unseal(VOTER, session.get(VOTER))
    if data is None:
        return None
    return Verified(data["voter"], Address(data["kind"], data["value"]))


def verifier() -> Verifier:
    return services().verifier


def network_of(address: str | None) -> str:
    """A keyed hash of the visitor's network (/24 for IPv4, /48 for IPv6): bursts, not people."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    prefix = 24 if ip.version == 4 else 48
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    return services().ledger.vault.contact(f"net:{network}")[:16]

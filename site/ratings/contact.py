"""The contact a visitor verified (site/verified.py), and the network they rate from."""

from __future__ import annotations

import ipaddress

from minsheng_site.services import services
from minsheng_site.verified import PENDING, VERIFIED_FOR, VOTER, verified, verifier

# Where the verified contact is kept is shared with the cases' "my cases" (site/verified.py).
__all__ = ["PENDING", "VERIFIED_FOR", "VOTER", "network_of", "verified", "verifier"]


def network_of(address: str | None) -> str:
    """A keyed hash of the visitor's network (/24 for IPv4, /48 for IPv6): bursts, not people."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    prefix = 24 if ip.version == 4 else 48
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    return services().ledger.vault.contact(f"net:{network}")[:16]
